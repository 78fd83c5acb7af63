"""`facepolicy digest`: the content digest of the rule set, alone."""

from __future__ import annotations

import click

from facepolicy.cli import options


@click.command("digest")
@options.policies
@options.no_bundled
def digest_command(policies, no_bundled):
    """打印规则集的内容摘要 / Print the rule set's content digest."""
    from facepolicy.ruleset import load_rule_set

    click.echo(load_rule_set(policies, bundled=not no_bundled).digest())
