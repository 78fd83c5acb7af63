"""Tests written against the mutants `make mutation` found alive: each states a behaviour the other tests
left unchecked, in-process, so mutmut can tell which test covers which function."""

from __future__ import annotations

import datetime as dt
import itertools

import jsonschema
import pytest

from facepolicy.errors import FacepolicyError
from facepolicy.facts import Facts, Unknown, read, unstated
from facepolicy.model import (DeploymentResult, Outcome, Severity, Status, Summary, Text, Verdict,
                              Violation, exit_code, tally)
from facepolicy.scopes import KEYWORDS, Compiler, ScopeError
from facepolicy.waivers import Waiver, WaiverBook, find_waivers, load_waivers, waiver_findings

# --- scopes: on fully stated values a compiled scope answers exactly what JSON Schema does -----------------

SCHEMAS = [
    {"required": ["a", "b"]},
    {"properties": {"a": {"const": 1}, "b": {"type": "string"}}},
    {"contains": {"const": 2}},
    {"items": {"type": "integer"}},
    {"const": {"a": [1, 2]}},
    {"enum": [1, "x", [1], None]},
    {"type": "object"}, {"type": "array"}, {"type": "string"}, {"type": "boolean"}, {"type": "null"},
    {"type": "integer"}, {"type": "number"}, {"type": ["string", "null"]},
    {"maximum": 3}, {"minimum": 3}, {"exclusiveMaximum": 3}, {"exclusiveMinimum": 3},
    {"minItems": 2},
    {"anyOf": [{"const": 1}, {"type": "string"}]},
    {"allOf": [{"type": "integer"}, {"minimum": 2}]},
    {"oneOf": [{"type": "integer"}, {"minimum": 2}]},
    {"not": {"type": "integer"}},
    {"if": {"type": "integer"}, "then": {"minimum": 2}, "else": {"type": "string"}},
    {"if": {"type": "integer"}, "then": {"minimum": 2}},
    {"if": {"type": "integer"}, "else": {"type": "string"}},
    {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
    {"$ref": "#/$defs/small", "$defs": {"small": {"maximum": 2}}},
    {"$ref": "#/$defs/node", "$defs": {"node": {"required": ["a"], "properties": {"a": {"$ref": "#/$defs/leaf"}}},
                                       "leaf": {"anyOf": [{"type": "integer"}, {"$ref": "#/$defs/node"}]}}},
    {"oneOf": [{"type": "integer"}, {"minimum": 2}, {"type": "number"}]},
    {"type": "integer", "minimum": 2},
    {"type": "array", "minItems": 2, "items": {"type": "integer"}},
    True, False, {},
]
VALUES = [{"a": {"a": 1}}, {"a": {"a": "x"}}, {"a": {"b": 1}}, [1, 2.5], [1, 2], None, True, False, 0, 1, 2, 2.0, 2.5, 3, 3.0, 4, -1, "", "x", "yy", [], [1], [2], [1, 2], [2, 2, 3], ["x", 1],
          [1.5], {}, {"a": 1}, {"a": 1, "b": "s"}, {"a": 2, "b": 1}, {"b": 2}, {"a": [1, 2]}, {"a": [2, 1]}, {"a": "1"}]


def _compile(schema):
    def resolve(target):  # "#/$defs/name" inside the scope itself
        found = schema
        for part in target.removeprefix("#/").split("/"):
            found = found[part]
        return found

    return Compiler(resolve).compile(schema)


@pytest.mark.parametrize("schema", SCHEMAS, ids=repr)
def test_scope_agrees_with_json_schema_on_stated_values(schema):
    test = _compile(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for value in VALUES:
        assert test(value) is validator.is_valid(value), (schema, value)


def test_scope_refuses_keywords_it_does_not_understand():
    with pytest.raises(ScopeError, match='"pattern" is not understood'):
        Compiler(lambda t: {}).compile({"pattern": "x"})
    with pytest.raises(ScopeError, match="must be an object or a boolean"):
        Compiler(lambda t: {}).compile([1])


def _facts(at, **stated):
    f = Facts(stated)
    f.at = at
    return f


# --- scopes on an open-world description: an unstated fact leaves the answer open, and names that fact ------

DOCUMENT = {"a": 1, "l": [1], "n": 5, "o": {"k": "v"}}
OPEN = [  # (scope, the answer on DOCUMENT read with open lists: True, False, or the facts it waits for)
    ({"required": ["a"]}, True),
    ({"required": ["a", "b"]}, {"/b"}),
    ({"required": ["b", "c"]}, {"/b", "/c"}),
    ({"properties": {"o": {"required": ["k", "z"]}}}, {"/o/z"}),
    ({"properties": {"a": {"const": 2}, "b": {"const": 1}}}, False),
    ({"properties": {"a": {"const": 1}, "b": {"const": 1}}}, {"/b"}),
    ({"properties": {"b": {"type": "string"}}}, {"/b"}),
    ({"properties": {"b": {"maximum": 2}}}, {"/b"}),
    ({"properties": {"b": {"minItems": 2}}}, {"/b"}),
    ({"properties": {"b": {"not": {"const": 1}}}}, {"/b"}),
    ({"properties": {"b": {"oneOf": [{"const": 1}, {"const": 2}]}}}, {"/b"}),
    ({"properties": {"b": {"type": "string"}}}, {"/b"}),
    ({"properties": {"l": {"contains": {"const": 1}}}}, True),
    ({"properties": {"l": {"contains": {"const": 2}}}}, {"/l/-"}),
    ({"properties": {"b": {"contains": {"const": 2}}}}, {"/b"}),
    ({"properties": {"b": {"contains": False}}}, False),
    ({"properties": {"l": {"items": {"const": 1}}}}, {"/l/-"}),
    ({"properties": {"l": {"items": {"const": 2}}}}, False),
    ({"properties": {"b": {"items": True}}}, True),
    ({"properties": {"b": {"items": {"const": 2}}}}, {"/b"}),
    ({"properties": {"l": {"minItems": 1}}}, True),
    ({"properties": {"l": {"minItems": 2}}}, {"/l/-"}),
    ({"anyOf": [{"required": ["b"]}, {"required": ["a"]}]}, True),
    ({"anyOf": [{"required": ["b"]}, {"required": ["c"]}]}, {"/b", "/c"}),
    ({"allOf": [{"required": ["b"]}, {"properties": {"a": {"const": 2}}}]}, False),
    ({"oneOf": [{"required": ["a"]}, {"properties": {"n": {"minimum": 1}}}]}, False),
    ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"/b"}),
    ({"oneOf": [{"required": ["a"]}, {"properties": {"n": {"minimum": 9}}}]}, True),
    ({"if": {"required": ["a"]}, "then": {"required": ["c"]}}, {"/c"}),
    ({"if": {"properties": {"a": {"const": 2}}}, "then": {"required": ["c"]}, "else": {"required": ["d"]}}, {"/d"}),
    ({"if": {"required": ["b"]}, "then": {"required": ["c"]}}, {"/b", "/c"}),
    ({"if": {"required": ["b"]}, "then": {"required": ["a"]}, "else": {"required": ["n"]}}, True),
    ({"if": {"required": ["b"]}, "then": {"const": 0}, "else": {"const": 1}}, False),
    ({"not": {"required": ["b"]}}, {"/b"}),
    ({"not": {"required": ["a"]}}, False),
]


