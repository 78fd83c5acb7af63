"""The command line: a thin click layer. Each command parses options, calls the core, hands results to a reporter."""

from __future__ import annotations

import sys

import click

from facepolicy import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="facepolicy")
def cli() -> None:
    """facepolicy — 人脸识别部署合规检查 / policy-as-code checks of face-recognition deployments."""


def _register() -> None:
    from facepolicy.cli import coverage_cmd, diff_cmd, digest_cmd, eval_cmd, explain_cmd, lint_cmd, new_cmd, report_cmd, test_cmd

    cli.add_command(eval_cmd.eval_command)
    cli.add_command(test_cmd.test_command)
    cli.add_command(lint_cmd.lint_command)
    cli.add_command(coverage_cmd.coverage_command)
    cli.add_command(explain_cmd.explain_command)
    cli.add_command(digest_cmd.digest_command)
    cli.add_command(diff_cmd.diff_command)
    cli.add_command(report_cmd.report_command)
    cli.add_command(new_cmd.new_command)


def run(argv: list[str] | None = None) -> int:
    """The whole CLI as a function returning the exit code: bad input 2 with one line, a bug 3 that says so."""
    from facepolicy.errors import FacepolicyError

    try:
        if not cli.commands:
            _register()
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


def main() -> None:
    sys.exit(run())
