"""Tests written against the mutants `make mutation` found alive: each states a behaviour the other
tests left unchecked, in-process, so mutmut can tell which test covers which function."""

from __future__ import annotations

import datetime as dt
import itertools

import jsonschema
import pytest

from facepolicy.errors import FacepolicyError
from facepolicy.facts import Facts, Partial, Unknown, read, unstated
from facepolicy.model import (
    DeploymentResult,
    Outcome,
    Severity,
    Status,
    Summary,
    Text,
    Verdict,
    Violation,
    exit_code,
    tally,
)
from facepolicy.scopes import KEYWORDS, Compiler, ScopeError
from facepolicy.waivers import Waiver, WaiverBook, find_waivers, load_waivers, waiver_findings

# --- scopes: on fully stated values a compiled scope answers exactly what JSON Schema does
# -----------------

SCHEMAS = [
    {"required": ["a", "b"]},
    {"properties": {"a": {"const": 1}, "b": {"type": "string"}}},
    {"contains": {"const": 2}},
    {"items": {"type": "integer"}},
    {"const": {"a": [1, 2]}},
    {"enum": [1, "x", [1], None]},
    {"type": "object"},
    {"type": "array"},
    {"type": "string"},
    {"type": "boolean"},
    {"type": "null"},
    {"type": "integer"},
    {"type": "number"},
    {"type": ["string", "null"]},
    {"maximum": 3},
    {"minimum": 3},
    {"exclusiveMaximum": 3},
    {"exclusiveMinimum": 3},
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
    {
        "$ref": "#/$defs/node",
        "$defs": {
            "node": {"required": ["a"], "properties": {"a": {"$ref": "#/$defs/leaf"}}},
            "leaf": {"anyOf": [{"type": "integer"}, {"$ref": "#/$defs/node"}]},
        },
    },
    {"oneOf": [{"type": "integer"}, {"minimum": 2}, {"type": "number"}]},
    {"type": "integer", "minimum": 2},
    {"type": "array", "minItems": 2, "items": {"type": "integer"}},
    True,
    False,
    {},
]
VALUES = [
    {"a": {"a": 1}},
    {"a": {"a": "x"}},
    {"a": {"b": 1}},
    [1, 2.5],
    [1, 2],
    None,
    True,
    False,
    0,
    1,
    2,
    2.0,
    2.5,
    3,
    3.0,
    4,
    -1,
    "",
    "x",
    "yy",
    [],
    [1],
    [2],
    [1, 2],
    [2, 2, 3],
    ["x", 1],
    [1.5],
    {},
    {"a": 1},
    {"a": 1, "b": "s"},
    {"a": 2, "b": 1},
    {"b": 2},
    {"a": [1, 2]},
    {"a": [2, 1]},
    {"a": "1"},
]


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


# --- scopes on an open-world description: an unstated fact leaves the answer open, and names that
# fact ------

DOCUMENT = {"a": 1, "l": [1], "n": 5, "o": {"k": "v"}}
# (scope, the answer on DOCUMENT read with open lists: True, False, or the facts it waits for)
OPEN = [
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
    (
        {
            "if": {"properties": {"a": {"const": 2}}},
            "then": {"required": ["c"]},
            "else": {"required": ["d"]},
        },
        {"/d"},
    ),
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


# --- waivers, in-process
# ---------------------------------------------------------------------------------

TODAY = dt.date(2026, 1, 1)


def _violation(pointer):
    return Violation(pointer, Text("违反", "violated"), Text("修正", "fix"))


def _waiver(index=0, rule="r1", deployment="d1", pointer="", expires=dt.date(2026, 6, 30)):
    return Waiver(
        index,
        rule,
        deployment,
        pointer,
        "accepted risk",
        "Chief Privacy Officer",
        expires,
        "w.toml",
    )


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
    assert got.waiver == (
        "waived by Chief Privacy Officer until 2026-06-30: accepted risk (w.toml: waivers[0])"
    )
    assert book.unused() == []


def test_waiver_leaves_uncovered_violations_failing():
    book = WaiverBook([_waiver(pointer="/sites/1")], TODAY)
    verdict = Verdict("r1", Status.fail, (_violation("/sites/1"), _violation("/sites/2")))
    got = book.apply("d1", verdict)
    assert (
        got.status is Status.fail
        and [v.pointer for v in got.violations] == ["/sites/2"]
        and got.waiver == ""
    )


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
    assert (
        WaiverBook([_waiver(deployment="d9")], TODAY).unused() == []
    )  # d9 was not evaluated in this run


def test_expired_waiver_covers_nothing_and_says_so():
    book = WaiverBook([_waiver(expires=dt.date(2025, 12, 31))], TODAY)
    got = book.apply("d1", Verdict("r1", Status.fail, (_violation("/a"),)))
    assert got.status is Status.fail and len(got.violations) == 1
    assert got.waiver == "waiver expired on 2025-12-31 (w.toml: waivers[0]) / 豁免已于该日到期"
    assert book.unused() == []  # it matched a failure: reported as expired, not as unused
    assert (
        WaiverBook([_waiver(expires=TODAY)], TODAY)
        .apply("d1", Verdict("r1", Status.fail, (_violation("/a"),)))
        .status
        is Status.waived
    )  # expiring today still holds


def test_waived_failure_with_unstated_facts_stays_incomplete():
    book = WaiverBook([_waiver()], TODAY)
    got = book.apply("d1", Verdict("r1", Status.fail, (_violation("/a"),), missing=("/b",)))
    assert got.status is Status.incomplete and got.violations == () and got.missing == ("/b",)
    assert got.waiver.startswith("waived by Chief Privacy Officer")


def test_waiver_findings_name_unknown_rules_and_past_expiries():
    found = waiver_findings(
        [_waiver(rule="nope", expires=dt.date(2025, 1, 2)), _waiver(1, expires=TODAY)],
        {"r1"},
        TODAY,
    )
    assert found == [
        ("w.toml: waivers[0].rule", 'no rule "nope" in the rule set / 规则不存在'),
        (
            "w.toml: waivers[0].expires",
            "expired on 2025-01-02, it covers nothing any more / 豁免已到期",
        ),
    ]
    near = waiver_findings([_waiver(rule="demo.sign")], {"demo.signs", "other.rule"}, TODAY)
    assert near == [
        (
            "w.toml: waivers[0].rule",
            'no rule "demo.sign" in the rule set / 规则不存在'
            ' — 是否应为 / did you mean "demo.signs"?',
        )
    ]


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
        Waiver(
            0,
            "r1",
            "d1",
            "",
            "accepted until the cameras are replaced",
            "CPO",
            dt.date(2026, 3, 1),
            "w.toml",
        ),
        Waiver(
            1,
            "r2",
            "d2",
            "/sites/0",
            "pending the regulator's written answer",
            "DPO",
            dt.date(2027, 1, 31),
            "w.toml",
        ),
    ]
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
    assert (
        caught.value.where == "w.toml: waivers[1].expires" and f'"{date}"' in caught.value.message
    )


