"""Each construct in three values: definite only when every completion of the unknowns agrees.

`T`/`F` are stated values; `U` means the result must be an unknown naming the listed facts.
"""

from __future__ import annotations

import datetime as dt

import pytest

from facepolicy.compiler import compile_expression, compile_scope
from facepolicy.expressions import truth
from facepolicy.facts import Partial, Range, Unknown, facts_of, read
from facepolicy.functions import Functions

FUNCTIONS = Functions(dt.date(2026, 1, 1))


def ev(text: str, document: dict, open_lists: bool = True):
    facts = read(document, open_lists=open_lists)
    FUNCTIONS.document = facts
    return compile_expression(text, "test").search(facts, FUNCTIONS)


def unknown(value, *facts):
    return type(value) is Unknown and value.facts == frozenset(facts)


@pytest.mark.parametrize(
    "text, document, expected",
    [
        ("a && b", {"a": False}, False),
        ("a && b", {"b": False}, "U/a"),
        ("a || b", {"a": True}, True),
        ("a || b", {"b": True}, "truthy"),
        ("a || b", {"b": False}, "U/a"),
        ("!a", {}, "U/a"),
        ("!a", {"a": 0}, False),
        ("a == 'x'", {}, "U/a"),
        ("a != 'x'", {}, "U/a"),
        ("a == 'x'", {"a": "x"}, True),
        ("a < `14`", {"a": 13}, True),
        ("a < `14`", {}, "U/a"),
        ("a < `14`", {"a": "x"}, None),
        ("a.b.c", {"a": {}}, "U/a/b/c"),
        ("a.b", {}, "U/a/b"),
        ("a.b", {"a": "text"}, None),
    ],
)
def test_logic_and_comparisons(text, document, expected):
    result = ev(text, document)
    if expected == "truthy":
        assert type(result) is Unknown and result.truth is True
    elif isinstance(expected, str) and expected.startswith("U"):
        assert unknown(result, expected[1:]), result
    else:
        assert result is expected


def test_and_with_a_false_right_side_is_false_whatever_the_left():
    result = ev("a && `false`", {})
    assert type(result) is Unknown and result.truth is False and truth(result) is False


def test_an_unstated_member_reads_deeper_with_its_own_pointer():
    assert unknown(
        ev(
            "sites[0].signage.face_recognition_sign",
            {"sites": [{"id": "a"}], "complete": ["sites"]},
        ),
        "/sites/0/signage/face_recognition_sign",
    )


def test_an_open_list_is_at_least_its_members():
    doc = {"consents": [{"purpose": "face_recognition"}]}
    assert ev("length(consents)", doc).__class__ is Range
    assert ev("length(consents) > `0`", doc) is True
    assert unknown(ev("length(consents) > `1`", doc), "/consents/-")
    assert (
        unknown(ev("length(consents) == `0`", doc), "/consents/-") is False
    )  # at least one: never zero
    assert ev("length(consents) == `0`", doc) is False
    assert ev("length(consents) > `0`", {**doc, "complete": ["consents"]}) is True
    assert ev("length(consents) > `1`", {**doc, "complete": ["consents"]}) is False


def test_a_filter_keeps_an_item_whose_condition_is_unknown_as_possible():
    doc = {
        "consents": [{"id": "a"}, {"id": "b", "purpose": "privacy_policy"}],
        "complete": ["consents"],
    }
    kept = ev("consents[?purpose == 'face_recognition']", doc)
    assert type(kept) is Partial and kept.tail is None
    assert [m for m in kept.maybe] == [frozenset({"/consents/0/purpose"})]
    assert unknown(
        ev("length(consents[?purpose == 'face_recognition']) > `0`", doc), "/consents/0/purpose"
    )
    assert ev("length(consents[?purpose == 'privacy_policy']) > `0`", doc) is True


def test_a_filter_that_no_item_could_pass_drops_the_unknown_tail():
    doc = {"mode": "online", "sites": [{"id": "a"}]}
    assert ev("sites[?root().mode == 'offline']", doc) == []
    assert type(ev("sites[?root().mode == 'online']", doc)) is Partial


@pytest.mark.parametrize(
    "text, document, expected",
    [
        ("contains(a, 'x')", {"a": ["x"]}, True),
        ("contains(a, 'x')", {"a": ["y"], "complete": ["a"]}, False),
        ("contains(a, 'x')", {"a": ["y"]}, "U/a/-"),
        ("contains(a, 'x')", {}, "U/a"),
        ("contains(['x', 'y'], b)", {}, "U/b"),
        ("contains(['x', 'y'], b)", {"b": "y"}, True),
        ("contains(`[]`, b)", {}, False),
        ("contains('abc', b)", {"b": "b"}, True),
    ],
)
def test_contains(text, document, expected):
    result = ev(text, document)
    if isinstance(expected, str) and expected.startswith("U"):
        assert unknown(result, expected[1:]), result
    else:
        assert result is expected


def test_difference_and_intersection_over_open_lists():
    doc = {"need": ["a", "b"], "have": ["a"], "complete": ["need"]}
    assert ev("difference(need, have)", {**doc, "complete": ["need", "have"]}) == ["b"]
    left = ev("difference(need, have)", doc)  # `have` may hold b as well
    assert type(left) is Partial and left.items == ["b"] and left.maybe == [frozenset({"/have/-"})]
    assert unknown(ev("length(difference(need, have)) == `0`", doc), "/have/-")
    both = ev("intersection(need, have)", doc)
    assert (
        type(both) is Partial
        and both.items == ["a", "b"]
        and both.maybe == [None, frozenset({"/have/-"})]
    )
    assert ev("length(intersection(need, have)) > `0`", doc) is True
    assert unknown(
        ev("difference(need, missing)", doc).maybe[0]
        and Unknown(ev("difference(need, missing)", doc).maybe[0]),
        "/missing",
    )
    assert type(ev("difference(open, have)", {"open": ["a"], "have": []})) is Partial