@pytest.mark.parametrize("schema, expected", OPEN, ids=repr)
def test_scope_on_unstated_facts_names_what_would_decide_it(schema, expected):
    answer = _compile(schema)(read(DOCUMENT))
    if isinstance(expected, bool):
        assert answer is expected
    else:
        assert type(answer) is Unknown and set(answer.facts) == expected


def test_scope_on_a_deployment_not_stated_at_all():
    whole = unstated("/x")
    assert set(_compile({"required": ["p", "q"]})(whole).facts) == {"/x/p", "/x/q"}
    assert set(_compile({"properties": {"p": {"const": 1}}})(whole).facts) == {"/x/p"}
    assert set(_compile({"type": "object"})(whole).facts) == {"/x"}
    assert set(_compile({"minimum": 1})(whole).facts) == {"/x"}
    assert set(_compile({"minItems": 1})(whole).facts) == {"/x"}
    assert set(_compile({"contains": {"const": 1}})(whole).facts) == {"/x"}
    assert _compile({"contains": False})(whole) is False
    assert _compile({"items": True})(whole) is True
    assert set(_compile({"items": {"const": 1}})(whole).facts) == {"/x"}


# --- waivers, in-process ---------------------------------------------------------------------------------

TODAY = dt.date(2026, 1, 1)


def _violation(pointer):
    return Violation(pointer, Text("违反", "violated"), Text("修正", "fix"))


def _waiver(index=0, rule="r1", deployment="d1", pointer="", expires=dt.date(2026, 6, 30)):
    return Waiver(index, rule, deployment, pointer, "accepted risk", "Chief Privacy Officer", expires, "w.toml")


def test_waiver_covers_its_pointer_and_what_lies_below_it_only():
    w = _waiver(pointer="/sites/1")
    assert w.covers("/sites/1") and w.covers("/sites/1/cameras/0")
    assert not w.covers("/sites/10") and not w.covers("/sites") and not w.covers("/sites/2")
    assert _waiver(pointer="").covers("/anything")
    assert w.where() == "w.toml: waivers[0]"