def test_load_waivers_names_the_place_of_a_schema_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.toml").write_text(WAIVER_FILE.replace('approver = "DPO"\n', ""), "utf-8")
    with pytest.raises(FacepolicyError) as caught:
        load_waivers(tmp_path / "w.toml")
    assert (
        caught.value.where == "w.toml: waivers[1].approver" and "approver" in caught.value.message
    )
    odd_pointer = WAIVER_FILE.replace('pointer = "/sites/0"', 'pointer = "a: b"')
    (tmp_path / "w.toml").write_text(odd_pointer, "utf-8")
    with pytest.raises(FacepolicyError) as caught:
        load_waivers(tmp_path / "w.toml")
    assert caught.value.where == "w.toml: waivers[1].pointer"
    assert caught.value.message.endswith('does not match ^(/.*)?$: "a: b"'), caught.value.message


# --- expressions: on stated values every operator gives jmespath's own answer
# ------------------------------

# No true/false nested in a list or an object: there jmespath compares with Python's ==, so [1] ==
# [true], while facepolicy keeps the spec's rule at every depth (a known, deliberate difference, not
# tested here).
OPERANDS = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    2,
    -3,
    "",
    "a",
    "b",
    [],
    [1],
    [1, 2],
    [2, 1],
    [[1], 2],
    {},
    {"x": 1},
    {"x": 1, "y": [1]},
    {"x": 2},
    {"x": 0},
]
EXPRESSIONS = [
    "a == b",
    "a != b",
    "a < b",
    "a <= b",
    "a > b",
    "a >= b",
    "a && b",
    "a || b",
    "!a",
    "a[0]",
    "a[-1]",
    "a[1:]",
    "a[*]",
    "a[]",
    "a.x",
    "a[*].x",
    "a[?x]",
    "a[?@ == b]",
    "b[?@ > `1`]",
    "[a, b][]",
]
ORDERINGS = {"a < b", "a <= b", "a > b", "a >= b"}
EXPRESSION_FUNCTIONS = [
    "length(a)",
    "contains([a, b], b)",
    "type(a)",
    "to_array(a)",
    "not_null(a, b)",
]


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
                # jmespath's Python implementation raises on ordering a number against a string (0 <
                # ''); the JMESPath spec, which facepolicy follows, makes that null.
                assert ours == ("value", None), (text, document, ours)
            else:
                assert ours == theirs and type(ours[1]) is type(theirs[1]), (
                    text,
                    document,
                    ours,
                    theirs,
                )
            checked += 1
    assert checked == len(EXPRESSIONS + EXPRESSION_FUNCTIONS) * len(OPERANDS) ** 2


# --- the result model: tallies and the summary that decides the exit code
# ----------------------------------

SEVERITY_OF = {
    "low": Severity.low,
    "high": Severity.high,
    "crit": Severity.critical,
    "med": Severity.medium,
}


def _result(*verdicts):
    return DeploymentResult("d.json", "d1", list(verdicts))


def test_tally_counts_statuses_and_keeps_the_worst_failure_and_the_worst_incomplete():
    result = _result(
        Verdict("low", Status.fail),
        Verdict("high", Status.fail),
        Verdict("med", Status.fail),
        Verdict("med", Status.incomplete),
        Verdict("crit", Status.incomplete),
        Verdict("low", Status.incomplete),
        Verdict("crit", Status.pass_),
        Verdict("crit", Status.waived),
    )
    counts, worst, worst_open = tally(result, SEVERITY_OF)
    assert counts == {"fail": 3, "incomplete": 3, "pass": 1, "waived": 1}
    assert worst is Severity.high and worst_open is Severity.critical
    assert tally(_result(Verdict("crit", Status.pass_)), SEVERITY_OF) == ({"pass": 1}, None, None)


def test_deployment_result_defaults():
    result = _result()
    assert (result.source, result.deployment_id, result.verdicts) == ("d.json", "d1", [])
    assert result.positions == {} and result.closed_world is False
    judged = _result(Verdict("a", Status.pass_), Verdict("b", Status.fail))
    assert (judged.status("b"), judged.status("a"), judged.status("c")) == (
        Status.fail,
        Status.pass_,
        None,
    )


def test_summary_adds_deployments_and_keeps_the_worst_across_them():
    summary = Summary()
    assert summary.as_dict() == {
        "deployments": 0,
        "problems": 0,
        "pass": 0,
        "fail": 0,
        "not_applicable": 0,
        "incomplete": 0,
        "waived": 0,
        "error": 0,
    }
    assert summary.worst_failure is None and summary.worst_incomplete is None
    summary.add(
        _result(Verdict("high", Status.fail), Verdict("med", Status.incomplete)), SEVERITY_OF
    )
    summary.add(
        _result(Verdict("low", Status.fail), Verdict("low", Status.incomplete)), SEVERITY_OF
    )
    # the worst so far is kept, not replaced by a lesser one
    assert summary.worst_failure is Severity.high and summary.worst_incomplete is Severity.medium
    summary.add_tally(
        ({"fail": 1, "error": 1}, Severity.medium, Severity.high)
    )  # counted by a worker
    assert summary.deployments == 3
    assert (
        summary.counts["fail"] == 3
        and summary.counts["incomplete"] == 2
        and summary.counts["error"] == 1
    )
    assert summary.worst_failure is Severity.high and summary.worst_incomplete is Severity.high
    summary.add(_result(Verdict("crit", Status.fail)), SEVERITY_OF)
    assert summary.worst_failure is Severity.critical


@pytest.mark.parametrize(
    "fail_on, allow, expected",
    [
        (Severity.high, False, [Outcome.violations, Outcome.undecided]),
        (Severity.high, True, [Outcome.violations]),
        (Severity.critical, False, []),
        (Severity.medium, False, [Outcome.violations, Outcome.undecided]),
    ],
)
def test_summary_outcomes_at_the_threshold(fail_on, allow, expected):
    summary = Summary()
    summary.add(
        _result(Verdict("high", Status.fail), Verdict("high", Status.incomplete)), SEVERITY_OF
    )
    assert summary.outcomes(fail_on, allow) == expected
    assert summary.exit_code(fail_on, allow) == (1 if expected else 0)


def test_summary_outcomes_name_problems_and_broken_rules_first():
    summary = Summary()
    summary.problems = 1
    summary.add(_result(Verdict("low", Status.error)), SEVERITY_OF)
    assert summary.outcomes(Severity.critical) == [Outcome.bad_input, Outcome.broken_rule]
    assert summary.exit_code(Severity.critical) == 2


def test_exit_code_takes_the_gravest_outcome_in_table_order():
    order = [
        Outcome.clean,
        Outcome.violations,
        Outcome.undecided,
        Outcome.unmet,
        Outcome.bad_input,
        Outcome.broken_rule,
        Outcome.bug,
        Outcome.interrupted,
        Outcome.closed_output,
    ]
    codes = [0, 1, 1, 1, 2, 2, 3, 130, 141]
    for i in range(len(order)):
        assert exit_code(order[: i + 1]) == codes[i]
        assert exit_code(list(reversed(order[: i + 1]))) == codes[i]
    assert Text("中", "en")("zh") == "中" and Text("中", "en")("en") == "en"


# --- evaluate: the trace `explain` prints, and the scope's answer remembered per deployment
# ----------------


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


SITES = [
    {
        "id": "a",
        "public": True,
        "signage": {"face_recognition_sign": False},
        "tags": ["x", {"k": 1}],
    },
    {"id": "b", "public": True},
]


