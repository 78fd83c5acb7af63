"""`facepolicy digest`: the content digest of the rule set, alone."""

from __future__ import annotations

import click

from facepolicy.cli import load_rules, options


@click.command("digest")
@options.policies
@options.no_bundled
def digest_command(policies, no_bundled):
    """打印规则集的内容摘要 / Print the rule set's content digest."""

    click.echo(load_rules(policies, no_bundled).digest())
