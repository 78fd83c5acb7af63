"""Text-level JSON edits: the new value lands where asked, and every other byte stays as it was."""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facepolicy.jsonedit import EditError, add_to_array, set_value

SCENARIOS = sorted(
    (Path(__file__).resolve().parent.parent / "fixtures" / "scenarios").glob("*/deployment.json")
)


def inserted(original: str, result: str) -> str:
    """The text added to `original` to give `result`, asserting that it is one contiguous
    insertion."""
    prefix = len(os.path.commonprefix([original, result]))
    suffix = 0
    while suffix < len(original) - prefix and original[-1 - suffix] == result[-1 - suffix]:
        suffix += 1
    assert prefix + suffix == len(original), "bytes of the original were changed, not only added to"
    return result[prefix : len(result) - suffix]


def check_insert(original: str, result: str, expected: object) -> str:
    assert json.loads(result) == expected
    return inserted(original, result)


def check_replace(original: str, result: str, old: str, new: str, expected: object) -> None:
    """`result` is `original` with its only occurrence of `old` replaced by `new`."""
    assert json.loads(result) == expected
    assert original.count(old) == 1
    at = original.index(old)
    assert result == original[:at] + new + original[at + len(old) :]


# --- replacing
# -------------------------------------------------------------------------------------


def test_an_existing_scalar_is_replaced_and_nothing_else_moves():
    text = '{\n  "a": 1,\n  "b" :  false ,\n  "c": "x"\n}\n'
    result = set_value(text, "/b", True)
    check_replace(text, result, "false", "true", {"a": 1, "b": True, "c": "x"})


def test_an_existing_array_item_is_replaced():
    text = '{"list": [1, 2, 3]}'
    result = set_value(text, "/list/1", {"x": "中文"})
    assert result == '{"list": [1, {"x": "中文"}, 3]}'


def test_a_whole_container_value_is_replaced():
    text = '{\n  "a": {\n    "deep": [1, 2]\n  },\n  "b": 0\n}'
    result = set_value(text, "/a", None)
    check_replace(text, result, '{\n    "deep": [1, 2]\n  }', "null", {"a": None, "b": 0})


def test_the_root_pointer_replaces_the_whole_value_but_not_surrounding_space():
    assert set_value('  {"a": 1}\n', "", [1]) == "  [1]\n"


# --- adding members to objects
# ----------------------------------------------------------------------


@pytest.mark.parametrize("indent", [2, 4, "\t"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_member_is_added_on_its_own_line_like_its_siblings(indent, newline):
    original = {"id": "a", "nested": {"x": 1, "y": [1, 2]}, "last": "z"}
    text = json.dumps(original, indent=indent).replace("\n", newline) + newline
    result = set_value(text, "/nested/new", "v")
    expected = copy.deepcopy(original)
    expected["nested"]["new"] = "v"
    pad = indent if isinstance(indent, str) else " " * indent
    assert check_insert(text, result, expected) == f',{newline}{pad * 2}"new": "v"'
    assert result == json.dumps(expected, indent=indent).replace("\n", newline) + newline


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_member_is_added_after_an_only_sibling(newline):
    text = '{\n    "a": {\n        "only": 1\n    }\n}'.replace("\n", newline)
    result = set_value(text, "/a/more", 2)
    assert result == '{\n    "a": {\n        "only": 1,\n        "more": 2\n    }\n}'.replace(
        "\n", newline
    )


def test_a_member_is_added_inline_to_a_one_line_object():
    text = '{\n  "sites": [{"id": "a", "x": 1}, {"id": "b"}]\n}'
    result = set_value(text, "/sites/0/y", True)
    assert (
        check_insert(text, result, {"sites": [{"id": "a", "x": 1, "y": True}, {"id": "b"}]})
        == ', "y": true'
    )
    result = set_value(text, "/sites/1/y", True)
    assert (
        check_insert(text, result, {"sites": [{"id": "a", "x": 1}, {"id": "b", "y": True}]})
        == ', "y": true'
    )


def test_a_compact_document_keeps_its_compact_separators():
    text = '{"a":{"b":1,"c":2},"d":{}}'
    assert set_value(text, "/a/e", {"f": [1, 2]}) == '{"a":{"b":1,"c":2,"e":{"f":[1,2]}},"d":{}}'
    assert set_value(text, "/d/e", 3) == '{"a":{"b":1,"c":2},"d":{"e":3}}'


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ('{"a": {}}', '{"a": {"k": 1}}'),
        ('{"a": { }}', '{"a": {"k": 1 }}'),
        ('{\n  "a": {\n  }\n}', '{\n  "a": {\n    "k": 1\n  }\n}'),
        ('{\n    "a": {\n    }\n}', '{\n    "a": {\n        "k": 1\n    }\n}'),
        ('{\r\n\t"a": {\r\n\t}\r\n}', '{\r\n\t"a": {\r\n\t\t"k": 1\r\n\t}\r\n}'),
        ("{}", '{"k": 1}'),
        ("{\n}\n", '{\n  "k": 1\n}\n'),
    ],
)
def test_a_member_is_added_to_an_empty_object(text, want):
    result = set_value(text, "/a/k" if '"a"' in text else "/k", 1)
    assert result == want
    check_insert(text, result, json.loads(want))