def test_flatten_and_projection_carry_what_may_be_missing():
    doc = {"components": [{"processing_regions": ["CN"]}, {"id": "x"}], "complete": ["components"]}
    regions = ev("components[*].processing_regions[]", doc)
    assert type(regions) is Partial
    assert regions.items == ["CN"] and "/components/1/processing_regions" in regions.tail
    assert ev("contains(components[*].processing_regions[], 'CN')", doc) is True
    assert unknown(
        ev("contains(components[*].processing_regions[], 'SG')", doc),
        "/components/0/processing_regions/-",
        "/components/1/processing_regions",
    )


def test_functions_with_unstated_arguments_are_unknown_and_stated_ones_answer():
    assert ev("version_compare(v, '10')", {"v": "9"}) == -1
    assert unknown(ev("version_compare(v, '10')", {}), "/v")
    assert unknown(ev("join(', ', a)", {"a": ["x"]}), "/a/-")
    assert ev("join(', ', a)", {"a": ["x", "y"], "complete": ["a"]}) == "x, y"


def test_version_1_reads_lists_closed():
    assert ev("contains(a, 'x')", {"a": ["y"]}, open_lists=False) is False


def scope(schema, document):
    return compile_scope(schema, "test")(read(document))


@pytest.mark.parametrize(
    "schema, document, expected",
    [
        ({"required": ["mode"]}, {}, "U/mode"),
        (
            {"required": ["mode"], "properties": {"mode": {"const": "offline"}}},
            {"mode": "online"},
            False,
        ),
        ({"properties": {"mode": {"enum": ["online", "o2o"]}}}, {"mode": "o2o"}, True),
        ({"properties": {"mode": {"enum": ["online", "o2o"]}}}, {}, "U/mode"),
        ({"properties": {"c": {"contains": {"const": 1}}}}, {"c": [1]}, True),
        ({"properties": {"c": {"contains": {"const": 1}}}}, {"c": [2]}, "U/c/-"),
        ({"properties": {"c": {"contains": {"const": 1}}}}, {"c": [2], "complete": ["c"]}, False),
        ({"properties": {"c": {"items": {"const": 1}}}}, {"c": [1]}, "U/c/-"),
        ({"properties": {"c": {"items": {"const": 1}}}}, {"c": [1, 2]}, False),
        ({"properties": {"c": {"items": {"const": 1}}}}, {"c": [1], "complete": ["c"]}, True),
        ({"properties": {"c": {"minItems": 2}}}, {"c": [1]}, "U/c/-"),
        ({"properties": {"c": {"minItems": 2}}}, {"c": [1], "complete": ["c"]}, False),
        ({"not": {"required": ["x"]}}, {}, "U/x"),
        ({"not": {"required": ["x"]}}, {"x": 1}, False),
        ({"anyOf": [{"required": ["x"]}, {"properties": {"y": {"const": 1}}}]}, {"y": 1}, True),
        ({"allOf": [{"required": ["x"]}, {"properties": {"y": {"const": 1}}}]}, {"y": 2}, False),
        (
            {"oneOf": [{"properties": {"y": {"const": 1}}}, {"properties": {"y": {"minimum": 0}}}]},
            {"y": 1},
            False,
        ),
        (
            {"oneOf": [{"properties": {"y": {"const": 1}}}, {"properties": {"y": {"const": 2}}}]},
            {"y": 1},
            True,
        ),
        ({"properties": {"age": {"maximum": 13}}}, {"age": 13}, True),
        ({"properties": {"age": {"maximum": 13}}}, {"age": 14}, False),
        ({"properties": {"age": {"exclusiveMinimum": 13}}}, {"age": 14}, True),
        ({"properties": {"age": {"type": "integer"}}}, {"age": "x"}, False),
        (
            {"if": {"properties": {"a": {"const": 1}}}, "then": {"required": ["b"]}, "else": True},
            {"a": 2},
            True,
        ),
        (
            {"if": {"properties": {"a": {"const": 1}}}, "then": {"required": ["b"]}, "else": True},
            {"a": 1},
            "U/b",
        ),
        ({"if": {"properties": {"a": {"const": 1}}}, "then": True, "else": True}, {}, True),
        ({"$ref": "urn:facepolicy:scopes#/$defs/offline-part"}, {"mode": "o2o"}, True),
        ({"$ref": "#/$defs/x", "$defs": {"x": {"required": ["q"]}}}, {"q": 1}, True),
    ],
)
def test_scopes(schema, document, expected):
    result = scope(schema, document)
    if isinstance(expected, str) and expected.startswith("U"):
        assert type(result) is Unknown and set(facts_of(result)) == {expected[1:]}, result
    else:
        assert result is expected


def test_object_equality_names_the_member_left_unstated_and_decides_what_is_stated():
    assert unknown(ev('o == `{"k": 1}`', {"o": {}}), "/o/k")
    assert ev("o == `{}`", {"o": {"k": 1}}) is False
    assert ev('o == `{"k": 1}`', {"o": {"k": 1}}) is True


def test_join_of_a_stated_list_answers_or_refuses_as_jmespath_does():
    from facepolicy.functions import FunctionError

    assert ev("join(', ', a)", {"a": ["x"], "complete": ["a"]}) == "x"
    with pytest.raises(FunctionError):
        ev("join(', ', a)", {"a": [1], "complete": ["a"]})
