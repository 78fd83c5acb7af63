"""The compiled rules (codegen.py, runtime.py) against the reference implementation (expressions.py,
scopes.py, evaluate.py): identical verdicts — status, violations and their messages, missing facts,
errors — on every fixture, every scenario and 10,000 generated deployments; identical values for
every expression and scope on stated, unstated and partial facts; the compiled deployment check
identical to jsonschema-rs; and the cached `eval` path importing neither click nor jsonschema nor
jmespath."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import random
import subprocess
import sys
from typing import Any

import jsonschema_rs
import pytest
from conftest import ROOT, canonical, run_line

from facepolicy import codegen, schemas
from facepolicy import program as programs
from facepolicy.compiler import compile_expression, compile_rule, compile_scope
from facepolicy.evaluate import evaluate
from facepolicy.facts import Partial, read
from facepolicy.functions import Functions
from facepolicy.rulecache import program_of
from facepolicy.ruleset import load_rule_set

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

TODAY = dt.date(2026, 1, 1)
RULE_SET = load_rule_set()
PROGRAM = program_of(RULE_SET)
FIXTURES = sorted((ROOT / "fixtures").rglob("*.json"))
GENERATED = 10_000  # deployments judged both ways in test_generated_deployments


def outcome(call) -> Any:
    try:
        return "value", canonical(call())
    except Exception as exc:  # noqa: BLE001 — both sides must fail alike, with the same words
        return "error", f"{type(exc).__name__}: {exc}"


def same_verdicts(document: Any) -> None:
    reference = evaluate(RULE_SET.rules, document, today=TODAY)
    compiled = PROGRAM.evaluate(document, TODAY)
    assert len(reference) == len(compiled)
    for ours, theirs in zip(compiled, reference, strict=True):
        assert ours == theirs, (
            document.get("id") if isinstance(document, dict) else document,
            ours,
            theirs,
        )


# Every rule on every fixture and scenario.


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT / "fixtures")))
def test_every_fixture_and_scenario(path):
    same_verdicts(json.loads(path.read_text(encoding="utf-8")))


# Generated deployments, and the same with facts taken away, lists declared complete, or read as
# version 1.


def _vary(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    varied = copy.deepcopy(document)
    stack = [varied]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in list(node):
                if key not in ("schema_version", "id") and rng.random() < 0.06:
                    del node[key]
                elif isinstance(node[key], list) and node[key] and rng.random() < 0.1:
                    del node[key][rng.randrange(len(node[key]))]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    lists = [k for k, v in varied.items() if isinstance(v, list) and k != "complete"]
    choice = rng.random()
    if choice < 0.25:
        varied["complete"] = sorted(
            k for k in lists if rng.random() < 0.7 and k in generate_list_names()
        )
    elif choice < 0.35:
        varied["schema_version"] = 1
        varied.pop("complete", None)
    return varied


def generate_list_names() -> set[str]:
    return set(schemas.load("deployment")["properties"]["complete"]["items"]["enum"])


def test_generated_deployments(monkeypatch):
    """GENERATED deployments (a quarter varied: facts removed, lists complete, version 1), judged
    both ways."""
    monkeypatch.setattr(generate, "MAX_BYTES", 4_000)  # small ones, to judge many within a minute
    rng = random.Random(14)
    checked = 0
    for document in generate.deployments(20261214, GENERATED):
        same_verdicts(_vary(document, rng) if rng.random() < 0.25 else document)
        checked += 1
    assert checked == GENERATED


# Expressions and scopes, value by value.

CORNERS = [
    "a && b",
    "a || b",
    "!a",
    "a == 'x'",
    "a != 'x'",
    "a < `14`",
    "a >= `2`",
    "a.b.c",
    "a.b",
    "a == `1`",
    "a == `0`",
    "a != `1`",
    "a < 'b'",
    "a[?b].c",
    "a[*].b",
    "a[]",
    "a[1]",
    "a[-1]",
    "a[::2]",
    "[a, b]",
    "{x: a, y: b}",
    "sort_by(a, 'b')",
    "length(a)",
    "max(a)",
    "a | b",
    "contains(a, `1`)",
    "contains(a, 'x')",
    "@",
    "a && `false`",
    'o == `{"k": 1}`',
    "o == `{}`",
    "join(', ', a)",
    "difference(a, b)",
    "intersection(a, b)",
    "length(a[?b]) > `0`",
    "contains(['x', 'y'], a)",
    "!contains(['x', 'y'], a)",
    "version_compare(a, '2.0') >= `0`",
    "today()",
    "root().a",
    "a[?b == 'x'] | length(@)",
    "a[].b[]",
    "a == b",
    "a < b",
    "a[0].b",
    "a[1:]",
    "a[0][0]",
    "length(a) >= `2`",
    "a || `true`",
    "!(a && b)",
    "a[?!b]",
    "a[*].[b, c]",
    "root().a[?b].c",
    "a[?contains(root().a[*].b, b)].c",
    "[root().a, b]",
    "length(root().a) > `1` && b",
    "a[*].contains(['x', 'q'], 'x')",
    'a[?contains(`["x"]`, @)]',
    "a == `14.5`",
    "`2` == b",
    "length(a) != `3`",
]
VALUES = [
    {},
    {"a": True},
    {"a": False},
    {"b": False},
    {"a": 0},
    {"a": "x"},
    {"a": 13},
    {"a": 14.5},
    {"a": {}},
    {"a": "text"},
    {"a": [1, 2, 3]},
    {"a": [True]},
    {"a": ["x", "y"]},
    {"a": ["x"], "complete": ["a"]},
    {"a": [1], "complete": ["a"]},
    {"a": [{"b": 1, "c": 2}, {"b": 0, "c": 3}, {"c": 4}]},
    {"a": [{"b": "x"}, {}], "complete": ["a"]},
    {"a": [[1, 2], 3, [4]]},
    {"a": {"b": 5}},
    {"o": {}},
    {"o": {"k": 1}},
    {"a": "1.10", "b": "1.9"},
    {"a": ["x"], "b": ["x", "z"]},
    {"a": ["x", "q"], "b": ["x"], "complete": ["b"]},
    {"a": "", "b": 2},
    {"a": [[{"b": [1]}]]},
    {"a": 2, "b": 2.0},
    {"a": [{"b": True}, {"b": None}]},
    {"a": [None, "x", "y"]},
]


@pytest.mark.parametrize("text", CORNERS)
def test_expressions_value_by_value(text):
    expression = compile_expression(text, "test")
    compiled = codegen.expression_function(expression.expression, expression.parsed)
    for value in VALUES:
        for open_lists in (True, False):
            facts = read(value, open_lists=open_lists)
            functions = Functions(TODAY)
            functions.document = facts
            reference = outcome(lambda: expression.search(facts, functions))
            assert outcome(lambda: compiled(facts, functions)) == reference, (
                text,
                value,
                open_lists,
            )


def test_every_rule_expression_on_every_item_of_the_generated_deployments():
    documents = [read(d) for d in generate.deployments(7, 30)] + [
        read(json.loads(p.read_text(encoding="utf-8"))) for p in FIXTURES[:80]
    ]
    compiled: dict[str, Any] = {}
    checked = 0
    for rule in RULE_SET.rules.values():
        for assertion in rule.assertions:
            expressions = [e for e in (assertion.where, assertion.expect) if e is not None]
            for expression in expressions:
                function = compiled.setdefault(
                    expression.expression,
                    codegen.expression_function(expression.expression, expression.parsed),
                )
                for facts in documents:
                    functions = Functions(TODAY)
                    functions.document = facts
                    subjects = (
                        facts.get(assertion.for_each[0].name, []) if assertion.for_each else [facts]
                    )
                    for subject in (
                        subjects.items
                        if type(subjects) is Partial
                        else subjects
                        if isinstance(subjects, list)
                        else []
                    ):
                        assert outcome(lambda: function(subject, functions)) == outcome(
                            lambda: expression.search(subject, functions)
                        )
                        checked += 1
    assert checked > 10_000


SCOPES = [
    {"required": ["mode"]},
    {"required": ["mode"], "properties": {"mode": {"const": "offline"}}},
    {"properties": {"mode": {"enum": ["online", "o2o"]}}},
    {"properties": {"c": {"contains": {"const": 1}}}},
    {"properties": {"c": {"items": {"const": 1}}}},
    {"properties": {"c": {"minItems": 2}}},
    {"not": {"required": ["x"]}},
    {"anyOf": [{"required": ["x"]}, {"properties": {"y": {"const": 1}}}]},
    {"allOf": [{"required": ["x"]}, {"properties": {"y": {"const": 1}}}]},
    {"oneOf": [{"properties": {"y": {"const": 1}}}, {"properties": {"y": {"minimum": 0}}}]},
    {"properties": {"age": {"maximum": 13}}},
    {"properties": {"age": {"exclusiveMinimum": 13, "exclusiveMaximum": 20}}},
    {"properties": {"age": {"type": ["integer", "string"]}}},
    {
        "if": {"properties": {"a": {"const": 1}}},
        "then": {"required": ["b"]},
        "else": {"required": ["c"]},
    },
    {"if": {"properties": {"a": {"const": 1}}}},
    {"$ref": "urn:facepolicy:scopes#/$defs/offline-part"},
    {"$ref": "#/$defs/x", "$defs": {"x": {"required": ["q"]}}},
    True,
    False,
    {},
    {"properties": {"o": {"properties": {"k": {"enum": [1, "1", True]}}}}},
] + [
    json.loads(text)
    for text in sorted(
        {
            json.dumps(r.scope_schema, sort_keys=True)
            for r in RULE_SET.rules.values()
            if r.scope_schema
        }
    )
]
SCOPE_VALUES = (
    VALUES
    + [
        {"mode": "o2o"},
        {"mode": "online"},
        {"c": [1]},
        {"c": [2]},
        {"c": [2], "complete": ["c"]},
        {"c": [1, 2]},
        {"c": [1], "complete": ["c"]},
        {"x": 1},
        {"y": 1},
        {"y": 2},
        {"age": 13},
        {"age": 14},
        {"age": "x"},
        {"age": 2.0},
        {"a": 1},
        {"a": 1, "b": 0},
        {"a": 2, "c": 0},
        {"q": 1},
        {"o": {"k": 1.0}},
        {"o": {"k": True}},
    ]
    + [json.loads(p.read_text(encoding="utf-8")) for p in FIXTURES[::7]]
)


@pytest.mark.parametrize("schema", SCOPES, ids=lambda s: json.dumps(s)[:60])
def test_scopes_value_by_value(schema):
    reference = compile_scope(schema, "test")
    compiled = codegen.scope_function(schema)
    for value in SCOPE_VALUES:
        for open_lists in (True, False):
            facts = read(value, open_lists=open_lists)
            assert outcome(lambda: compiled(facts)) == outcome(lambda: reference(facts)), (
                schema,
                value,
            )


# Rules the bundled set does not have: errors, messages with every kind of value, deep expressions.


def _rule(**fields: Any) -> dict[str, Any]:
    return {
        "id": "t.rule",
        "severity": "high",
        "clauses": ["t:1"],
        "title": {"zh": "题", "en": "Title"},
        "message": {"zh": "{a} {{x}} {b}", "en": "A={a}, B={b} {{literal}}"},
        "remediation": {"zh": "修", "en": "Fix {a}"},
        **fields,
    }


ODD_RULES = [
    _rule(assertions=[{"expect": "a"}]),
    _rule(assertions=[{"for_each": "items", "expect": "a"}]),
    _rule(assertions=[{"for_each": "items", "where": "b", "expect": "a == 'x'", "at": "a"}]),
    _rule(assertions=[{"for_each": "items", "expect": "length(a)"}]),
    _rule(assertions=[{"for_each": "items", "expect": "join(', ', a) == 'x'"}]),
    _rule(
        assertions=[
            {
                "for_each": "groups[*].items",
                "expect": "a != `null`",
                "message": {"zh": "{@}", "en": "{c}"},
            }
        ]
    ),
    _rule(assertions=[{"expect": "version_compare(a, b) > `0`"}]),
    _rule(assertions=[{"expect": "abs(a) > `1`"}]),
    _rule(
        scope={"required": ["a"], "properties": {"a": {"type": "string"}}},
        assertions=[
            {"expect": "contains(b, a) || " + " || ".join(f"c == `{n}`" for n in range(60))}
        ],
    ),
    _rule(assertions=[{"expect": "!(" * 40 + "a" + ")" * 40}]),
    _rule(
        assertions=[
            {
                "for_each": "items",
                "where": "contains(root().items[?b].a, a) || length(root().items) > `3`",
                "expect": "a == 'x' && !contains(root().b, a)",
                "message": {"zh": "{root().items[?b].a}", "en": "{[root().c, a]}"},
            }
        ]
    ),
    # two assertions with one filter, which fails on the second item while the first assertion
    # fails on the first: the error named is the one the rule's own order meets first
    _rule(
        assertions=[
            {"for_each": "items", "where": "abs(a) > `1`", "expect": "abs(b) > `0`"},
            {"for_each": "items", "where": "abs(a) > `1`", "expect": "b != 'q'"},
        ]
    ),
]
ODD_VALUES = [
    {},
    {"a": "x"},
    {"a": True},
    {"a": [1]},
    {"a": "1.2", "b": "1.10"},
    {"a": "1.x", "b": "1"},
    {"a": -3},
    {"items": [{"a": "x"}, {"a": "y", "b": True}, {"b": False}, {"a": ["q", "r"]}, {"a": [1]}]},
    {"items": [{"a": "y", "b": True}], "complete": ["items"]},
    {"groups": [{"items": [{"a": None, "c": {"k": [1, 2]}}]}]},
    {"groups": [{"items": [{"a": 1}, {}]}, {}]},
    {"a": "q", "b": ["q"], "c": 59},
    {"a": 1, "b": []},
    {"items": [{"a": 5, "b": "s"}, {"a": "x", "b": 1}]},
]


def _program_of(rules: dict[str, Any]) -> programs.Program:
    """The compiled program of rules compiled here, built from its source."""
    namespace: dict[str, Any] = {}
    exec(compile(codegen.rules_source(rules), "<test>", "exec"), namespace)
    return programs.Program(namespace, {}, "", (), b"")


def _counted(monkeypatch, helper: str) -> list[int]:
    """Calls of one of runtime's helpers, counted from now on (it is wrapped before a generated
    module binds it)."""
    from facepolicy import runtime

    calls = [0]
    original = getattr(runtime, helper)

    def counted(*args: Any) -> Any:
        calls[0] += 1
        return original(*args)

    monkeypatch.setattr(runtime, helper, counted)
    return calls


@pytest.mark.parametrize("number", range(len(ODD_RULES)))
def test_rules_the_bundled_set_lacks(number):
    rule = compile_rule(ODD_RULES[number], "t.toml")
    rules = {rule.id: rule}
    program = _program_of(rules)
    for value in ODD_VALUES:
        assert program.evaluate(value, TODAY) == evaluate(rules, value, today=TODAY), value


# A sub-expression of the document alone (through root()) is computed once per deployment.


def test_what_reads_the_document_alone_is_kept_and_nothing_else():
    kept = {
        "root().a": True,
        "root().a[?b].c": True,
        "length(root().a) > `1`": True,
        "root().a | [0]": True,
        "root()": False,  # root() itself costs nothing
        "a": False,
        "today()": False,  # of the date, not of the document
        "contains(root().a, b)": False,  # b is the current value's
        "[root().a, root().b]": False,  # a multi-select is null where the current value is null
        "a[?root().x]": False,  # the projection starts from the current value
    }
    for text, expected in kept.items():
        parsed = compile_expression(text, "test").parsed
        assert codegen._kept(parsed, {}) is expected, text


def test_a_sub_expression_of_the_document_alone_is_computed_once_per_deployment(monkeypatch):
    calls = _counted(monkeypatch, "project")
    walk = {"for_each": "items", "where": "contains(root().items[?b].a, a)", "expect": "a == 'x'"}
    rule = compile_rule(_rule(assertions=[walk]), "t.toml")
    rules = {rule.id: rule}
    program = _program_of(rules)
    document = {"items": [{"a": str(n), "b": n % 2 == 0} for n in range(12)], "complete": ["items"]}
    assert program.evaluate(document, TODAY) == evaluate(rules, document, today=TODAY)
    assert calls[0] == 1  # not once per item: twelve
    other = {"items": [{"a": "x", "b": True}, {"a": "y", "b": True}], "complete": ["items"]}
    calls[0] = 0
    verdicts = program.evaluate(other, TODAY)  # a new deployment: computed anew, not reused
    assert verdicts == evaluate(rules, other, today=TODAY)
    assert [v.pointer for v in verdicts[0].violations] == ["/items/1"]
    assert calls[0] == 1


def test_rules_walking_one_list_with_one_filter_ask_it_once_per_item(monkeypatch):
    calls = _counted(monkeypatch, "length")
    walk = {"for_each": "items", "where": "length(a) > `1`"}
    rules = {
        rule.id: rule
        for rule in (
            compile_rule(_rule(id=f"t.rule{n}", assertions=[{**walk, "expect": expect}]), "t.toml")
            for n, expect in enumerate(["b", "c != 'x'"])
        )
    }
    program = _program_of(rules)
    document = {"items": [{"a": "xy", "b": n % 2 == 0, "c": "x"} for n in range(5)]}
    assert program.evaluate(document, TODAY) == evaluate(rules, document, today=TODAY)
    assert calls[0] == 6  # five items and the unlisted ones, for both rules: not twelve


def test_what_was_kept_for_one_deployment_is_never_used_for_another():
    from facepolicy.runtime import judge_rule

    walk = {"for_each": "items", "expect": "contains(root().allowed, a)"}
    compiled = compile_rule(_rule(assertions=[walk]), "t.toml")
    rule = _program_of({compiled.id: compiled}).rules[compiled.id]
    functions = Functions(TODAY)  # one for both, as a caller might keep it
    first = read({"allowed": ["x"], "items": [{"a": "x"}]}, open_lists=False)
    second = read({"allowed": ["y"], "items": [{"a": "x"}]}, open_lists=False)
    assert judge_rule(rule, first, functions, {}).status.value == "pass"
    assert judge_rule(rule, second, functions, {}).status.value == "fail"
    assert judge_rule(rule, first, functions, {}).status.value == "pass"


# The deployment check.


def _hostile(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The document with one fact made wrong: a type, an enum value, an unknown member, a duplicate
    item."""
    changed = copy.deepcopy(document)
    places = []
    stack: list[Any] = [changed]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            places.extend((node, key) for key in node)
            stack.extend(node.values())
        elif isinstance(node, list):
            places.extend((node, i) for i in range(len(node)))
            stack.extend(node)
    container, key = rng.choice(places)
    choice = rng.randrange(7)
    text = container[key]
    if isinstance(text, str) and len(text) == 10 and text[4] == "-" and rng.random() < 0.8:
        container[key] = rng.choice(
            [
                "2026-02-30",
                "2024-02-29",
                "2026-13-01",
                "20260101",
                "2026-1-01",
                "0000-01-01",
                "２０２６-01-01",
                "2026-02-28",
            ]
        )  # a date, right or wrong
    elif choice == 0:
        container[key] = rng.choice([1, 1.0, 1.5, True, None, "x", [], {}, -1, "1\n", "CN\n", "zz"])
    elif choice == 1 and isinstance(container, dict):
        container["unexpected"] = 1
    elif choice == 2 and isinstance(container[key], list) and container[key]:
        container[key].append(copy.deepcopy(container[key][0]))
    elif choice == 3 and isinstance(container, dict):
        del container[key]
    elif choice == 4 and isinstance(container[key], str):
        container[key] = ""
    elif (
        choice == 5
        and isinstance(container[key], (int, float))
        and not isinstance(container[key], bool)
    ):
        container[key] = -container[key] - 1
    else:
        container[key] = str(container[key])
    return changed


