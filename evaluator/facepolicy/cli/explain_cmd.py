"""`facepolicy explain`: the rule, its clauses, and how it decided on a deployment."""

from __future__ import annotations

import sys

import click

from facepolicy.cli import load_rules, options
from facepolicy.model import Outcome, exit_code


@click.command("explain")
@click.argument("rule_id", metavar="RULE")
@click.argument("deployment", required=False)
@options.policies
@options.no_bundled
@options.lang
@options.today
def explain_command(rule_id, deployment, policies, no_bundled, lang, today):
    """说明规则、其条款原文，以及对某部署的判定过程 /
    Show a rule, its verbatim clauses, and each step of its decision on a deployment."""
    from facepolicy.errors import FacepolicyError
    from facepolicy.explain import describe_decision, describe_rule
    from facepolicy.loader import iter_deployments
    from facepolicy.model import Problem
    from facepolicy.pipeline import judge

    rule_set = load_rules(policies, no_bundled).select((rule_id,), where="explain RULE")
    rule = rule_set.rules[rule_id]
    for line in describe_rule(rule, rule_set, lang):
        click.echo(line)
    if deployment is None:
        sys.exit(0)
    outcomes: list = []
    for item in iter_deployments([deployment]):
        trace: list = []
        judged = judge({rule_id: rule}, item, today=options.today_from(today), trace=trace)
        if isinstance(judged, Problem):
            raise FacepolicyError(judged.source, judged.message)
        [verdict] = judged.verdicts
        click.echo(f"\n{judged.source}  ({judged.deployment_id})")
        for line in describe_decision(verdict, trace, lang):
            click.echo(line)
        outcomes.extend(
            {
                "fail": [Outcome.violations],
                "incomplete": [Outcome.undecided],  # as `eval` at its default --fail-on
                "error": [Outcome.broken_rule],
            }.get(verdict.status.value, [])
        )
    sys.exit(exit_code(outcomes))
