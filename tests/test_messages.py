"""Errors that lead the way: every schema and lint error is one line in Chinese and English, shows
values as JSON (never a Python repr), offers the closest name or value, and cuts long lists between
items. And `new` links clause and rule both ways, so lint is clean right after it."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, deployment, run_line
from jsonschema import Draft202012Validator

from facepolicy.messages import closest, describe, key_path, listing, show
from facepolicy.schemas import first_error, load

REPR = re.compile(
    r"\{'|\['|'\]|'\}|\\n|\\u"
)  # a Python dict or list printed raw, or an escaped string


def one_clear_line(text: str) -> str:
    """The one line of an error: both languages, no Python repr."""
    lines = [line for line in text.strip().splitlines() if line]
    assert len(lines) == 1, text
    [line] = lines
    assert re.search(r"[\u4e00-\u9fff]", line) and re.search(r"[a-z]{3}", line), line
    assert not REPR.search(line), line
    return line


def evaluated(tmp_path, document) -> str:
    path = tmp_path / "d.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = run_line(["facepolicy", "eval", str(path)])
    assert result.code == 2, result.out
    return one_clear_line(result.err.splitlines()[0])


# --- deployments
# ----------------------------------------------------------------------------------------------


def test_an_unknown_property_names_itself_and_the_closest_known_one(tmp_path):
    line = evaluated(tmp_path, deployment(sites=[{"id": "a", "area_typ": "office"}]))
    assert (
        '/sites/0/area_typ: 未知属性 / unknown property "area_typ" — 是否应为 / did you mean '
        '"area_type"?' in line
    )


def test_an_unknown_property_far_from_every_name_lists_what_is_allowed(tmp_path):
    line = evaluated(tmp_path, deployment(sites=[{"id": "a", "zzzzzz": 1}]))
    assert (
        'unknown property "zzzzzz" (可用 / allowed: "id", ' in line and "did you mean" not in line
    )


def test_an_unknown_enum_value_gets_the_closest_one_and_the_list_cut_between_items(tmp_path):
    line = evaluated(tmp_path, deployment(sites=[{"id": "a", "area_type": "hotel-room"}]))
    assert (
        '/sites/0/area_type: 不是允许的值 / not an allowed value: "hotel-room" — 是否应为 / did '
        'you mean "hotel_room"?' in line
    )
    choices = re.search(r"choices: (.*?)\) \(不符合", line).group(1)
    enum = load("deployment")["$defs"]["site"]["properties"]["area_type"]["enum"]
    listed, more = choices.split(", … ")
    assert [json.loads(item) for item in listed.split(", ")] == enum[:12]  # whole items, in order
    assert more == f"{len(enum) - 12} more / 另 {len(enum) - 12} 项"


def test_a_short_enum_is_listed_whole(tmp_path):
    line = evaluated(tmp_path, deployment(mode="ofline"))
    assert 'did you mean "offline"? (可选 / choices: "online", "offline", "o2o")' in line


def test_an_impossible_date_is_refused_as_no_date(tmp_path):
    line = evaluated(
        tmp_path,
        deployment(sites=[{"id": "a", "impact_assessment": {"reviewed_on": "2025-13-01"}}]),
    )
    assert 'reviewed_on: 不是有效日期 / not a valid date (YYYY-MM-DD): "2025-13-01"' in line


def test_a_wrong_type_names_both_types(tmp_path):
    line = evaluated(tmp_path, deployment(sites=[{"id": "a", "public": "yes"}]))
    assert (
        "/sites/0/public: 类型不对 / wrong type: 字符串 string, 应为 / expected 布尔值 boolean"
        in line
    )


def test_a_long_value_is_shortened_and_shown_as_json(tmp_path):
    line = evaluated(tmp_path, deployment(mode="x" * 500 + "'{"))
    assert '"' + "x" * 57 + '…"' in line and len(line) < 400


# --- rule files, catalogs, waivers and lint
# -------------------------------------------------------------------


def lint(policies, *extra) -> list[str]:
    result = run_line(["facepolicy", "lint", "--no-bundled", "--policies", str(policies), *extra])
    assert "Traceback" not in result.err
    return [
        one_clear_line(line)
        for line in result.out.splitlines()
        if not line.startswith("facepolicy lint:")
    ]


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            'severity = "high"',
            'severty = "high"',
            "signs.toml: severty: 规则文件不符合规则 schema / rule file breaks the rule schema: "
            '未知属性 / unknown property "severty" — 是否应为 / did you mean "severity"?',
        ),
        (
            'severity = "high"',
            'severity = "hihg"',
            "signs.toml: severity: 规则文件不符合规则 schema / rule file breaks the rule schema: "
            '不是允许的值 / not an allowed value: "hihg" — 是否应为 / did you mean "high"?',
        ),
        (
            'expect = "signage.face_recognition_sign"',
            'expect = "lenght(signage)"',
            "signs.toml: assertions[0].expect: 未知函数 / unknown function lenght() — 是否应为 / "
            'did you mean "length"?',
        ),
        (
            'expect = "signage.face_recognition_sign"',
            "expect = \"min_days('6 monhts') > `1`\"",
            'unknown unit "monhts" in duration "6 monhts" (did you mean "months"?)',
        ),
        (
            'clauses = ["demo:1"]',
            'clauses = ["demo:1.0"]',
            'unknown clause "demo:1.0" / 条款不存在 — 是否应为 / did you mean "demo:1"?',
        ),
        (
            'clauses = ["demo:1"]',
            'clauses = ["acme:1"]',
            'document "acme" has no catalog (policies/acme/document.toml; see '
            "policies/catalog-format.md, "
            "or facepolicy new --title)",
        ),
        (
            'where = "public"',
            'where = "publik"',
            'field "publik" is not in the deployment schema, so it is always null / 部署 schema '
            "中没有该字段"
            ' — 是否应为 / did you mean "public"?',
        ),
    ],
)
def test_a_rule_file_error_leads_the_way(demo_policies, old, new, expected):
    edit(demo_policies / "demo" / "signs.toml", old, new)
    lines = lint(demo_policies)
    assert any(expected in line for line in lines), lines


def test_a_misspelt_scope_keyword_gets_the_closest_keyword(demo_policies):
    edit(
        demo_policies / "demo" / "signs.toml",
        "title = {",
        'scope = { requird = ["sites"] }\ntitle = {',
    )
    lines = lint(demo_policies)
    assert any(
        'keyword "requird" is not understood in a scope — 是否应为 / did you mean "required"?'
        in line
        for line in lines
    ), lines


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            'rules = ["demo.signs"]',
            'rule = ["demo.signs"]',
            "document.toml: clauses[0].rule: 目录文件不符合目录 schema / catalog breaks the "
            "catalog schema: "
            '未知属性 / unknown property "rule" — 是否应为 / did you mean "rules"?',
        ),
        (
            'rules = ["demo.signs"]',
            'rules = ["demo.signs"]\nnot_checkable = "too-general"',
            "document.toml: clauses[0]: 目录文件不符合目录 schema / catalog breaks the catalog "
            "schema: 只能具备其中一组属性 / needs exactly one of these: "
            '"rules"; or "not_checkable" and "reason"',
        ),
        (
            'rules = ["demo.signs"]',
            'modal = "应"',
            "document.toml: clauses[0]: 目录文件不符合目录 schema / catalog breaks the catalog "
            "schema: "
            '只能具备其中一组属性 / needs exactly one of these: "rules"; or "not_checkable" and '
            '"reason"',
        ),
        (
            'binds = "deployer"',
            'binds = "deployers"',
            'not an allowed value: "deployers" — 是否应为 / did you mean "deployer"? (可选 / '
            "choices: "
            '"deployer", "vendor", "both", "none")',
        ),
        (
            'rules = ["demo.signs"]',
            'rules = ["demo.sign"]',
            'rule "demo.sign" does not exist / 规则不存在 — 是否应为 / did you mean "demo.signs"?',
        ),
    ],
)
def test_a_catalog_error_leads_the_way(demo_policies, old, new, expected):
    edit(demo_policies / "demo" / "document.toml", old, new)
    lines = lint(demo_policies)
    assert any(expected in line for line in lines), lines
    assert not any("has no catalog" in line for line in lines), (
        lines
    )  # it has one, which cannot be read


def test_a_waiver_for_a_misspelt_rule_gets_the_closest_rule(tmp_path):
    path = tmp_path / "w.toml"
    path.write_text(
        '[[waivers]]\nrule = "megvii-fr-guideline.private-space"\ndeployment = "d"\njustification '
        '= "the cameras are replaced in May"\n'
        'approver = "a"\nexpires = "2099-01-01"\n',
        encoding="utf-8",
    )
    result = run_line(["facepolicy", "lint", "--waivers", str(path)])
    [line] = [one_clear_line(text) for text in result.out.splitlines() if "waivers[0]" in text]
    assert (
        'no rule "megvii-fr-guideline.private-space" in the rule set / 规则不存在 — 是否应为 / did '
        "you mean "
        '"megvii-fr-guideline.private-spaces"?' in line
    )


@pytest.mark.parametrize(
    "args, where",
    [
        (["eval", "--rule", "megvii-fr-guideline.private-space", "fixtures/rules"], "--rule"),
        (["explain", "megvii-fr-guideline.privatespaces"], "explain RULE"),
    ],
)
def test_an_unknown_rule_id_gets_the_closest_rule(args, where):
    result = run_line(["facepolicy", *args])
    assert result.code == 2
    line = one_clear_line(result.err)
    assert (
        f"{where}: 没有该规则 / no such rule: " in line
        and 'did you mean "megvii-fr-guideline.private-spaces"?' in line
    )


# --- the message builders alone
# -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schema, instance, place, message",
    [
        ({"const": "x"}, "y", [], 'wrong value: "y", 应为 / must be "x"'),
        ({"minimum": 0}, -1, [], "超出范围 / out of range: -1, 应 / must be ≥ 0"),
        ({"exclusiveMaximum": 10}, 10, [], "must be < 10"),
        ({"type": "array", "minItems": 1}, [], [], "不能为空 / must not be empty"),
        ({"type": "array", "minItems": 2}, [1], [], "must have at least 2 items"),
        ({"type": "string", "maxLength": 2}, "abc", [], "must have at most 2 characters"),
        ({"uniqueItems": True}, ["a", "b", "a"], [], 'duplicate item: "a"'),
        ({"pattern": "^[A-Z]{2}$"}, "cn", [], 'does not match ^[A-Z]{2}$: "cn"'),
        ({"type": "object", "required": ["id"]}, {}, ["id"], 'missing required property "id"'),
        ({"not": {"required": ["x"]}}, {"x": 1}, ["x"], 'not allowed here: "x"'),
        (
            {"oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
            {"a": 1, "b": 2},
            [],
            'needs exactly one of these: "a"; or "b"',
        ),
        (
            {"anyOf": [{"required": ["a"]}, {"required": ["b", "c"]}]},
            {},
            [],
            'needs one of these: "a"; or "b" and "c"',
        ),
        (
            {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            {"k": [1]},
            [],
            "matches none of the allowed forms: {…}",
        ),
        ({"properties": {"a": False}}, {"a": 1}, [], "not allowed here"),
        ({"format": "date"}, "2026-02-30", [], 'not a valid date (YYYY-MM-DD): "2026-02-30"'),
    ],
)
def test_each_kind_of_schema_error_reads_as_one_plain_line(schema, instance, place, message):
    from jsonschema.exceptions import best_match

    error = best_match(
        Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        ).iter_errors(instance)
    )
    path, text = describe(error)
    assert path == place and message in text
    assert not REPR.search(text) and "\n" not in text


def test_values_lists_and_names_are_shown_plainly():
    assert (
        show({"a": 1}) == "{…}"
        and show([1, 2]) == "[…]"
        and show('引号"') == '"引号\\""'
        and show(None) == "null"
    )
    assert listing(range(3)) == "0, 1, 2"
    assert listing(range(15)) == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … 3 more / 另 3 项"
    assert (
        closest("hotel-room", ["hotel_room", "hotel_lobby"]) == "hotel_room"
        and closest("zzz", ["hotel_room"]) is None
    )
    assert closest(3, ["3"]) is None
    assert key_path("/assertions/0/expect") == "assertions[0].expect" and key_path("") == "(top)"
    assert key_path("/a~1b/c~0d") == "a/b.c~d"


def test_first_error_points_at_the_place_to_fix():
    assert first_error("deployment", {"schema_version": 2, "id": "x"}) is None
    assert (
        first_error("deployment", {"schema_version": 2})
        == '/id: 缺少必填属性 / missing required property "id"'
    )


# --- new: clause and rule linked both ways
# --------------------------------------------------------------------


def new(root, *args):
    return run_line(
        [
            "facepolicy",
            "new",
            *args,
            "--policies",
            str(root / "policies"),
            "--fixtures",
            str(root / "fixtures"),
        ]
    )


def test_new_without_a_catalog_says_how_to_make_one_and_makes_it_with_a_title(tmp_path):
    refused = new(tmp_path, "acme-pm:4.2", "template-deletion")
    assert (
        refused.code == 2
        and "--title" in one_clear_line(refused.err)
        and "catalog-format.md" in refused.err
    )
    assert not (tmp_path / "policies").exists()
    made = new(
        tmp_path,
        "acme-pm:4.2",
        "template-deletion",
        "--title",
        "物业公司人脸信息管理制度",
        "--date",
        "2026-05-01",
    )
    assert made.code == 0, made.err
    assert (
        "created catalog" in made.out and "added clause 4.2 → acme-pm.template-deletion" in made.out
    )
    assert (
        new(tmp_path, "acme-pm:4.3", "card-offered").code == 0
    )  # a clause the catalog lacks is added
    assert (
        new(tmp_path, "acme-pm:4.3", "card-for-visitors").code == 0
    )  # a clause with a rule gets a second
    from facepolicy.loader import read_toml

    clauses = {
        c["id"]: c
        for c in read_toml(tmp_path / "policies" / "acme-pm" / "document.toml")["clauses"]
    }
    assert clauses["4.2"]["rules"] == ["acme-pm.template-deletion"]
    assert clauses["4.3"]["rules"] == ["acme-pm.card-offered", "acme-pm.card-for-visitors"]
    result = run_line(
        ["facepolicy", "lint", "--no-bundled", "--policies", str(tmp_path / "policies")]
    )
    assert result.code == 0 and "0 problems" in result.out, result.out
    tested = run_line(
        [
            "facepolicy",
            "test",
            "--no-bundled",
            "--policies",
            str(tmp_path / "policies"),
            "--fixtures",
            str(tmp_path / "fixtures"),
        ]
    )
    assert tested.code == 0, tested.out


@pytest.mark.parametrize(
    "clause",
    [
        # a reason-less clause (the catalog schema refuses it: lint says so)
        'not_checkable = "too-general"\n',
        'not_checkable = "too-general"\nreason.zh = "待定"\nreason.en = """\\\n  to be\\\n  '
        'decided"""\n',
        # demo.signs does not cite demo:2 back: lint says so, about demo.signs
        'rules = [\n  "demo.signs",\n]\n',
    ],
)
def test_new_links_a_clause_however_its_disposal_was_written(demo_policies, clause):
    catalog = demo_policies / "demo" / "document.toml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8") + '\n[[clauses]]\nid = "2"\nsection = "2"\n'
        'heading = { zh = "政策", en = "Policy" }\nbinds = "deployer"\nkind = '
        '"obligation"\nexcerpt = "标识"\n' + clause,
        encoding="utf-8",
    )
    result = new(demo_policies.parent, "demo:2", "policy-published")
    assert result.code == 0, result.err
    from facepolicy.loader import read_toml

    [entry] = [c for c in read_toml(catalog)["clauses"] if c["id"] == "2"]
    assert (
        "demo.policy-published" in entry["rules"]
        and "not_checkable" not in entry
        and "reason" not in entry
    )
    lines = lint(demo_policies)
    assert not [
        line
        for line in lines
        if "policy-published" in line or ("clauses[1]" in line and "demo.signs" not in line)
    ], lines


def test_the_catalog_format_is_documented_where_the_readme_points():
    assert "catalog-format.md" in (ROOT / "policies" / "README.md").read_text(encoding="utf-8")
    text = (ROOT / "policies" / "catalog-format.md").read_text(encoding="utf-8")
    schema = load("document")
    for field in [*schema["properties"], *schema["$defs"]["clause"]["properties"]]:
        assert f"`{field}`" in text, field
    for reason in schema["$defs"]["clause"]["properties"]["not_checkable"]["enum"]:
        assert f"`{reason}`" in text, reason
