"""The compiled rules' fast paths give what the general code gives: contains, difference and
intersection over lists of strings (functions.stated_strings) with and without their shortcut, and
projections of lists holding nulls and unknowns, compiled against the reference."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from conftest import canonical

from facepolicy import codegen, functions, runtime
from facepolicy.compiler import compile_expression
from facepolicy.facts import Partial, Unknown, read
from facepolicy.functions import FunctionError, Functions

TAIL = frozenset(("/a/-",))
OTHER_TAIL = frozenset(("/b/-",))
MAYBE = frozenset(("/a/0/x",))


def outcome(run: Any) -> Any:
    try:
        return canonical(run())
    except FunctionError as exc:
        return ("error", str(exc))


LISTS: list[Any] = [
    [],
    ["CN"],
    ["CN", "SG"],
    ["SG", "JP", "CN"],
    ["CN", 1],
    [True, "CN"],
    ["CN", Unknown(frozenset(("/x",)))],
    Partial([], [], TAIL),
    Partial(["CN"], [None], TAIL),
    Partial(["CN", "ID"], [None, None], OTHER_TAIL),
    Partial(["CN", "SG"], [MAYBE, None], TAIL),
    Partial(["CN"], [None], None),
    Partial(["CN"], [None], frozenset()),
    Partial(["CN", 2], [None, None], TAIL),
    Unknown(frozenset(("/u",))),
    "CN",
    None,
]
SEARCHES = ["CN", "SG", "XX", 1, True, Unknown(frozenset(("/s",)))]


def _slow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fast path over lists of strings switched off: the general loop answers."""
    monkeypatch.setattr(functions, "stated_strings", lambda value: None)


def _answers(monkeypatch: pytest.MonkeyPatch, slow: bool) -> list[Any]:
    with monkeypatch.context() as patch:
        if slow:
            _slow(patch)
        found = []
        for subject, search in itertools.product(LISTS, SEARCHES):
            fn = Functions(dt.date(2026, 1, 1))
            found.append(outcome(lambda: fn.contains(subject, search)))
            found.append(outcome(lambda: runtime.contains(fn, subject, search)))
        for left, right in itertools.product(LISTS, LISTS):
            fn = Functions(dt.date(2026, 1, 1))
            found.append(outcome(lambda: fn.difference(left, right)))
            found.append(outcome(lambda: fn.intersection(left, right)))
        return found


def test_contains_and_set_operations_answer_alike_with_and_without_their_fast_paths(monkeypatch):
    fast, slow = _answers(monkeypatch, False), _answers(monkeypatch, True)
    assert len(fast) == len(slow) > 500
    assert [i for i, (a, b) in enumerate(zip(fast, slow, strict=True)) if a != b] == []


def test_the_fast_paths_are_taken_for_stated_strings_and_only_for_them():
    assert functions.stated_strings(["CN", "SG"]) == (["CN", "SG"], None)
    assert functions.stated_strings(Partial(["CN"], [None], TAIL)) == (["CN"], TAIL)
    assert functions.stated_strings(Partial(["CN"], [MAYBE], TAIL)) is None
    assert functions.stated_strings(["CN", 1]) is None
    assert functions.stated_strings("CN") is None
    fn = Functions(dt.date(2026, 1, 1))
    open_list = Partial(["CN", "SG"], [None, None], TAIL)
    assert canonical(fn.difference(open_list, Partial(["CN"], [None], OTHER_TAIL))) == canonical(
        Partial(["SG"], [OTHER_TAIL], TAIL)
    )
    assert canonical(runtime.contains(fn, open_list, "JP")) == canonical(Unknown(TAIL))
    assert runtime.contains(fn, open_list, "SG") is True


PROJECTIONS = ["a[]", "a[*]", "[a == 'x', b][*]", "[a, b][]", "a[].b", "a[*].b"]
PROJECTED = [
    {"a": ["x", None, "y"]},
    {"a": ["x", "y"], "complete": ["a"]},
    {"a": [None]},
    {"b": 1},
    {"a": "x", "b": None},
    {"a": [{"b": 1}, {"c": 2}, None], "complete": ["a"]},
    {"a": [[1, None], [2]], "complete": ["a"]},
]


@pytest.mark.parametrize("text", PROJECTIONS)
def test_projections_of_lists_with_nulls_and_unknowns_match_the_reference(text):
    expression = compile_expression(text, "test")
    compiled = codegen.expression_function(expression.expression, expression.parsed)
    for value in PROJECTED:
        facts = read(value)
        fn = Functions(dt.date(2026, 1, 1))
        fn.document = facts
        assert outcome(lambda: compiled(facts, fn)) == outcome(
            lambda: expression.search(facts, fn)
        ), (text, value)


# Sub-expressions written twice in one expression are computed once (codegen's `computed`): reused
# only where the block that computed them has run ("(a && b.c) || b.c": the second b.c is computed
# again when `a` is false).
REPEATED = [
    "(a && b.c) || b.c",
    "(a || b.c) && b.c == `1`",
    "[a && b.c, b.c]",
    "a && [b.c, b.c]",
    "length(a) > `0` && length(a) < `3` || !a",
    "difference(a, b) == difference(a, b) && contains(a, 'x')",
    "b.c == `1` || (a && b.c)",
]
REPEATED_VALUES = [{}, {"a": True}, {"a": False, "b": {"c": 1}}, {"a": True, "b": {"c": 2}}]
REPEATED_VALUES += [{"a": ["x"], "b": ["y"]}, {"a": [], "b": None}, {"a": "x", "b": {}}]


@pytest.mark.parametrize("text", REPEATED)
def test_repeated_sub_expressions_are_computed_once_where_that_is_safe(text):
    expression = compile_expression(text, "test")
    compiled = codegen.expression_function(expression.expression, expression.parsed)
    for value in REPEATED_VALUES:
        facts = read(value)
        fn = Functions(dt.date(2026, 1, 1))
        fn.document = facts
        assert outcome(lambda: compiled(facts, fn)) == outcome(
            lambda: expression.search(facts, fn)
        ), (text, value)


def test_a_field_read_twice_is_read_once():
    expression = compile_expression("(a && b.c) || (b.c && a)", "test")
    module = codegen.Module()
    module.expression(expression.expression, expression.parsed)
    code = "".join(module.blocks)
    assert code.count(".get('a', MISSING)") == 1
    assert code.count(".get('b', MISSING)") == 2  # once in each branch: neither has surely run
