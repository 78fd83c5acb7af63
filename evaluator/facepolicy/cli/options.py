"""Options shared by several commands, defined once."""

from __future__ import annotations

import datetime as dt
import os
import re

import click

SEVERITIES = ["critical", "high", "medium", "low", "info"]


def today_from(value: str | None) -> dt.date:
    from facepolicy.durations import as_date
    from facepolicy.evalrun import (
        today_from as parse_today,
    )  # one definition, shared with the click-free eval

    return as_date(parse_today(value))


policies = click.option(
    "--policies",
    "policies",
    multiple=True,
    metavar="DIR",
    help="额外的规则目录，可重复；同 id 的规则替换内置规则 / Extra rule folder "
    "(repeatable); a rule with the same id replaces the bundled one.",
)
no_bundled = click.option(
    "--no-bundled", is_flag=True, help="不加载内置规则 / Do not load the bundled rules."
)
lang = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=lambda: os.environ.get("FACEPOLICY_LANG", "en"),
    show_default="en",
    help="输出语言 / Language of the output.",
)
rule = click.option(
    "--rule", "rules", multiple=True, metavar="ID", help="只运行这些规则 / Run only these rules."
)
tag = click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="TAG",
    help="只运行带这些标签的规则 / Run only rules with these tags.",
)
fail_on = click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="info",
    show_default=True,
    help="达到此严重程度的违规或信息不全才使退出码为 1 / Lowest severity of a "
    "failure (or an incomplete verdict) that makes the exit code 1.",
)
allow_incomplete = click.option(
    "--allow-incomplete",
    is_flag=True,
    help="信息不全（incomplete）的结论不使退出码为 1；默认会，因为沉默不等于合规 / Let incomplete "
    "verdicts exit 0; by default an "
    "incomplete verdict at or above --fail-on exits 1, because silence is never compliance.",
)
today = click.option(
    "--today",
    metavar="YYYY-MM-DD",
    help="评估日期（默认今天，或 "
    "FACEPOLICY_TODAY） / Evaluation date "
    "(default today, or FACEPOLICY_TODAY).",
)
output = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="写入文件而非标准输出 / Write to a file instead of standard output.",
)


def _size(text: str) -> int:
    match = re.fullmatch(r"\s*([0-9]+)\s*([KMG]?)i?B?\s*", str(text), re.I)
    if not match or int(match.group(1)) == 0:
        raise click.BadParameter(
            f"{text!r}: expected a size such as 500K, 32M or 1G / 应为大小，如 32M"
        )
    return int(match.group(1)) * 1024 ** " KMG".index((match.group(2) or " ").upper())


max_size = click.option(
    "--max-size",
    type=_size,
    default="32M",
    show_default=True,
    metavar="SIZE",
    help="每个部署（文件或 NDJSON 的一行）的大小上限，读取时即检查 / Largest "
    "deployment (a file, or a line of NDJSON), checked while reading.",
)


def format_option(choices: list[str]):
    return click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(choices),
        default="text",
        show_default=True,
        help="输出格式 / Output format.",
    )
