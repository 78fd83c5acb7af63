"""Every bundled fixture through the same code as `facepolicy test`, and that command's own failure
modes."""

from __future__ import annotations

import json

from conftest import ROOT, deployment, run_line

from facepolicy.paths import FIXTURES
from facepolicy.ruleset import load_rule_set
from facepolicy.testing import run_fixtures


def test_every_bundled_fixture_gives_its_expected_verdict():
    rule_set = load_rule_set()
    assert not rule_set.problems, rule_set.problems
    run = run_fixtures(rule_set, [FIXTURES])
    assert not run.problems, [p.line() for p in run.problems]
    assert not run.mismatches, [
        f"{m.case}: {m.rule_id}: {m.text} {m.details}" for m in run.mismatches
    ]
    assert not run.untested, run.untested
    assert run.errors == 0
    assert run.checked >= 2 * len(rule_set.rules)


def _test(demo_policies, *extra):
    root = demo_policies.parent
    return run_line(
        [
            "facepolicy",
            "test",
            "--no-bundled",
            "--policies",
            str(demo_policies),
            "--fixtures",
            str(root / "fixtures"),
            *extra,
        ]
    )


def test_the_demo_set_passes(demo_policies):
    result = _test(demo_policies)
    assert result.code == 0, result.out + result.err
    assert "2 fixtures, 2 expectations, 0 mismatches" in result.out


def test_a_wrong_verdict_is_shown_as_expected_versus_got_with_the_violations(demo_policies):
    cases = demo_policies.parent / "fixtures" / "rules" / "demo.signs"
    (cases / "fail-unsigned.json").rename(cases / "pass-unsigned.json")
    (cases / "fail-signed.json").write_text(
        (cases / "pass-signed.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = _test(demo_policies)
    assert result.code == 1
    assert "pass-unsigned.json: demo.signs: expected pass, got fail" in result.out
    assert "/sites/1/signage: Site b has no sign" in result.out
    assert "fail-signed.json: demo.signs: expected fail, got pass" in result.out


def test_an_expectation_naming_a_missing_rule_fails(demo_policies):
    scenario = demo_policies.parent / "fixtures" / "scenarios" / "one"
    scenario.mkdir(parents=True)
    (scenario / "deployment.json").write_text(json.dumps(deployment(sites=[])), encoding="utf-8")
    (scenario / "expected.toml").write_text(
        '[verdicts]\npass = ["demo.signs", "demo.ghost"]\n', encoding="utf-8"
    )
    result = _test(demo_policies)
    assert result.code == 1
    assert (
        "one/deployment.json: demo.ghost: expectation names a rule that does not exist"
        in result.out
    )


def test_a_scenario_must_state_every_rule(demo_policies):
    scenario = demo_policies.parent / "fixtures" / "scenarios" / "two"
    scenario.mkdir(parents=True)
    (scenario / "deployment.json").write_text(json.dumps(deployment(sites=[])), encoding="utf-8")
    (scenario / "expected.toml").write_text("[verdicts]\n", encoding="utf-8")
    result = _test(demo_policies)
    assert result.code == 1
    assert "two/deployment.json: demo.signs: no expected verdict for this rule" in result.out


def test_a_rule_without_a_violating_fixture_fails(demo_policies):
    (demo_policies.parent / "fixtures" / "rules" / "demo.signs" / "fail-unsigned.json").unlink()
    result = _test(demo_policies)
    assert result.code == 1
    assert "UNTESTED demo.signs: no fail fixture" in result.out


def test_a_rule_that_errors_makes_the_exit_code_2(demo_policies):
    rule = demo_policies / "demo" / "signs.toml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace(
            'expect = "signage.face_recognition_sign"', 'expect = "signage"'
        ),
        encoding="utf-8",
    )
    result = _test(demo_policies)
    assert result.code == 2
    assert "expected pass, got error" in result.out and "not true or false" in result.out


def test_every_bundled_rule_has_its_second_reading_recorded():
    review = (ROOT / "policies" / "REVIEW.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "policies").glob("*/*.toml")):
        if path.name != "document.toml":
            assert f"`{path.stem}`" in review or f"`{path.parent.name}.{path.stem}`" in review, path
