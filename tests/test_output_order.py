"""Text, Markdown and HTML list a deployment's verdicts by severity, then status, then rule id — not
alphabetically."""

from __future__ import annotations

import datetime as dt
import io
import re

from facepolicy.model import (
    DeploymentResult,
    RuleInfo,
    Severity,
    Status,
    Summary,
    Text,
    Verdict,
    Violation,
)
from facepolicy.reporters import Context, reporter
from facepolicy.reporters.order import by_importance

# rule id → severity; ids chosen so that alphabetical order is the wrong order
SEVERITIES = {
    "a.low-fail": Severity.low,
    "b.critical-incomplete": Severity.critical,
    "c.critical-fail": Severity.critical,
    "d.high-waived": Severity.high,
    "e.high-error": Severity.high,
    "f.high-fail": Severity.high,
    "g.critical-pass": Severity.critical,
    "h.high-incomplete": Severity.high,
}
STATUSES = {
    "a.low-fail": Status.fail,
    "b.critical-incomplete": Status.incomplete,
    "c.critical-fail": Status.fail,
    "d.high-waived": Status.waived,
    "e.high-error": Status.error,
    "f.high-fail": Status.fail,
    "g.critical-pass": Status.pass_,
    "h.high-incomplete": Status.incomplete,
}
EXPECTED = [
    "c.critical-fail",
    "b.critical-incomplete",
    "f.high-fail",
    "e.high-error",
    "h.high-incomplete",
    "d.high-waived",
    "a.low-fail",
]


RULES = {
    rid: RuleInfo(
        rid,
        Text(f"title of {rid}", f"title of {rid}"),
        None,
        sev,
        (),
        ("doc:1",),
        Text("改", "fix"),
    )
    for rid, sev in SEVERITIES.items()
}
PROVENANCE = {
    "facepolicy_version": "0",
    "rule_set_digest": "sha256:" + "0" * 64,
    "rules": len(RULES),
    "today": "2026-01-01",
    "lang": "en",
}


def result() -> DeploymentResult:
    violation = Violation("/x", Text("错", "wrong"), Text("改", "fix it"))
    verdicts = [
        Verdict(
            rid,
            status,
            violations=(violation,) if status is Status.fail else (),
            missing=("/y",) if status is Status.incomplete else (),
            error="broken" if status is Status.error else "",
            waiver="waived by w" if status is Status.waived else "",
        )
        for rid, status in sorted(STATUSES.items())
    ]  # the evaluator gives them by rule id
    return DeploymentResult("d.json", "d", verdicts, {"/x": (3, 4)})


def listed_ids(text: str) -> list[str]:
    return [m for m in re.findall(r"\b([a-h]\.[a-z]+-[a-z]+)\b", text) if m in SEVERITIES]


def run_reporter(fmt: str, verbose: bool = False) -> str:
    out = io.StringIO()
    report = reporter(
        fmt, out, Context(RULES, PROVENANCE, "en", dt.date(2026, 1, 1), verbose, memo={})
    )
    report.deployment(result())
    summary = Summary()
    summary.add(result(), SEVERITIES)
    report.finish(summary)
    return out.getvalue()


def unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def test_by_importance_is_severity_then_status_then_rule_id():
    verdicts = result().verdicts
    ordered = by_importance(verdicts, lambda v: SEVERITIES[v.rule_id])
    assert [v.rule_id for v in ordered] == [
        "c.critical-fail",
        "b.critical-incomplete",
        "g.critical-pass",
        *EXPECTED[2:],
    ]


def test_same_severity_and_status_fall_back_to_rule_id():
    twins = [
        Verdict("z.one", Status.fail),
        Verdict("m.two", Status.fail),
        Verdict("a.three", Status.fail),
    ]
    assert [v.rule_id for v in by_importance(twins, lambda v: Severity.high)] == [
        "a.three",
        "m.two",
        "z.one",
    ]


def test_the_text_report_lists_the_most_severe_and_pressing_first():
    assert unique(listed_ids(run_reporter("text"))) == EXPECTED


def test_the_verbose_text_report_puts_passes_after_the_failures_of_their_severity():
    ids = unique(listed_ids(run_reporter("text", verbose=True)))
    assert ids == ["c.critical-fail", "b.critical-incomplete", "g.critical-pass", *EXPECTED[2:]]


def test_the_markdown_report_lists_the_most_severe_and_pressing_first():
    assert unique(listed_ids(run_reporter("markdown"))) == EXPECTED


def test_the_html_report_lists_the_most_severe_and_pressing_first():
    from facepolicy.html_report import verdict_table

    html = verdict_table(RULES, result(), "en")
    assert unique(re.findall(r'href="#rule-([^"]+)"', html)) == [
        "c.critical-fail",
        "b.critical-incomplete",
        "g.critical-pass",
        *EXPECTED[2:],
    ]