def test_trace_shows_each_item_its_outcome_and_the_values_read():
    from conftest import deployment

    expect = "signage.face_recognition_sign && length(tags) > `0` && signage"
    verdict, trace = _traced(
        _rule({"required": ["sites"]}, expect), deployment(sites=SITES, complete=[])
    )
    assert verdict.status is Status.fail and [v.pointer for v in verdict.violations] == [
        "/sites/0/signage"
    ]
    assert verdict.missing == (
        "/sites/-",
        "/sites/1/signage",
        "/sites/1/signage/face_recognition_sign",
        "/sites/1/tags",
    )
    assert verdict.gating == 1
    assert trace == [
        {"step": "scope", "matched": True, "unknown": []},
        {
            "step": "assertions[0]",
            "at": "/sites/0",
            "expect": expect,
            "outcome": "violation",
            "values": {
                "signage": {"face_recognition_sign": False},
                "signage.face_recognition_sign": False,
                "tags": ["x", {"k": 1}, "…"],
            },
        },
        {
            "step": "assertions[0]",
            "at": "/sites/1",
            "expect": expect,
            "outcome": "open",
            "values": {
                "signage": "(unstated)",
                "signage.face_recognition_sign": "(unstated)",
                "tags": "(unstated)",
            },
        },
        {
            "step": "assertions[0]",
            "at": "(unlisted items)",
            "expect": expect,
            "outcome": "open",
            "values": {
                "signage": "(unknown)",
                "signage.face_recognition_sign": "(unknown)",
                "tags": "(unknown)",
            },
        },
    ]


def test_trace_of_a_scope_the_facts_cannot_settle_and_of_one_that_excludes():
    from conftest import deployment

    verdict, trace = _traced(_rule({"required": ["operator"]}), deployment(sites=SITES[:1]))
    assert (
        verdict.status is Status.incomplete
        and verdict.missing[0] == "/operator"
        and verdict.gating >= 1
    )
    assert trace[0] == {"step": "scope", "matched": None, "unknown": ["/operator"]}
    verdict, trace = _traced(
        _rule({"properties": {"id": {"const": "other"}}}), deployment(sites=SITES[:1])
    )
    assert verdict.status is Status.not_applicable and trace == [
        {"step": "scope", "matched": False, "unknown": []}
    ]


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
    assert (
        evaluate_rule(rule, facts, Functions(TODAY), scopes_seen=seen).status
        is Status.not_applicable
    )
    assert first.status is Status.fail


# --- functions: type errors name the type; set operations and contains over stated and partial
# lists -------


@pytest.mark.parametrize(
    "value, kind",
    [(1, "number"), (2.5, "number"), (True, "boolean"), (None, "null"), ({"a": 1}, "object")],
)
def test_function_type_errors_name_the_jmespath_type(value, kind):
    from facepolicy.functions import FunctionError, Functions

    with pytest.raises(FunctionError, match=rf"^contains\(\) expects an array, got {kind}$"):
        Functions(TODAY).call("contains", [value, 1])
    if kind != "object":
        with pytest.raises(
            FunctionError, match=r"^length\(\) expects a string, array or object, " rf"got {kind}$"
        ):
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
    assert (
        type(left) is Partial
        and left.items == ["a"]
        and left.maybe == [frozenset({"/m/-"})]
        and left.tail == frozenset({"/l/-"})
    )
    both = call("intersection", [doc["l"], doc["m"]])
    assert both.items == ["a", "b"] and both.maybe == [frozenset({"/m/-"}), None]
    assert call("join", [",", ["a", "b"]]) == "a,b"
    assert type(call("join", [",", doc["l"]])) is Unknown and call(
        "join", [",", doc["l"]]
    ).facts == frozenset({"/l/-"})
    assert call("length", [doc["o"]]).facts == frozenset({"/o/*"})
    length = call("length", [doc["l"]])
    assert type(length) is Range and (length.lo, length.hi) == (2, None)
    assert call("contains", [doc["l"], "a"]) is True
    assert call("contains", [doc["l"], "z"]).facts == frozenset({"/l/-"})
    assert call("contains", [["a", 1], "z"]) is False and call("contains", [[1, 2], 2]) is True
    assert (
        call("contains", [[1], True]) is True
    )  # jmespath's own answer: Python's `in`, where 1 == true
    assert call("contains", ["abc", "b"]) is True and call("contains", ["abc", 1]) is False


# --- facts: pointers escaped, open lists, a component read once per combination of its several
# values ------


def _plain_facts(value):
    return {k: (sorted(v.facts) if type(v) is Unknown else v) for k, v in value.items()}


def test_read_escapes_pointers_and_opens_lists_not_stated_complete():
    from facepolicy.facts import Partial

    facts = read({"a/b": {"c~d": [1, {"x": 1}]}})
    assert facts["a/b"].at == "/a~1b"
    inner = facts["a/b"]["c~d"]
    assert (
        type(inner) is Partial
        and inner.tail == frozenset({"/a~1b/c~0d/-"})
        and inner.items[1].at == "/a~1b/c~0d/1"
    )
    assert read({"l": [[1, {"a": 1}]]}, open_lists=False)["l"][0][1].at == "/l/0/1"
    assert repr(unstated("/x")) == "Unknown(['/x'], truth=None)"


def test_read_wraps_each_object_of_a_mixed_list_in_its_place_and_leaves_the_document_alone():
    # read copies a list and replaces its objects in place, skipping lists that hold none: a wrong
    # index, a skipped list or a list shared with the document would show here
    import copy

    document = {"l": [1, {"a": 1}, "x", [2, {"b": [3]}], {"c": 2}], "m": ["a", "b"], "n": []}
    before = copy.deepcopy(document)
    for open_lists in (True, False):
        facts = read(document, open_lists=open_lists)
        assert document == before and type(document["l"][1]) is dict
        items = facts["l"].items if open_lists else facts["l"]
        assert [type(x).__name__ for x in items] == ["int", "Facts", "str", "list", "Facts"]
        assert (items[0], items[2], items[1].at, items[4].at) == (1, "x", "/l/1", "/l/4")
        assert items[3][0] == 2 and items[3][1].at == "/l/3/1"
        assert type(items[3][1]["b"]) is (Partial if open_lists else list)
        m = facts["m"].items if open_lists else facts["m"]
        assert m == ["a", "b"] and m is not document["m"]
        assert (facts["n"].items if open_lists else facts["n"]) == []


def test_a_component_with_several_values_is_read_once_per_combination():
    facts = read(
        {
            "complete": ["components"],
            "components": [
                {
                    "name": "sdk",
                    "integration": ["sdk", "api"],
                    "runs_on": ["android"],
                    "complete": ["integration", "runs_on"],
                },
                {"name": "app", "integration": ["api"]},
                "text",
            ],
        }
    )
    readings = [(c.at, _plain_facts(c)) if isinstance(c, Facts) else c for c in facts["components"]]
    assert readings == [
        ("/components/0", {"name": "sdk", "integration": "sdk", "runs_on": "android"}),
        ("/components/0", {"name": "sdk", "integration": "api", "runs_on": "android"}),
        ("/components/1", {"name": "app", "integration": "api"}),
        (
            "/components/1",
            {"name": "app", "integration": ["/components/1/integration/-"]},
        ),  # a value not listed
        "text",
    ]
    open_list = read({"components": [{"name": "x", "runs_on": ["ios"], "complete": ["runs_on"]}]})[
        "components"
    ]
    assert open_list.tail == frozenset({"/components/-"}) and [
        dict(c) for c in open_list.items
    ] == [{"name": "x", "runs_on": "ios"}]


