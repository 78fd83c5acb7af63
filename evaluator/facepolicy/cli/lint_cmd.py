"""`facepolicy lint`: check rule files, catalogs and schemas."""

from __future__ import annotations

import sys

import click

from facepolicy.cli import load_rules, options
from facepolicy.model import Outcome, exit_code


@click.command("lint")
@options.policies
@options.no_bundled
@click.option(
    "--sources",
    type=click.Path(file_okay=False, exists=True),
    help="来源文本目录，用于核对逐字摘录 / Folder of source texts to check excerpts against.",
)
@click.option(
    "--fixtures", "fixture_roots", multiple=True, metavar="DIR", help="夹具目录 / Fixture folders."
)
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(dir_okay=False),
    help="也检查此豁免文件（默认 "
    ".facepolicy-waivers.toml） "
    "/ Also check this "
    "waivers file "
    "(default "
    ".facepolicy-waivers.toml "
    "if present).",
)
@options.today
def lint_command(policies, no_bundled, sources, fixture_roots, waivers_file, today):
    """检查规则、目录与 schema，编译每个表达式 /
    Check rules, catalogs and schemas; compile every expression."""
    from pathlib import Path

    from facepolicy.lint import lint
    from facepolicy.packs import fixture_roots as roots_of

    rule_set = load_rules(policies, no_bundled)
    roots = roots_of(rule_set.packs, [Path(r) for r in fixture_roots])

    def has_violating_fixture(rule_id: str) -> bool:
        pack = rule_set.pack_of.get(rule_id)
        if pack not in roots:
            return True  # a pack whose fixtures were not named this time: not judged on them
        return any(any((root / "rules" / rule_id).glob("fail-*.json")) for root in roots[pack])

    findings = lint(rule_set, Path(sources) if sources else None, has_violating_fixture)
    findings += _waiver_findings(waivers_file, set(rule_set.rules), options.today_from(today))
    for finding in findings:
        click.echo(finding.line())
    click.echo(
        f"facepolicy lint: {len(rule_set.rules)} rules, {len(rule_set.documents)} catalogs, "
        f"{len(findings)} problems"
    )
    sys.exit(exit_code([Outcome.unmet] if findings else []))


def _waiver_findings(waivers_file, rule_ids, day):
    import os

    from facepolicy.errors import FacepolicyError
    from facepolicy.lint import Finding
    from facepolicy.paths import WAIVERS_FILE
    from facepolicy.waivers import find_waivers, waiver_findings

    if not waivers_file and not os.path.isfile(WAIVERS_FILE):
        return []
    try:
        waivers = find_waivers(waivers_file)
    except FacepolicyError as exc:
        return [Finding(exc.where, exc.message)]
    return [Finding(where, message) for where, message in waiver_findings(waivers, rule_ids, day)]
