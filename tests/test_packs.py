"""Policy packs: selection, pack.toml checks, fact extensions, per-pack tests, init-pack and the
example pack."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_line

EXAMPLE = ROOT / "examples" / "acme-pm"


def new_pack(tmp_path: Path, name: str = "own", fact: str = "") -> Path:
    """A pack made by init-pack; `fact` renames its one fact (two packs may not both name a fact
    alike)."""
    result = run_line(["facepolicy", "init-pack", name], cwd=tmp_path)
    assert result.code == 0, result.err
    if fact:
        for path in (tmp_path / name).rglob("*"):
            if path.is_file() and path.suffix in (".toml", ".json"):
                edit_all(path, "security_officer_approved", fact)
    return tmp_path / name


def edit_all(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def one_error_line(result) -> str:
    """A usage error: exit 2, one line on stderr, no traceback."""
    assert result.code == 2, result.out + result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err, result.err
    return lines[0]


# ---------- init-pack


def test_init_pack_passes_lint_test_fmt_and_coverage_with_the_bundled_rules(tmp_path):
    pack = new_pack(tmp_path, "acme-pm")
    assert (pack / "pack.toml").is_file() and (pack / "extension.schema.json").is_file()
    for command in (["lint"], ["test"], ["fmt", "--check"], ["coverage", "--min", "100"]):
        result = run_line(["facepolicy", *command, "--policies", "acme-pm"], cwd=tmp_path)
        assert result.code == 0, (command, result.out[-2000:], result.err)
    tested = run_line(["facepolicy", "test", "--policies", "acme-pm"], cwd=tmp_path)
    bundled = run_line(["facepolicy", "test"], cwd=tmp_path)

    def fixtures(out):
        return int(re.search(r"(\d+) fixtures", out).group(1))

    assert (
        fixtures(tested.out) == fixtures(bundled.out) + 3
    )  # its two rule fixtures and its scenario, beside all bundled


def test_the_new_packs_failing_fixture_fails_through_eval(tmp_path):
    pack = new_pack(tmp_path, "acme-pm")
    failing = pack / "fixtures" / "rules" / "acme-pm.security-approval" / "fail-not-approved.json"
    result = run_line(
        [
            "facepolicy",
            "eval",
            "--policies",
            "acme-pm",
            "--rule",
            "acme-pm.security-approval",
            str(failing),
        ],
        cwd=tmp_path,
    )
    assert result.code == 1
    assert "FAIL       acme-pm.security-approval" in result.out
    assert "/extensions/acme-pm/security_officer_approved" in result.out


def test_init_pack_refuses_a_bad_name_and_a_folder_in_use(tmp_path):
    assert "lowercase" in one_error_line(
        run_line(["facepolicy", "init-pack", "Acme_PM"], cwd=tmp_path)
    )
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    line = one_error_line(run_line(["facepolicy", "init-pack", "taken"], cwd=tmp_path))
    assert "not empty" in line
    assert (tmp_path / "taken" / "notes.txt").read_text(encoding="utf-8") == "mine"


# ---------- testing side by side


def test_a_packs_rules_never_break_the_bundled_scenarios_and_vice_versa(tmp_path):
    new_pack(tmp_path)
    result = run_line(["facepolicy", "test", "--policies", "own"], cwd=tmp_path)
    assert result.code == 0, result.out[-2000:]
    assert "no expected verdict" not in result.out and "MISMATCH" not in result.out


def test_explicit_fixtures_of_a_pack_leave_the_other_packs_rules_alone(tmp_path):
    new_pack(tmp_path)
    result = run_line(
        ["facepolicy", "test", "--policies", "own", "--fixtures", "own/fixtures"], cwd=tmp_path
    )
    assert result.code == 0, result.out[-2000:]
    assert "UNTESTED" not in result.out
    assert "3 fixtures" in result.out  # only the pack's own
    (
        tmp_path / "own" / "fixtures" / "rules" / "own.security-approval" / "fail-not-approved.json"
    ).unlink()
    result = run_line(
        ["facepolicy", "test", "--policies", "own", "--fixtures", "own/fixtures"], cwd=tmp_path
    )
    assert result.code == 1
    untested = [line for line in result.out.splitlines() if line.startswith("UNTESTED")]
    assert untested == [
        "UNTESTED own.security-approval: no fail fixture / 缺少fail夹具 "
        "(fixtures/rules/own.security-approval/fail-NAME.json)"
    ]


def test_a_scenario_states_other_packs_verdicts_under_their_table_only(tmp_path):
    pack = new_pack(tmp_path)
    expected = pack / "fixtures" / "scenarios" / "example" / "expected.toml"
    edit(
        expected,
        'pass = ["own.security-approval"]',
        'pass = ["own.security-approval", "megvii-fr-guideline.private-spaces"]',
    )
    result = run_line(["facepolicy", "test", "--policies", "own"], cwd=tmp_path)
    assert result.code == 1
    assert (
        "megvii-fr-guideline.private-spaces: rule of pack facepolicy: "
        "state its verdict under [packs.facepolicy]" in result.out
    )
    edit(
        expected,
        ', "megvii-fr-guideline.private-spaces"]',
        ']\n\n[packs.facepolicy]\nincomplete = ["megvii-fr-guideline.private-spaces"]',
    )
    result = run_line(["facepolicy", "test", "--policies", "own"], cwd=tmp_path)
    assert result.code == 0, result.out[-2000:]
    edit(
        expected,
        'incomplete = ["megvii-fr-guideline.private-spaces"]',
        'pass = ["megvii-fr-guideline.private-spaces"]',
    )
    result = run_line(["facepolicy", "test", "--policies", "own"], cwd=tmp_path)
    assert result.code == 1
    assert "megvii-fr-guideline.private-spaces: expected pass, got incomplete" in result.out


def test_a_pack_cannot_expect_verdicts_of_a_pack_it_does_not_build_on(tmp_path):
    new_pack(tmp_path, "first")
    second = new_pack(tmp_path, "second", fact="second_approved")
    expected = second / "fixtures" / "scenarios" / "example" / "expected.toml"
    edit(
        expected,
        "# [packs.facepolicy]",
        '[packs.first]\nincomplete = ["first.security-approval"]\n',
    )
    result = run_line(
        ["facepolicy", "test", "--policies", "first", "--policies", "second"], cwd=tmp_path
    )
    assert result.code == 1
    assert (
        "first.security-approval: rule of pack first, which this pack does not build on"
        in result.out
    )
    edit(second / "pack.toml", 'builds_on = ["facepolicy"]', 'builds_on = ["facepolicy", "first"]')
    result = run_line(
        ["facepolicy", "test", "--policies", "first", "--policies", "second"], cwd=tmp_path
    )
    assert result.code == 0, result.out[-2000:]


def test_a_packs_fixtures_are_checked_against_its_own_family_schema(tmp_path):
    """A fact of a pack that this one does not build on is an unknown property here, whatever else
    is loaded."""
    new_pack(tmp_path, "first")
    second = new_pack(tmp_path, "second", fact="second_approved")
    case = second / "fixtures" / "rules" / "second.security-approval" / "pass-approved.json"
    data = json.loads(case.read_text(encoding="utf-8"))
    data["extensions"]["first"] = {"security_officer_approved": True}
    case.write_text(json.dumps(data), encoding="utf-8")
    result = run_line(
        ["facepolicy", "test", "--policies", "first", "--policies", "second"], cwd=tmp_path
    )
    assert result.code == 2
    assert (
        "pass-approved.json" in result.err
        and ('/extensions/first: 未知属性 / unknown property "first"') in result.err
    )


# ---------- pack.toml checks


def test_a_pack_built_on_a_pack_not_loaded_says_how_to_load_it(tmp_path):
    new_pack(tmp_path)
    line = one_error_line(
        run_line(["facepolicy", "test", "--no-bundled", "--policies", "own"], cwd=tmp_path)
    )
    assert line.startswith("facepolicy: own/pack.toml: builds_on: ")
    assert "builds on pack 'facepolicy', which is not loaded; drop --no-bundled" in line
    edit(tmp_path / "own" / "pack.toml", '["facepolicy"]', '["facepolicy", "shared-hr"]')
    line = one_error_line(run_line(["facepolicy", "lint", "--policies", "own"], cwd=tmp_path))
    assert (
        "builds on pack 'shared-hr', which is not loaded; load it too, with --policies DIR" in line
    )


def test_packs_that_build_on_each_other_are_refused(tmp_path):
    new_pack(tmp_path, "first")
    new_pack(tmp_path, "second", fact="second_approved")
    edit(tmp_path / "first" / "pack.toml", '["facepolicy"]', '["facepolicy", "second"]')
    edit(tmp_path / "second" / "pack.toml", '["facepolicy"]', '["first"]')
    line = one_error_line(
        run_line(
            ["facepolicy", "eval", "--policies", "first", "--policies", "second", "x.json"],
            cwd=tmp_path,
        )
    )
    assert "packs build on each other: first → second → first" in line


def test_a_version_requirement_not_met_names_both_versions(tmp_path):
    new_pack(tmp_path)
    edit(tmp_path / "own" / "pack.toml", 'requires = ">=0.1"', 'requires = ">=99"')
    line = one_error_line(run_line(["facepolicy", "test", "--policies", "own"], cwd=tmp_path))
    assert (
        "own/pack.toml: requires" in line
        and "needs facepolicy >=99, this is 0.1.0; upgrade facepolicy" in line
    )
    edit(tmp_path / "own" / "pack.toml", 'requires = ">=99"', 'requires = "newest"')
    line = one_error_line(run_line(["facepolicy", "test", "--policies", "own"], cwd=tmp_path))
    assert "not a version specifier; write e.g. \">=0.1\": 'newest'" in line


def test_a_broken_pack_toml_names_the_key(tmp_path):
    new_pack(tmp_path)
    edit(tmp_path / "own" / "pack.toml", 'version = "0.1.0"', "version = 1")
    line = one_error_line(run_line(["facepolicy", "test", "--policies", "own"], cwd=tmp_path))
    assert line.startswith("facepolicy: own/pack.toml: ")
    assert (
        "pack.toml breaks its schema: /version: 类型不对 / wrong type: 整数 integer, 应为 / "
        "expected 字符串 string"
    ) in line


def test_two_packs_with_one_name_are_refused(tmp_path):
    new_pack(tmp_path, "first")
    new_pack(tmp_path, "second", fact="second_approved")
    edit(tmp_path / "second" / "pack.toml", 'name = "second"', 'name = "first"')
    line = one_error_line(
        run_line(
            ["facepolicy", "lint", "--policies", "first", "--policies", "second"], cwd=tmp_path
        )
    )
    assert line.startswith("facepolicy: second/pack.toml: ")
    assert "pack name 'first' is also the name of first/pack.toml; rename one" in line


def test_a_rule_id_in_two_packs_is_refused_not_replaced(tmp_path):
    new_pack(tmp_path, "first")
    second = new_pack(tmp_path, "second", fact="second_approved")
    rule = second / "policies" / "second" / "security-approval.toml"
    edit(rule, 'id = "second.security-approval"', 'id = "first.security-approval"')
    line = one_error_line(
        run_line(
            ["facepolicy", "eval", "--policies", "first", "--policies", "second", "x.json"],
            cwd=tmp_path,
        )
    )
    assert line.startswith("facepolicy: second/policies/second/security-approval.toml: id: ")
    assert "rule id 'first.security-approval' is also in pack first; a pack adds rules" in line


def test_a_document_key_in_two_packs_is_refused(tmp_path):
    new_pack(tmp_path, "first")
    second = new_pack(tmp_path, "second", fact="second_approved")
    edit(second / "policies" / "second" / "document.toml", 'key = "second"', 'key = "first"')
    line = one_error_line(
        run_line(
            ["facepolicy", "lint", "--policies", "first", "--policies", "second"], cwd=tmp_path
        )
    )
    assert "document key 'first' is also in pack first" in line


# ---------- fact extensions


def extension(pack: Path) -> dict:
    return json.loads((pack / "extension.schema.json").read_text(encoding="utf-8"))


def write_extension(pack: Path, schema: dict) -> None:
    (pack / "extension.schema.json").write_text(
        json.dumps(schema, ensure_ascii=False), encoding="utf-8"
    )


def test_a_fact_named_like_a_core_fact_or_another_packs_is_refused(tmp_path):
    first = new_pack(tmp_path, "first")
    schema = extension(first)
    schema["properties"]["sites"] = {"type": "boolean", "description": "场所 / Sites"}
    write_extension(first, schema)
    line = one_error_line(run_line(["facepolicy", "schema", "--policies", "first"], cwd=tmp_path))
    assert "first/extension.schema.json: /properties/sites: " in line
    assert "fact 'sites' is also a fact of the core (/sites)" in line
    assert "e.g. first_sites" in line
    new_pack(tmp_path, "second")
    del schema["properties"]["sites"]
    write_extension(first, schema)
    line = one_error_line(
        run_line(
            ["facepolicy", "schema", "--policies", "first", "--policies", "second"], cwd=tmp_path
        )
    )
    assert line.startswith(
        "facepolicy: second/extension.schema.json: /properties/security_officer_approved: "
    )
    assert (
        "fact 'security_officer_approved' is also a fact of pack first "
        "(/extensions/first/security_officer_approved)" in line
    )


@pytest.mark.parametrize(
    "change, place, words",
    [
        (lambda s: s.update(type="array"), "/", '"type": "object" with "properties"'),
        (lambda s: s.pop("additionalProperties"), "/", '"additionalProperties": false'),
        (
            lambda s: s["properties"].update(
                gates={"type": "array", "items": {"type": "string"}, "description": "门 / Gates"}
            ),
            "/properties/complete",
            '"complete": {"type": "array", "uniqueItems": true, "items": {"enum": ["gates"]}}',
        ),
        (
            lambda s: s["properties"].update(far={"$ref": "https://example.com/x.json"}),
            "/properties/far/$ref",
            "nothing is fetched",
        ),
    ],
)
def test_an_extension_that_is_not_a_closed_three_valued_schema_is_refused(
    tmp_path, change, place, words
):
    pack = new_pack(tmp_path)
    schema = extension(pack)
    change(schema)
    write_extension(pack, schema)
    line = one_error_line(run_line(["facepolicy", "lint", "--policies", "own"], cwd=tmp_path))
    assert f"own/extension.schema.json: {place}: " in line and words in line


def test_lint_asks_for_a_bilingual_description_and_a_valid_schema(tmp_path):
    pack = new_pack(tmp_path)
    schema = extension(pack)
    schema["properties"]["badge_colour"] = {"type": "colour"}
    write_extension(pack, schema)
    result = run_line(["facepolicy", "lint", "--policies", "own"], cwd=tmp_path)
    assert result.code == 1
    assert (
        "own/extension.schema.json: /properties/badge_colour: describe it in Chinese and English"
        in result.out
    )
    assert (
        "own/extension.schema.json: /properties/badge_colour/type: invalid JSON Schema"
        in result.out
    )


def test_the_schema_command_prints_the_merged_schema_deterministically(tmp_path):
    core = run_line(["facepolicy", "schema"], cwd=tmp_path)
    assert core.code == 0
    assert json.loads(core.out)["properties"]["extensions"]["properties"] == {}
    merged = run_line(["facepolicy", "schema", "--policies", str(EXAMPLE)], cwd=tmp_path)
    again = run_line(["facepolicy", "schema", "--policies", str(EXAMPLE)], cwd=tmp_path)
    assert merged.code == 0 and merged.out == again.out
    schema = json.loads(merged.out)
    acme = schema["properties"]["extensions"]["properties"]["acme-pm"]
    assert acme["properties"]["gates"]["items"] == {
        "$ref": "#/properties/extensions/properties/acme-pm/$defs/gate"
    }
    assert "$schema" not in acme
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    good = json.loads(
        (EXAMPLE / "fixtures" / "scenarios" / "riverside-estate" / "deployment.json").read_text(
            encoding="utf-8"
        )
    )
    assert not list(validator.iter_errors(good))
    good["extensions"]["acme-pm"]["gates"][0]["card"] = True
    assert [e.message for e in validator.iter_errors(good)] == [
        "Additional properties are not allowed ('card' was unexpected)"
    ]
    assert (
        run_line(
            ["facepolicy", "schema", "-o", "deployment.schema.json", "--policies", str(EXAMPLE)],
            cwd=tmp_path,
        ).code
        == 0
    )
    assert (tmp_path / "deployment.schema.json").read_text(encoding="utf-8") == merged.out


def test_a_deployment_stating_facts_of_a_pack_not_loaded_is_refused(tmp_path):
    case = EXAMPLE / "fixtures" / "rules" / "acme-pm.template-deletion" / "pass-14-days.json"
    result = run_line(["facepolicy", "eval", str(case)], cwd=tmp_path)
    assert result.code == 2
    assert '/extensions/acme-pm: 未知属性 / unknown property "acme-pm"' in result.err


def test_an_edited_extension_is_never_served_stale_from_the_cache(tmp_path):
    pack = new_pack(tmp_path)
    case = pack / "fixtures" / "rules" / "own.security-approval" / "pass-approved.json"
    env = {"FACEPOLICY_CACHE_DIR": str(tmp_path / "cache")}
    first = run_line(
        ["facepolicy", "eval", "--policies", "own", "--rule", "own.security-approval", str(case)],
        cwd=tmp_path,
        env=env,
    )
    assert first.code == 0, first.err
    schema = extension(pack)
    schema["properties"]["security_officer_approved"]["type"] = "string"
    write_extension(pack, schema)
    second = run_line(
        ["facepolicy", "eval", "--policies", "own", "--rule", "own.security-approval", str(case)],
        cwd=tmp_path,
        env=env,
    )
    assert (
        second.code == 2
        and "wrong type: 布尔值 boolean, 应为 / expected 字符串 string" in second.err
    )


def test_workers_read_the_merged_schema_too(tmp_path):
    cases = sorted(str(p) for p in (EXAMPLE / "fixtures" / "rules").glob("*/*.json"))
    one = run_line(
        ["facepolicy", "eval", "--format", "json", "--policies", str(EXAMPLE), *cases], cwd=tmp_path
    )
    two = run_line(
        [
            "facepolicy",
            "eval",
            "--format",
            "json",
            "--jobs",
            "2",
            "--policies",
            str(EXAMPLE),
            *cases,
        ],
        cwd=tmp_path,
    )
    assert one.code == two.code == 1
    assert one.out == two.out and "input error" not in one.err


# ---------- .facepolicy.toml


def test_the_working_folders_config_selects_packs_and_the_command_line_overrides_it(tmp_path):
    new_pack(tmp_path, "first")
    new_pack(tmp_path, "second", fact="second_approved")
    (tmp_path / ".facepolicy.toml").write_text('packs = ["first"]\n', encoding="utf-8")
    digest = run_line(["facepolicy", "test"], cwd=tmp_path)
    assert digest.code == 0 and "UNTESTED" not in digest.out
    listed = run_line(["facepolicy", "coverage", "--format", "json"], cwd=tmp_path)
    ids = {rule["id"] for rule in json.loads(listed.out)["rules"]}
    assert (
        "first.security-approval" in ids
        and "second.security-approval" not in ids
        and "megvii-fr-guideline.private-spaces" in ids
    )
    listed = run_line(
        ["facepolicy", "coverage", "--format", "json", "--policies", "second"], cwd=tmp_path
    )
    ids = {rule["id"] for rule in json.loads(listed.out)["rules"]}
    assert "second.security-approval" in ids and "first.security-approval" not in ids
    edit(tmp_path / "first" / "pack.toml", 'builds_on = ["facepolicy"]', "builds_on = []")
    (tmp_path / ".facepolicy.toml").write_text(
        'packs = ["first"]\nbundled = false\n', encoding="utf-8"
    )
    listed = run_line(["facepolicy", "coverage", "--format", "json"], cwd=tmp_path)
    assert {rule["id"] for rule in json.loads(listed.out)["rules"]} == {"first.security-approval"}


def test_a_broken_config_is_one_line(tmp_path):
    (tmp_path / ".facepolicy.toml").write_text('packs = "first"\n', encoding="utf-8")
    line = one_error_line(run_line(["facepolicy", "digest"], cwd=tmp_path))
    assert (
        line.startswith("facepolicy: .facepolicy.toml: ")
        and ".facepolicy.toml breaks its schema" in line
    )
    assert "/packs: 类型不对 / wrong type: 字符串 string, 应为 / expected 数组 array" in line


def test_a_missing_pack_folder_says_what_policies_takes(tmp_path):
    line = one_error_line(run_line(["facepolicy", "test", "--policies", "nowhere"], cwd=tmp_path))
    assert line.startswith("facepolicy: nowhere: ")
    assert (
        "no such policies folder; --policies takes a pack folder (with pack.toml) "
        "or a folder of rules" in line
    )


# ---------- the example pack


def test_the_example_pack_passes_lint_with_its_own_source_and_test_beside_the_bundled_rules(
    tmp_path,
):
    result = run_line(["facepolicy", "lint", "--policies", str(EXAMPLE)])
    assert result.code == 0, result.out
    result = run_line(["facepolicy", "test", "--policies", str(EXAMPLE)])
    assert result.code == 0, result.out[-2000:]
    copy = tmp_path / "acme-pm"
    shutil.copytree(EXAMPLE, copy)
    edit(copy / "sources" / "acme-pm-policy.txt", "应在 30 日内删除", "应在 60 日内删除")
    result = run_line(["facepolicy", "lint", "--policies", str(copy)])
    assert result.code == 1
    assert (
        "document.toml: clauses[1] (2).excerpt: excerpt is not verbatim in the source text"
        in result.out
    )


@pytest.mark.parametrize(
    "case, rule, status",
    [
        ("acme-pm.template-deletion/fail-90-days.json", "acme-pm.template-deletion", "FAIL"),
        (
            "acme-pm.template-deletion/incomplete-unstated.json",
            "acme-pm.template-deletion",
            "INCOMPLETE",
        ),
        (
            "acme-pm.access-card-at-gates/fail-face-only-gate.json",
            "acme-pm.access-card-at-gates",
            "FAIL",
        ),
        (
            "acme-pm.access-card-at-gates/pass-cards-at-every-residential-gate.json",
            "acme-pm.access-card-at-gates",
            "PASS",
        ),
        (
            "acme-pm.impact-assessment-reviewed/fail-reviewed-two-years-ago.json",
            "acme-pm.impact-assessment-reviewed",
            "FAIL",
        ),
    ],
)
def test_the_example_packs_verdicts(case, rule, status):
    path = EXAMPLE / "fixtures" / "rules" / case
    result = run_line(
        ["facepolicy", "eval", "-v", "--policies", str(EXAMPLE), "--rule", rule, str(path)]
    )
    assert re.search(rf"^  {status} +{re.escape(rule)} ", result.out, re.M), result.out


def test_the_annual_review_depends_on_today():
    case = (
        EXAMPLE
        / "fixtures"
        / "rules"
        / "acme-pm.impact-assessment-reviewed"
        / "pass-reviewed-this-year.json"
    )
    args = [
        "facepolicy",
        "eval",
        "--policies",
        str(EXAMPLE),
        "--rule",
        "acme-pm.impact-assessment-reviewed",
        str(case),
    ]
    assert run_line([*args, "--today", "2026-06-01"]).code == 0
    late = run_line([*args, "--today", "2026-06-02"])
    assert late.code == 1
    assert "last reviewed on 2025-06-01, 366 days ago: over a year" in late.out
