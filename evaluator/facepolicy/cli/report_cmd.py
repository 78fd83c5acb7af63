"""`facepolicy report`: one self-contained HTML file for an auditor."""

from __future__ import annotations

import sys

import click

from facepolicy.cli import load_rules, options


@click.command("report")
@click.argument("deployments", nargs=-1)
@options.policies
@options.no_bundled
@options.lang
@options.fail_on
@options.allow_incomplete
@options.today
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default="facepolicy-report.html",
    show_default=True,
    help="HTML 文件 / The HTML file.",
)
@click.option(
    "--waivers", "waivers_file", type=click.Path(dir_okay=False), help="豁免文件 / Waivers file."
)
@options.max_size
def report_command(
    deployments,
    policies,
    no_bundled,
    lang,
    fail_on,
    allow_incomplete,
    today,
    output,
    waivers_file,
    max_size,
):
    """生成自包含的 HTML 报告（结论、可追溯性、覆盖率）；退出码同 eval /
    Write one self-contained HTML report: verdicts, traceability, coverage; exits like eval (1 for
    failures or incomplete verdicts at or above --fail-on)."""
    from facepolicy.coverage import audit
    from facepolicy.engine import Run
    from facepolicy.errors import printable
    from facepolicy.html_report import render, wrote
    from facepolicy.loader import iter_deployments
    from facepolicy.model import DeploymentResult, Severity, Summary
    from facepolicy.output import refuse_overlap, write_text
    from facepolicy.provenance import report_context
    from facepolicy.waivers import WaiverBook, find_waivers

    refuse_overlap(output, deployments)
    rule_set = load_rules(policies, no_bundled)
    day = options.today_from(today)
    run = Run(rule_set, day, WaiverBook(find_waivers(waivers_file), day))
    summary, results, problems = Summary(), [], list(rule_set.problems)
    severity_of = {rid: rule.severity for rid, rule in rule_set.rules.items()}
    for item in run.results(iter_deployments(list(deployments), max_size)) if deployments else []:
        if isinstance(item, DeploymentResult):
            summary.add(item, severity_of)
            results.append(item)
        else:
            problems.append(item)
    summary.problems = len(problems)
    context = report_context(rule_set, lang, day)
    html = render(context, results, problems, summary, audit(rule_set, [], lang))
    write_text(output, html)
    click.echo(wrote(printable(output), summary, lang))
    sys.exit(summary.exit_code(Severity[fail_on], allow_incomplete))
