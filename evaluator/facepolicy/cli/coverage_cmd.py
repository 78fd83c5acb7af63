"""`facepolicy coverage`: the clause → rule → fixture matrix, per document."""

from __future__ import annotations

import json
import sys

import click

from facepolicy.cli import load_rules, options
from facepolicy.model import Outcome, exit_code


@click.command("coverage")
@options.policies
@options.no_bundled
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="输出格式 / Output format.",
)
@click.option(
    "--fixtures", "fixture_roots", multiple=True, metavar="DIR", help="夹具目录 / Fixture folders."
)
@click.option(
    "--min",
    "minimum",
    type=click.FloatRange(0, 100),
    default=100.0,
    show_default=True,
    help="每份文件已处置条款的最低百分比，低于则退出码为 1 / Lowest share of accounted "
    "clauses per document; below it exits 1.",
)
@options.lang
@options.output
def coverage_command(policies, no_bundled, fmt, fixture_roots, minimum, lang, output):
    """条款 → 规则 → 夹具 覆盖矩阵 / The clause → rule → fixture matrix, per document."""
    from pathlib import Path

    from facepolicy.coverage import as_dict, measure, render_text

    rule_set = load_rules(policies, no_bundled)
    documents, rules = measure(rule_set, [Path(r) for r in fixture_roots], lang)
    if fmt == "json":
        text = (
            json.dumps(as_dict(documents, rules), ensure_ascii=False, sort_keys=True, indent=2)
            + "\n"
        )
    else:
        text = render_text(documents, rules, markdown=fmt == "markdown")
    if output:
        from facepolicy.output import write_text

        write_text(output, text)
    else:
        click.echo(text, nl=False)
    below = [d.key for d in documents if d.accounted_percent < minimum]
    for key in below:
        click.echo(
            f"facepolicy coverage: {key} is below {minimum:g}% accounted / 低于阈值", err=True
        )
    sys.exit(exit_code([Outcome.unmet] if below else []))