def test_live_waiver_turns_a_covered_failure_into_waived_with_its_note():
    book = WaiverBook([_waiver(pointer="/sites/1")], TODAY)
    verdict = Verdict("r1", Status.fail, (_violation("/sites/1/x"),))
    got = book.apply("d1", verdict)
    assert got.status is Status.waived and got.violations == verdict.violations
    assert got.waiver == "waived by Chief Privacy Officer until 2026-06-30: accepted risk (w.toml: waivers[0])"
    assert book.unused() == []


def test_waiver_leaves_uncovered_violations_failing():
    book = WaiverBook([_waiver(pointer="/sites/1")], TODAY)
    verdict = Verdict("r1", Status.fail, (_violation("/sites/1"), _violation("/sites/2")))
    got = book.apply("d1", verdict)
    assert got.status is Status.fail and [v.pointer for v in got.violations] == ["/sites/2"] and got.waiver == ""


def test_waiver_for_another_rule_or_deployment_or_a_passing_verdict_changes_nothing():
    waiver = _waiver()
    book = WaiverBook([waiver], TODAY)
    failing = Verdict("r1", Status.fail, (_violation("/a"),))
    assert book.apply("d2", failing) is failing
    other = Verdict("r2", Status.fail, (_violation("/a"),))
    assert book.apply("d1", other) is other
    passing = Verdict("r1", Status.pass_)
    assert book.apply("d1", passing) is passing
    assert book.unused() == [waiver]  # seen d1 and d2, covered nothing
    assert WaiverBook([_waiver(deployment="d9")], TODAY).unused() == []  # d9 was not evaluated in this run


def test_expired_waiver_covers_nothing_and_says_so():
    book = WaiverBook([_waiver(expires=dt.date(2025, 12, 31))], TODAY)
    got = book.apply("d1", Verdict("r1", Status.fail, (_violation("/a"),)))
    assert got.status is Status.fail and len(got.violations) == 1
    assert got.waiver == "waiver expired on 2025-12-31 (w.toml: waivers[0]) / 豁免已于该日到期"
    assert book.unused() == []  # it matched a failure: reported as expired, not as unused
    assert WaiverBook([_waiver(expires=TODAY)], TODAY).apply(
        "d1", Verdict("r1", Status.fail, (_violation("/a"),))).status is Status.waived  # expiring today still holds


def test_waived_failure_with_unstated_facts_stays_incomplete():
    book = WaiverBook([_waiver()], TODAY)
    got = book.apply("d1", Verdict("r1", Status.fail, (_violation("/a"),), missing=("/b",)))
    assert got.status is Status.incomplete and got.violations == () and got.missing == ("/b",)
    assert got.waiver.startswith("waived by Chief Privacy Officer")


def test_waiver_findings_name_unknown_rules_and_past_expiries():
    found = waiver_findings([_waiver(rule="nope", expires=dt.date(2025, 1, 2)), _waiver(1, expires=TODAY)], {"r1"}, TODAY)
    assert found == [("w.toml: waivers[0].rule", 'no rule "nope" in the rule set / 规则不存在'),
                     ("w.toml: waivers[0].expires", "expired on 2025-01-02, it covers nothing any more / 豁免已到期")]


WAIVER_FILE = """
[[waivers]]
rule = "r1"
deployment = "d1"
justification = "accepted until the cameras are replaced"
approver = "CPO"
expires = "2026-03-01"

[[waivers]]
rule = "r2"
deployment = "d2"
pointer = "/sites/0"
justification = "pending the regulator's written answer"
approver = "DPO"
expires = "2027-01-31"
"""