def test_missing_intermediate_objects_are_created():
    text = (
        '{\n  "sites": [\n    {\n      "id": "a"\n    },\n    {\n      "id": "b"\n    }\n  ]\n}\n'
    )
    result = set_value(text, "/sites/1/signage/face_recognition_sign", True)
    want = {"sites": [{"id": "a"}, {"id": "b", "signage": {"face_recognition_sign": True}}]}
    assert check_insert(text, result, want) == ',\n      "signage": {"face_recognition_sign": true}'
    result = set_value(text, "/operator/contact/email", "a@b")
    want = {"sites": [{"id": "a"}, {"id": "b"}], "operator": {"contact": {"email": "a@b"}}}
    assert check_insert(text, result, want) == ',\n  "operator": {"contact": {"email": "a@b"}}'


# --- arrays
# -----------------------------------------------------------------------------------------


def test_dash_appends_to_a_multi_line_array():
    text = '{\n  "purposes": [\n    "a",\n    "b"\n  ]\n}'
    result = set_value(text, "/purposes/-", "c")
    assert check_insert(text, result, {"purposes": ["a", "b", "c"]}) == ',\n    "c"'


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ('{"p": ["a", "b"]}', '{"p": ["a", "b", "c"]}'),
        ('{"p": ["a"]}', '{"p": ["a", "c"]}'),
        ('{"p": []}', '{"p": ["c"]}'),
        ('{\n  "p": [\n  ]\n}', '{\n  "p": [\n    "c"\n  ]\n}'),
        ('{\n  "p": [\n    "a"\n  ]\n}', '{\n  "p": [\n    "a",\n    "c"\n  ]\n}'),
        ('{\n  "x": 1\n}', '{\n  "x": 1,\n  "p": ["c"]\n}'),
    ],
)
def test_add_to_array_appends_or_creates(text, want):
    result = add_to_array(text, "/p", "c")
    assert result == want
    check_insert(text, result, json.loads(want))
    assert add_to_array(result, "/p", "c") == result  # already there: no change


def test_a_missing_array_is_created_by_a_pointer_ending_in_dash():
    text = '{\n  "a": {\n    "b": 1\n  }\n}'
    result = set_value(text, "/a/list/-", {"k": "v"})
    assert check_insert(text, result, {"a": {"b": 1, "list": [{"k": "v"}]}}) == (
        ',\n    "list": [{"k": "v"}]'
    )


def test_add_to_array_is_a_no_op_for_an_equal_value_only():
    text = '{"p": [1, {"b": 2, "a": 1}, "x"]}'
    assert add_to_array(text, "/p", {"a": 1, "b": 2}) == text
    assert add_to_array(text, "/p", 1) == text
    assert (
        add_to_array(text, "/p", True) == '{"p": [1, {"b": 2, "a": 1}, "x", true]}'
    )  # true is not 1


def test_dash_then_a_key_appends_a_new_object():
    assert set_value('{"l": [{"a": 1}]}', "/l/-/a", 2) == '{"l": [{"a": 1}, {"a": 2}]}'


# --- keys, escapes and tricky strings
# ---------------------------------------------------------------


def test_pointer_escapes_name_keys_with_slashes_and_tildes():
    text = '{"a/b": 1, "m~n": 2}'
    assert set_value(text, "/a~1b", 3) == '{"a/b": 3, "m~n": 2}'
    assert set_value(text, "/m~0n", 4) == '{"a/b": 1, "m~n": 4}'
    result = set_value(text, "/x~1~0y", 5)
    assert check_insert(text, result, {"a/b": 1, "m~n": 2, "x/~y": 5}) == ', "x/~y": 5'


def test_strings_with_brackets_quotes_slashes_and_chinese_do_not_confuse_the_scanner():
    text = (
        '{\n  "名称": "人脸识别 } ] { [ , : \\" // /* */",\n  "q\\"k}": "\\u4e2d\\\\",\n'
        '  "nested": {\n    "s": "]}\\"{["\n  }\n}\n'
    )
    original = json.loads(text)
    result = set_value(text, "/nested/说明", '已告知 "顾客"')
    expected = copy.deepcopy(original)
    expected["nested"]["说明"] = '已告知 "顾客"'
    assert check_insert(text, result, expected) == ',\n    "说明": "已告知 \\"顾客\\""'
    result = set_value(text, '/q"k}', "新")
    check_replace(text, result, '"\\u4e2d\\\\"', '"新"', {**original, 'q"k}': "新"})
    result = set_value(text, "/名称", "脸")
    check_replace(
        text, result, '"人脸识别 } ] { [ , : \\" // /* */"', '"脸"', {**original, "名称": "脸"}
    )


def test_an_escaped_key_in_the_text_matches_its_decoded_pointer():
    text = '{"\\u4e2d": 1}'
    assert set_value(text, "/中", 2) == '{"\\u4e2d": 2}'


