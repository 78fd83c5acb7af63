"""The command line: a thin click layer. Each command parses options, calls the core, hands results to a reporter."""

from __future__ import annotations

import gc
import importlib
import os
import sys

import click

from facepolicy import __version__
from facepolicy.model import EXIT_CODES, Outcome


# name → module in facepolicy.cli; a command's module is imported only when that command runs (cold start).
COMMANDS = {
    "eval": "eval_cmd", "test": "test_cmd", "lint": "lint_cmd", "coverage": "coverage_cmd", "explain": "explain_cmd",
    "digest": "digest_cmd", "diff": "diff_cmd", "report": "report_cmd", "new": "new_cmd",
    "migrate": "migrate_cmd", "ask": "ask_cmd", "fmt": "fmt_cmd", "schema": "schema_cmd",
    "init-pack": "init_pack_cmd",
}


def resume_gc() -> None:
    """Start-up is over (see facepolicy.console): keep what was loaded out of later collections, and collect again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


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


def _quiet_stdout() -> None:
    """The reader of standard output is gone: point it at /dev/null so that the interpreter's last flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def run(argv: list[str] | None = None) -> int:
    """The whole CLI as a function returning the exit code: bad input 2 with one line, a bug 3 that says so,
    Ctrl-C 130 with one line, a closed standard output 141 and silence."""
    from facepolicy.errors import FacepolicyError, printable

    try:  # a file name that is not UTF-8 (kept as surrogates by the OS layer) is written escaped, not a crash
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass
    try:
        try:
            # make_context and invoke rather than cli.main: main turns Ctrl-C into a blank line and Abort.
            with cli.make_context("facepolicy", list(sys.argv[1:] if argv is None else argv)) as ctx:
                code = cli.invoke(ctx)
            sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        except RecursionError as exc:  # before OSError and the rest: nothing deeper is caught by accident
            raise FacepolicyError("", f"input nested too deeply / 输入嵌套过深: {exc}") from None
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_CODES[Outcome.bad_input])
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_stdout()
            return BROKEN_PIPE
        return code
    except FacepolicyError as exc:
        click.echo(f"facepolicy: {printable(str(exc))}", err=True)
        return EXIT_CODES[Outcome.bad_input]
    except click.exceptions.Exit as exc:  # --help, --version
        return exc.exit_code
    except click.exceptions.Abort:  # click turns a KeyboardInterrupt at a prompt into Abort
        click.echo("facepolicy: interrupted / 已中断", err=True)
        return INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_CODES[Outcome.bad_input]
    except BrokenPipeError:
        _quiet_stdout()
        return BROKEN_PIPE
    except KeyboardInterrupt:
        click.echo("facepolicy: interrupted / 已中断", err=True)
        return INTERRUPTED
    except OSError as exc:  # a full disk, a read-only file system, a permission refused: the input or the place, not a bug
        where = printable(str(exc.filename)) + ": " if exc.filename else ""
        click.echo(f"facepolicy: {where}{bilingual_io()}: {exc.strerror or exc}", err=True)
        return EXIT_CODES[Outcome.bad_input]
    except Exception as exc:  # noqa: BLE001 — the last resort: never a traceback
        click.echo(f"facepolicy: internal error, a bug in facepolicy (please report it) / 内部错误: {type(exc).__name__}: {printable(str(exc))}", err=True)
        return EXIT_CODES[Outcome.bug]
    return code if isinstance(code, int) else 0


def bilingual_io() -> str:
    from facepolicy.errors import bilingual

    return bilingual("输入输出错误", "I/O error")