def test_load_waivers_reads_every_field(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.toml").write_text(WAIVER_FILE, "utf-8")
    assert load_waivers(tmp_path / "w.toml") == [
        Waiver(0, "r1", "d1", "", "accepted until the cameras are replaced", "CPO", dt.date(2026, 3, 1), "w.toml"),
        Waiver(1, "r2", "d2", "/sites/0", "pending the regulator's written answer", "DPO", dt.date(2027, 1, 31), "w.toml")]
    assert find_waivers("w.toml") == load_waivers(tmp_path / "w.toml")
    assert find_waivers(None) == []  # no .facepolicy-waivers.toml here
    (tmp_path / ".facepolicy-waivers.toml").write_text(WAIVER_FILE, "utf-8")
    assert [w.source for w in find_waivers(None)] == [".facepolicy-waivers.toml"] * 2


@pytest.mark.parametrize("date", ["2026-W01-1", "20261231", "2026-02-30", "2026-1-01"])
def test_load_waivers_refuses_a_date_that_is_not_yyyy_mm_dd(tmp_path, monkeypatch, date):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.toml").write_text(WAIVER_FILE.replace("2027-01-31", date), "utf-8")
    with pytest.raises(FacepolicyError) as caught:
        load_waivers(tmp_path / "w.toml")
    assert caught.value.where == "w.toml: waivers[1].expires" and f'"{date}"' in caught.value.message


def test_load_waivers_names_the_place_of_a_schema_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.toml").write_text(WAIVER_FILE.replace('approver = "DPO"\n', ""), "utf-8")
    with pytest.raises(FacepolicyError) as caught:
        load_waivers(tmp_path / "w.toml")
    assert caught.value.where == "w.toml: waivers[1].approver" and "approver" in caught.value.message


# --- expressions: on stated values every operator gives jmespath's own answer ------------------------------

# No true/false nested in a list or an object: there jmespath compares with Python's ==, so [1] == [true],
# while facepolicy keeps the spec's rule at every depth (a known, deliberate difference, not tested here).
OPERANDS = [None, True, False, 0, 1, 1.0, 2, -3, "", "a", "b", [], [1], [1, 2], [2, 1], [[1], 2], {},
            {"x": 1}, {"x": 1, "y": [1]}, {"x": 2}, {"x": 0}]
EXPRESSIONS = ["a == b", "a != b", "a < b", "a <= b", "a > b", "a >= b", "a && b", "a || b", "!a", "a[0]", "a[-1]",
               "a[1:]", "a[*]", "a[]", "a.x", "a[*].x", "a[?x]", "a[?@ == b]", "b[?@ > `1`]", "[a, b][]"]
ORDERINGS = {"a < b", "a <= b", "a > b", "a >= b"}
EXPRESSION_FUNCTIONS = ["length(a)", "contains([a, b], b)", "type(a)", "to_array(a)", "not_null(a, b)"]


def test_operators_agree_with_jmespath_on_every_pair_of_stated_values():
    import jmespath

    from facepolicy.compiler import compile_expression
    from facepolicy.functions import Functions
    from facepolicy.reference import FacepolicyFunctions

    today = dt.date(2026, 1, 1)
    ours_functions = Functions(today)
    options = jmespath.Options(custom_functions=FacepolicyFunctions(today))

    def outcome(search):
        try:
            return "value", search()
        except Exception:  # noqa: BLE001 — both sides must fail alike
            return "error", None

    checked = 0
    for text in EXPRESSIONS + EXPRESSION_FUNCTIONS:
        expression = compile_expression(text, "test")
        for a, b in itertools.product(OPERANDS, repeat=2):
            document = {"a": a, "b": b}
            ours_functions.document = options.custom_functions.document = document
            ours = outcome(lambda: expression.search(document, ours_functions))
            theirs = outcome(lambda: jmespath.search(text, document, options=options))
            if theirs[0] == "error" and text in ORDERINGS:
                # jmespath's Python implementation raises on ordering a number against a string (0 < ''); the
                # JMESPath spec, which facepolicy follows, makes that null.
                assert ours == ("value", None), (text, document, ours)
            else:
                assert ours == theirs and type(ours[1]) is type(theirs[1]), (text, document, ours, theirs)
            checked += 1
    assert checked == len(EXPRESSIONS + EXPRESSION_FUNCTIONS) * len(OPERANDS) ** 2


# --- the result model: tallies and the summary that decides the exit code ----------------------------------

SEVERITY_OF = {"low": Severity.low, "high": Severity.high, "crit": Severity.critical, "med": Severity.medium}


def _result(*verdicts):
    return DeploymentResult("d.json", "d1", list(verdicts))


def test_tally_counts_statuses_and_keeps_the_worst_failure_and_the_worst_incomplete():
    result = _result(Verdict("low", Status.fail), Verdict("high", Status.fail), Verdict("med", Status.fail),
                     Verdict("med", Status.incomplete), Verdict("crit", Status.incomplete), Verdict("low", Status.incomplete),
                     Verdict("crit", Status.pass_), Verdict("crit", Status.waived))
    counts, worst, worst_open = tally(result, SEVERITY_OF)
    assert counts == {"fail": 3, "incomplete": 3, "pass": 1, "waived": 1}
    assert worst is Severity.high and worst_open is Severity.critical
    assert tally(_result(Verdict("crit", Status.pass_)), SEVERITY_OF) == ({"pass": 1}, None, None)


def test_deployment_result_defaults():
    result = _result()
    assert (result.source, result.deployment_id, result.verdicts) == ("d.json", "d1", [])
    assert result.positions == {} and result.closed_world is False


def test_summary_adds_deployments_and_keeps_the_worst_across_them():
    summary = Summary()
    assert summary.as_dict() == {"deployments": 0, "problems": 0, "pass": 0, "fail": 0, "not_applicable": 0,
                                 "incomplete": 0, "waived": 0, "error": 0}
    assert summary.worst_failure is None and summary.worst_incomplete is None
    summary.add(_result(Verdict("high", Status.fail), Verdict("med", Status.incomplete)), SEVERITY_OF)
    summary.add(_result(Verdict("low", Status.fail), Verdict("low", Status.incomplete)), SEVERITY_OF)
    summary.add_tally(({"fail": 1, "error": 1}, Severity.medium, Severity.high))  # counted by a worker
    assert summary.deployments == 3
    assert summary.counts["fail"] == 3 and summary.counts["incomplete"] == 2 and summary.counts["error"] == 1
    assert summary.worst_failure is Severity.high and summary.worst_incomplete is Severity.high
    summary.add(_result(Verdict("crit", Status.fail)), SEVERITY_OF)
    assert summary.worst_failure is Severity.critical


@pytest.mark.parametrize("fail_on, allow, expected", [
    (Severity.high, False, [Outcome.violations, Outcome.undecided]),
    (Severity.high, True, [Outcome.violations]),
    (Severity.critical, False, []),
    (Severity.medium, False, [Outcome.violations, Outcome.undecided]),
])
def test_summary_outcomes_at_the_threshold(fail_on, allow, expected):
    summary = Summary()
    summary.add(_result(Verdict("high", Status.fail), Verdict("high", Status.incomplete)), SEVERITY_OF)
    assert summary.outcomes(fail_on, allow) == expected
    assert summary.exit_code(fail_on, allow) == (1 if expected else 0)


def test_summary_outcomes_name_problems_and_broken_rules_first():
    summary = Summary()
    summary.problems = 1
    summary.add(_result(Verdict("low", Status.error)), SEVERITY_OF)
    assert summary.outcomes(Severity.critical) == [Outcome.bad_input, Outcome.broken_rule]
    assert summary.exit_code(Severity.critical) == 2


def test_exit_code_takes_the_gravest_outcome_in_table_order():
    order = [Outcome.clean, Outcome.violations, Outcome.undecided, Outcome.unmet, Outcome.bad_input,
             Outcome.broken_rule, Outcome.bug, Outcome.interrupted, Outcome.closed_output]
    codes = [0, 1, 1, 1, 2, 2, 3, 130, 141]
    for i, outcome in enumerate(order):
        assert exit_code(order[: i + 1]) == codes[i]
        assert exit_code(list(reversed(order[: i + 1]))) == codes[i]
    assert Text("中", "en")("zh") == "中" and Text("中", "en")("en") == "en"


# --- evaluate: the trace `explain` prints, and the scope's answer remembered per deployment ----------------

def _rule(scope=None, expect=None):
    import tomllib

    from conftest import RULE
    from facepolicy.compiler import compile_rule

    data = tomllib.loads(RULE)
    if scope is not None:
        data["scope"] = scope
    if expect is not None:
        data["assertions"][0]["expect"] = expect
    return compile_rule(data, "demo.toml")


def _traced(rule, document):
    from facepolicy.evaluate import evaluate_rule, read_deployment
    from facepolicy.functions import Functions

    trace = []
    return evaluate_rule(rule, read_deployment(document), Functions(TODAY), trace), trace


SITES = [{"id": "a", "public": True, "signage": {"face_recognition_sign": False}, "tags": ["x", {"k": 1}]},
         {"id": "b", "public": True}]


def test_trace_shows_each_item_its_outcome_and_the_values_read():
    from conftest import deployment

    expect = "signage.face_recognition_sign && length(tags) > `0` && signage"
    verdict, trace = _traced(_rule({"required": ["sites"]}, expect), deployment(sites=SITES, complete=[]))
    assert verdict.status is Status.fail and [v.pointer for v in verdict.violations] == ["/sites/0/signage"]
    assert verdict.missing == ("/sites/-", "/sites/1/signage", "/sites/1/signage/face_recognition_sign", "/sites/1/tags")
    assert verdict.gating == 1
    assert trace == [
        {"step": "scope", "matched": True, "unknown": []},
        {"step": "assertions[0]", "at": "/sites/0", "expect": expect, "outcome": "violation",
         "values": {"signage": {"face_recognition_sign": False}, "signage.face_recognition_sign": False,
                    "tags": ["x", {"k": 1}, "…"]}},
        {"step": "assertions[0]", "at": "/sites/1", "expect": expect, "outcome": "open",
         "values": {"signage": "(unstated)", "signage.face_recognition_sign": "(unstated)", "tags": "(unstated)"}},
        {"step": "assertions[0]", "at": "(unlisted items)", "expect": expect, "outcome": "open",
         "values": {"signage": "(unknown)", "signage.face_recognition_sign": "(unknown)", "tags": "(unknown)"}},
    ]


def test_trace_of_a_scope_the_facts_cannot_settle_and_of_one_that_excludes():
    from conftest import deployment

    verdict, trace = _traced(_rule({"required": ["operator"]}), deployment(sites=SITES[:1]))
    assert verdict.status is Status.incomplete and verdict.missing[0] == "/operator" and verdict.gating >= 1
    assert trace[0] == {"step": "scope", "matched": None, "unknown": ["/operator"]}
    verdict, trace = _traced(_rule({"properties": {"id": {"const": "other"}}}), deployment(sites=SITES[:1]))
    assert verdict.status is Status.not_applicable and trace == [{"step": "scope", "matched": False, "unknown": []}]


def test_a_scope_is_asked_once_per_deployment():
    from conftest import deployment
    from facepolicy.evaluate import evaluate_rule, read_deployment
    from facepolicy.functions import Functions

    rule = _rule({"required": ["sites"]})
    seen = {}
    facts = read_deployment(deployment(sites=SITES[:1]))
    first = evaluate_rule(rule, facts, Functions(TODAY), scopes_seen=seen)
    assert seen == {id(rule.scope): True}
    seen[id(rule.scope)] = False  # a remembered answer is used, not asked again
    assert evaluate_rule(rule, facts, Functions(TODAY), scopes_seen=seen).status is Status.not_applicable
    assert first.status is Status.fail


# --- functions: type errors name the type; set operations and contains over stated and partial lists -------

@pytest.mark.parametrize("value, kind", [(1, "number"), (2.5, "number"), (True, "boolean"), (None, "null"), ({"a": 1}, "object")])
def test_function_type_errors_name_the_jmespath_type(value, kind):
    from facepolicy.functions import FunctionError, Functions

    with pytest.raises(FunctionError, match=rf"^contains\(\) expects an array, got {kind}$"):
        Functions(TODAY).call("contains", [value, 1])
    if kind != "object":
        with pytest.raises(FunctionError, match=rf"^length\(\) expects a string, array or object, got {kind}$"):
            Functions(TODAY).call("length", [value])
    with pytest.raises(FunctionError, match=r"^difference\(\) expects an array, got string$"):
        Functions(TODAY).call("difference", [[1], "x"])


def test_set_operations_and_contains_in_three_values():
    from facepolicy.facts import Partial, Range
    from facepolicy.functions import Functions

    call = Functions(TODAY).call
    doc = read({"l": ["a", "b"], "m": ["b"], "o": {"k": 1}})
    assert call("difference", [["a", "b"], ["b"]]) == ["a"]
    assert call("intersection", [["a", "b", "c"], ["c", "a"]]) == ["a", "c"]
    assert call("difference", [[1], [1]]) == []
    left = call("difference", [doc["l"], doc["m"]])  # "a" stays unless the open list m holds it
    assert type(left) is Partial and left.items == ["a"] and left.maybe == [frozenset({"/m/-"})] and left.tail == frozenset({"/l/-"})
    both = call("intersection", [doc["l"], doc["m"]])
    assert both.items == ["a", "b"] and both.maybe == [frozenset({"/m/-"}), None]
    assert call("join", [",", ["a", "b"]]) == "a,b"
    assert type(call("join", [",", doc["l"]])) is Unknown and call("join", [",", doc["l"]]).facts == frozenset({"/l/-"})
    assert call("length", [doc["o"]]).facts == frozenset({"/o/*"})
    length = call("length", [doc["l"]])
    assert type(length) is Range and (length.lo, length.hi) == (2, None)
    assert call("contains", [doc["l"], "a"]) is True
    assert call("contains", [doc["l"], "z"]).facts == frozenset({"/l/-"})
    assert call("contains", [["a", 1], "z"]) is False and call("contains", [[1, 2], 2]) is True
    assert call("contains", [[1], True]) is True  # jmespath's own answer: Python's `in`, where 1 == true
    assert call("contains", ["abc", "b"]) is True and call("contains", ["abc", 1]) is False


# --- facts: pointers escaped, open lists, a component read once per combination of its several values ------

def _plain_facts(value):
    return {k: (sorted(v.facts) if type(v) is Unknown else v) for k, v in value.items()}


def test_read_escapes_pointers_and_opens_lists_not_stated_complete():
    from facepolicy.facts import Partial

    facts = read({"a/b": {"c~d": [1, {"x": 1}]}})
    assert facts["a/b"].at == "/a~1b"
    inner = facts["a/b"]["c~d"]
    assert type(inner) is Partial and inner.tail == frozenset({"/a~1b/c~0d/-"}) and inner.items[1].at == "/a~1b/c~0d/1"
    assert read({"l": [[1, {"a": 1}]]}, open_lists=False)["l"][0][1].at == "/l/0/1"
    assert repr(unstated("/x")) == "Unknown(['/x'], truth=None)"


def test_a_component_with_several_values_is_read_once_per_combination():
    facts = read({"complete": ["components"], "components": [
        {"name": "sdk", "integration": ["sdk", "api"], "runs_on": ["android"], "complete": ["integration", "runs_on"]},
        {"name": "app", "integration": ["api"]}, "text"]})
    readings = [(c.at, _plain_facts(c)) if isinstance(c, Facts) else c for c in facts["components"]]
    assert readings == [
        ("/components/0", {"name": "sdk", "integration": "sdk", "runs_on": "android"}),
        ("/components/0", {"name": "sdk", "integration": "api", "runs_on": "android"}),
        ("/components/1", {"name": "app", "integration": "api"}),
        ("/components/1", {"name": "app", "integration": ["/components/1/integration/-"]}),  # a value not listed
        "text",
    ]
    open_list = read({"components": [{"name": "x", "runs_on": ["ios"], "complete": ["runs_on"]}]})["components"]
    assert open_list.tail == frozenset({"/components/-"}) and [dict(c) for c in open_list.items] == [{"name": "x", "runs_on": "ios"}]


def test_evaluate_gives_one_verdict_per_rule_in_order_without_touching_its_input():
    import copy

    from conftest import deployment
    from facepolicy.evaluate import evaluate

    document = deployment(sites=SITES[:1])
    before = copy.deepcopy(document)
    rules = {"b": _rule({"required": ["nothing"]}), "a": _rule()}
    verdicts = evaluate(rules, document, today=TODAY)
    assert [(v.rule_id, v.status) for v in verdicts] == [("demo.signs", Status.incomplete), ("demo.signs", Status.fail)]
    assert verdicts[0].missing == ("/nothing",)
    assert document == before
    assert evaluate(rules, {**document, "schema_version": 1, "nothing": 1}, today=TODAY)[0].status is Status.fail


# --- expressions in three values: lists that may hold more, lengths known only as a range -----------------

U_L = {"/l/-"}
THREE_VALUED = [  # (expression, document read with open lists, True/False/None or the facts it waits for)
    ("l == `[1]`", {"l": [1]}, U_L), ("l == `[1, 2]`", {"l": [1]}, U_L), ("l == `[]`", {"l": [1]}, False),
    ("l == `[2]`", {"l": [1]}, U_L), ("l == m", {"l": [1], "m": [1]}, {"/l/-", "/m/-"}), ("l == `\"x\"`", {"l": [1]}, False),
    ("o == `{\"k\": 1}`", {"o": {"k": 1}}, True), ("o == `{\"k\": 2}`", {"o": {"k": 1}}, False),
    ("length(l) == `1`", {"l": [1]}, U_L), ("length(l) == `0`", {"l": [1]}, False), ("length(l) == `5`", {"l": [1]}, U_L),
    ("length(l) == length(m)", {"l": [1], "m": [1, 2, 3]}, {"/l/-", "/m/-"}), ("length(l) == `\"x\"`", {"l": [1]}, False),
    ("length(l) > `0`", {"l": [1]}, True), ("length(l) > `1`", {"l": [1]}, U_L), ("length(l) >= `1`", {"l": [1]}, True),
    ("length(l) < `1`", {"l": [1]}, False), ("length(l) <= `0`", {"l": [1]}, False), ("length(l) < `5`", {"l": [1]}, U_L),
    ("`0` < length(l)", {"l": [1]}, True), ("`1` >= length(l)", {"l": [1]}, U_L), ("length(l) > `\"x\"`", {"l": [1]}, None),
    ("length(l) != `0`", {"l": [1]}, True), ("x == `1`", {}, {"/x"}), ("x < `1`", {}, {"/x"}),
    ("a[0]", {"a": [1]}, 1), ("a[-1]", {"a": [1]}, {"/a/-"}), ("a[1]", {"a": [1]}, {"/a/-"}),
]


@pytest.mark.parametrize("text, document, expected", THREE_VALUED, ids=lambda x: x if isinstance(x, str) else "")
def test_expressions_decide_only_what_every_completion_agrees_on(text, document, expected):
    from test_three_valued import ev

    result = ev(text, document)
    if isinstance(expected, set):
        assert type(result) is Unknown and set(result.facts) == expected, result
    else:
        assert result is expected or (type(expected) is int and result == expected and type(result) is int), result


def test_projections_over_an_open_list_keep_what_they_know():
    from facepolicy.facts import Partial
    from test_three_valued import ev

    flat = ev("a[]", {"a": [[1], 2]})
    assert type(flat) is Partial and flat.items == [1, 2] and flat.maybe == [None, None] and flat.tail == frozenset({"/a/-"})
    each = ev("a[*].b", {"a": [{"b": 1}, {}]})
    assert each.items[0] == 1 and each.items[1].facts == frozenset({"/a/1/b"}) and each.tail == frozenset({"/a/-"})
    kept = ev("a[?b].c", {"a": [{"b": 1, "c": 2}, {"c": 3}]})
    assert kept.items == [2, 3] and kept.maybe == [None, frozenset({"/a/1/b"})] and kept.tail == frozenset({"/a/-"})


def test_incomplete_verdicts_count_unless_allowed_by_default():
    summary = Summary()
    summary.add(_result(Verdict("high", Status.incomplete)), SEVERITY_OF)
    assert summary.outcomes(Severity.high) == [Outcome.undecided] and summary.exit_code(Severity.high) == 1


def test_several_waivers_and_several_expiries_are_all_named():
    waivers = [_waiver(0, pointer="/a"), _waiver(1, pointer="/b", expires=dt.date(2027, 1, 1))]
    got = WaiverBook(waivers, TODAY).apply("d1", Verdict("r1", Status.fail, (_violation("/a"), _violation("/b"))))
    assert got.status is Status.waived and got.waiver == (
        "waived by Chief Privacy Officer until 2026-06-30: accepted risk (w.toml: waivers[0]); "
        "waived by Chief Privacy Officer until 2027-01-01: accepted risk (w.toml: waivers[1])")
    expired = [_waiver(0, pointer="/a", expires=dt.date(2025, 1, 1)), _waiver(1, pointer="/b", expires=dt.date(2025, 2, 1)),
               _waiver(2, pointer="/z", expires=dt.date(2025, 3, 1))]
    got = WaiverBook(expired, TODAY).apply("d1", Verdict("r1", Status.fail, (_violation("/a"), _violation("/b"))))
    assert got.waiver == ("waiver expired on 2025-01-01 (w.toml: waivers[0]) / 豁免已于该日到期; "
                          "waiver expired on 2025-02-01 (w.toml: waivers[1]) / 豁免已于该日到期")  # not /z: it covers neither


def test_a_waiver_expiring_today_is_live_not_expired():
    book = WaiverBook([_waiver(pointer="/a", expires=TODAY)], TODAY)
    got = book.apply("d1", Verdict("r1", Status.fail, (_violation("/a"), _violation("/b"))))
    assert [v.pointer for v in got.violations] == ["/b"] and got.waiver == ""


def test_load_waivers_messages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.toml").write_text("other = 1\n", "utf-8")
    with pytest.raises(FacepolicyError) as caught:
        load_waivers(tmp_path / "w.toml")
    assert caught.value.where == "w.toml: other" and caught.value.message.startswith("豁免文件无效 / invalid waivers file: ")
    (tmp_path / "w.toml").write_text(WAIVER_FILE.replace("2027-01-31", "2027-02-30"), "utf-8")
    with pytest.raises(FacepolicyError) as caught:
        load_waivers(tmp_path / "w.toml")
    assert caught.value.message == '豁免文件无效 / invalid waivers file: 不是有效日期 / not a valid date (YYYY-MM-DD): "2027-02-30"'


@pytest.mark.parametrize("schema, where", [
    ({"properties": {"a": {"pattern": "x"}}}, "scope.properties.a"),
    ({"anyOf": [True, {"pattern": "x"}]}, "scope.anyOf[1]"),
    ({"oneOf": [{"pattern": "x"}]}, "scope.oneOf[0]"),
    ({"contains": {"pattern": "x"}}, "scope.contains"),
    ({"items": {"pattern": "x"}}, "scope.items"),
    ({"not": {"pattern": "x"}}, "scope.not"),
    ({"if": {"pattern": "x"}}, "scope.if"),
    ({"if": True, "then": {"pattern": "x"}}, "scope.then"),
    ({"if": True, "else": {"pattern": "x"}}, "scope.else"),
    ({"$ref": "#/$defs/bad", "$defs": {"bad": {"pattern": "x"}}}, "scope.$ref → #/$defs/bad"),
])
def test_scope_errors_say_where_in_the_scope(schema, where):
    with pytest.raises(ScopeError) as caught:
        _compile(schema)
    assert str(caught.value) == (f'{where}: keyword "pattern" is not understood in a scope (understood: '
                                 + ", ".join(sorted(KEYWORDS)) + ")")


def test_contains_and_items_over_stated_members_with_unstated_facts():
    facts = read({"l": [{"k": 1}, {}]})
    found = _compile({"properties": {"l": {"contains": {"required": ["z"]}}}})(facts)
    assert set(found.facts) == {"/l/0/z", "/l/1/z", "/l/-"}
    every = _compile({"properties": {"l": {"items": {"required": ["k"]}}}})(facts)
    assert set(every.facts) == {"/l/1/k", "/l/-"}
    assert _compile({"properties": {"l": {"items": {"required": ["z"]}}}})(read({"l": [{"z": 1}], "complete": ["l"]})) is True
    assert set(_compile({"properties": {"l": {"contains": {"const": 1}}}})(read({"l": [2]})).facts) == {"/l/-"}
    assert _compile({"properties": {"l": {"contains": {"const": 1}}}})(read({"l": [2], "complete": ["l"]})) is False