def test_the_compiled_deployment_check_agrees_with_jsonschema_rs():
    reference = jsonschema_rs.Draft202012Validator(
        schemas.load("deployment"), validate_formats=True
    )
    rng = random.Random(5)
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in FIXTURES] + list(
        generate.deployments(3, 40)
    )
    verdicts = {True: 0, False: 0}
    for document in documents:
        for candidate in [document] + [_hostile(document, rng) for _ in range(8)]:
            program = program_of(RULE_SET).select(None)
            program._checked = 0  # the compiled check, not jsonschema-rs's
            answer = program.is_valid(candidate)
            assert answer is reference.is_valid(candidate), candidate
            verdicts[answer] += 1
    assert verdicts[True] > 100 and verdicts[False] > 100
    for text in [
        "2026-02-30",
        "2024-02-29",
        "2026-13-01",
        "20260101",
        "2026-1-01",
        "0000-01-01",
        "２０２６-01-01",
        "2026-02-28",
        "2026-02-28\n",
        "",
    ]:
        document = {
            "schema_version": 2,
            "id": "d",
            "sites": [{"id": "s", "impact_assessment": {"reviewed_on": text}}],
        }
        program = program_of(RULE_SET).select(None)
        program._checked = 0
        assert program.is_valid(document) is reference.is_valid(document), text