def test_evaluate_gives_one_verdict_per_rule_in_order_without_touching_its_input():
    import copy

    from conftest import deployment

    from facepolicy.evaluate import evaluate

    document = deployment(sites=SITES[:1])
    before = copy.deepcopy(document)
    rules = {"b": _rule({"required": ["nothing"]}), "a": _rule()}
    verdicts = evaluate(rules, document, today=TODAY)
    assert [(v.rule_id, v.status) for v in verdicts] == [
        ("demo.signs", Status.incomplete),
        ("demo.signs", Status.fail),
    ]
    assert verdicts[0].missing == ("/nothing",)
    assert document == before
    assert (
        evaluate(rules, {**document, "schema_version": 1, "nothing": 1}, today=TODAY)[0].status
        is Status.fail
    )


# --- expressions in three values: lists that may hold more, lengths known only as a range
# -----------------

U_L = {"/l/-"}
# (expression, document read with open lists, True/False/None or the facts it waits for)
THREE_VALUED = [
    ("l == `[1]`", {"l": [1]}, U_L),
    ("l == `[1, 2]`", {"l": [1]}, U_L),
    ("l == `[]`", {"l": [1]}, False),
    ("l == `[2]`", {"l": [1]}, U_L),
    ("l == m", {"l": [1], "m": [1]}, {"/l/-", "/m/-"}),
    ('l == `"x"`', {"l": [1]}, False),
    ('o == `{"k": 1}`', {"o": {"k": 1}}, True),
    ('o == `{"k": 2}`', {"o": {"k": 1}}, False),
    ("length(l) == `1`", {"l": [1]}, U_L),
    ("length(l) == `0`", {"l": [1]}, False),
    ("length(l) == `5`", {"l": [1]}, U_L),
    ("length(l) == length(m)", {"l": [1], "m": [1, 2, 3]}, {"/l/-", "/m/-"}),
    ('length(l) == `"x"`', {"l": [1]}, False),
    ("length(l) > `0`", {"l": [1]}, True),
    ("length(l) > `1`", {"l": [1]}, U_L),
    ("length(l) >= `1`", {"l": [1]}, True),
    ("length(l) < `1`", {"l": [1]}, False),
    ("length(l) <= `0`", {"l": [1]}, False),
    ("length(l) < `5`", {"l": [1]}, U_L),
    ("`0` < length(l)", {"l": [1]}, True),
    ("`1` >= length(l)", {"l": [1]}, U_L),
    ('length(l) > `"x"`', {"l": [1]}, None),
    ("length(l) != `0`", {"l": [1]}, True),
    ("x == `1`", {}, {"/x"}),
    ("x < `1`", {}, {"/x"}),
    ("a[0]", {"a": [1]}, 1),
    ("a[-1]", {"a": [1]}, {"/a/-"}),
    ("a[1]", {"a": [1]}, {"/a/-"}),
]


@pytest.mark.parametrize(
    "text, document, expected", THREE_VALUED, ids=lambda x: x if isinstance(x, str) else ""
)
def test_expressions_decide_only_what_every_completion_agrees_on(text, document, expected):
    from test_three_valued import ev

    result = ev(text, document)
    if isinstance(expected, set):
        assert type(result) is Unknown and set(result.facts) == expected, result
    else:
        assert result is expected or (
            type(expected) is int and result == expected and type(result) is int
        ), result


def test_projections_over_an_open_list_keep_what_they_know():
    from test_three_valued import ev

    from facepolicy.facts import Partial

    flat = ev("a[]", {"a": [[1], 2]})
    assert (
        type(flat) is Partial
        and flat.items == [1, 2]
        and flat.maybe == [None, None]
        and flat.tail == frozenset({"/a/-"})
    )
    each = ev("a[*].b", {"a": [{"b": 1}, {}]})
    assert (
        each.items[0] == 1
        and each.items[1].facts == frozenset({"/a/1/b"})
        and each.tail == frozenset({"/a/-"})
    )
    kept = ev("a[?b].c", {"a": [{"b": 1, "c": 2}, {"c": 3}]})
    assert (
        kept.items == [2, 3]
        and kept.maybe == [None, frozenset({"/a/1/b"})]
        and kept.tail == frozenset({"/a/-"})
    )


def test_incomplete_verdicts_count_unless_allowed_by_default():
    summary = Summary()
    summary.add(_result(Verdict("high", Status.incomplete)), SEVERITY_OF)
    assert (
        summary.outcomes(Severity.high) == [Outcome.undecided]
        and summary.exit_code(Severity.high) == 1
    )


def test_several_waivers_and_several_expiries_are_all_named():
    waivers = [_waiver(0, pointer="/a"), _waiver(1, pointer="/b", expires=dt.date(2027, 1, 1))]
    got = WaiverBook(waivers, TODAY).apply(
        "d1", Verdict("r1", Status.fail, (_violation("/a"), _violation("/b")))
    )
    assert got.status is Status.waived and got.waiver == (
        "waived by Chief Privacy Officer until 2026-06-30: accepted risk (w.toml: waivers[0]); "
        "waived by Chief Privacy Officer until 2027-01-01: accepted risk (w.toml: waivers[1])"
    )
    expired = [
        _waiver(0, pointer="/a", expires=dt.date(2025, 1, 1)),
        _waiver(1, pointer="/b", expires=dt.date(2025, 2, 1)),
        _waiver(2, pointer="/z", expires=dt.date(2025, 3, 1)),
    ]
    got = WaiverBook(expired, TODAY).apply(
        "d1", Verdict("r1", Status.fail, (_violation("/a"), _violation("/b")))
    )
    assert got.waiver == (
        "waiver expired on 2025-01-01 (w.toml: waivers[0]) / 豁免已于该日到期; "
        "waiver expired on 2025-02-01 (w.toml: waivers[1]) / 豁免已于该日到期"
    )  # not /z: it covers neither


def test_a_waiver_expiring_today_is_live_not_expired():
    book = WaiverBook([_waiver(pointer="/a", expires=TODAY)], TODAY)
    got = book.apply("d1", Verdict("r1", Status.fail, (_violation("/a"), _violation("/b"))))
    assert [v.pointer for v in got.violations] == ["/b"] and got.waiver == ""


def test_load_waivers_messages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "w.toml").write_text("other = 1\n", "utf-8")
    with pytest.raises(FacepolicyError) as caught:
        load_waivers(tmp_path / "w.toml")
    assert caught.value.where == "w.toml: other" and caught.value.message.startswith(
        "豁免文件无效 / invalid waivers file: "
    )
    (tmp_path / "w.toml").write_text(WAIVER_FILE.replace("2027-01-31", "2027-02-30"), "utf-8")
    with pytest.raises(FacepolicyError) as caught:
        load_waivers(tmp_path / "w.toml")
    assert caught.value.message == (
        "豁免文件无效 / invalid waivers file: 不是有效日期 / not a "
        'valid date (YYYY-MM-DD): "2027-02-30"'
    )


@pytest.mark.parametrize(
    "schema, where",
    [
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
    ],
)
def test_scope_errors_say_where_in_the_scope(schema, where):
    with pytest.raises(ScopeError) as caught:
        _compile(schema)
    assert str(caught.value) == (
        f'{where}: keyword "pattern" is not understood in a scope '
        "(understood: " + ", ".join(sorted(KEYWORDS)) + ")"
    )


