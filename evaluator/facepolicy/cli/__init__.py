"""The command line: a thin click layer. Each command parses options, calls the core, hands results
to a reporter."""

from __future__ import annotations

import importlib
import sys

import click

from facepolicy import __version__
from facepolicy.console import resume_gc
from facepolicy.model import EXIT_CODES, Outcome

__all__ = ["cli", "run", "load_rules", "resume_gc"]


# name → module in facepolicy.cli; a command's module is imported only when that command runs (cold
# start).
COMMANDS = {
    "eval": "eval_cmd",
    "test": "test_cmd",
    "lint": "lint_cmd",
    "coverage": "coverage_cmd",
    "explain": "explain_cmd",
    "digest": "digest_cmd",
    "diff": "diff_cmd",
    "report": "report_cmd",
    "new": "new_cmd",
    "migrate": "migrate_cmd",
    "ask": "ask_cmd",
    "fmt": "fmt_cmd",
    "schema": "schema_cmd",
    "init-pack": "init_pack_cmd",
    "compile": "compile_cmd",
}


def load_rules(policies: tuple[str, ...], no_bundled: bool):
    """The rule set a command works with: the bundled pack unless --no-bundled, then each
    --policies pack (or, when none is given, those .facepolicy.toml in the working folder names);
    start-up ends here."""
    from facepolicy.packs import find_config
    from facepolicy.ruleset import load_rule_set

    configured, bundled = find_config()
    rule_set = load_rule_set(policies or configured, bundled=bundled and not no_bundled)
    resume_gc()
    return rule_set


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"facepolicy.cli.{COMMANDS[name]}")
        return next(v for v in vars(module).values() if isinstance(v, click.Command))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="facepolicy")
def cli() -> None:
    """facepolicy — 人脸识别部署合规检查 / policy-as-code checks of face-recognition deployments."""


INTERRUPTED = EXIT_CODES[Outcome.interrupted]  # 128 + SIGINT
BROKEN_PIPE = EXIT_CODES[Outcome.closed_output]  # 128 + SIGPIPE


def run(argv: list[str] | None = None) -> int:
    """The whole CLI as a function returning the exit code (console.guarded turns failures into
    codes)."""
    from facepolicy.console import guarded

    def body() -> int:
        try:
            # make_context and invoke rather than cli.main: main turns Ctrl-C into a blank line and
            # Abort.
            with cli.make_context(
                "facepolicy", list(sys.argv[1:] if argv is None else argv)
            ) as ctx:
                code = cli.invoke(ctx)
        except click.exceptions.Exit as exc:  # --help, --version
            return exc.exit_code
        except click.exceptions.Abort:  # click turns a KeyboardInterrupt at a prompt into Abort
            click.echo("facepolicy: interrupted / 已中断", err=True)
            return INTERRUPTED
        except click.ClickException as exc:
            exc.show()
            return EXIT_CODES[Outcome.bad_input]
        return code if isinstance(code, int) else 0

    return guarded(body)