# The program as cached and as sent to spawned workers; the source `compile --show` prints.


def test_the_cache_entry_and_a_pickled_program_judge_alike():
    document = json.loads(
        (ROOT / "fixtures" / "scenarios" / "mall-cameras" / "deployment.json").read_text(
            encoding="utf-8"
        )
    )
    expected = PROGRAM.evaluate(document, TODAY)
    assert programs.from_entry(PROGRAM.entry).evaluate(document, TODAY) == expected
    assert pickle.loads(pickle.dumps(PROGRAM)).evaluate(document, TODAY) == expected
    chosen = PROGRAM.select({"megvii-fr-guideline.private-spaces"})
    assert [v.rule_id for v in pickle.loads(pickle.dumps(chosen)).evaluate(document, TODAY)] == [
        "megvii-fr-guideline.private-spaces"
    ]
    assert programs.from_entry(b"not marshal") is None


def test_a_rules_body_is_loaded_only_once_a_deployment_is_in_its_scope():
    """runtime.LazyRule: a program from its entry runs each rule's scope test; the rest of a rule is
    unmarshalled when a deployment is in its scope, and judges as the whole rule does."""
    document = json.loads(
        (ROOT / "fixtures" / "scenarios" / "mall-cameras" / "deployment.json").read_text(
            encoding="utf-8"
        )
    )
    fresh = programs.from_entry(PROGRAM.entry)
    assert all(rule._body for rule in fresh.rules.values())
    verdicts = fresh.evaluate(document, TODAY)
    out_of_scope = {v.rule_id for v in verdicts if v.status.value == "not_applicable"}
    loaded = {rid for rid, rule in fresh.rules.items() if not rule._body}
    assert out_of_scope and loaded and loaded == set(fresh.rules) - out_of_scope
    assert verdicts == evaluate(RULE_SET.rules, document, today=TODAY)
    assert fresh.evaluate(document, TODAY) == verdicts  # loaded once, judged the same again
    rule = next(iter(fresh.rules.values()))
    with pytest.raises(AttributeError):
        rule.no_such_field  # noqa: B018 — only the rule's own fields are loaded on demand