def test_contains_and_items_over_stated_members_with_unstated_facts():
    facts = read({"l": [{"k": 1}, {}]})
    found = _compile({"properties": {"l": {"contains": {"required": ["z"]}}}})(facts)
    assert set(found.facts) == {"/l/0/z", "/l/1/z", "/l/-"}
    every = _compile({"properties": {"l": {"items": {"required": ["k"]}}}})(facts)
    assert set(every.facts) == {"/l/1/k", "/l/-"}
    assert (
        _compile({"properties": {"l": {"items": {"required": ["z"]}}}})(
            read({"l": [{"z": 1}], "complete": ["l"]})
        )
        is True
    )
    assert set(
        _compile({"properties": {"l": {"contains": {"const": 1}}}})(read({"l": [2]})).facts
    ) == {"/l/-"}
    assert (
        _compile({"properties": {"l": {"contains": {"const": 1}}}})(
            read({"l": [2], "complete": ["l"]})
        )
        is False
    )


# --- evaluate: what each assertion path gives, pinned whole ---------------------------------------

LATER = dt.date(2027, 6, 1)  # not Functions' default day, so a lost `today` shows


def _assertion_rule(scope=None, **assertion):
    from facepolicy.compiler import compile_rule

    data = {
        "id": "demo.rule",
        "severity": "high",
        "clauses": ["demo:1"],
        "title": {"zh": "题", "en": "Title"},
        "assertions": [assertion],
        "message": {"zh": "错 {id}", "en": "Wrong {id}"},
        "remediation": {"zh": "改 {id}", "en": "Fix {id}"},
    }
    if scope is not None:
        data["scope"] = scope
    return compile_rule(data, "demo.toml")


def _judge(rule, document, today=LATER):
    from facepolicy.evaluate import evaluate

    (verdict,) = evaluate({rule.id: rule}, document, today=today)
    return verdict


def test_every_expression_of_a_rule_sees_the_day_and_the_deployment():
    from conftest import deployment

    rule = _assertion_rule(
        for_each="sites",
        where="root().mode == 'offline' && today() == '2027-06-01'",
        expect="today() < '2027-01-01'",
        at="id",
        message={"zh": "{today()} {root().mode}", "en": "{id} on {today()} ({root().mode})"},
        remediation={"zh": "{today()}", "en": "fix {id} by {today()}"},
    )
    document = deployment(mode="offline", sites=[{"id": "gate"}])
    assert _judge(rule, document) == Verdict(
        "demo.rule",
        Status.fail,
        violations=(
            Violation(
                "/sites/0/id",
                Text("2027-06-01 offline", "gate on 2027-06-01 (offline)"),
                Text("2027-06-01", "fix gate by 2027-06-01"),
            ),
        ),
    )
    assert _judge(rule, document, today=dt.date(2026, 6, 1)) == Verdict(
        "demo.rule", Status.pass_
    )  # skipped


def test_an_assertion_that_no_item_can_break_needs_no_unlisted_item():
    from conftest import deployment

    rule = _assertion_rule(for_each="sites", expect="root().mode == 'offline'")
    open_sites = deployment(mode="offline", sites=[{"id": "a"}], complete=[])
    assert _judge(rule, open_sites) == Verdict("demo.rule", Status.pass_)
    assert _judge(rule, deployment(mode="online", sites=[{"id": "a"}], complete=[])) == Verdict(
        "demo.rule",
        Status.fail,
        violations=(Violation("/sites/0", Text("错 a", "Wrong a"), Text("改 a", "Fix a")),),
        missing=("/sites/-",),
        gating=1,
    )


def test_unknown_or_true_decides_an_item():
    from conftest import deployment

    rule = _assertion_rule(for_each="sites", expect="signage.face_recognition_sign || public")
    assert _judge(rule, deployment(sites=[{"id": "a", "public": True}])) == Verdict(
        "demo.rule", Status.pass_
    )


def test_a_violation_points_at_the_item_or_at_the_deployment_when_nothing_narrower_is_named():
    from conftest import deployment

    item = _assertion_rule(for_each="sites", expect="public")
    whole = _assertion_rule(expect="mode == 'online'")
    assert [
        v.pointer for v in _judge(item, deployment(sites=[{"id": "a", "public": False}])).violations
    ] == ["/sites/0"]
    assert _judge(whole, deployment(mode="offline")).violations == (
        Violation("/", Text("错 demo", "Wrong demo"), Text("改 demo", "Fix demo")),
    )


def test_an_expect_that_is_not_boolean_is_a_broken_rule_named_with_its_place():
    from conftest import deployment

    item = _assertion_rule(for_each="sites", expect="id")
    whole = _assertion_rule(expect="mode")
    assert _judge(item, deployment(sites=[{"id": "a"}])) == Verdict(
        "demo.rule",
        Status.error,
        error="assertions[0].expect gave 'a', not true or false at /sites/0",
    )
    assert _judge(whole, deployment(mode="offline")) == Verdict(
        "demo.rule",
        Status.error,
        error="assertions[0].expect gave 'offline', not true or false at /",
    )


def test_any_other_failure_of_a_rule_is_an_error_verdict_naming_the_exception():
    from conftest import deployment

    rule = _assertion_rule(scope={"required": ["mode"]}, expect="mode == 'offline'")

    def broken_scope(facts):
        raise ZeroDivisionError("division by zero")

    rule.__dict__["scope"] = broken_scope
    assert _judge(rule, deployment(mode="offline")) == Verdict(
        "demo.rule", Status.error, error="ZeroDivisionError: division by zero"
    )


def test_an_unknown_filter_is_named_first_and_counts_as_gating():
    from conftest import deployment

    rule = _assertion_rule(
        for_each="sites", where="public", expect="signage.face_recognition_sign", at="signage"
    )
    sites = [{"id": "a", "public": True, "signage": {"face_recognition_sign": True}}, {"id": "b"}]
    assert _judge(rule, deployment(sites=sites)) == Verdict(
        "demo.rule",
        Status.incomplete,
        missing=("/sites/1/public", "/sites/1/signage/face_recognition_sign"),
        gating=1,
    )


def test_verdicts_name_their_rule_whatever_the_status():
    from conftest import deployment

    scoped = _assertion_rule(
        scope={"required": ["mode"], "properties": {"mode": {"const": "online"}}}, expect="`true`"
    )
    assert _judge(scoped, deployment(mode="offline")) == Verdict("demo.rule", Status.not_applicable)
    assert _judge(scoped, deployment()) == Verdict(
        "demo.rule", Status.incomplete, missing=("/mode",), gating=1
    )
    assert _judge(scoped, deployment(mode="online")) == Verdict("demo.rule", Status.pass_)
    open_rule = _assertion_rule(expect="contains(alternatives, 'card')")
    assert _judge(open_rule, deployment(alternatives=["pin"], complete=[])) == Verdict(
        "demo.rule", Status.incomplete, missing=("/alternatives/-",)
    )


