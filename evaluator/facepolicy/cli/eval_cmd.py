"""`facepolicy eval`: evaluate deployment descriptions."""

from __future__ import annotations

import sys

import click

from facepolicy.cli import options
from facepolicy.reporters import FORMATS


@click.command("eval")
@click.argument("deployments", nargs=-1, required=True)
@options.policies
@options.no_bundled
@options.format_option(sorted(FORMATS))
@options.output
@options.lang
@options.rule
@options.tag
@options.fail_on
@options.today
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(dir_okay=False),
    help="豁免文件（默认 "
    ".facepolicy-waivers.toml） "
    "/ Waivers file "
    "(default "
    ".facepolicy-waivers.toml "
    "if present).",
)
@options.allow_incomplete
@click.option(
    "--fail-on-incomplete", is_flag=True, hidden=True
)  # the default now; kept so that old CI lines still run
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="也列出通过与不适用的规则 / Also list passed and not-applicable rules.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="并行评估的进程数；输出顺序不变 / Worker processes evaluating in parallel; the "
    "output order stays the same.",
)
@options.max_size
def eval_command(
    deployments,
    policies,
    no_bundled,
    fmt,
    output,
    lang,
    rules,
    tags,
    fail_on,
    today,
    waivers_file,
    allow_incomplete,
    fail_on_incomplete,
    verbose,
    jobs,
    max_size,
):
    """评估部署描述（文件、目录、- 表示标准输入；JSON 或 NDJSON） /
    Evaluate deployment descriptions (files, folders, - for stdin; JSON or NDJSON)."""
    from facepolicy.evalrun import EvalOptions, execute

    sys.exit(
        execute(
            EvalOptions(
                tuple(deployments),
                tuple(policies),
                no_bundled,
                fmt,
                output,
                lang,
                tuple(rules),
                tuple(tags),
                fail_on,
                today,
                waivers_file,
                allow_incomplete,
                fail_on_incomplete,
                verbose,
                jobs,
                max_size,
            )
        )
    )