# --- errors
# -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pointer",
    [
        "/name/x",  # through a string
        "/n/0",  # through a number
        "/list/3",  # index out of range
        "/list/01",  # not an index
        "/list/x",  # not an index
        "/obj/0",  # array index on an object without such a key
        "/obj/-",  # append on an object
        "/missing/0/x",  # array index below a missing member
        "no-slash",
    ],
)
def test_pointers_that_cannot_be_applied_raise_edit_error_naming_the_pointer(pointer):
    text = '{"name": "a", "n": 1, "list": [1, 2, 3], "obj": {"k": 1}}'
    with pytest.raises(EditError, match=re.escape(pointer)):
        set_value(text, pointer, True)


def test_add_to_array_refuses_a_value_that_is_not_an_array():
    with pytest.raises(EditError, match="/obj"):
        add_to_array('{"obj": {"k": 1}}', "/obj", 1)


def test_an_existing_numeric_key_on_an_object_is_followed():
    assert set_value('{"o": {"0": 1}}', "/o/0", 2) == '{"o": {"0": 2}}'


# --- realistic deployment descriptions
# --------------------------------------------------------------


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.parent.name for path in SCENARIOS])
def test_scenario_deployments_take_new_facts_without_other_changes(path):
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    result = set_value(text, "/operator/asked_fact", True)
    expected = copy.deepcopy(data)
    expected["operator"]["asked_fact"] = True
    assert check_insert(text, result, expected) == ',\n    "asked_fact": true'
    result = add_to_array(text, "/purposes", "新的用途")
    expected = copy.deepcopy(data)
    expected["purposes"].append("新的用途")
    assert check_insert(text, result, expected) == ',\n    "新的用途"'
    assert add_to_array(text, "/purposes", data["purposes"][0]) == text
    result = set_value(text, "/components/0/answers/given", ["x"])
    expected = copy.deepcopy(data)
    expected["components"][0]["answers"] = {"given": ["x"]}
    assert check_insert(text, result, expected) == ',\n      "answers": {"given": ["x"]}'
    result = set_value(text, "/designed_for_children", "unknown")
    old = f'"designed_for_children": {json.dumps(data["designed_for_children"])}'
    check_replace(
        text,
        result,
        old,
        '"designed_for_children": "unknown"',
        {**data, "designed_for_children": "unknown"},
    )


# --- property: any document, any pointer
# ------------------------------------------------------------

KEYS = st.text(st.sampled_from('ab/~"\\{}[],: 中文é\t\n0'), max_size=4)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=12,
)
PLACEHOLDER = "\ue000placeholder\ue001"


def escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=st.dictionaries(KEYS, VALUES, max_size=5),
    indent=st.sampled_from([None, 2, 4, "\t"]),
    crlf=st.booleans(),
    trailing=st.booleans(),
    new=VALUES,
    data=st.data(),
)
def test_property_any_edit_parses_as_expected_and_keeps_the_other_bytes(
    document, indent, crlf, trailing, new, data
):
    newline = "\r\n" if crlf else "\n"

    def dump(value: object) -> str:
        return json.dumps(value, indent=indent, ensure_ascii=False).replace("\n", newline) + (
            newline if trailing else ""
        )

    text = dump(document)
    # Walk down existing members, then maybe step off into a new key (or "-" in an array) and a few
    # more.
    expected = copy.deepcopy(document)
    parent, key, segments = None, None, []
    current = expected
    while True:
        children = (
            list(current)
            if isinstance(current, dict)
            else range(len(current))
            if isinstance(current, list)
            else []
        )
        options = [*(["stop"] if segments else []), "new", *(["down"] if children else [])]
        choice = data.draw(
            st.sampled_from(options) if isinstance(current, (dict, list)) else st.just("stop")
        )
        if choice == "down":
            child = data.draw(st.sampled_from(list(children)))
            parent, key, current = current, child, current[child]
            segments.append(escape(child) if isinstance(child, str) else str(child))
            continue
        if choice == "stop":  # replace an existing value
            parent[key] = PLACEHOLDER
            built, is_insert, parent_was_empty = new, False, False
        else:
            first = (
                "-"
                if isinstance(current, list)
                else data.draw(
                    KEYS.filter(lambda k: k not in current and not k.isdigit() and k != "-")
                )
            )
            rest = data.draw(st.lists(st.sampled_from(["-", "x", "中"]), max_size=2))
            built = new
            for later in reversed(rest):
                built = [built] if later == "-" else {later: built}
            parent_was_empty = not current
            if first == "-":
                current.append(PLACEHOLDER)
            else:
                current[first] = PLACEHOLDER
            segments += [escape(first), *rest]
            is_insert = True
        break
    pointer = "/" + "/".join(segments)
    result = set_value(text, pointer, new)
    placeholder = json.dumps(PLACEHOLDER, ensure_ascii=False)
    want = dump(expected)
    assert want.count(placeholder) == 1
    assert json.loads(result) == json.loads(
        want.replace(placeholder, json.dumps(built, ensure_ascii=False))
    )
    if is_insert:
        inserted(text, result)
    if not (
        parent_was_empty and indent is not None
    ):  # json.dumps writes `{}`/`[]` inline even when indented
        assert result == want.replace(placeholder, json.dumps(built, ensure_ascii=False))
