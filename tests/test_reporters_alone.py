"""Reporters stand alone: they read the results and the Context (rules as the report words them,
the provenance), the HTML report also the Audit its command computed, and nothing else: no rule
internals, no catalog, no file, no .git. Each runs here on a hand-built report, with no engine
and no rule loaded, and its whole output is compared with a snapshot in tests/golden/reporters/
(`UPDATE_GOLDEN=1` rewrites one that differs and fails: review the diff, then run without it)."""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import subprocess
import sys
from collections import Counter

import pytest
from conftest import ROOT, check_golden

from facepolicy.model import (
    DeploymentResult,
    Problem,
    RuleInfo,
    Severity,
    Status,
    Summary,
    Text,
    Verdict,
    Violation,
)
from facepolicy.reporters import FORMATS, Context, reporter

PACKAGE = ROOT / "evaluator" / "facepolicy"
REPORTER_FILES = sorted(PACKAGE.glob("reporters/*.py")) + [PACKAGE / "html_report.py"]
SNAPSHOTS = ROOT / "tests" / "golden" / "reporters"
EXTENSIONS = {
    "text": "txt",
    "json": "json",
    "ndjson": "ndjson",
    "sarif": "sarif",
    "junit": "xml",
    "github": "txt",
    "markdown": "md",
}

# What a reporter may import at run time: the result model, the error helpers, the other reporters.
# facepolicy.records: typing.NamedTuple without typing (no rule internals)
ALLOWED = {"facepolicy.model", "facepolicy.errors", "facepolicy.reporters", "facepolicy.records"}
# The rule internals: not even for type annotations.
RULE_INTERNALS = {"facepolicy.ruleset", "facepolicy.compiler", "facepolicy.loader"}
# What would load rules, read catalogs, fixtures or .git, or evaluate.
NEVER_LOADED = RULE_INTERNALS | {
    "facepolicy.coverage",
    "facepolicy.provenance",
    "facepolicy.engine",
    "facepolicy.pipeline",
    "facepolicy.cache",
    "facepolicy.paths",
    "facepolicy.evaluate",
    "facepolicy.schemas",
}
READS = {
    "open",
    "read_text",
    "read_bytes",
    "Path",
    "glob",
    "rglob",
    "iterdir",
    "git_revision",
    "scandir",
    "listdir",
    "walk",
    "stat",
    "exists",
    "is_file",
    "is_dir",
}


def _imports(tree: ast.AST, typing_only: bool) -> list[str]:
    """The facepolicy modules a file imports: at run time, or only under `if TYPE_CHECKING:`."""
    found = []
    for node in ast.walk(tree):
        guarded = isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        if not guarded:
            continue
        for inner in ast.walk(node):
            inner.typing_only = True  # type: ignore[attr-defined]
    for node in ast.walk(tree):
        if getattr(node, "typing_only", False) != typing_only:
            continue
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("facepolicy")
        ):
            found.append(node.module)
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("facepolicy")]
    return found


@pytest.mark.parametrize("path", REPORTER_FILES, ids=lambda p: p.name)
def test_a_reporter_imports_no_rule_internals(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for module in _imports(tree, typing_only=False):
        assert module in ALLOWED or module.startswith("facepolicy.reporters."), (path.name, module)
    for module in _imports(tree, typing_only=True):
        assert module not in RULE_INTERNALS, (path.name, module)


@pytest.mark.parametrize("path", REPORTER_FILES, ids=lambda p: p.name)
def test_a_reporter_reads_no_file(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", "")
            )
            assert name not in READS, (path.name, name, node.lineno)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
            )
            assert not {"pathlib", "os", "io", "subprocess", "shutil", "glob"} & set(names), (
                path.name,
                names,
            )


@pytest.mark.parametrize("path", REPORTER_FILES, ids=lambda p: p.name)
def test_importing_a_reporter_loads_no_rule_machinery(path):
    """The transitive check: in a fresh interpreter, importing it leaves those modules unloaded."""
    module = "facepolicy." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    code = f"import sys, {module}; print(*(m for m in sys.modules if m.startswith('facepolicy')))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(proc.stdout.split())
    assert module in loaded and not loaded & NEVER_LOADED, sorted(loaded & NEVER_LOADED)


def test_the_import_check_can_fail(tmp_path):
    bad = ast.parse(
        "from facepolicy.ruleset import RuleSet\n"
        "if TYPE_CHECKING:\n    from facepolicy.loader import x\n"
    )
    assert _imports(bad, typing_only=False) == ["facepolicy.ruleset"]
    assert _imports(bad, typing_only=True) == ["facepolicy.loader"]


