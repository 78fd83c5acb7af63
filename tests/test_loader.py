"""Reading deployments: good documents come through, every kind of bad input is a one-line
Problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facepolicy.errors import FacepolicyError
from facepolicy.loader import MAX_DEPTH, iter_deployments, parse_json
from facepolicy.model import Problem


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_json_and_ndjson_documents_come_through_in_order(tmp_path):
    one = _write(tmp_path, "one.json", b'{"id": "a"}')
    many = _write(tmp_path, "many.ndjson", b'{"id": "b"}\n\n{"id": "c"}\n')
    loaded = list(iter_deployments([one, many]))
    assert [(d.source, d.value, d.line_offset) for d in loaded] == [
        (one, {"id": "a"}, 0),
        (f"{many}:1", {"id": "b"}, 0),
        (f"{many}:3", {"id": "c"}, 2),
    ]


def test_folders_are_searched_for_json_and_ndjson(tmp_path):
    _write(tmp_path, "b.json", b'{"id": "b"}')
    _write(tmp_path, "a.ndjson", b'{"id": "a"}')
    _write(tmp_path, "notes.txt", b"ignored")
    assert [d.value["id"] for d in iter_deployments([str(tmp_path)])] == ["a", "b"]


@pytest.mark.parametrize(
    "data, where, words",
    [
        (b"", "line 1", "empty"),
        (b"   \n", "line 1", "empty"),
        (b'{"id": }', "line 1, column 8", "invalid JSON"),
        (b'{\n  "id": "a",\n  "id": "b"\n}', "line 3, column 3", "duplicate key"),
        (b'{"x": NaN}', "line 1", "not allowed"),
        (b'{"id": "\xff"}', "line 1, column 9", "invalid UTF-8"),
        (b"[" * 10000 + b"]" * 10000, "line 1", f"nested deeper than {MAX_DEPTH}"),
        (b"[" * 100 + b"]" * 100, "line 1", f"nested deeper than {MAX_DEPTH}"),
    ],
)
def test_bad_input_is_a_problem_naming_the_place(tmp_path, data, where, words):
    path = _write(tmp_path, "bad.json", data)
    (problem,) = list(iter_deployments([path]))
    assert isinstance(problem, Problem)
    assert problem.source == path
    assert problem.message.startswith(where + ":"), problem.message
    assert words in problem.message
    assert "\n" not in problem.line()


def test_a_missing_file_is_a_problem_and_the_rest_go_on(tmp_path):
    good = _write(tmp_path, "good.json", b'{"id": "a"}')
    loaded = list(iter_deployments([str(tmp_path / "nope.json"), good]))
    assert isinstance(loaded[0], Problem) and "no such file" in loaded[0].message
    assert (loaded[1].source, loaded[1].value) == (good, {"id": "a"})


def test_a_bad_ndjson_line_names_its_line_and_the_others_are_kept(tmp_path):
    path = _write(tmp_path, "d.ndjson", b'{"id": "a"}\n{oops\n{"id": "c"}\n')
    loaded = list(iter_deployments([path]))
    assert (loaded[0].source, loaded[0].value) == (f"{path}:1", {"id": "a"})
    assert isinstance(loaded[1], Problem) and loaded[1].message.startswith("line 2, column 2")
    assert (loaded[2].source, loaded[2].value, loaded[2].line_offset) == (
        f"{path}:3",
        {"id": "c"},
        2,
    )


def test_parse_json_keeps_depth_within_the_limit():
    nested = json.dumps({"a": [[{"b": 1}]]})
    assert parse_json(nested) == {"a": [[{"b": 1}]]}
    with pytest.raises(FacepolicyError):
        parse_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


# parse_json reads without the duplicate-key hook and then proves, by counting colons, that no
# member was lost to a repeated key; a doubt sends the text the checked (slow) way. Each text below
# is one where a counting or ordering mistake in that fast path would give another answer.
_FAST_PATH_TRAPS = [
    '{"a": "x:y", "b": {"c": "12:00"}}',  # colons in strings: counted off, nothing repeated
    '{"a": "x:y", "a": 1}',  # a repeat hidden by a colon in a string
    '{"url": "https://a", "b": 1, "b": 2}',
    '{"k\\u003a": 1, "k\\u003a": 2}',  # an escaped colon would make the count come out even
    '{"\\u003a": ":", "a": {"b": 1}, "a": 1}',
    '{"a\\"": 1, "a\\"": ":"}',
    '{"a" : 1 , "b" : {"c" : "d:e"}}',
    '[{"a": 1, "a": 2}, 1e400]',  # the repeat comes first in the text, so it is the fault named
    '[1e400, {"a": 1, "a": 2}]',
    '[{"a": 1, "a": 2}, x]',
    '{"a": 1, "a": 2} trailing',
    '[{"a": NaN, "a": 1}]',
    "[" * MAX_DEPTH + "]" * MAX_DEPTH,
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    '{"a": ' * MAX_DEPTH + "1" + "}" * MAX_DEPTH,
    '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1),
    "[" * MAX_DEPTH + '{"a": 1, "a": 2}' + "]" * MAX_DEPTH,  # too deep, but the repeat is first
    '["\\ud800", {"a": 1, "a": 2}]',
    '{"\\ud800": 1}',
    "\ufeff{}",
    "",
    '"a:b"',
    "13.99999999999999999",
]


def _outcome(parse, text):
    try:
        return "value", json.dumps(parse(text))
    except FacepolicyError as exc:
        return "error", exc.where, exc.message


def _checked(text):
    from facepolicy.loader import _parse_json_checked

    return _parse_json_checked(text, 0)


@pytest.mark.parametrize("text", _FAST_PATH_TRAPS)
def test_the_fast_read_gives_what_the_checked_read_gives(text):
    assert _outcome(parse_json, text) == _outcome(_checked, text)


def test_a_repeat_hidden_by_colons_in_strings_is_still_found():
    with pytest.raises(FacepolicyError, match="duplicate key") as found:
        parse_json('{"k\\u003a": 1, "k\\u003a": 2}')
    assert found.value.where == "line 1, column 16"
    assert parse_json('{"a": "x:y", "b": {"c\\u003a": "12:00"}}') == {
        "a": "x:y",
        "b": {"c:": "12:00"},
    }


def _random_json(rng, depth=0):
    """JSON text, mostly well formed, with keys from a few (some holding colons, some escaped) so
    that objects often repeat one."""
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(["1", "2.5", "true", '"x"', '"p:q"', '"\\u003a"', '"\\ud800"', "1e400"])
    count = rng.randint(0, 3)
    if rng.random() < 0.4:
        return "[" + ",".join(_random_json(rng, depth + 1) for _ in range(count)) + "]"
    keys = ['"a"', '"b"', '"c:"', '"\\u003a"', '"x\\u003A"']
    members = [
        rng.choice(keys) + rng.choice([":", " : "]) + _random_json(rng, depth + 1)
        for _ in range(count)
    ]
    return "{" + ",".join(members) + "}"


def test_the_fast_read_agrees_with_the_checked_read_on_random_texts():
    import random

    rng = random.Random(14)
    values = repeats = 0
    for _ in range(20000):
        text = _random_json(rng)
        outcome = _outcome(parse_json, text)
        assert outcome == _outcome(_checked, text), text
        values += outcome[0] == "value"
        repeats += outcome[0] == "error" and "duplicate key" in outcome[2]
    assert values > 1000 and repeats > 1000, (values, repeats)  # both were exercised
