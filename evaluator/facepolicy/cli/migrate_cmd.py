"""`facepolicy migrate`: deployment descriptions from schema_version 1 to 2, in place."""

from __future__ import annotations

import sys

import click

from facepolicy.model import Outcome, exit_code


@click.command("migrate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--check",
    is_flag=True,
    help="只检查，不写入；有待迁移的文件时退出码为 1 / Only "
    "check; exit 1 if a file needs migrating.",
)
def migrate_command(files, check):
    """将部署描述迁移到 schema_version 2（保留其余每个字节；原有列表标记为完整，含义不变） /
    Migrate deployment descriptions to schema_version 2, keeping every other byte (each stated list
    is named complete, so the meaning stays)."""
    from pathlib import Path

    from facepolicy.errors import FacepolicyError
    from facepolicy.loader import decode_text, parse_json
    from facepolicy.output import replace_text

    pending = 0
    for name in files:
        path = Path(name)
        try:
            raw = path.read_bytes()
            text = decode_text(raw)
            migrated = _migrate(text, parse_json(text))
        except FacepolicyError as exc:
            raise exc.within(name) from None
        except OSError as exc:
            raise FacepolicyError(name, f"cannot read / 无法读取: {exc.strerror}") from None
        if migrated == text:
            continue
        pending += 1
        if check:
            click.echo(f"{name}: schema_version 1, to migrate / 待迁移")
            continue
        replace_text(name, migrated)
        click.echo(f"{name}: migrated to schema_version 2 / 已迁移")
    sys.exit(exit_code([Outcome.unmet] if check and pending else []))


def _migrate(text, document):
    from facepolicy.migrate import migrate_text

    return migrate_text(text, document)