def test_a_selection_is_judged_by_the_whole_program_narrowed_and_pickles_without_it():
    rid = "megvii-fr-guideline.private-spaces"
    chosen = RULE_SET.select((rid,))
    program = program_of(chosen)
    assert list(program.rules) == [rid]
    assert program.namespace is PROGRAM.namespace  # the whole rule set's, never rebuilt for a part
    assert chosen.documents is RULE_SET.documents
    model = [
        "catalogs",
        "content_digest",
        "extensions",
        "folders",
        "pack_of",
        "pack_of_document",
        "packs",
        "problems",
        "rules",
        "selected_from",
    ]
    assert sorted(vars(RULE_SET)) == model  # no cache key, program or catalogs held by the rule set
    again = pickle.loads(pickle.dumps(RULE_SET))
    assert list(program_of(again.select((rid,))).rules) == [rid]


def test_compile_show_prints_readable_source_of_one_rule():
    result = run_line(["facepolicy", "compile", "--show", "megvii-fr-guideline.private-spaces"])
    assert result.code == 0, result.err
    assert "RULES['megvii-fr-guideline.private-spaces'] = compiled_rule(" in result.out
    assert (
        "# !contains(['hotel_room', 'dormitory', 'public_bathroom', 'changing_room', 'toilet'], "
        "area_type)" in result.out
    )
    assert "#   /sites/*/area_type" in result.out  # the facts it reads
    compile(result.out, "<shown>", "exec")  # what it prints is the Python that runs
    assert run_line(["facepolicy", "compile", "--show", "no.such-rule"]).code == 2