def test_one_scope_shared_by_two_rules_is_asked_once_per_deployment_and_the_trace_is_kept():
    from conftest import deployment

    from facepolicy.evaluate import evaluate

    first = _assertion_rule(scope={"required": ["mode"]}, expect="mode == 'offline'")
    second = _assertion_rule(scope={"required": ["mode"]}, expect="mode == 'online'").replace(
        id="demo.second"
    )
    asked = []
    compiled = first.scope

    def counted(facts):
        asked.append(1)
        return compiled(facts)

    first.__dict__["scope"] = second.__dict__["scope"] = counted
    trace: list = []
    verdicts = evaluate(
        {"a": first, "b": second}, deployment(mode="offline"), today=LATER, trace=trace
    )
    assert [v.status for v in verdicts] == [Status.pass_, Status.fail] and len(asked) == 1
    assert [step["step"] for step in trace] == ["scope", "assertions[0]", "scope", "assertions[0]"]
    assert [step.get("at") for step in trace] == [None, "/", None, "/"]


def test_the_trace_names_skipped_and_holding_items_and_shows_stated_lists_whole():
    from conftest import deployment

    rule = _assertion_rule(for_each="sites", where="public", expect="length(tags) > `0`")
    sites = [
        {"id": "a", "public": False},
        {"id": "b", "public": True, "tags": ["x", "y"], "complete": ["tags"]},
    ]
    verdict, trace = _traced(rule, deployment(sites=sites))
    assert verdict == Verdict("demo.rule", Status.pass_)
    assert [(step["at"], step["outcome"]) for step in trace] == [
        ("/sites/0", "skipped"),
        ("/sites/1", "holds"),
    ]
    assert trace[1]["values"] == {"tags": ["x", "y"]}


def _items(document, path, open_lists=True):
    from facepolicy.compiler import _steps
    from facepolicy.evaluate import iter_items

    shown = []
    for at, value in iter_items(
        read(document, open_lists=open_lists) if open_lists is not None else document, _steps(path)
    ):
        if type(value) is Unknown:
            value = ("unknown", sorted(value.facts))
        elif isinstance(value, Facts):
            value = dict(value)
        shown.append((at, value))
    return shown


def test_iter_items_walks_nested_lists_and_carries_unlisted_items_down():
    document = {"a": [{"b": None}, {"c": 1}, {"b": [{"c": [5]}]}]}
    assert _items(document, "a[*].b[*].c") == [
        (
            None,
            ("unknown", ["/a/1/b"]),
        ),  # a/0/b is stated null: nothing to check; a/1/b is unstated
        ("/a/2/b/0/c/0", 5),
        (None, ("unknown", ["/a/2/b/0/c/-"])),
        (None, ("unknown", ["/a/2/b/-"])),
        (None, ("unknown", ["/a/-"])),
    ]


def test_iter_items_escapes_names_skips_what_is_not_an_object_and_follows_plain_steps():
    assert _items({"a/b~c": [{"x": 1}]}, "a/b~c", open_lists=False) == [("/a~1b~0c/0", {"x": 1})]
    assert _items({"a/b~c": [1]}, "a/b~c") == [
        ("/a~1b~0c/0", 1),
        (None, ("unknown", ["/a~1b~0c/-"])),
    ]
    assert _items({}, "a/b~c") == [(None, ("unknown", ["/a~1b~0c"]))]
    assert _items({"l": [1, {"b": [2]}]}, "l[*].b", open_lists=False) == [("/l/1/b/0", 2)]
    assert _items({"p": {"s": [1]}}, "p.s", open_lists=False) == [("/p/s/0", 1)]
    assert _items({"x": None}, "x") == []
    assert _items({"x": {}}, "x.y") == [(None, ("unknown", ["/x/y"]))]
    assert (
        _items({"x": {}}, "x.y", open_lists=None) == []
    )  # plain data states what it has: nothing unknown


def test_iter_items_places_an_item_read_once_per_combination_by_its_own_pointer():
    component = {"name": "sdk", "integration": ["sdk", "api"], "complete": ["integration"]}
    readings = [
        ("/components/0", {"name": "sdk", "integration": "sdk"}),
        ("/components/0", {"name": "sdk", "integration": "api"}),
        ("/components/1", {"name": "app"}),
    ]
    closed = {"complete": ["components"], "components": [component, {"name": "app"}]}
    assert _items(closed, "components") == readings
    assert _items({"components": [component, {"name": "app"}]}, "components") == readings + [
        (None, ("unknown", ["/components/-"]))
    ]
    assert _items({"l": ["s", "t"]}, "l") == [
        ("/l/0", "s"),
        ("/l/1", "t"),
        (None, ("unknown", ["/l/-"])),
    ]


# --- functions: the day, the deployment, errors, set operations over unknown and partial lists ----


def test_functions_use_their_day_and_have_no_deployment_until_given_one():
    from facepolicy.functions import Functions

    assert Functions(LATER).call("today", []) == "2027-06-01"
    assert Functions(LATER).call("root", []) is None


def test_a_function_jmespath_refuses_is_a_function_error_with_jmespath_s_words():
    from facepolicy.functions import FunctionError, Functions

    with pytest.raises(
        FunctionError,
        match=r"^In function abs\(\), invalid type for value: x, expected one of: "
        r"\['number'\], received: \"string\"$",
    ):
        Functions(TODAY).call("abs", ["x"])
    with pytest.raises(
        FunctionError, match=r"^Expected 2 arguments for function contains\(\), received 1$"
    ):
        Functions(TODAY).call("contains", [["a"]])
    with pytest.raises(
        FunctionError, match=r"^Expected 1 argument for function length\(\), received 2$"
    ):
        Functions(TODAY).call("length", [["a"], ["b"]])


@pytest.mark.parametrize(
    "value, kind",
    [
        ([], "array"),
        ("s", "string"),
        ({}, "object"),
        (1, "number"),
        (None, "null"),
        (False, "boolean"),
    ],
)
def test_type_names_are_jmespath_s_and_a_length_range_is_a_number(value, kind):
    from facepolicy.facts import Range
    from facepolicy.functions import FunctionError, Functions, _type_name

    assert _type_name(value) == kind
    open_length = Functions(TODAY).call("length", [read({"l": [1]})["l"]])
    assert type(open_length) is Range
    with pytest.raises(
        FunctionError, match=r"^length\(\) expects a string, array or object, got number$"
    ):
        Functions(TODAY).call("length", [open_length])


def test_set_operations_name_themselves_in_their_type_errors_whichever_side_is_wrong():
    from facepolicy.functions import FunctionError, Functions

    call = Functions(TODAY).call
    for name in ("difference", "intersection"):
        with pytest.raises(FunctionError, match=rf"^{name}\(\) expects an array, got string$"):
            call(name, ["x", [1]])
        with pytest.raises(FunctionError, match=rf"^{name}\(\) expects an array, got number$"):
            call(name, [[1], 2])


def _shape(value):
    """A result as plain data (unknowns, partial lists and ranges spelled out), to compare whole."""
    from facepolicy.facts import Partial, Range

    if type(value) is Unknown:
        return ("unknown", sorted(value.facts), value.truth)
    if type(value) is Partial:
        return (
            "partial",
            [_shape(i) for i in value.items],
            [None if m is None else sorted(m) for m in value.maybe],
            None if value.tail is None else sorted(value.tail),
        )
    if type(value) is Range:
        return ("range", value.lo, value.hi, sorted(value.facts))
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(i) for i in value]
    return value


