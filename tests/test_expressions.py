"""Compiled expressions give jmespath's own answers on fully stated values: every rule expression,
on every fixture and its items. (Their three-valued answers are held to the monotonicity property in
test_monotonic.py.)"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import jmespath
import pytest
from conftest import ROOT

from facepolicy.compiler import compile_expression
from facepolicy.evaluate import iter_items
from facepolicy.functions import Functions
from facepolicy.reference import FacepolicyFunctions
from facepolicy.ruleset import load_rule_set

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

RULES = load_rule_set().rules
FIXTURES = sorted((ROOT / "fixtures").rglob("*.json"))


def _expressions(rule):
    for assertion in rule.assertions:
        texts = [assertion.expect] + ([assertion.where] if assertion.where else [])
        for template in (assertion.message, assertion.remediation, rule.message, rule.remediation):
            if template is not None:
                texts.extend(template.expressions.values())
        yield assertion, texts


def _outcome(search):
    try:
        return "value", search()
    except Exception:  # noqa: BLE001 — both sides must fail alike
        return "error", None


def _compare(document, rules) -> int:
    functions = Functions(dt.date(2026, 1, 1))
    functions.document = document
    options = jmespath.Options(custom_functions=FacepolicyFunctions(dt.date(2026, 1, 1)))
    options.custom_functions.document = document
    checked = 0
    for rule in rules:
        for assertion, expressions in _expressions(rule):
            subjects = (
                [item for at, item in iter_items(document, assertion.for_each) if at is not None]
                if assertion.for_each
                else [document]
            )
            for subject in subjects:
                for expression in expressions:
                    ours = _outcome(lambda: expression.search(subject, functions))
                    theirs = _outcome(
                        lambda: jmespath.search(expression.expression, subject, options=options)
                    )
                    assert ours == theirs, (rule.id, expression.expression, subject)
                    checked += 1
    return checked


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_rule_expression_matches_jmespath_on_every_fixture(path: Path):
    document = json.loads(path.read_text(encoding="utf-8"))
    rule_id = path.parent.name
    rules = [RULES[rule_id]] if rule_id in RULES else list(RULES.values())
    _compare(document, rules)  # asserts inside, for each expression and item


def test_and_on_generated_deployments():
    assert _compare_all(list(generate.deployments(7, 25))) > 10_000


def _compare_all(documents) -> int:
    return sum(_compare(document, RULES.values()) for document in documents)


@pytest.mark.parametrize(
    "text, data",
    [
        ("a == `1`", {"a": True}),
        ("a == `0`", {"a": False}),
        ("a != `1`", {"a": True}),
        ("a < 'b'", {"a": "a"}),
        ("!a", {"a": 0}),
        ("!a", {"a": []}),
        ("a || b", {"a": "", "b": 2}),
        ("a && b", {"a": {}, "b": 1}),
        ("a[?b].c", {"a": [{"b": 1, "c": 2}, {"b": 0, "c": 3}, {"b": None, "c": 4}]}),
        ("a[*].b", {"a": [{"b": 1}, {}, 3]}),
        ("a[]", {"a": [[1, 2], 3, [4]]}),
        ("a[1]", {"a": [1]}),
        ("a[-1]", {"a": [1, 2]}),
        ("a[::2]", {"a": [1, 2, 3]}),
        ("[a, b]", {"a": 1}),
        ("{x: a, y: b}", {"a": 1}),
        ("[a, b]", None),
        ("sort_by(a, 'b')", {"a": [1]}),
        ("length(a)", {"a": None}),
        ("max(a)", {"a": [1, 3]}),
        ("a | b", {"a": {"b": 5}}),
        ("contains(a, `1`)", {"a": [True]}),
        ("@", 3),
        ("a.b.c", {"a": "s"}),
    ],
)
def test_the_corners_of_the_language(text, data):
    expression = compile_expression(text, "test")
    assert _outcome(lambda: expression.search(data)) == _outcome(
        lambda: jmespath.search(text, data)
    )


@pytest.mark.parametrize("text", ["*.b", "sort_by(a, &b)"])
def test_constructs_without_a_three_valued_meaning_are_refused(text):
    from facepolicy.errors import FacepolicyError

    with pytest.raises(FacepolicyError) as caught:
        compile_expression(text, "test")
    assert "three-valued" in caught.value.message


def test_ordering_a_string_against_a_number_is_null_as_the_specification_says():
    # jmespath.py raises TypeError here; the JMESPath specification makes any such ordering null
    assert compile_expression("a < `2`", "test").search({"a": "x"}) is None
    assert _outcome(lambda: jmespath.search("a < `2`", {"a": "x"}))[0] == "error"
