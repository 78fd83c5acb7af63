"""`facepolicy compile --show RULE`: the Python a rule is compiled to, as it runs."""

from __future__ import annotations

import click

from facepolicy.cli import load_rules, options


@click.command("compile")
@click.option(
    "--show",
    "rule_id",
    required=True,
    metavar="RULE",
    help="打印该规则编译成的 Python 源码 / Print the Python source the rule is compiled to.",
)
@options.policies
@options.no_bundled
def compile_command(rule_id, policies, no_bundled):
    """规则编译成的 Python 代码 / The Python code rules are compiled to (evaluated in place of the
    interpreter)."""
    from facepolicy.codegen import rule_source

    rule_set = load_rules(policies, no_bundled).select((rule_id,))
    click.echo(rule_source(rule_set.rules[rule_id]), nl=False)
