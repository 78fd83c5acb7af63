"""Reporters stand alone: they read the results and the Context (rules as the report words them, the
provenance) and nothing else — no rule internals, no catalog, no file, no .git. Each is run here on a
hand-built report, with no engine and no bundled rule."""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from facepolicy.model import DeploymentResult, Problem, RuleInfo, Severity, Status, Summary, Text, Verdict, Violation
from facepolicy.reporters import FORMATS, Context, reporter

REPORTERS = Path(__file__).resolve().parent.parent / "evaluator" / "facepolicy" / "reporters"
ALLOWED = {"facepolicy.model", "facepolicy.errors", "facepolicy.reporters"}


@pytest.mark.parametrize("path", sorted(REPORTERS.glob("*.py")), ids=lambda p: p.name)
def test_a_reporter_imports_no_rule_internals_and_reads_no_file(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("facepolicy"):
            assert node.module in ALLOWED or node.module.startswith("facepolicy.reporters."), (path.name, node.module)
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            assert name not in {"open", "read_text", "read_bytes", "Path", "git_revision", "scandir", "listdir"}, (path.name, name)


RULES = {
    "doc.signs": RuleInfo("doc.signs", Text("公共区域应设置标识", "Public areas need signs"), None, Severity.high, ("signs",),
                          ("doc:1",), Text("设置标识", "Post a sign"), (("doc:1", Text("标识", "Signs"), "公共区域应设置标识"),)),
    "doc.notice": RuleInfo("doc.notice", Text("告知", "Notice"), None, Severity.low, (), ("doc:2",), Text("告知", "Tell people")),
}
PROVENANCE = {"facepolicy_version": "9.9.9", "rule_set_digest": "sha256:" + "a" * 64, "rules": 2, "today": "2026-01-01", "lang": "en"}


def run(fmt: str) -> str:
    out = io.StringIO()
    report = reporter(fmt, out, Context(RULES, PROVENANCE, "en", dt.date(2026, 1, 1), False, memo={}))
    result = DeploymentResult("deploy.json", "plaza", [
        Verdict("doc.notice", Status.incomplete, missing=("/sites/0/signage",)),
        Verdict("doc.signs", Status.fail, violations=(Violation("/sites/1/signage", Text("没有标识", "No sign at Gate"),
                                                                Text("设置标识", "Post a sign")),)),
    ], {"/sites/1/signage": (7, 9)})
    report.problem(Problem("broken.json", "line 1, column 1: invalid JSON"))
    report.deployment(result)
    summary = Summary()
    summary.problems = 1
    summary.add(result, {rid: info.severity for rid, info in RULES.items()})
    report.finish(summary)
    return out.getvalue()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_reports_a_hand_built_run_without_an_engine(fmt):
    text = run(fmt)
    assert "plaza" in text or "deploy.json" in text
    assert "doc.signs" in text
    if fmt != "text":  # text leaves input problems to the command's stderr lines
        assert "broken.json" in text
    assert "sha256:" + "a" * 64 in text or fmt in ("github",) and "9.9.9" in text


def test_json_carries_the_rule_words_from_the_context():
    report = json.loads(run("json"))
    verdicts = {v["rule"]: v for v in report["deployments"][0]["verdicts"]}
    assert verdicts["doc.signs"]["title"] == "Public areas need signs" and verdicts["doc.signs"]["severity"] == "high"
    assert verdicts["doc.signs"]["violations"][0]["line"] == 7 and verdicts["doc.notice"]["missing"] == ["/sites/0/signage"]
    assert report["provenance"] == PROVENANCE


def test_sarif_shows_the_excerpts_the_context_carries():
    driver = json.loads(run("sarif"))["runs"][0]["tool"]["driver"]
    signs = next(rule for rule in driver["rules"] if rule["id"] == "doc.signs")
    assert "公共区域应设置标识" in signs["help"]["markdown"]