def test_set_operations_over_unknown_and_partial_lists():
    from facepolicy.facts import Partial
    from facepolicy.functions import Functions

    call = Functions(TODAY).call
    some, other = unstated("/some"), unstated("/other")
    open_left = Partial(["a"], [None], frozenset({"/l/-"}))
    for name in ("difference", "intersection"):
        assert _shape(call(name, [some, ["a"]])) == ("unknown", ["/some"], None)
        assert _shape(call(name, [some, other])) == ("unknown", ["/other", "/some"], None)
        assert call(name, [[], other]) == []  # nothing to keep or drop
        assert _shape(call(name, [["a"], other])) == ("partial", ["a"], [["/other"]], None)
        assert _shape(call(name, [open_left, other])) == ("partial", ["a"], [["/other"]], ["/l/-"])
        assert _shape(call(name, [Partial([], [], frozenset({"/l/-"})), other])) == (
            "partial",
            [],
            [],
            ["/l/-"],
        )


def test_contains_over_unknowns_open_lists_and_possible_members():
    from facepolicy.facts import Partial
    from facepolicy.functions import Functions

    call = Functions(TODAY).call
    assert _shape(call("contains", [unstated("/a"), unstated("/b")])) == (
        "unknown",
        ["/a", "/b"],
        None,
    )
    assert _shape(call("contains", ["text", unstated("/s")])) == ("unknown", ["/s"], None)
    assert _shape(call("contains", [["office", unstated("/s/1/a")], "toilet"])) == (
        "unknown",
        ["/s/1/a"],
        None,
    )
    assert call("contains", [["office", unstated("/s/1/a")], "office"]) is True
    assert _shape(call("contains", [Partial(["a"], [frozenset({"/m"})], None), "a"])) == (
        "unknown",
        ["/m"],
        None,
    )


def test_join_is_jmespath_s_on_stated_values_and_unknown_otherwise():
    from facepolicy.functions import FunctionError, Functions

    call = Functions(TODAY).call
    assert call("join", ["-", ["a", "b"]]) == "a-b"
    assert _shape(call("join", [unstated("/g"), ["a"]])) == ("unknown", ["/g"], None)
    assert _shape(call("join", ["-", read({"l": ["a"]})["l"]])) == ("unknown", ["/l/-"], None)
    with pytest.raises(FunctionError):
        call("join", ["-", [1]])


# --- facts: what a value depends on, lengths, components read per combination ---------------------


def test_facts_of_and_is_known_look_inside_lists_partial_lists_and_objects():
    from facepolicy.facts import Partial, facts_of, is_known

    assert facts_of(Partial([unstated("/a")], [None], None)) == frozenset({"/a"})
    assert facts_of([1, [unstated("/b")]]) == frozenset({"/b"})
    assert not is_known([1, unstated("/a")]) and not is_known({"k": unstated("/a")})
    assert is_known([1, {"k": [2]}])


def test_the_length_of_a_partial_list_is_a_number_when_certain_else_a_range():
    from facepolicy.facts import Partial, length

    assert length(Partial(["a"], [None], None)) == 1
    assert _shape(length(Partial(["a", "b"], [None, frozenset({"/m"})], None))) == (
        "range",
        1,
        2,
        ["/m"],
    )
    assert _shape(length(Partial(["a"], [None], frozenset({"/l/-"})))) == (
        "range",
        1,
        None,
        ["/l/-"],
    )


def test_components_that_are_not_objects_are_kept_as_they_are_beside_those_read_per_combination():
    several = {"name": "x", "integration": ["sdk", "api"], "complete": ["integration"]}
    closed = read({"complete": ["components"], "components": [5, several]})["components"]
    assert _shape(closed) == [
        5,
        {"name": "x", "integration": "sdk"},
        {"name": "x", "integration": "api"},
    ]
    opened = read({"components": [several]})["components"]
    assert _shape(opened) == (
        "partial",
        [{"name": "x", "integration": "sdk"}, {"name": "x", "integration": "api"}],
        [None, None],
        ["/components/-"],
    )
    assert (
        read([1, {"a": 1}]) == [1, {"a": 1}] and read("text") == "text"
    )  # not an object: no components


# --- expressions: every construct over unknowns, partial lists and ranges, with functions inside --


def _ev(text, document, value=None):
    from facepolicy.expressions import parse
    from facepolicy.functions import Functions

    functions = Functions(LATER)
    functions.document = facts = read(document) if value is None else value
    return _shape(parse(text).search(facts, functions))


CLOSED_L = {"l": [{}], "complete": ["l"]}
CONSTRUCTS = [  # (expression, document, the whole result); `today()` is 2027-06-01
    ("today() != 'x'", {}, True),
    ("'x' != today()", {}, True),
    ("!contains(l, today())", {"l": ["a"], "complete": ["l"]}, True),
    ("a || today()", {"a": False}, "2027-06-01"),
    ("today() || a", {}, "2027-06-01"),
    ("[today()]", {}, ["2027-06-01"]),
    ("{d: today()}", {}, {"d": "2027-06-01"}),
    ("[today()][]", {}, ["2027-06-01"]),
    ("[today()][*]", {}, ["2027-06-01"]),
    ("l[*].contains(@, today())", {"l": [["x"]], "complete": ["l"]}, [False]),
    ("`1` < x", {}, ("unknown", ["/x"], None)),
    ("length(l) <= `1`", {"l": [1]}, ("unknown", ["/l/-"], None)),
    ('"a/b"."c~d"', {"a/b": {}}, ("unknown", ["/a~1b/c~0d"], None)),
    ('a."c/d"', {"a": {}}, ("unknown", ["/a/c~1d"], None)),
    ("l[]", {}, ("unknown", ["/l"], None)),
    ("l[0]", {}, ("unknown", ["/l"], None)),
    ("l[0:1]", {}, ("unknown", ["/l"], None)),
    ("l[0:1]", {"l": [1]}, ("unknown", ["/l/-"], None)),
    ("l[*].a", {}, ("unknown", ["/l"], None)),
    ("[a] == [`1`]", {}, ("unknown", ["/a"], None)),
    ("`[1]` == l", {"l": [1]}, ("unknown", ["/l/-"], None)),
    ("`[1, 2]` == l", {"l": [1]}, ("unknown", ["/l/-"], None)),
    ('o == `{"a": 1, "b": 2}`', {"o": {}}, ("unknown", ["/o/a", "/o/b"], None)),
    ('o == `{"k": [1]}`', {"o": {"k": [1]}}, ("unknown", ["/o/k/-"], None)),
    ("a || b", {"b": True}, ("unknown", ["/a"], True)),
    ("a || b", {}, ("unknown", ["/a", "/b"], None)),
    (
        "l[*].a",
        CLOSED_L,
        [("unknown", ["/l/0/a"], None)],
    ),  # an unstated member: a member all the same
    (
        "l[*].contains(`[1]`, a)",
        CLOSED_L,
        ("partial", [("unknown", ["/l/0/a"], None)], [["/l/0/a"]], None),
    ),
    ("l[*].[a || `true`][0]", CLOSED_L, [("unknown", ["/l/0/a"], True)]),
    ("a.{x: b}", {"a": None}, None),
    ("a.[b]", {"a": None}, None),
]


@pytest.mark.parametrize("text, document, expected", CONSTRUCTS, ids=[c[0] for c in CONSTRUCTS])
def test_each_construct_gives_its_whole_three_valued_result(text, document, expected):
    assert _ev(text, document) == expected


