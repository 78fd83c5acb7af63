"""`facepolicy lint` catches each authoring mistake, naming the file and the key path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_line


def lint(policies: Path, *extra: str):
    root = policies.parent
    return run_line(
        [
            "facepolicy",
            "lint",
            "--no-bundled",
            "--policies",
            str(policies),
            "--fixtures",
            str(root / "fixtures"),
            "--sources",
            str(root / "sources"),
            *extra,
        ]
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_clean_rule_set_lints_clean(demo_policies):
    result = lint(demo_policies)
    assert result.code == 0, result.out
    assert "1 rules, 1 catalogs, 0 problems" in result.out


def test_duplicate_rule_id(demo_policies):
    shutil.copy(demo_policies / "demo" / "signs.toml", demo_policies / "demo" / "signs-again.toml")
    result = lint(demo_policies)
    assert result.code == 1
    assert (
        'signs.toml: id: duplicate rule id "demo.signs"' in result.out
        or 'signs-again.toml: id: duplicate rule id "demo.signs"' in result.out
    )


def test_unknown_clause(demo_policies):
    edit(demo_policies / "demo" / "signs.toml", 'clauses = ["demo:1"]', 'clauses = ["demo:9"]')
    result = lint(demo_policies)
    assert result.code == 1
    assert 'demo/signs.toml: clauses[0]: unknown clause "demo:9"' in result.out


def test_jmespath_syntax_error_with_its_column(demo_policies):
    edit(
        demo_policies / "demo" / "signs.toml",
        'expect = "signage.face_recognition_sign"',
        'expect = "signage.[face_recognition_sign"',
    )
    result = lint(demo_policies)
    assert result.code == 1
    assert "demo/signs.toml: assertions[0].expect: JMESPath" in result.out
    assert "at column" in result.out


def test_invalid_json_schema(demo_policies):
    edit(
        demo_policies / "demo" / "signs.toml",
        "[[assertions]]",
        'scope = { required = "sites" }\n\n[[assertions]]',
    )
    result = lint(demo_policies)
    assert result.code == 1
    assert "demo/signs.toml: scope/required: invalid JSON Schema" in result.out


def test_rule_without_a_violating_fixture(demo_policies):
    (demo_policies.parent / "fixtures" / "rules" / "demo.signs" / "fail-unsigned.json").unlink()
    result = lint(demo_policies)
    assert result.code == 1
    assert 'demo/signs.toml: id: rule "demo.signs" has no violating fixture' in result.out


@pytest.mark.parametrize("ref", ["https://example.com/s.json", "http://example.com/s.json#/x"])
def test_remote_refs_are_refused(demo_policies, ref):
    edit(
        demo_policies / "demo" / "signs.toml",
        "[[assertions]]",
        f'scope = {{ "$ref" = "{ref}" }}\n\n[[assertions]]',
    )
    result = lint(demo_policies)
    assert result.code == 1
    assert f"demo/signs.toml: scope.$ref: $ref '{ref}' is refused" in result.out


def test_a_negation_that_binds_only_the_first_name_is_flagged(demo_policies):
    edit(
        demo_policies / "demo" / "signs.toml",
        'expect = "signage.face_recognition_sign"',
        'expect = "!signage.face_recognition_sign"',
    )
    result = lint(demo_policies)
    assert result.code == 1
    assert "assertions[0].expect: '!' applies only to the first name" in result.out


def test_the_negation_inside_a_filter_is_flagged_too(demo_policies):
    edit(
        demo_policies / "demo" / "signs.toml",
        'expect = "signage.face_recognition_sign"',
        'expect = "length(sites[?public && !signage.face_recognition_sign]) == `0`"',
    )
    result = lint(demo_policies)
    assert "'!' applies only to the first name" in result.out


def test_a_misspelt_field_can_never_match(demo_policies):
    edit(
        demo_policies / "demo" / "signs.toml",
        'expect = "signage.face_recognition_sign"',
        'expect = "signage.face_recogniton_sign"',
    )
    result = lint(demo_policies)
    assert 'field "face_recogniton_sign" is not in the deployment schema' in result.out
    assert 'did you mean "face_recognition_sign"?' in result.out


def test_an_excerpt_that_is_not_verbatim(demo_policies):
    edit(
        demo_policies / "demo" / "document.toml",
        'excerpt = "公共区域应设置标识"',
        'excerpt = "公共区域必须设置标识"',
    )
    result = lint(demo_policies)
    assert result.code == 1
    assert "document.toml: clauses[0] (1).excerpt: excerpt is not verbatim" in result.out


def test_a_catalog_rule_that_does_not_exist(demo_policies):
    edit(
        demo_policies / "demo" / "document.toml",
        'rules = ["demo.signs"]',
        'rules = ["demo.signs", "demo.ghost"]',
    )
    result = lint(demo_policies)
    assert 'rule "demo.ghost" does not exist' in result.out


def test_broken_toml_names_line_and_column(demo_policies):
    edit(demo_policies / "demo" / "signs.toml", 'severity = "high"', "severity = high")
    result = lint(demo_policies)
    assert result.code == 1
    assert (
        "demo/signs.toml: TOML 语法错误 / invalid TOML: Invalid value (at line 3, column 12)"
        in result.out
    )
    assert "Traceback" not in result.out + result.err


def test_new_scaffolds_a_rule_that_lints_and_tests_clean(demo_policies):
    root = demo_policies.parent
    catalog = demo_policies / "demo" / "document.toml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8")
        + """
