"""The evaluator: scope, assertions, pointers, and one status per (deployment, rule), in three
values."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest
from conftest import RULE, deployment

from facepolicy.compiler import _steps, compile_rule
from facepolicy.errors import FacepolicyError
from facepolicy.evaluate import evaluate_rule, iter_items, read_deployment
from facepolicy.functions import Functions
from facepolicy.model import Status

FUNCTIONS = Functions(dt.date(2026, 1, 1))


def rule(**changes):
    data = tomllib.loads(RULE)
    data.update(changes)
    return compile_rule(data, "demo.toml")


def verdict(r, document):
    return evaluate_rule(r, read_deployment(document), FUNCTIONS)


def site(id, public=True, sign=True):
    return {"id": id, "public": public, "signage": {"face_recognition_sign": sign}}


def test_pass_when_every_public_site_is_signed():
    assert (
        verdict(rule(), deployment(sites=[site("a"), site("b", public=False, sign=False)])).status
        is Status.pass_
    )


def test_each_violation_names_the_offending_element_by_pointer():
    v = verdict(rule(), deployment(sites=[site("a"), site("b", sign=False), site("c", sign=False)]))
    assert v.status is Status.fail
    assert [x.pointer for x in v.violations] == ["/sites/1/signage", "/sites/2/signage"]
    assert v.violations[0].message("en") == "Site b has no sign"
    assert v.violations[0].message("zh") == "场所 b 没有标识"
    assert v.violations[0].remediation("zh") == "设置标识"


def test_an_unstated_list_is_incomplete_never_pass():
    v = verdict(rule(), deployment())
    assert v.status is Status.incomplete and v.missing == ("/sites",)


def test_an_unstated_filter_fact_is_incomplete_only_where_it_could_matter():
    # b's `public` is unstated but b is signed: whatever b is, it is fine; a and c are unsigned and
    # unknown
    v = verdict(
        rule(),
        deployment(
            sites=[{"id": "a", "signage": {"face_recognition_sign": False}}, site("b"), {"id": "c"}]
        ),
    )
    assert v.status is Status.incomplete
    assert v.missing == (
        "/sites/0/public",
        "/sites/2/public",
        "/sites/2/signage/face_recognition_sign",
    )


def test_a_list_not_stated_complete_may_hold_more_items():
    v = verdict(rule(), deployment(sites=[site("a")], complete=[]))
    assert v.status is Status.incomplete and v.missing == ("/sites/-",)
    v = verdict(rule(), deployment(sites=[site("a", sign=False)], complete=[]))
    assert v.status is Status.fail and v.missing == (
        "/sites/-",
    )  # a stated violation fails all the same


def test_version_1_reads_every_stated_list_as_complete():
    assert (
        verdict(rule(), {"schema_version": 1, "id": "d", "sites": [site("a")]}).status
        is Status.pass_
    )


def test_a_definite_violation_outranks_missing_facts():
    v = verdict(rule(), deployment(sites=[site("a", sign=False), {"id": "b", "public": True}]))
    assert v.status is Status.fail
    assert v.missing == ("/sites/1/signage/face_recognition_sign",)


def test_out_of_scope_is_not_applicable_and_an_unknown_scope_is_incomplete():
    r = rule(scope={"required": ["mode"], "properties": {"mode": {"const": "offline"}}})
    assert (
        verdict(r, deployment(mode="online", sites=[site("a", sign=False)])).status
        is Status.not_applicable
    )
    assert (
        verdict(r, deployment(mode="offline", sites=[site("a", sign=False)])).status is Status.fail
    )
    v = verdict(r, deployment(sites=[site("a", sign=False)]))
    assert v.status is Status.incomplete and v.missing == ("/mode",)


def test_shared_scopes_resolve_locally():
    r = rule(scope={"$ref": "urn:facepolicy:scopes#/$defs/offline-part"})
    assert verdict(r, deployment(mode="o2o", sites=[site("a")])).status is Status.pass_
    assert verdict(r, deployment(mode="online", sites=[site("a")])).status is Status.not_applicable


def test_a_scope_keyword_without_a_three_valued_meaning_is_refused():
    with pytest.raises(FacepolicyError) as caught:
        rule(scope={"patternProperties": {"x": True}})
    assert "patternProperties" in caught.value.message


def test_a_remote_scope_reference_is_refused():
    with pytest.raises(FacepolicyError) as caught:
        rule(scope={"$ref": "https://example.invalid/scope.json"})
    assert "nothing is fetched" in caught.value.message


def test_a_non_boolean_assertion_is_a_rule_error_not_a_pass():
    r = rule(assertions=[{"for_each": "sites", "expect": "name"}])
    v = verdict(r, deployment(sites=[{"id": "a", "public": True, "name": "x"}]))
    assert v.status is Status.error
    assert "not true or false" in v.error


def test_document_level_assertions_point_at_their_place():
    r = rule(
        assertions=[
            {
                "expect": "privacy_policy.taps_from_main_screen <= `4`",
                "at": "privacy_policy/taps_from_main_screen",
            }
        ]
    )
    assert (
        verdict(r, deployment(privacy_policy={"taps_from_main_screen": 4})).status is Status.pass_
    )
    v = verdict(r, deployment(privacy_policy={"taps_from_main_screen": 5}))
    assert (
        v.status is Status.fail
        and v.violations[0].pointer == "/privacy_policy/taps_from_main_screen"
    )
    v = verdict(r, deployment(privacy_policy={}))
    assert v.status is Status.incomplete and v.missing == ("/privacy_policy/taps_from_main_screen",)


def test_a_stated_false_is_not_hidden_by_an_unrelated_unstated_fact():
    r = rule(
        assertions=[
            {
                "where": "data_subjects.min_age < `14`",
                "expect": "guardian_consent.obtained && guardian_consent.prior",
            }
        ]
    )
    v = verdict(r, deployment(data_subjects={"min_age": 8}, guardian_consent={"obtained": False}))
    assert v.status is Status.fail
    v = verdict(r, deployment(data_subjects={"min_age": 8}, guardian_consent={"obtained": True}))
    assert v.status is Status.incomplete and v.missing == ("/guardian_consent/prior",)


def test_a_consent_not_listed_in_an_open_list_is_unknown_not_absent():
    r = rule(assertions=[{"expect": "length(consents[?purpose == 'privacy_policy']) > `0`"}])
    assert (
        verdict(
            r, deployment(consents=[{"id": "f", "purpose": "face_recognition"}], complete=[])
        ).status
        is Status.incomplete
    )
    assert (
        verdict(r, deployment(consents=[{"id": "f", "purpose": "face_recognition"}])).status
        is Status.fail
    )
    v = verdict(r, deployment(consents=[{"id": "c1"}]))
    assert v.status is Status.incomplete and v.missing == ("/consents/0/purpose",)


def test_nested_lists_are_walked_with_their_indices():
    doc = read_deployment(
        {
            "schema_version": 1,
            "id": "d",
            "components": [
                {"permissions": ["camera"]},
                {"x": 1},
                {"permissions": ["storage", "phone"]},
            ],
        }
    )
    found = list(iter_items(doc, _steps("components[*].permissions")))
    assert [(p, v) for p, v in found if p is not None] == [
        ("/components/0/permissions/0", "camera"),
        ("/components/2/permissions/0", "storage"),
        ("/components/2/permissions/1", "phone"),
    ]
    assert [sorted(v.facts) for p, v in found if p is None] == [["/components/1/permissions"]]


def test_a_syntax_error_names_the_place_and_column():
    with pytest.raises(FacepolicyError) as caught:
        rule(assertions=[{"expect": "sites[?public"}])
    assert caught.value.where == "demo.toml: assertions[0].expect"
    assert "at column" in caught.value.message


def test_placeholders_show_lists_and_missing_values_plainly():
    r = rule(
        message={
            "zh": '缺少 {difference(`["a","b"]`, online_channels)}',
            "en": 'missing {difference(`["a","b"]`, online_channels)}; {name}',
        },
        assertions=[{"expect": "`false`"}],
    )
    v = verdict(r, deployment(sites=[], online_channels=["web"]))
    assert v.violations[0].message("en") == "missing a, b; ?"
