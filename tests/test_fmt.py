"""`facepolicy fmt`, lint's line length, and named sub-expressions ([let], $name)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from conftest import deployment, run_line

from facepolicy import fmt
from facepolicy.compiler import compile_rule
from facepolicy.errors import FacepolicyError

LONG_EN = "A description long enough to need folding, " * 5 + "ending here."
LONG_ZH = "这是一段需要折叠的很长的中文说明，" * 8 + "到此为止。"


def lint(policies: Path):
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
        ]
    )


def rule_data(**extra) -> dict:
    data = {
        "id": "demo.signs",
        "severity": "high",
        "clauses": ["demo:1"],
        "title": {"zh": "公共区域应设置标识", "en": "Public areas need signs"},
        "assertions": [
            {
                "for_each": "sites",
                "where": "public",
                "expect": "signage.face_recognition_sign",
                "at": "signage",
            }
        ],
        "message": {"zh": "场所 {id} 没有标识", "en": "Site {id} has no sign"},
        "remediation": {"zh": "设置标识", "en": "Post a sign"},
    }
    data.update(extra)
    return data


# -- fmt
# ----------------------------------------------------------------------------------------------


def test_fmt_writes_the_canonical_layout_and_keeps_the_data(demo_policies):
    rule = demo_policies / "demo" / "signs.toml"
    before = tomllib.loads(rule.read_text(encoding="utf-8"))
    result = run_line(["facepolicy", "fmt", str(rule)])
    assert result.code == 0, result.err
    text = rule.read_text(encoding="utf-8")
    assert tomllib.loads(text) == before
    assert '[title]\nzh = "公共区域应设置标识"\nen = "Public areas need signs"\n' in text
    assert (
        text.index("clauses = ")
        < text.index("[title]")
        < text.index("[[assertions]]")
        < text.index("[message]")
    )


def test_fmt_is_idempotent_and_check_then_passes(demo_policies):
    rule = demo_policies / "demo" / "signs.toml"
    data = rule_data(description={"zh": LONG_ZH, "en": LONG_EN})
    rule.write_text(
        fmt.rule_layout(data).replace("[description]", "[description]\n"), encoding="utf-8"
    )
    assert run_line(["facepolicy", "fmt", "--check", str(rule)]).code == 1
    assert run_line(["facepolicy", "fmt", str(rule)]).code == 0
    once = rule.read_text(encoding="utf-8")
    assert run_line(["facepolicy", "fmt", str(rule)]).code == 0
    assert rule.read_text(encoding="utf-8") == once
    assert run_line(["facepolicy", "fmt", "--check", str(rule)]).code == 0
    assert tomllib.loads(once) == data


def test_check_lists_the_files_out_of_layout_and_writes_nothing(demo_policies):
    rule = demo_policies / "demo" / "signs.toml"
    text = rule.read_text(encoding="utf-8")
    result = run_line(["facepolicy", "fmt", "--check", "--policies", str(demo_policies)])
    assert result.code == 1
    assert "signs.toml: not in the canonical layout" in result.out
    assert rule.read_text(encoding="utf-8") == text


def test_long_text_folds_to_lines_of_100_with_the_value_unchanged():
    data = rule_data(
        description={"zh": LONG_ZH, "en": LONG_EN},
        assertions=[
            {
                "expect": "length(sites[?area_type == 'a very long literal with "
                "spaces inside it']) == `0` && "
                "length(consents[?purpose == 'face_recognition' && "
                "!separate]) == `0`"
            }
        ],
    )
    text = fmt.rule_layout(data)
    assert tomllib.loads(text) == data
    assert max(len(line) for line in text.splitlines()) <= fmt.WIDTH
    assert " \\\n" in text  # English keeps its space before the backslash
    assert "'a very long literal with spaces inside it'" in text  # never folded inside a literal


def test_a_file_whose_folding_would_change_the_data_is_refused(monkeypatch):
    text = fmt.rule_layout(rule_data(description={"zh": "说明", "en": LONG_EN}))
    broken = text.replace("ending here.", "ending here!")
    monkeypatch.setattr(fmt, "rule_layout", lambda data: broken)
    with pytest.raises(FacepolicyError, match="would change the data"):
        fmt.format_rule(text, "signs.toml")


def test_a_value_starting_with_a_space_is_not_folded():
    lines = fmt.string_lines("en", " " + LONG_EN)
    assert len(lines) == 1 and tomllib.loads(lines[0])["en"] == " " + LONG_EN


def test_bad_input_is_one_line_and_exit_2(demo_policies):
    rule = demo_policies / "demo" / "signs.toml"
    rule.write_text('id = "demo.signs"\nseverity = \n', encoding="utf-8")
    result = run_line(["facepolicy", "fmt", str(rule)])
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1 and "signs.toml" in result.err


def test_catalog_long_lines_are_folded_in_place_keeping_comments(demo_policies):
    catalog = demo_policies / "demo" / "document.toml"
    text = catalog.read_text(encoding="utf-8").replace(
        'heading = { zh = "标识", en = "Signs" }',
        f'# the signs\nheading = {{ zh = "标识", en = {json.dumps(LONG_EN)} }}',
    )
    catalog.write_text(text, encoding="utf-8")
    assert run_line(["facepolicy", "fmt", str(catalog)]).code == 0
    folded = catalog.read_text(encoding="utf-8")
    assert tomllib.loads(folded) == tomllib.loads(text)
    assert '# the signs\nheading.zh = "标识"\nheading.en = """\\\n' in folded
    assert not fmt.long_lines(folded, catalog=True)


