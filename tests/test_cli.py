"""Acceptance: the CLI driven like a shell line, as a deployment team and CI would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, deployment, run_line
from jsonschema import Draft202012Validator

RULE_DIR = ROOT / "fixtures" / "rules" / "megvii-fr-guideline.private-spaces"
VIOLATING = str(RULE_DIR / "fail-hotel-room.json")
COMPLIANT = str(RULE_DIR / "pass-office.json")
RULE = "megvii-fr-guideline.private-spaces"


@pytest.mark.parametrize(
    "lang, words",
    [
        (
            "en",
            [
                "FAIL",
                "clauses: megvii-fr-guideline:1.2.2",
                "22:20 /sites/1/area_type: Site 'Room 1203' is a hotel_room",
                "fix: Remove",
            ],
        ),
        (
            "zh",
            [
                "不合规",
                "依据条款: megvii-fr-guideline:1.2.2",
                "22:20 /sites/1/area_type: 场所「Room 1203」",
                "修复: 从该场所撤除",
            ],
        ),
    ],
)
def test_a_violating_deployment_exits_1_and_says_what_where_why_and_how(lang, words):
    result = run_line(["facepolicy", "eval", "--rule", RULE, "--lang", lang, VIOLATING])
    assert result.code == 1, result.out + result.err
    assert RULE in result.out
    for word in words:
        assert word in result.out


def test_a_compliant_deployment_exits_0():
    result = run_line(["facepolicy", "eval", "--rule", RULE, COMPLIANT])
    assert result.code == 0, result.out + result.err
    assert "1 passed" in result.out


def test_a_missing_fact_is_incomplete_and_never_pass(tmp_path):
    path = tmp_path / "silent.json"
    doc = deployment(
        mode="offline",
        components=[{"id": "c", "vendor": "megvii", "product": "megvii_face_recognition"}],
        sites=[{"id": "s"}],
    )
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run_line(["facepolicy", "eval", "--rule", RULE, "--format", "json", str(path)])
    verdict = json.loads(result.out)["deployments"][0]["verdicts"][0]
    assert verdict["status"] == "incomplete"
    assert verdict["missing"] == ["/sites/0/area_type"]
    assert result.code == 1, (
        "silence is never compliance: an incomplete critical rule fails the run by default"
    )


def test_incomplete_verdicts_exit_1_at_or_above_fail_on_unless_allowed(tmp_path):
    path = tmp_path / "silent.json"
    doc = deployment(
        mode="offline",
        components=[{"id": "c", "vendor": "megvii", "product": "megvii_face_recognition"}],
        sites=[{"id": "s"}],
    )
    path.write_text(json.dumps(doc), encoding="utf-8")
    base = ["facepolicy", "eval", "--rule", RULE, str(path)]  # private-spaces is critical
    assert run_line(base).code == 1
    assert run_line(base + ["--fail-on", "critical"]).code == 1
    assert run_line(base + ["--allow-incomplete"]).code == 0
    low = [
        "facepolicy",
        "eval",
        "--rule",
        "megvii-fr-guideline.face-signs-at-planned-points",
        str(path),
    ]  # low
    assert run_line(low).code == 1
    assert run_line(low + ["--fail-on", "medium"]).code == 0, (
        "an incomplete rule below --fail-on does not fail the run"
    )
    assert run_line(base + ["--fail-on-incomplete"]).code == 1, (
        "the old flag still runs, and means the default"
    )


def test_a_failure_below_fail_on_exits_0_and_at_it_exits_1():
    assert (
        run_line(["facepolicy", "eval", "--rule", RULE, "--fail-on", "critical", VIOLATING]).code
        == 1
    )
    low = [
        "facepolicy",
        "eval",
        "--rule",
        "megvii-fr-guideline.face-signs-at-planned-points",
        str(
            ROOT
            / "fixtures"
            / "rules"
            / "megvii-fr-guideline.face-signs-at-planned-points"
            / "fail-no-face-sign.json"
        ),
    ]
    assert run_line(low).code == 1
    assert run_line(low + ["--fail-on", "medium"]).code == 0


def test_sarif_has_an_open_result_per_incomplete_rule(tmp_path):
    path = tmp_path / "silent.json"
    doc = deployment(
        mode="offline",
        components=[{"id": "c", "vendor": "megvii", "product": "megvii_face_recognition"}],
        sites=[{"id": "s"}],
    )
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run_line(["facepolicy", "eval", "--rule", RULE, "--format", "sarif", str(path)])
    [found] = json.loads(result.out)["runs"][0]["results"]
    assert found["kind"] == "open" and found["ruleId"] == RULE
    assert [loc["fullyQualifiedName"] for loc in found["locations"][0]["logicalLocations"]] == [
        "/sites/0/area_type"
    ]
    github = run_line(["facepolicy", "eval", "--rule", RULE, "--format", "github", str(path)])
    assert (
        f"::warning file={path},title={RULE}::" in github.out and "/sites/0/area_type" in github.out
    )


BAD_INPUTS = {
    "missing.json": None,
    "empty.json": b"",
    "not-json.json": b"deployment: yes\n",
    "latin1.json": b'{"schema_version": 1, "id": "caf\xe9"}',
    "schema.json": b'{"schema_version": 1, "id": "x", "mode": "sometimes"}',
    "deep.json": b'{"schema_version": 1, "id": "x", "name": ' + b"[" * 10000 + b"]" * 10000 + b"}",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line_and_the_other_files_still_evaluated(tmp_path, name):
    path = tmp_path / name
    if BAD_INPUTS[name] is not None:
        path.write_bytes(BAD_INPUTS[name])
    result = run_line(["facepolicy", "eval", "--rule", RULE, str(path), VIOLATING])
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"facepolicy: {path}: ")
    assert ("line " in lines[0]) or ("/mode" in lines[0]) or ("no such file" in lines[0])
    assert "Traceback" not in result.out + result.err
    assert "/sites/1/area_type" in result.out  # the good file was still evaluated


def test_stdin_takes_json_and_ndjson():
    one = Path(COMPLIANT).read_bytes()
    result = run_line(["facepolicy", "eval", "--rule", RULE, "-"], stdin=one)
    assert result.code == 0 and "<stdin>" in result.out
    lines = (
        json.dumps(json.loads(one)).encode()
        + b"\n"
        + json.dumps(json.loads(Path(VIOLATING).read_bytes())).encode()
        + b"\n"
    )
    result = run_line(["facepolicy", "eval", "--rule", RULE, "-"], stdin=lines)
    assert result.code == 1 and "<stdin>:2" in result.out


def test_fail_on_raises_the_threshold():
    assert (
        run_line(["facepolicy", "eval", "--rule", RULE, "--fail-on", "critical", VIOLATING]).code
        == 1
    )
    low_only = run_line(["facepolicy", "eval", "--rule", RULE, "--fail-on", "critical", COMPLIANT])
    assert low_only.code == 0


def test_two_runs_are_byte_identical_and_json_matches_the_report_schema():
    args = ["facepolicy", "eval", "--format", "json", str(ROOT / "fixtures")]
    first, second = run_line(args), run_line(args)
    assert first.out == second.out
    report = json.loads(first.out)
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(report)
    assert report["summary"]["deployments"] >= 2


def test_unknown_rule_and_bad_date_are_usage_errors():
    result = run_line(["facepolicy", "eval", "--rule", "no.such-rule", COMPLIANT])
    assert result.code == 2 and "no such rule" in result.err
    result = run_line(["facepolicy", "eval", "--today", "yesterday", COMPLIANT])
    assert result.code == 2 and "YYYY-MM-DD" in result.err


def test_a_rule_that_errors_is_reported_as_error_and_exits_2(demo_policies, tmp_path):
    rule = demo_policies / "demo" / "signs.toml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace(
            'expect = "signage.face_recognition_sign"', 'expect = "signage"'
        ),
        encoding="utf-8",
    )
    doc = tmp_path / "d.json"
    doc.write_text(
        json.dumps(
            deployment(
                sites=[{"id": "a", "public": True, "signage": {"face_recognition_sign": True}}]
            )
        ),
        encoding="utf-8",
    )
    result = run_line(
        ["facepolicy", "eval", "--no-bundled", "--policies", str(demo_policies), str(doc)]
    )
    assert result.code == 2
    assert "ERROR" in result.out and "not true or false" in result.out


def test_explain_shows_the_three_valued_decision():
    path = ROOT / "fixtures" / "rules" / RULE / "incomplete-hotel-room-mode-unstated.json"
    result = run_line(["facepolicy", "explain", RULE, str(path)])
    assert "megvii-fr-guideline:1.2.2" in result.out
    assert "scope: unknown until /mode → incomplete" in result.out
    assert 'at /sites/0; saw area_type="hotel_room" → violation' in result.out
    assert "unstated: /mode, /sites/-" in result.out


def test_explain_without_a_deployment_shows_the_rule_and_its_verbatim_clause_only():
    rules = ["--no-bundled", "--policies", "tests/data/golden/policies"]
    result = run_line(["facepolicy", "explain", *rules, "golden.signs"])
    assert result.code == 0 and result.err == ""
    assert "golden:1" in result.out
    assert "“在公共区域使用人脸识别的，应设置显著的提示标识。”" in result.out
    assert "decision:" not in result.out and "status:" not in result.out


def test_digest_prints_the_rule_set_digest_every_report_states():
    digest = run_line(["facepolicy", "digest"])
    assert digest.code == 0 and re.fullmatch(r"sha256:[0-9a-f]{64}\n", digest.out)
    report = json.loads(run_line(["facepolicy", "eval", "--format", "json", COMPLIANT]).out)
    assert report["provenance"]["rule_set_digest"] == digest.out.strip()


def test_the_digest_follows_the_rule_files_content_not_their_place(demo_policies, tmp_path):
    import shutil

    def digest(folder) -> str:
        result = run_line(["facepolicy", "digest", "--no-bundled", "--policies", str(folder)])
        assert result.code == 0, result.err
        return result.out

    first = digest(demo_policies)
    moved = shutil.copytree(demo_policies, tmp_path / "elsewhere" / "policies")
    assert digest(moved) == first and first != run_line(["facepolicy", "digest"]).out
    rule = moved / "demo" / "signs.toml"
    text = rule.read_text(encoding="utf-8")
    rule.write_text(text.replace("Post a sign", "Post a sign."), encoding="utf-8")
    assert digest(moved) != first


def test_tag_selects_only_the_rules_carrying_it():
    report = json.loads(
        run_line(
            [
                "facepolicy",
                "eval",
                "--format",
                "json",
                "--allow-incomplete",
                "--tag",
                "private-space",
                VIOLATING,
            ]
        ).out
    )
    assert [v["rule"] for v in report["deployments"][0]["verdicts"]] == [RULE]
    none = run_line(["facepolicy", "eval", "--tag", "no-such-tag", VIOLATING])
    assert "0 passed" in none.out and none.code == 0


def test_verbose_lists_passed_and_not_applicable_rules_too():
    quiet = run_line(["facepolicy", "eval", "--rule", RULE, COMPLIANT])
    loud = run_line(["facepolicy", "eval", "--rule", RULE, "--verbose", COMPLIANT])
    assert "PASS" not in quiet.out and f"PASS       {RULE}" in loud.out


def test_output_writes_the_report_to_the_file_and_nothing_to_stdout(tmp_path):
    target = tmp_path / "report.json"
    result = run_line(
        [
            "facepolicy",
            "eval",
            "--rule",
            RULE,
            "--format",
            "json",
            "--output",
            str(target),
            VIOLATING,
        ]
    )
    assert result.code == 1 and result.out == ""
    assert (
        json.loads(target.read_text(encoding="utf-8"))["deployments"][0]["verdicts"][0]["status"]
        == "fail"
    )