# Start-up: what a cached, valid `eval` imports.

PROBE = """
import sys
from facepolicy.console import main
sys.argv = ["facepolicy", "eval", {path!r}]
try:
    main()
except SystemExit as exc:
    code = exc.code
HEAVY = (
    "click", "jsonschema", "jsonschema_rs", "jmespath", "referencing", "pickle",
    "pathlib",  # brings urllib.parse and ipaddress: about 2.5 ms (paths.py)
    "hashlib",  # loads OpenSSL: about 2.3 ms (cache.py)
    "datetime",  # about 1 ms, until a rule computes with a date (durations.Day)
)
heavy = sorted(m for m in HEAVY if m in sys.modules)
print("IMPORTED " + json.dumps([heavy, code]), file=sys.stderr)
"""


def _imported(path: str) -> tuple[list[str], int]:
    import os

    env = {**os.environ, "FACEPOLICY_TODAY": "2026-01-01"}
    for _ in range(2):  # the first run fills the cache
        proc = subprocess.run(
            [sys.executable, "-c", "import json" + PROBE.format(path=path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
        )
    line = next(line for line in proc.stderr.splitlines() if line.startswith("IMPORTED "))
    heavy, code = json.loads(line[len("IMPORTED ") :])
    return heavy, code


@pytest.mark.parametrize(
    "fixture",
    [
        "megvii-fr-guideline.private-spaces/fail-hotel-room.json",
        # a stated duration compared by shorter_than(): the calendar functions need no jmespath
        "faceid-privacy-policy.vendor-logs-six-months/fail-5-months.json",
    ],
)
def test_a_cached_eval_of_a_valid_deployment_imports_nothing_it_can_do_without(fixture):
    heavy, code = _imported(f"fixtures/rules/{fixture}")
    assert code == 1  # it failed the rule, as it should: the run did happen
    assert heavy == []


def test_an_invalid_deployment_loads_python_jsonschema_to_word_its_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 2, "id": "x", "mode": "nowhere"}', encoding="utf-8")
    heavy, code = _imported(str(bad))
    assert code == 2 and "jsonschema" in heavy and "click" not in heavy


def test_a_pack_with_fact_extensions_judges_and_checks_alike():
    """The example pack (its own facts merged into the deployment schema) through both paths."""
    pack = ROOT / "examples" / "acme-pm"
    try:
        rule_set = load_rule_set((str(pack),))
        program = program_of(rule_set).select(None)
        paths = sorted((pack / "fixtures").rglob("*.json"))
        assert len(paths) > 5
        for path in paths:
            document = json.loads(path.read_text(encoding="utf-8"))
            assert program.evaluate(document, TODAY) == evaluate(
                rule_set.rules, document, today=TODAY
            )
            program._checked = 0
            wrong = copy.deepcopy(document)
            wrong.setdefault("extensions", {}).setdefault("acme-pm", {})["unexpected"] = 1
            for candidate in (document, wrong):
                compiled = program.is_valid(candidate)
                assert compiled is schemas.named_fast_validator("deployment").is_valid(candidate), (
                    path
                )
    finally:
        schemas.use_extensions(())


# Our own file formats (rule, catalog, pack manifest): checked by compiled code before jsonschema-rs
# is imported.


def _own_files(kind: str) -> list[Any]:
    from facepolicy.loader import read_toml

    if kind == "pack":
        paths = [ROOT / "pack.toml", ROOT / "examples" / "acme-pm" / "pack.toml"]
    elif kind == "document":
        paths = sorted(ROOT.glob("policies/*/document.toml"))
    else:
        paths = [p for p in sorted(ROOT.glob("policies/*/*.toml")) if p.name != "document.toml"]
    return [read_toml(path) for path in paths]


@pytest.mark.parametrize("kind", ["rule", "document", "pack"])
def test_the_compiled_checks_of_our_own_files_agree_with_jsonschema_rs(kind):
    reference = jsonschema_rs.Draft202012Validator(
        schemas.load(kind), registry=schemas._rs_registry(), validate_formats=True
    )
    check = schemas.compiled_check(kind)
    assert check is not None
    rng = random.Random(11)
    verdicts = {True: 0, False: 0, None: 0}
    for data in _own_files(kind):
        for candidate in [data] + [_hostile(data, rng) for _ in range(30)]:
            said = schemas._compiled_says(kind, candidate)
            if said is not None:
                assert said is reference.is_valid(candidate), candidate
            verdicts[said] += 1
    assert verdicts[True] >= 2 and verdicts[False] >= 20 and verdicts[None] < verdicts[False]
    names = {"let": {"Bad-Name": "x", "ok": "y"}} if kind == "rule" else {}
    if names:  # propertyNames: a let's name must be an identifier
        data = dict(_own_files(kind)[0], **names)
        assert schemas._compiled_says(kind, data) is False is reference.is_valid(data)


def test_reading_an_edited_rule_imports_no_schema_validator(tmp_path):
    """A rule file read anew is checked by the compiled rule-schema check: jsonschema-rs is loaded
    only to word an error."""
    import os

    probe = (
        "import sys; from facepolicy import ruleset; "
        "ruleset.load_rule_set((sys.argv[1],), bundled=False); "
        "print(sorted(m for m in ('jsonschema_rs', 'jsonschema') if m in sys.modules))"
    )
    folder = tmp_path / "policies" / "megvii-fr-guideline"
    folder.mkdir(parents=True)
    for name in ("document.toml", "private-spaces.toml"):
        (folder / name).write_bytes((ROOT / "policies" / folder.name / name).read_bytes())
    env = {**os.environ, "FACEPOLICY_CACHE_DIR": str(tmp_path / "cache")}
    (tmp_path / "cache").mkdir(mode=0o700)
    found = []
    for _ in range(2):  # the first run caches the compiled checks
        proc = subprocess.run(
            [sys.executable, "-c", probe, str(tmp_path / "policies")],
            capture_output=True,
            text=True,
            env=env,
        )
        found.append(proc.stdout.strip())
        rule = folder / "private-spaces.toml"
        rule.write_text(rule.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # an edit
    assert found[1] == "[]", found