RULES = {
    "doc.signs": RuleInfo(
        "doc.signs",
        Text("公共区域应设置标识", "Public areas need signs"),
        None,
        Severity.high,
        ("signs",),
        ("doc:1",),
        Text("设置标识", "Post a sign"),
        (("doc:1", Text("标识", "Signs"), "公共区域应设置标识"),),
    ),
    "doc.notice": RuleInfo(
        "doc.notice",
        Text("告知", "Notice"),
        Text("如何解读", "How it is read"),
        Severity.low,
        (),
        ("doc:2",),
        Text("告知", "Tell people"),
    ),
    "doc.private": RuleInfo(
        "doc.private",
        Text("私密空间", "No private spaces"),
        None,
        Severity.critical,
        ("private",),
        ("doc:3",),
        Text("移除", "Remove it"),
    ),
    "doc.retention": RuleInfo(
        "doc.retention",
        Text("保存期限", "Retention"),
        None,
        Severity.medium,
        (),
        ("doc:4", "doc:5"),
        Text("删除", "Delete"),
    ),
    "doc.broken": RuleInfo(
        "doc.broken",
        Text("坏规则", "Broken rule"),
        None,
        Severity.info,
        (),
        ("doc:6",),
        Text("修", "Fix"),
    ),
    "doc.online": RuleInfo(
        "doc.online",
        Text("线上", "Online only"),
        None,
        Severity.high,
        (),
        ("doc:7",),
        Text("无", "None"),
    ),
}
PROVENANCE = {
    "facepolicy_version": "9.9.9",
    "rule_set_digest": "sha256:" + "a" * 64,
    "rules": len(RULES),
    "today": "2026-01-01",
    "lang": "en",
    "policy_revisions": {"policies": "b" * 40},
}


def hand_built() -> tuple[list[Problem], list[DeploymentResult]]:
    """One input error and two deployments: every status; violations with and without a position."""
    plaza = DeploymentResult(
        "deploy.json",
        "plaza",
        [
            Verdict("doc.broken", Status.error, error="expression failed: unknown function nope()"),
            Verdict(
                "doc.notice", Status.incomplete, missing=("/sites/0/signage", "/sites/-"), gating=1
            ),
            Verdict("doc.online", Status.not_applicable),
            Verdict("doc.private", Status.pass_),
            Verdict(
                "doc.retention",
                Status.waived,
                waiver="waived by Li Wei (DPO) until 2026-12-31: signs on order",
            ),
            Verdict(
                "doc.signs",
                Status.fail,
                violations=(
                    Violation(
                        "/sites/1/signage",
                        Text("「Gate」没有标识", "No sign at 'Gate'"),
                        Text("设置标识", "Post a sign"),
                    ),
                    Violation(
                        "/sites/2",
                        Text("「东门」没有标识", "No sign at <East> & co"),
                        Text("设置标识", "Post a sign"),
                    ),
                ),
            ),
        ],
        {"/sites/1/signage": (7, 9)},
    )
    legacy = DeploymentResult(
        "fleet.ndjson:2",
        "kiosk",
        [
            Verdict(
                "doc.private",
                Status.fail,
                violations=(
                    Violation(
                        "/sites/0/area_type",
                        Text("在卫生间", "In a toilet"),
                        Text("移除", "Remove it"),
                    ),
                ),
            )
        ],
        {"/sites/0/area_type": (1, 40)},
        closed_world=True,
    )
    return [Problem("broken.json", "line 1, column 1: invalid JSON")], [plaza, legacy]


def context(lang: str = "en", verbose: bool = False) -> Context:
    return Context(RULES, {**PROVENANCE, "lang": lang}, lang, dt.date(2026, 1, 1), verbose, memo={})


def summary_of(problems, results) -> Summary:
    summary = Summary()
    summary.problems = len(problems)
    for result in results:
        summary.add(result, {rid: info.severity for rid, info in RULES.items()})
    return summary


def run(fmt: str, lang: str = "en", verbose: bool = False) -> str:
    out = io.StringIO()
    report = reporter(fmt, out, context(lang, verbose))
    problems, results = hand_built()
    for problem in problems:
        report.problem(problem)
    for result in results:
        report.deployment(result)
    report.finish(summary_of(problems, results))
    return out.getvalue()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_matches_its_snapshot(fmt):
    check_golden(SNAPSHOTS / f"hand-built.{fmt}.{EXTENSIONS[fmt]}", run(fmt))


@pytest.mark.parametrize(
    ("fmt", "lang", "verbose"),
    [("text", "zh", False), ("text", "en", True), ("markdown", "zh", False)],
)
def test_the_chinese_and_verbose_variants_match_their_snapshots(fmt, lang, verbose):
    name = f"hand-built.{fmt}.{lang}{'.verbose' if verbose else ''}.{EXTENSIONS[fmt]}"
    check_golden(SNAPSHOTS / name, run(fmt, lang, verbose))


def test_every_format_has_a_snapshot_and_no_snapshot_is_stale():
    expected = {f"hand-built.{fmt}.{ext}" for fmt, ext in EXTENSIONS.items()} | {
        "hand-built.text.zh.txt",
        "hand-built.text.en.verbose.txt",
        "hand-built.markdown.zh.md",
        "hand-built.report.en.html",
        "hand-built.report.zh.html",
    }
    assert set(EXTENSIONS) == set(FORMATS), "a new format needs a snapshot here"
    assert {p.name for p in SNAPSHOTS.iterdir()} == expected