def test_flatten_index_and_filter_keep_what_decides_each_possible_member():
    from facepolicy.facts import Partial

    maybe_o, maybe_m = frozenset({"/o"}), frozenset({"/m"})
    nested = Partial(
        [Partial([1, 2], [None, maybe_m], frozenset({"/i/-"}))], [maybe_o], frozenset({"/l/-"})
    )
    assert _ev("@[]", None, nested) == ("partial", [1, 2], [["/o"], ["/m", "/o"]], ["/i/-", "/l/-"])
    assert _ev("@[]", None, Partial(["s"], [maybe_o], None)) == ("partial", ["s"], [["/o"]], None)
    three = Partial(["a", "b", "c"], [None, maybe_m, None], None)
    assert _ev("@[0]", None, three) == "a" and _ev("@[2]", None, three) == ("unknown", ["/m"], None)
    filtered = _ev("@[?a]", None, Partial([{"a": unstated("/x/a")}], [maybe_o], None))
    assert filtered == ("partial", [{"a": ("unknown", ["/x/a"], None)}], [["/o", "/x/a"]], None)
    computed = _ev(
        "@[*].contains(`[1]`, a)", None, Partial([{"a": unstated("/x/a")}], [maybe_o], None)
    )
    assert computed == ("partial", [("unknown", ["/x/a"], None)], [["/o", "/x/a"]], None)


def test_ranges_equal_what_they_may_be_and_nothing_else():
    from facepolicy.facts import Range

    def r(lo, hi, fact):
        return Range(lo, hi, frozenset({fact}))

    assert _ev("a == b", None, {"a": r(1, 2, "/x"), "b": r(3, 4, "/y")}) is False
    assert _ev("a == b", None, {"a": r(1, 2, "/x"), "b": r(2, 3, "/y")}) == (
        "unknown",
        ["/x", "/y"],
        None,
    )
    assert _ev("a == b", None, {"a": r(2, 3, "/x"), "b": r(1, 2, "/y")}) == (
        "unknown",
        ["/x", "/y"],
        None,
    )
    assert _ev("`2` == r", None, {"r": r(1, 3, "/x")}) == ("unknown", ["/x"], None)
    assert _ev("r == `3`", None, {"r": r(1, 3, "/x")}) == ("unknown", ["/x"], None)
    assert _ev("r == `4`", None, {"r": r(1, 3, "/x")}) is False


def test_truth_of_partial_lists_and_objects_stated_in_part():
    from facepolicy.expressions import truth
    from facepolicy.facts import Partial

    assert truth(Partial([1], [None], frozenset({"/l/-"}))) is True  # one certain member: not empty
    assert truth(Partial([1], [frozenset({"/m"})], None)) is None
    assert truth(Partial([], [], frozenset({"/l/-"}))) is None
    assert truth(read({"o": {"k": 1}})["o"]) is True and truth(read({"o": {}})["o"]) is None


def test_an_expression_keeps_its_text_and_compiles_again_after_pickling():
    import pickle

    from facepolicy.expressions import parse

    expression = parse("length(l) > `0`")
    assert expression.expression == "length(l) > `0`"
    expression.search({"l": [1]})
    again = pickle.loads(pickle.dumps(expression))
    assert again.expression == "length(l) > `0`" and again.parsed == expression.parsed
    assert again.search({"l": [1]}) is True and again.search({"l": []}) is False


@pytest.mark.parametrize("text, kind", [("*.a", "value projection"), ("sort_by(l, &a)", "expref")])
def test_constructs_without_a_three_valued_reading_are_refused_by_name(text, kind):
    from facepolicy.expressions import Unsupported, parse

    with pytest.raises(Unsupported) as refused:
        parse(text).search({})
    assert str(refused.value) == (
        f"{kind} ('*' over an object's values, or '&' expression references) "
        "cannot be evaluated in three-valued logic"
    )


# --- scopes: placeless unknowns, possible members, conditionals that cannot be settled ------------


def test_scope_keywords_on_a_value_unknown_and_without_a_place_name_its_facts():
    somewhere = Unknown(frozenset({"/x"}))  # computed, not read: it has no pointer of its own
    for schema in (
        {"required": ["a"]},
        {"properties": {"a": {"const": 1}}},
        {"items": {"type": "null"}},
        {"contains": {"const": 1}},
        {"type": "object"},
        {"minItems": 1},
    ):
        assert _shape(_compile(schema)(somewhere)) == ("unknown", ["/x"], None), schema


def test_scope_contains_items_and_min_items_over_possible_members_and_open_tails():
    from facepolicy.facts import Partial

    maybe_a = Partial(["a"], [frozenset({"/m"})], None)
    maybe_b = Partial(["b"], [frozenset({"/m"})], None)
    open_empty = Partial([], [], frozenset({"/l/-"}))
    assert _shape(_compile({"contains": {"const": "a"}})(maybe_a)) == ("unknown", ["/m"], None)
    assert _shape(_compile({"items": {"const": "a"}})(maybe_b)) == ("unknown", ["/m"], None)
    assert _shape(_compile({"contains": True})(open_empty)) == ("unknown", ["/l/-"], None)
    assert _compile({"contains": False})(open_empty) is False
    assert _compile({"items": True})(open_empty) is True
    assert _shape(_compile({"items": False})(open_empty)) == ("unknown", ["/l/-"], None)
    two_maybe_three = Partial(["a", "b"], [None, frozenset({"/m"})], None)
    assert _shape(_compile({"minItems": 2})(two_maybe_three)) == ("unknown", ["/m"], None)
    assert (
        _compile({"minItems": 3})(two_maybe_three) is False
        and _compile({"minItems": 1})(two_maybe_three) is True
    )


def test_one_of_with_two_matches_fails_even_when_a_third_is_open():
    assert _compile({"oneOf": [{}, {"type": "object"}, {"required": ["k"]}]})(_facts("/o")) is False


def test_an_unsettled_if_names_its_own_facts_and_those_of_each_open_branch():
    both_open = _compile(
        {"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}}
    )
    assert _shape(both_open(_facts("/o"))) == ("unknown", ["/o/a", "/o/b", "/o/c"], None)
    then_false = _compile({"if": {"required": ["a"]}, "then": False, "else": {"required": ["c"]}})
    assert _shape(then_false(_facts("/o"))) == ("unknown", ["/o/a", "/o/c"], None)
    both_false = _compile({"if": {"required": ["a"]}, "then": False, "else": False})
    assert both_false(_facts("/o")) is False


def test_duration_functions_over_a_duration_stated_in_part_name_every_fact_they_wait_for():
    from facepolicy.functions import Functions

    stated = read({"r": {"value": 3}, "s": {"unit": "days"}})
    call = Functions(TODAY).call
    assert _shape(call("date_add", [unstated("/d"), stated["r"]])) == (
        "unknown",
        ["/d", "/r/unit"],
        None,
    )
    assert _shape(call("max_days", [stated["s"]])) == ("range", 0, None, ["/s/value"])


def test_a_misspelt_scope_keyword_is_refused_with_the_nearest_one():
    with pytest.raises(
        ScopeError,
        match=r'keyword "requried" is not understood in a scope — 是否应为 / did you mean '
        r'"required"\? \(understood: ',
    ):
        Compiler(lambda t: {}).compile({"requried": ["a"]})
