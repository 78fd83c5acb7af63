"""`facepolicy eval`: evaluate deployment descriptions."""

from __future__ import annotations

import os
import sys

import click

from facepolicy.cli import load_rules, options
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
@click.option("--waivers", "waivers_file", type=click.Path(dir_okay=False), help="豁免文件（默认 .facepolicy-waivers.toml） / Waivers file (default .facepolicy-waivers.toml if present).")
@options.allow_incomplete
@click.option("--fail-on-incomplete", is_flag=True, hidden=True)  # the default now; kept so that old CI lines still run
@click.option("--verbose", "-v", is_flag=True, help="也列出通过与不适用的规则 / Also list passed and not-applicable rules.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=1, show_default=True,
              help="并行评估的进程数；输出顺序不变 / Worker processes evaluating in parallel; the output order stays the same.")
@options.max_size
def eval_command(deployments, policies, no_bundled, fmt, output, lang, rules, tags, fail_on, today, waivers_file, allow_incomplete, fail_on_incomplete, verbose, jobs, max_size):
    """评估部署描述（文件、目录、- 表示标准输入；JSON 或 NDJSON） / Evaluate deployment descriptions (files, folders, - for stdin; JSON or NDJSON)."""
    from facepolicy.engine import Run
    from facepolicy.loader import iter_raw
    from facepolicy.errors import printable
    from facepolicy.engine import Rendered
    from facepolicy.model import DeploymentResult, Severity, Summary
    from facepolicy.output import AtomicOutput, refuse_overlap
    from facepolicy.paths import WAIVERS_FILE
    from facepolicy.progress import Progress, guard
    from facepolicy.provenance import report_context
    from facepolicy.reporters import reporter

    refuse_overlap(output, deployments)

    rule_set = load_rules(policies, no_bundled).select(rules, tags)
    day = options.today_from(today)
    book = None
    if waivers_file or os.path.isfile(WAIVERS_FILE):
        from facepolicy.waivers import WaiverBook, find_waivers

        book = WaiverBook(find_waivers(waivers_file), day)
    summary = Summary()
    severity_of = {rid: rule.severity for rid, rule in rule_set.rules.items()}
    progress = Progress(lang)  # on stderr, only when a person watches it
    with AtomicOutput(output) as out:  # the report appears under its name only once it is whole
        report = reporter(fmt, guard(out, progress), report_context(rule_set, lang, day, verbose, excerpts=fmt == "sarif"))
        run = Run(rule_set, day, book, jobs, report.render)
        for problem in rule_set.problems:
            summary.problems += 1
            report.problem(problem)
            click.echo(f"facepolicy: {printable(problem.line())}", err=True)
        try:
            for result in run.results(iter_raw(list(deployments), max_size)):
                progress.tick()
                if isinstance(result, Rendered):
                    summary.add_tally(result.tally)
                    report.rendered(result.text)
                elif isinstance(result, DeploymentResult):
                    summary.add(result, severity_of)
                    report.deployment(result)
                else:
                    summary.problems += 1
                    report.problem(result)
                    progress.clear()
                    click.echo(f"facepolicy: {printable(result.line())}", err=True)
        finally:  # interrupted or not, the terminal is left clean for the lines that follow
            progress.close()
        for waiver in book.unused() if book else ():
            click.echo(f"facepolicy: {printable(waiver.where())}: waiver for {printable(waiver.rule)} on {printable(waiver.deployment)} matched no failure / 豁免未匹配任何违规", err=True)
        report.finish(summary)
    sys.exit(summary.exit_code(Severity[fail_on], allow_incomplete and not fail_on_incomplete))
