"""`facepolicy fmt`: rule files rewritten to the one canonical layout, long catalog lines folded;
data unchanged."""

from __future__ import annotations

import sys

import click

from facepolicy.model import Outcome, exit_code


@click.command("fmt")
@click.argument("files", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--policies",
    "policies",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    help="规则文件夹（可重复；无文件时默认为内置规则） / A policies folder (repeatable; "
    "the bundled one when no file is given).",
)
@click.option(
    "--check",
    is_flag=True,
    help="只检查，不写入；有不合规范格式的文件时退出码为 1 / "
    "Only check; exit 1 if a file is not in the canonical "
    "layout.",
)
def fmt_command(files, policies, check):
    """将规则文件改写为规范格式（长行折叠，解析后的数据逐字节不变） /
    Rewrite rule files to the canonical layout (long lines folded; the parsed data stays byte for
    byte the same)."""
    from pathlib import Path

    from facepolicy.errors import FacepolicyError
    from facepolicy.fmt import fold_catalog, format_rule
    from facepolicy.loader import decode_text
    from facepolicy.output import replace_text
    from facepolicy.paths import POLICIES, shown

    pending = 0
    for path in _targets(
        [Path(f) for f in files], [Path(p) for p in policies] or ([] if files else [POLICIES])
    ):
        name = shown(path)
        try:
            text = decode_text(path.read_bytes())
        except OSError as exc:
            raise FacepolicyError(name, f"cannot read / 无法读取: {exc.strerror}") from None
        wanted = (
            fold_catalog(text, name) if path.name == "document.toml" else format_rule(text, name)
        )
        if wanted == text:
            continue
        pending += 1
        if check:
            click.echo(f"{name}: not in the canonical layout / 不是规范格式")
            continue
        replace_text(str(path), wanted)
        click.echo(f"{name}: reformatted / 已格式化")
    sys.exit(exit_code([Outcome.unmet] if check and pending else []))


def _targets(files, folders):
    """The files named, then every rule file and catalog of each policies folder (a folder of
    document folders)."""
    from pathlib import Path

    from facepolicy.ruleset import _listing

    found = []
    for path in files:
        found += sorted(path.rglob("*.toml")) if path.is_dir() else [path]
    from facepolicy.packs import place_of

    for folder in folders:
        catalogs, rules = _listing(place_of(folder).rules)
        found += [Path(p) for p in catalogs + rules]
    return found
