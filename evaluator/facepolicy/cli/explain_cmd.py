"""`facepolicy explain`: the rule, its clauses, and how it decided on a deployment."""

from __future__ import annotations

import sys

import click

from facepolicy.cli import load_rules, options


@click.command("explain")
@click.argument("rule_id", metavar="RULE")
@click.argument("deployment", required=False)
@options.policies
@options.no_bundled
@options.lang
@options.today
def explain_command(rule_id, deployment, policies, no_bundled, lang, today):
    """说明规则、其条款原文，以及对某部署的判定过程 / Show a rule, its verbatim clauses, and each step of its decision on a deployment."""
    from facepolicy.engine import deployment_problem
    from facepolicy.errors import FacepolicyError
    from facepolicy.evaluate import evaluate_rule, functions_for, read_deployment
    from facepolicy.explain import describe_decision, describe_rule
    from facepolicy.loader import iter_deployments
    from facepolicy.model import Problem

    rule_set = load_rules(policies, no_bundled).select((rule_id,))
    rule = rule_set.rules[rule_id]
    for line in describe_rule(rule, rule_set, lang):
        click.echo(line)
    if deployment is None:
        sys.exit(0)
    code = 0
    for item in iter_deployments([deployment]):
        if isinstance(item, Problem):
            raise FacepolicyError(item.source, item.message)
        problem = deployment_problem(item.value)
        if problem is not None:
            raise FacepolicyError(item.source, problem)
        trace: list = []
        verdict = evaluate_rule(rule, read_deployment(item.value), functions_for(options.today_from(today)), trace)
        click.echo(f"\n{item.source}  ({item.value['id']})")
        for line in describe_decision(verdict, trace, lang):
            click.echo(line)
        code = max(code, {"fail": 1, "error": 2}.get(verdict.status.value, 0))
    sys.exit(code)
