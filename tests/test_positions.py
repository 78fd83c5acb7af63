"""Positions of values in JSON texts: the walk to the wanted values finds exactly what the full walk
finds, and every position is where the value's first character is."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facepolicy import positions as positions_module
from facepolicy.positions import locate, positions

_DECODE = json.JSONDecoder().raw_decode


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _resolve(value: object, pointer: str) -> object:
    for part in _parts(pointer):
        value = value[int(part)] if isinstance(value, list) else value[part]  # type: ignore[index]
    return value


def _offset(text: str, line: int, column: int) -> int:
    """The offset of (line, column), both from 1, lines ended by "\n"."""
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + column - 1


def _ancestors(pointers: list[str]) -> set[str]:
    wanted = {""}
    for pointer in pointers:
        if pointer.startswith("/"):
            while pointer:
                wanted.add(pointer)
                pointer = pointer.rsplit("/", 1)[0]
    return wanted


def check(text: str, wanted: list[str]) -> dict[str, tuple[int, int]]:
    """positions(text, 0, wanted) is the full walk restricted to the wanted pointers and their
    ancestors, and each position starts the value the pointer names."""
    full = positions(text)
    got = positions(text, 0, wanted)
    assert got == {p: place for p, place in full.items() if p in _ancestors(wanted)}
    assert _placed_without_jumps(text, wanted) == got
    document = json.loads(text)
    for pointer, (line, column) in full.items():
        value, _ = _DECODE(text, _offset(text, line, column))
        assert value == _resolve(document, pointer), pointer
    return got


def _placed_without_jumps(text: str, wanted: list[str]) -> dict[str, tuple[int, int]]:
    """positions(text, 0, wanted) as a process's first deployments are placed: member by member,
    values skipped by the C scanner (positions._NoJumps)."""
    saved = positions_module.COLD
    positions_module.COLD = 1 << 62
    try:
        return positions(text, 0, wanted)
    finally:
        positions_module.COLD = saved


def test_the_jump_patterns_are_compiled_only_once_a_run_has_placed_cold_deployments():
    text = json.dumps({"a": [1, {"b": "x"}], "c": {"d": [True, None]}}, indent=1)
    expected = {
        p: place for p, place in positions(text).items() if p in ("", "/c", "/c/d", "/c/d/1")
    }
    positions_module._jumps.cache_clear()
    positions_module._placed = 0
    for _ in range(positions_module.COLD):
        assert positions(text, 0, ["/c/d/1"]) == expected
    assert positions_module._jumps.cache_info().currsize == 0
    assert positions(text, 0, ["/c/d/1"]) == expected
    assert positions_module._jumps.cache_info().currsize == 1


# --- cases where finding a key by its spelling would go wrong


def test_a_key_spelled_inside_a_string_or_a_nested_value_first_is_not_taken_for_the_member():
    text = json.dumps(
        {
            "complete": ["components", '"components": [1]', "x"],
            "nested": {"components": {"components": 0}, "a": [{"components": 1}]},
            "components": [{"id": 1}, {"id": 2}],
        }
    )
    got = check(text, ["/components/1/id"])
    assert got["/components"] == (1, text.rindex('"components"') + len('"components": ') + 1)


def test_a_key_spelled_with_escapes_is_found():
    text = '{"x": "\\"", "\\u0063omponents": [7], "components2": 1}'
    assert check(text, ["/components/0"]) == {
        "": (1, 1),
        "/components": (1, 32),
        "/components/0": (1, 33),
    }


def test_a_key_that_is_only_spelled_in_a_later_object_is_missing_from_this_one():
    text = '{"a": {"b": 1}, "c": {"key": 2}, "key": 3}'
    assert check(text, ["/a/key", "/key"]) == {"": (1, 1), "/a": (1, 7), "/key": (1, 41)}


def test_brackets_and_quotes_inside_strings_do_not_end_a_skipped_value():
    text = '{"a": ["]", "}", "\\"]}", {"b": "[{"}], "c": {"d": "{\\\\"}, "e": 1}'
    check(text, ["/e", "/c/d", "/a/3/b"])


@pytest.mark.parametrize("escape", ["", '\\"'], ids=["plain", "with escapes"])
def test_values_nested_deeper_than_the_fast_patterns_are_skipped_too(escape):
    deep: object = escape
    for level in range(40):
        deep = {"k": [deep, level]} if level % 2 else [deep, {"k": level}]
    text = json.dumps({"before": deep, "wanted": [deep, 5], "leaf": deep, "after": 1})
    check(text, ["/wanted/1", "/leaf", "/after", "/before/k/0/0/k/0/1/k"])


def test_keys_with_slashes_tildes_and_odd_pointers():
    text = json.dumps({"a/b": {"~": 1}, "~1": 2, "": {"": 3}, "01": [4, 5]})
    got = check(text, ["/a~1b/~0", "/~01", "//", "/01/1", "/a~2b", "a/b", "/x/y"])
    assert {"/a~1b/~0", "/~01", "//", "/01/1"} <= set(got)


def test_array_indices_name_items_only_when_written_plainly():
    text = "[10, 11, [20, 21], 13]"
    assert check(text, ["/2/1", "/01", "/+1", "/4", "/-"]) == {
        "": (1, 1),
        "/2": (1, 10),
        "/2/1": (1, 15),
    }


def test_lines_and_columns_count_from_the_line_offset():
    text = '{\n  "a": [\n    1,\n    {"b": true}\n  ],\r\n  "c": null\n}\n'
    got = check(text, ["/a/1/b", "/c"])
    assert positions(text, 10, ["/a/1/b", "/c"]) == {
        p: (line + 10, column) for p, (line, column) in got.items()
    }
    assert got["/a/1/b"] == (4, 11) and got["/c"] == (6, 8)


def test_locate_falls_back_to_the_nearest_ancestor_that_exists():
    table = positions('{"a": {"b": 1}}', 0, ["/a/missing/deeper"])
    assert locate(table, "/a/missing/deeper") == (1, 7)
    assert locate({}, "/x") == (1, 1)


# --- random texts

_KEY_CHARS = st.sampled_from(list('ab~/"\\[]{},: \n\t\x01é中') + ["\U0001f600"])
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(_KEY_CHARS, max_size=6)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(_KEY_CHARS, max_size=4), inner, max_size=4)
    ),
    max_leaves=30,
)
_SPACE = st.sampled_from(["", " ", "\n", "  ", "\r\n\t", "\n    "])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    """A JSON text with random space around its tokens and random escaping of its strings."""
    ascii_only = draw(st.booleans())

    def string(value: str) -> str:
        spelled = json.dumps(value, ensure_ascii=ascii_only)
        if draw(st.booleans()) and value[:1].isalpha():  # the same string spelled with an escape
            spelled = f'"\\u{ord(value[0]):04x}{spelled[2:]}'
        return spelled

    def write(value: object) -> str:
        space = draw(_SPACE)
        if isinstance(value, dict):
            members = [
                f"{space}{string(k)}{draw(_SPACE)}:{draw(_SPACE)}{write(v)}"
                for k, v in value.items()
            ]
            return "{" + ",".join(members) + draw(_SPACE) + "}"
        if isinstance(value, list):
            return "[" + ",".join(f"{space}{write(v)}" for v in value) + draw(_SPACE) + "]"
        return string(value) if isinstance(value, str) else json.dumps(value)

    return draw(_SPACE) + write(draw(_VALUES)) + draw(_SPACE)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), text=_texts())
def test_the_walk_to_wanted_values_agrees_with_the_full_walk(data, text):
    existing = sorted(positions(text))
    wanted = data.draw(st.lists(st.sampled_from(existing), max_size=5))
    # pointers that name nothing: a child of an existing value, or a made-up path
    for pointer in data.draw(st.lists(st.sampled_from(existing), max_size=3)):
        wanted.append(pointer + "/" + data.draw(st.sampled_from(["0", "9", "a", "~0", "~1", ""])))
    check(text, wanted)
