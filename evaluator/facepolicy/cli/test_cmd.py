"""`facepolicy test`: run every fixture and check its expected verdicts."""

from __future__ import annotations

import sys

import click

from facepolicy.cli import load_rules, options
from facepolicy.model import Outcome, exit_code


@click.command("test")
@options.policies
@options.no_bundled
@click.option(
    "--fixtures",
    "fixture_roots",
    multiple=True,
    metavar="DIR",
    help="夹具目录（默认：每个规则包的 fixtures 目录） / Fixture folders (default: each "
    "pack's fixtures folder); each is tested as the fixtures of the pack it "
    "lies in.",
)
@options.lang
@options.today
def test_command(policies, no_bundled, fixture_roots, lang, today):
    """运行全部夹具并核对期望结论 / Run every fixture and check its expected verdicts."""
    from pathlib import Path

    from facepolicy.testing import FIXTURE_TODAY, run_fixtures

    rule_set = load_rules(policies, no_bundled)
    roots = [Path(r) for r in fixture_roots]
    run = run_fixtures(rule_set, roots, options.today_from(today) if today else FIXTURE_TODAY, lang)
    from facepolicy.errors import printable

    for problem in rule_set.problems + run.problems:
        click.echo(f"facepolicy: {printable(problem.line())}", err=True)
    for mismatch in run.mismatches:
        click.echo(f"MISMATCH {mismatch.case}: {mismatch.rule_id}: {mismatch.text}")
        for line in mismatch.details:
            click.echo(f"    {line}")
    for rule_id, lacking in sorted(run.untested.items()):
        kinds = f"no {' and no '.join(lacking)} fixture / 缺少{'、'.join(lacking)}夹具"
        click.echo(f"UNTESTED {rule_id}: {kinds} (fixtures/rules/{rule_id}/{lacking[0]}-NAME.json)")
    click.echo(
        f"facepolicy test: {run.cases} fixtures, {run.checked} expectations, {len(run.mismatches)} "
        "mismatches, "
        f"{len(run.untested)} rules lacking fixtures, {run.errors} rule errors, "
        f"{len(rule_set.problems) + len(run.problems)} input errors"
    )
    sys.exit(exit_code(run.outcomes + ([Outcome.broken_rule] if rule_set.problems else [])))
