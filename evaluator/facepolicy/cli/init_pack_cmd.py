"""`facepolicy init-pack`: scaffold a policy pack that passes lint and test on its first run."""

from __future__ import annotations

import click


@click.command("init-pack")
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False),
    help="规则包目录（默认：./NAME） / The pack's folder (default: ./NAME).",
)
def init_pack_command(name, folder):
    """新建规则包：pack.toml、一条条款的目录、基于一个扩展事实的规则、合规与违规夹具、场景与扩展 /
    Scaffold a policy pack: pack.toml, a catalog with one clause, a rule on one fact of its own
    extension, a passing and a failing fixture, a scenario and the extension schema."""
    from pathlib import Path

    from facepolicy.errors import printable
    from facepolicy.init_pack import init_pack
    from facepolicy.paths import shown

    target = Path(folder or name)
    for path in init_pack(target, name):
        click.echo(f"wrote {printable(shown(path))}")
    where = printable(shown(target))
    click.echo(
        f"next / 下一步: facepolicy lint --policies {where} && facepolicy test --policies {where}"
    )
    click.echo(f'      or write packs = ["{where}"] in .facepolicy.toml / 或写入 .facepolicy.toml')