def audit():
    from facepolicy.coverage import Audit, DocumentCoverage, TracedClause, TracedDocument

    covered = DocumentCoverage(
        "doc", "Demo document", total=8, encoded=7, not_checkable=Counter({"contact": 1})
    )
    clauses = (
        TracedClause(
            "1", Text("标识", "Signs"), "公共区域应设置\n  标识", ("doc.signs",), None, None
        ),
        TracedClause(
            "2", Text("告知", "Notice"), "应告知", ("doc.notice", "doc.online"), None, None
        ),
        TracedClause(
            "8",
            Text("联系", "Contact"),
            "联系我们",
            (),
            "contact",
            Text("联系方式", "Contact details"),
        ),
    )
    return Audit(
        [covered],
        {"doc.signs": {"pass": ["pass-a.json"], "fail": ["fail-b.json", "fail-c.json"]}},
        [TracedDocument("doc", Text("演示", "Demo"), "Demo Inc.", "2026-01-01", clauses)],
    )


def html(lang: str) -> str:
    from facepolicy.html_report import render

    problems, results = hand_built()
    return render(context(lang), results, problems, summary_of(problems, results), audit())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_html_report_matches_its_snapshot(lang):
    check_golden(SNAPSHOTS / f"hand-built.report.{lang}.html", html(lang))


def test_the_html_report_shows_what_it_is_given_and_escapes_it():
    page = html("en")
    assert (
        '<b id="count-deployments">2</b> deployments<' in page
        and '<b id="count-problems">1</b> input error<' in page
    )
    assert "No sign at &lt;East&gt; &amp; co" in page and "<East>" not in page
    assert "fixtures" in page and "doc.signs: 2 fail, 1 pass" in page
    assert "<i>contact</i>: Contact details" in page
    assert "公共区域应设置 标识" in page  # the excerpt's line break and indent folded to one space
    row = '<tr class="coverage" data-document="doc"><td>doc<br>Demo document</td>'
    assert row + "<td>8</td><td>7</td><td>1</td><td>0</td></tr>" in page


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_names_the_run_the_rules_and_the_input_error(fmt):
    text = run(fmt)
    assert "plaza" in text or "deploy.json" in text
    assert "doc.signs" in text
    if fmt != "text":  # text leaves input problems to the command's stderr lines
        assert "broken.json" in text
    assert "sha256:" + "a" * 64 in text


def test_json_carries_the_rule_words_from_the_context():
    report = json.loads(run("json"))
    verdicts = {v["rule"]: v for v in report["deployments"][0]["verdicts"]}
    assert (
        verdicts["doc.signs"]["title"] == "Public areas need signs"
        and verdicts["doc.signs"]["severity"] == "high"
    )
    assert verdicts["doc.signs"]["violations"][0]["line"] == 7 and verdicts["doc.notice"][
        "missing"
    ] == ["/sites/0/signage", "/sites/-"]
    assert report["provenance"] == PROVENANCE


def test_sarif_shows_the_excerpts_the_context_carries():
    driver = json.loads(run("sarif"))["runs"][0]["tool"]["driver"]
    signs = next(rule for rule in driver["rules"] if rule["id"] == "doc.signs")
    assert "公共区域应设置标识" in signs["help"]["markdown"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_json_verdicts_written_piece_by_piece_are_what_json_dumps_writes(lang):
    """json_._verdict_text builds each verdict's JSON from parts serialised once per rule; it must
    give json.dumps's bytes for every kind of verdict and every string."""
    from facepolicy.reporters import json_

    odd = 'quote " backslash \\ newline \n tab \t nul \x00 bell \x07 \u2028 人脸 \U0001f600'
    _, results = hand_built()
    results.append(
        DeploymentResult(
            odd,
            odd,
            [
                Verdict("doc.broken", Status.error, error=odd),
                Verdict("doc.notice", Status.incomplete, missing=(odd, "/a/b"), gating=0),
                Verdict("doc.retention", Status.waived, waiver=odd),
                Verdict(
                    "doc.signs",
                    Status.fail,
                    violations=(Violation(odd, Text(odd, odd), Text(odd + "!", odd + "?")),),
                    missing=("/x",),
                ),
            ],
            {odd: (12345, 6)},
        )
    )
    checked = 0
    for result in results:
        for verdict in result.verdicts:
            ctx = context(lang)
            expected = json_.dump(json_._verdict_entry(verdict, result, ctx))
            assert json_._verdict_text(verdict, result, ctx) == expected
            checked += 1
        assert (
            json.loads(json_.deployment_json(result, context(lang)))["id"] == result.deployment_id
        )
    assert checked == 11
