"""`facepolicy schema`: the deployment schema merged with the loaded packs' fact extensions, for
editors."""

from __future__ import annotations

import click

from facepolicy.cli import load_rules, options


@click.command("schema")
@options.policies
@options.no_bundled
@options.output
def schema_command(policies, no_bundled, output):
    """打印合并了各规则包事实扩展的部署描述 JSON Schema（供编辑器补全与即时校验） /
    Print the deployment schema merged with the loaded packs' fact extensions (for editors'
    completion and inline errors)."""
    import json

    from facepolicy import schemas

    load_rules(policies, no_bundled)  # makes the packs' extensions part of the deployment schema
    text = json.dumps(schemas.load("deployment"), ensure_ascii=False, indent=2) + "\n"
    if output:
        from facepolicy.output import write_text

        write_text(output, text)
    else:
        click.echo(text, nl=False)
