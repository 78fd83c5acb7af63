"""`facepolicy new`: scaffold a rule, its catalog reference and its fixtures."""

from __future__ import annotations

import click


@click.command("new")
@click.argument("clause_ref", metavar="DOC:CLAUSE")
@click.argument("name")
@click.option(
    "--policies",
    "policies_dir",
    type=click.Path(file_okay=False),
    default="policies",
    show_default=True,
    help="规则目录 / Rule folder.",
)
@click.option(
    "--fixtures",
    "fixtures_dir",
    type=click.Path(file_okay=False),
    default="fixtures",
    show_default=True,
    help="夹具目录 / Fixture folder.",
)
@click.option(
    "--title",
    help="文档没有目录时，以此标题生成最小目录 / With no catalog for the "
    "document, create a minimal one with this title.",
)
@click.option("--publisher", help="新目录的发布方 / Publisher, for a new catalog.")
@click.option(
    "--date",
    help="新目录的文档日期 YYYY-MM-DD 或 undated / Document date for a new "
    "catalog, YYYY-MM-DD or undated.",
)
def new_command(clause_ref, name, policies_dir, fixtures_dir, title, publisher, date):
    """为某条款生成规则、目录条目（缺失时）与合规/违规夹具，并双向关联条款与规则 /
    Scaffold a rule for a clause, link clause and rule both ways in the catalog (adding the clause,
    or with --title the catalog, where missing), and a compliant and a violating fixture."""
    from pathlib import Path

    from facepolicy.scaffold import scaffold

    for done, path in scaffold(
        Path(policies_dir), Path(fixtures_dir), clause_ref, name, title, publisher, date
    ):
        click.echo(f"{done} {path}")
    click.echo(
        "next: edit the TODOs, then run `facepolicy lint` and `facepolicy test` / "
        "下一步：填写 TODO，再运行 lint 与 test"
    )