[[clauses]]
id = "2"
section = "2"
heading = { zh = "政策", en = "Policy" }
binds = "deployer"
kind = "obligation"
excerpt = "标识"
not_checkable = "too-general"
reason = { zh = "待定", en = "to do" }
""",
        encoding="utf-8",
    )
    result = run_line(
        [
            "facepolicy",
            "new",
            "demo:2",
            "policy-published",
            "--policies",
            str(demo_policies),
            "--fixtures",
            str(root / "fixtures"),
        ]
    )
    assert result.code == 0, result.err
    assert 'rules = ["demo.policy-published"]' in catalog.read_text(encoding="utf-8")
    assert lint(demo_policies).code == 0, lint(demo_policies).out
    tested = run_line(
        [
            "facepolicy",
            "test",
            "--no-bundled",
            "--policies",
            str(demo_policies),
            "--fixtures",
            str(root / "fixtures"),
        ]
    )
    assert tested.code == 0, tested.out
    again = run_line(
        [
            "facepolicy",
            "new",
            "demo:2",
            "policy-published",
            "--policies",
            str(demo_policies),
            "--fixtures",
            str(root / "fixtures"),
        ]
    )
    assert again.code == 2 and "already exists" in again.err


def test_a_retired_rule_id_must_never_be_reused(demo_policies):
    catalog = demo_policies / "demo" / "document.toml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8")
        + '\n[[retired]]\nid = "demo.signs"\nreason = { zh = "撤销", en = "Withdrawn" }\n',
        encoding="utf-8",
    )
    result = lint(demo_policies)
    assert result.code == 1
    assert (
        'demo/document.toml: retired[0]: rule id "demo.signs" was retired and must never be reused'
        in result.out
    )


@pytest.mark.parametrize(
    "old, new, place",
    [
        ("[[assertions]]", '[evidence]\nrequired = ["sites"]\n\n[[assertions]]', "evidence"),
        ('where = "public"', 'where = "public"\nrequires = ["signage"]', "assertions[0].requires"),
    ],
)
def test_a_hand_kept_list_of_needed_facts_is_refused(demo_policies, old, new, place):
    edit(demo_policies / "demo" / "signs.toml", old, new)
    result = lint(demo_policies)
    assert result.code == 1
    assert f"demo/signs.toml: {place}: " in result.out and "derived" in result.out


@pytest.mark.parametrize(
    "modal, severity, flagged",
    [
        ("应", "medium", "a clause says 应, so high or critical"),
        ("应", "high", None),
        ("不得", "critical", None),
        ("建议", "high", "the clauses only say 建议, so low or info"),
        ("可", "low", None),
        ("none", "medium", None),
    ],
)
def test_lint_holds_severity_to_the_modal_of_the_clause(demo_policies, modal, severity, flagged):
    edit(
        demo_policies / "demo" / "document.toml",
        'kind = "obligation"',
        f'kind = "obligation"\nmodal = "{modal}"',
    )
    edit(demo_policies / "demo" / "signs.toml", 'severity = "high"', f'severity = "{severity}"')
    result = lint(demo_policies)
    if flagged:
        assert (
            result.code == 1 and f"demo/signs.toml: severity: {severity}: {flagged}" in result.out
        )
    else:
        assert "severity:" not in result.out, result.out


def test_a_self_regarding_duty_is_low_at_most(demo_policies):
    edit(
        demo_policies / "demo" / "document.toml",
        'kind = "obligation"',
        'kind = "obligation"\nmodal = "应"\nself_regarding = true',
    )
    result = lint(demo_policies)
    assert result.code == 1 and "guards only the deployer's own losses" in result.out
