"""The evaluator: scope, evidence, assertions, pointers, and one status per (deployment, rule)."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from conftest import RULE, deployment
from facepolicy.compiler import compile_rule
from facepolicy.errors import FacepolicyError
from facepolicy.evaluate import evaluate_rule, iter_items, options_for
from facepolicy.compiler import _steps
from facepolicy.model import Status

OPTIONS = options_for(dt.date(2026, 1, 1))


def rule(**changes):
    data = tomllib.loads(RULE)
    data.update(changes)
    return compile_rule(data, "demo.toml")


def verdict(r, document):
    return evaluate_rule(r, document, OPTIONS)


def site(id, public=True, sign=True):
    return {"id": id, "public": public, "signage": {"face_recognition_sign": sign}}


def test_pass_when_every_public_site_is_signed():
    assert verdict(rule(), deployment(sites=[site("a"), site("b", public=False, sign=False)])).status is Status.pass_


def test_each_violation_names_the_offending_element_by_pointer():
    v = verdict(rule(), deployment(sites=[site("a"), site("b", sign=False), site("c", sign=False)]))
    assert v.status is Status.fail
    assert [x.pointer for x in v.violations] == ["/sites/1/signage", "/sites/2/signage"]
    assert v.violations[0].message("en") == "Site b has no sign"
    assert v.violations[0].message("zh") == "场所 b 没有标识"
    assert v.violations[0].remediation("zh") == "设置标识"


def test_missing_evidence_is_incomplete_never_pass():
    v = verdict(rule(), deployment())
    assert v.status is Status.incomplete and v.missing == ("/sites",)
    v = verdict(rule(), deployment(sites=[{"id": "a"}, {"id": "b", "public": True}, {"id": "c"}]))
    assert v.status is Status.incomplete
    assert v.missing == ("/sites/0/public", "/sites/2/public")


def test_a_required_fact_missing_on_a_checked_item_is_incomplete():
    v = verdict(rule(), deployment(sites=[site("a"), {"id": "b", "public": True}]))
    assert v.status is Status.incomplete
    assert v.missing == ("/sites/1/signage/face_recognition_sign",)


def test_a_definite_violation_outranks_missing_facts():
    v = verdict(rule(), deployment(sites=[site("a", sign=False), {"id": "b", "public": True}]))
    assert v.status is Status.fail
    assert v.missing == ("/sites/1/signage/face_recognition_sign",)


def test_out_of_scope_is_not_applicable():
    r = rule(scope={"required": ["mode"], "properties": {"mode": {"const": "offline"}}})
    assert verdict(r, deployment(mode="online", sites=[site("a", sign=False)])).status is Status.not_applicable
    assert verdict(r, deployment(mode="offline", sites=[site("a", sign=False)])).status is Status.fail


def test_shared_scopes_resolve_locally():
    r = rule(scope={"$ref": "urn:facepolicy:scopes#/$defs/offline-part"})
    assert verdict(r, deployment(mode="o2o", sites=[site("a")])).status is Status.pass_
    assert verdict(r, deployment(mode="online", sites=[site("a")])).status is Status.not_applicable


def test_a_non_boolean_assertion_is_a_rule_error_not_a_pass():
    r = rule(assertions=[{"for_each": "sites", "expect": "name"}])
    v = verdict(r, deployment(sites=[{"id": "a", "public": True, "name": "x"}]))
    assert v.status is Status.error
    assert "not true or false" in v.error


def test_document_level_assertions_point_at_their_place():
    r = rule(evidence={"required": ["privacy_policy"]},
             assertions=[{"requires": ["privacy_policy.taps_from_main_screen"], "expect": "privacy_policy.taps_from_main_screen <= `4`",
                          "at": "privacy_policy/taps_from_main_screen"}])
    assert verdict(r, deployment(privacy_policy={"taps_from_main_screen": 4})).status is Status.pass_
    v = verdict(r, deployment(privacy_policy={"taps_from_main_screen": 5}))
    assert v.status is Status.fail and v.violations[0].pointer == "/privacy_policy/taps_from_main_screen"
    v = verdict(r, deployment(privacy_policy={}))
    assert v.status is Status.incomplete and v.missing == ("/privacy_policy/taps_from_main_screen",)


def test_nested_lists_are_walked_with_their_indices():
    doc = {"components": [{"permissions": ["camera"]}, {"x": 1}, {"permissions": ["storage", "phone"]}]}
    assert list(iter_items(doc, _steps("components[*].permissions"))) == [
        ("/components/0/permissions/0", "camera"),
        ("/components/2/permissions/0", "storage"),
        ("/components/2/permissions/1", "phone"),
    ]


def test_a_syntax_error_names_the_place_and_column():
    with pytest.raises(FacepolicyError) as caught:
        rule(assertions=[{"expect": "sites[?public"}])
    assert caught.value.where == "demo.toml: assertions[0].expect"
    assert "at column" in caught.value.message


def test_placeholders_show_lists_and_missing_values_plainly():
    r = rule(message={"zh": "缺少 {difference(`[\"a\",\"b\"]`, online_channels)}", "en": "missing {difference(`[\"a\",\"b\"]`, online_channels)}; {name}"},
             assertions=[{"expect": "`false`"}])
    v = verdict(r, deployment(sites=[], online_channels=["web"]))
    assert v.violations[0].message("en") == "missing a, b; —"
