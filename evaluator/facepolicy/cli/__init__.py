"""The command line: a thin click layer. Each command parses options, calls the core, hands results to a reporter."""

from __future__ import annotations

import gc
import importlib

import click

from facepolicy import __version__


# name → module in facepolicy.cli; a command's module is imported only when that command runs (cold start).
COMMANDS = {
    "eval": "eval_cmd", "test": "test_cmd", "lint": "lint_cmd", "coverage": "coverage_cmd", "explain": "explain_cmd",
    "digest": "digest_cmd", "diff": "diff_cmd", "report": "report_cmd", "new": "new_cmd",
    "migrate": "migrate_cmd", "ask": "ask_cmd",
}


def resume_gc() -> None:
    """Start-up is over (see facepolicy.console): keep what was loaded out of later collections, and collect again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def load_rules(policies: tuple[str, ...], no_bundled: bool):
    """The rule set a command works with (bundled unless --no-bundled, then each --policies); start-up ends here."""
    from facepolicy.ruleset import load_rule_set

    rule_set = load_rule_set(policies, bundled=not no_bundled)
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


def run(argv: list[str] | None = None) -> int:
    """The whole CLI as a function returning the exit code: bad input 2 with one line, a bug 3 that says so."""
    from facepolicy.errors import FacepolicyError

    try:
        code = cli.main(args=argv, prog_name="facepolicy", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except FacepolicyError as exc:
        click.echo(f"facepolicy: {exc}", err=True)
        return 2
    except click.exceptions.Abort:
        return 2
    except click.ClickException as exc:
        exc.show()
        return 2
    except (BrokenPipeError, KeyboardInterrupt):
        return 2
    except RecursionError as exc:
        click.echo(f"facepolicy: input nested too deeply / 输入嵌套过深: {exc}", err=True)
        return 2
    except Exception as exc:  # noqa: BLE001 — the last resort: never a traceback
        click.echo(f"facepolicy: internal error, a bug in facepolicy (please report it) / 内部错误: {type(exc).__name__}: {exc}", err=True)
        return 3
    return code if isinstance(code, int) else 0
