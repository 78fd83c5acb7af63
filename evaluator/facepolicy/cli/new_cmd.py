"""`facepolicy new`: scaffold a rule, its catalog reference and its fixtures."""

from __future__ import annotations

import click


@click.command("new")
@click.argument("clause_ref", metavar="DOC:CLAUSE")
@click.argument("name")
@click.option("--policies", "policies_dir", type=click.Path(file_okay=False), default="policies", show_default=True, help="规则目录 / Rule folder.")
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False), default="fixtures", show_default=True, help="夹具目录 / Fixture folder.")
def new_command(clause_ref, name, policies_dir, fixtures_dir):
    """为某条款生成规则、目录引用与合规/违规夹具 / Scaffold a rule for a clause, its catalog reference and a compliant and a violating fixture."""
    from pathlib import Path

    from facepolicy.scaffold import scaffold

    for path in scaffold(Path(policies_dir), Path(fixtures_dir), clause_ref, name):
        click.echo(f"wrote {path}")
    click.echo("next: edit the TODOs, then run `facepolicy lint` and `facepolicy test` / 下一步：填写 TODO，再运行 lint 与 test")