# -- lint: long lines
# -----------------------------------------------------------------------------------------------


def test_lint_flags_a_long_line_in_a_rule(demo_policies):
    rule = demo_policies / "demo" / "signs.toml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace(
            'en = "Post a sign"', f"en = {json.dumps(LONG_EN)}"
        ),
        encoding="utf-8",
    )
    number = next(
        i
        for i, line in enumerate(rule.read_text(encoding="utf-8").splitlines(), 1)
        if "ending here" in line
    )
    result = lint(demo_policies)
    assert result.code == 1
    assert (
        f"signs.toml: line {number}: longer than 100 characters ({len(LONG_EN) + 7})" in result.out
    )


def test_lint_exempts_long_catalog_excerpts_but_not_other_catalog_text(demo_policies):
    catalog = demo_policies / "demo" / "document.toml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace(
            'excerpt = "公共区域应设置标识"', 'excerpt = """' + "公共区域应设置标识" * 20 + '"""'
        ),
        encoding="utf-8",
    )
    assert "longer than" not in lint(demo_policies).out
    catalog.write_text(
        text.replace('en = "Signs"', f"en = {json.dumps(LONG_EN)}"), encoding="utf-8"
    )
    number = next(
        i
        for i, line in enumerate(catalog.read_text(encoding="utf-8").splitlines(), 1)
        if "ending here" in line
    )
    assert f"document.toml: line {number}: longer than 100 characters" in lint(demo_policies).out


# -- [let] and $name
# ------------------------------------------------------------------------------------------------


def test_a_let_stands_for_its_expression_in_parentheses():
    data = rule_data(
        let={"signed": "signage.face_recognition_sign", "ok": "$signed || exempt"},
        assertions=[{"for_each": "sites", "where": "public", "expect": "$ok"}],
    )
    rule = compile_rule(data, "signs.toml")
    assert rule.assertions[0].expect.expression == "((signage.face_recognition_sign) || exempt)"


def test_names_inside_literals_are_left_alone():
    data = rule_data(
        let={"signed": "signage.face_recognition_sign"},
        assertions=[{"expect": "$signed || name == '$signed' || `\"$signed\"` == name"}],
    )
    rule = compile_rule(data, "signs.toml")
    assert rule.assertions[0].expect.expression == (
        "(signage.face_recognition_sign) || name == '$signed' || `\"$signed\"` == name"
    )


def test_a_let_inside_a_message_placeholder():
    from facepolicy.functions import Functions

    data = rule_data(
        let={"unsigned": "sites[?!(signage.face_recognition_sign)].id"},
        assertions=[{"expect": "length($unsigned) == `0`"}],
        message={"zh": "无标识：{$unsigned}", "en": "Unsigned: {$unsigned}"},
    )
    rule = compile_rule(data, "signs.toml")
    from facepolicy.evaluate import read_deployment

    facts = read_deployment(
        deployment(sites=[{"id": "a", "signage": {"face_recognition_sign": False}}])
    )
    shown = rule.message.render(facts, Functions())
    assert shown.en == "Unsigned: a" and shown.zh == "无标识：a"


@pytest.mark.parametrize(
    "let, expect, where, message",
    [
        (
            {"signed": "signage"},
            "$unsigned",
            "signs.toml: assertions[0].expect",
            "unknown named sub-expression: $unsigned",
        ),
        (
            {"signed": "signage", "spare": "public"},
            "$signed",
            "signs.toml: let.spare",
            "never used: $spare",
        ),
        ({"Signed": "signage"}, "$Signed", "signs.toml: let.Signed", "must match [a-z_][a-z0-9_]*"),
        (
            {"ok": "$signed", "signed": "signage"},
            "$ok",
            "signs.toml: let.ok",
            "unknown named sub-expression: $signed",
        ),
    ],
)
def test_let_errors_name_the_file_and_key(let, expect, where, message):
    with pytest.raises(FacepolicyError) as caught:
        compile_rule(rule_data(let=let, assertions=[{"expect": expect}]), "signs.toml")
    assert caught.value.where == where and message in caught.value.message
    assert " / " in caught.value.message and "\n" not in str(caught.value)


def test_lint_reports_an_unused_let(demo_policies):
    rule = demo_policies / "demo" / "signs.toml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace(
            "[[assertions]]", '[let]\nspare = "public"\n\n[[assertions]]'
        ),
        encoding="utf-8",
    )
    result = lint(demo_policies)
    assert result.code == 1 and "signs.toml: let.spare: " in result.out


def test_bundled_rules_are_in_the_canonical_layout():
    result = run_line(["facepolicy", "fmt", "--check"])
    assert result.code == 0, result.out
