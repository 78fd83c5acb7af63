"""What compiled rules call (see codegen.py): the three-valued helpers for the cases their inlined
fast paths leave, and the loop that turns a compiled rule into a verdict.

Every helper here gives the answer of its counterpart in the reference implementation
(expressions.py, scopes.py, functions.py, evaluate.py) and reuses its helpers where it can;
tests/test_compiled.py holds the two to identical verdicts. Nothing here imports jmespath or
jsonschema: a function the compiled code does not know goes to `Functions.call`, which loads
jmespath only for it.
"""

from __future__ import annotations

import marshal

from facepolicy.expressions import (
    _greater,
    _is_comparable,
    _negate,
    equal,
    flatten,
    index,
    slice_of,
    truth,
    undecided,
)
from facepolicy.facts import (
    NOTHING,
    Facts,
    Partial,
    Range,
    Unknown,
    _escape,
    facts_of,
    items_at,
    listed_items,
    partial,
    unstated,
)
from facepolicy.functions import FunctionError, Functions, contains_string
from facepolicy.model import Status, Text, Verdict, Violation
from facepolicy.records import TYPE_CHECKING
from facepolicy.scopes import contains as s_contains
from facepolicy.scopes import items as s_items
from facepolicy.scopes import kleene_and, kleene_or
from facepolicy.scopes import min_items as s_min_items
from facepolicy.scopes import one_of as s_one_of
from facepolicy.scopes import properties as s_properties
from facepolicy.scopes import required as s_required

if TYPE_CHECKING:
    from typing import Any, Callable, NamedTuple
else:
    from facepolicy.records import NamedTuple


# What generated rule code uses from here: imported by the readable module (codegen.HEADER), and
# the namespace a program's rule modules start with (program.py)
GENERATED_CODE_NAMES = (
    "MISSING",
    "CompiledAssertion",
    "Facts",
    "Step",
    "Text",
    "Unknown",
    "always",
    "and_open",
    "contains",
    "equal",
    "flatten",
    "identity",
    "index",
    "join",
    "kleene_and",
    "kleene_or",
    "length",
    "negate",
    "never",
    "not_open",
    "or_open",
    "order",
    "project",
    "s_bound",
    "s_contains",
    "s_enum",
    "s_if",
    "s_items",
    "s_min_items",
    "s_not",
    "s_one_of",
    "s_properties",
    "s_required",
    "s_type",
    "show",
    "slice_of",
    "today",
    "truth",
    "unstated",
    "version_compare",
    "field",
    "compiled_rule",
)

__all__ = [
    "s_contains",
    "s_items",
    "s_min_items",
    "s_one_of",
    "s_properties",
    "s_required",
    "index",
    "slice_of",
    "Facts",
    "Partial",
    "Range",
    "Unknown",
    "NOTHING",
    "Text",
    "equal",
    "truth",
    "undecided",
    "unstated",
    "facts_of",
    "negate",
    "Functions",
    "flatten",
    "kleene_and",
    "kleene_or",
]

negate = _negate
MISSING = object()  # a member an object does not hold (distinct from a stated null)


class RuleError(Exception):
    """A rule that cannot decide: the same error, and the same words, as evaluate.RuleError."""


def field(value: Any, key: str, member: str) -> Any:
    """`key` of any value (the compiled code reads a stated object's members itself)."""
    kind = type(value)
    if kind is Facts:
        try:
            return value[key]
        except KeyError:
            return unstated(value.at + member)
    if kind is dict:
        return value.get(key)
    if kind is Unknown:
        return unstated(value.at + member) if value.at is not None else Unknown(value.facts)
    return None


def order(op: str, a: Any, b: Any) -> Any:
    """<, >, <= or >= in three values (expressions._comparator)."""
    if type(a) is Unknown or type(b) is Unknown:
        return undecided(a, b)
    if type(a) is Range or type(b) is Range:
        if op == "gt":
            return _greater(a, b, True)
        if op == "gte":
            return _greater(a, b, False)
        if op == "lt":
            return _greater(b, a, True)
        return _greater(b, a, False)
    if not (_is_comparable(a) and _is_comparable(b)) or (type(a) is str) != (type(b) is str):
        return None
    if op == "lt":
        return a < b
    if op == "gt":
        return a > b
    if op == "lte":
        return a <= b
    return a >= b


def not_open(value: Any) -> Any:
    """`!value` where its truth is not settled."""
    return Unknown(facts_of(value))


def or_open(first: Any, second: Any) -> Any:
    """`first || second` where `first`'s truth is not settled."""
    if truth(second) is True:
        return Unknown(facts_of(first), truth=True)
    return Unknown(facts_of(first) | facts_of(second))


def and_open(first: Any, second: Any) -> Any:
    """`first && second` where `first`'s truth is not settled."""
    if truth(second) is False:
        return Unknown(facts_of(first), truth=False)
    return Unknown(facts_of(first) | facts_of(second))


def _union(a: frozenset[str] | None, b: frozenset[str]) -> frozenset[str]:
    return b if a is None else a | b


def project(
    items: Any,
    each: Callable[[Any, Any], Any],
    condition: Callable[[Any, Any], Any] | None,
    functions: Any,
) -> Any:
    """A (filter) projection over `items` (expressions._projection)."""
    kind = type(items)
    if kind is list:
        if condition is None and each is identity and None not in items:
            # `list[]`: every item kept as it is, unless an unknown (that might be null)
            if not any(type(item) is Unknown for item in items):
                return list(items)
        entries: Any = zip(items, [None] * len(items), strict=True)
        tail = None
    elif kind is Partial:
        entries, tail = zip(items.items, items.maybe, strict=True), items.tail
    elif kind is Unknown:
        return Unknown(items.facts)
    else:
        return None
    collected, maybe = [], []
    for item, membership in entries:
        if condition is not None:
            held = condition(item, functions)
            passes = held if type(held) is bool else truth(held)
            if passes is False:
                continue
            if passes is None:
                membership = _union(membership, facts_of(held))
        result = each(item, functions)
        if result is None:
            continue
        if type(result) is Unknown and result.truth is None and result.at is None:
            membership = _union(membership, result.facts)
        collected.append(result)
        maybe.append(membership)
    if (
        tail is not None
        and condition is not None
        and truth(condition(Unknown(tail), functions)) is False
    ):
        tail = None
    return partial(collected, maybe, tail)


def identity(value: Any, functions: Any) -> Any:
    return value


# Functions: the common case (stated arguments of the right types) answered here; everything else,
# unknowns and type errors included, by Functions.call, which words errors as jmespath does.

_PLAIN = (str, int, float)


def _version_key(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in str(text).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def version_compare(functions: Any, left: Any, right: Any) -> Any:
    if type(left) in _PLAIN and type(right) in _PLAIN:
        a, b = _version_key(left), _version_key(right)
        return (a > b) - (a < b)
    return functions.call("version_compare", [left, right])


def today(functions: Any) -> Any:
    return functions.today.isoformat()


def join(functions: Any, glue: Any, items: Any) -> Any:
    if type(glue) is str and type(items) is list and all(type(item) is str for item in items):
        return glue.join(items)
    return functions.call("join", [glue, items])


def contains(functions: Any, subject: Any, search: Any) -> Any:
    if type(search) is str:
        found = contains_string(subject, search)
        if found is not None:
            return found
    return functions.contains(subject, search)


def length(functions: Any, subject: Any) -> Any:
    kind = type(subject)
    if kind is list or kind is str:
        return len(subject)
    return functions.length(subject)


# Scopes (scopes.Compiler): each keyword's test over values, given the compiled tests of its
# sub-schemas.


def s_enum(value: Any, options: tuple[Any, ...]) -> Any:
    if type(value) is str and all(type(option) is str for option in options):
        return value in options
    return kleene_or([equal(value, option) for option in options])


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, (list, Partial)),
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
    "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
    "number": lambda v: type(v) in (int, float),
}


def s_type(value: Any, kinds: tuple[str, ...]) -> Any:
    if type(value) is Unknown:
        return Unknown(value.facts)
    return any(_TYPES[k](value) for k in kinds)


def s_bound(value: Any, key: str, arg: Any) -> Any:
    if type(value) is Unknown:
        return Unknown(value.facts)
    if type(value) not in (int, float):
        return True
    if key == "maximum":
        return value <= arg
    if key == "minimum":
        return value >= arg
    if key == "exclusiveMaximum":
        return value < arg
    return value > arg


def s_not(result: Any) -> Any:
    return (not result) if type(result) is bool else Unknown(result.facts)


def s_if(
    value: Any,
    condition: Callable[[Any], Any],
    then: Callable[[Any], Any],
    otherwise: Callable[[Any], Any],
) -> Any:
    held = condition(value)
    if held is True:
        return then(value)
    if held is False:
        return otherwise(value)
    a, b = then(value), otherwise(value)
    if a is True and b is True:
        return True
    if a is False and b is False:
        return False
    return undecided(held, a if a is not True else None, b if b is not True else None)


def always(value: Any) -> Any:
    return True


def never(value: Any) -> Any:
    return False


# Messages (compiler.Template.render and compiler._show).


def show(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return "—"
    if isinstance(value, (Unknown, Range)):
        return "?"
    if isinstance(value, Partial):
        shown = [show(item) for item, maybe in value.entries() if maybe is None]
        return ", ".join(shown + ["…"]) if shown else "…"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(show(v) for v in value) if value else "—"
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# Rules: the loop of evaluate.evaluate_rule over compiled parts.


class Step(NamedTuple):
    name: str
    each: bool


class CompiledAssertion(NamedTuple):
    number: int
    for_each: tuple[Step, ...]
    where: Callable[[Any, Any], Any] | None
    expect: Callable[[Any, Any], Any]
    at: str
    message: Callable[[Any, Any], Text] | None
    remediation: Callable[[Any, Any], Text] | None
    # the list and filter as text: rules that walk the same list with the same filter share its
    # answers for one deployment (judge_rule)
    shared: str | None = None


class CompiledRule(NamedTuple):
    id: str
    scope: Callable[[Any], Any] | None
    assertions: tuple[CompiledAssertion, ...]
    message: Callable[[Any, Any], Text]
    remediation: Callable[[Any, Any], Text]
    not_applicable: Verdict  # the verdicts that say nothing more than their status, made once
    passed: Verdict


def compiled_rule(
    rule_id: str,
    scope: Callable[[Any], Any] | None,
    assertions: tuple[CompiledAssertion, ...],
    message: Callable[[Any, Any], Text],
    remediation: Callable[[Any, Any], Text],
) -> CompiledRule:
    return CompiledRule(
        rule_id,
        scope,
        assertions,
        message,
        remediation,
        Verdict(rule_id, Status.not_applicable),
        Verdict(rule_id, Status.pass_),
    )


class LazyRule:
    """A compiled rule whose scope test is ready and whose rest (assertions, messages) is
    unmarshalled and run only when first asked for, that is when a deployment is in its scope: a
    one-file run that finds a third of the rules out of scope loads a third less code. Once loaded,
    its fields are plain slots, as fast to read as a CompiledRule's."""

    __slots__ = (
        "id",
        "scope",
        "not_applicable",
        "assertions",
        "message",
        "remediation",
        "passed",
        "_body",
        "_namespace",
    )

    def __init__(self, rule_id: str, scope: Any, body: bytes, namespace: dict[str, Any]) -> None:
        self.id = rule_id
        self.scope = scope
        self.not_applicable = Verdict(rule_id, Status.not_applicable)
        self._body = body
        self._namespace = namespace

    def __getattr__(self, name: str) -> Any:  # called only for a slot not set yet
        if name not in ("assertions", "message", "remediation", "passed") or not self._body:
            raise AttributeError(name)
        exec(marshal.loads(self._body), self._namespace)  # noqa: S102 — our own generated code
        loaded = self._namespace["RULES"][self.id]
        self.assertions = loaded.assertions
        self.message = loaded.message
        self.remediation = loaded.remediation
        self.passed = loaded.passed
        self._body = b""
        return getattr(self, name)


def iter_items(document: Any, steps: tuple[Step, ...]) -> list[tuple[str | None, Any]]:
    """evaluate.iter_items: (pointer, item) for each stated item, then (None, Unknown) for unlisted
    ones."""
    if len(steps) == 1 and type(document) is Facts:  # the common case: one list of the deployment
        name = steps[0].name
        value = document.get(name, MISSING)
        here = "/" + (_escape(name) if "~" in name or "/" in name else name)
        if value is MISSING:
            return [(None, Unknown(frozenset((here,))))]
        return listed_items(here, value)
    return items_at(document, steps)


def _filtered(subjects: list[Any], where_of: Any, functions: Any) -> list[Any]:
    """The filter's answer for each item, or an empty list where it fails on one: judge_rule then
    asks it item by item, so that the error is the one the rule's own order meets first."""
    try:
        return [where_of(subject, functions) for _, subject in subjects]
    except Exception:  # noqa: BLE001 — raised again, in its place, by judge_rule
        return []


def judge_rule(  # noqa: C901 — inlined for speed: measured 5 % slower split (median)
    rule: CompiledRule | LazyRule, facts: Any, functions: Any, seen: dict[Any, Any]
) -> Verdict:
    """evaluate.evaluate_rule, without the trace, over a compiled rule. `seen` keeps, for one
    deployment, each scope's answer and each list's items, which many rules share."""
    if functions.document is not facts:
        functions.document = facts
        functions.memo = {}
    in_scope: Any = True
    try:
        scope = rule.scope
        if scope is not None:
            in_scope = seen.get(scope)
            if in_scope is None:
                in_scope = seen[scope] = scope(facts)
            if in_scope is False:
                return rule.not_applicable
        violations: list[Violation] = []
        missing: set[str] = set()
        gates: set[str] = set()
        for assertion in rule.assertions:
            steps = assertion.for_each
            where_of, expect_of = assertion.where, assertion.expect
            wheres: Any = ()
            if steps:
                subjects = seen.get(steps)
                if subjects is None:
                    subjects = seen[steps] = iter_items(facts, steps)
                shared = assertion.shared
                if shared is not None:
                    wheres = seen.get(shared)
                    if wheres is None:
                        wheres = seen[shared] = _filtered(subjects, where_of, functions)
            else:
                subjects = (("", facts),)
            for number, (base, subject) in enumerate(subjects):
                where: Any = True
                held: Any
                if where_of is not None:
                    where = wheres[number] if wheres else where_of(subject, functions)
                    if type(where) is not bool:
                        held = truth(where)
                        where = held if held is not None else Unknown(facts_of(where))
                    if where is False:
                        continue
                expect = expect_of(subject, functions)
                if type(expect) is bool:
                    held = expect
                elif base is not None:
                    if type(expect) is Unknown:
                        held = expect if expect.truth is None else expect.truth
                    else:
                        raise RuleError(
                            f"assertions[{assertion.number}].expect gave {expect!r}, not true or "
                            f"false at {base or '/'}"
                        )
                else:
                    held = truth(expect)
                    if held is None:
                        held = Unknown(facts_of(expect))
                if held is True:
                    continue
                if held is False and where is True and base is not None:
                    message = assertion.message or rule.message
                    remediation = assertion.remediation or rule.remediation
                    at = f"{base}/{assertion.at}" if assertion.at else base
                    violation = Violation(
                        at or "/", message(subject, functions), remediation(subject, functions)
                    )
                    if violation not in violations:
                        violations.append(violation)
                    continue
                if base is None:
                    missing.update(subject.facts)
                    gates.update(subject.facts)
                if where is not True:
                    missing.update(where.facts)
                    gates.update(where.facts)
                if held is not False:
                    missing.update(held.facts)
    except (RuleError, FunctionError) as exc:
        return Verdict(rule.id, Status.error, error=str(exc))
    except Exception as exc:  # noqa: BLE001 — a broken rule must not stop the others
        return Verdict(rule.id, Status.error, error=f"{type(exc).__name__}: {exc}")
    if in_scope is True and not missing:
        if violations:
            return Verdict(rule.id, Status.fail, violations=tuple(violations))
        return rule.passed
    scope_facts = facts_of(in_scope) if in_scope is not True else NOTHING
    gates = (gates | scope_facts) & (missing | scope_facts)
    named = tuple(sorted(gates)) + tuple(sorted(missing - gates))
    if in_scope is not True:
        return Verdict(rule.id, Status.incomplete, missing=named, gating=len(gates))
    if violations:
        return Verdict(
            rule.id, Status.fail, violations=tuple(violations), missing=named, gating=len(gates)
        )
    return Verdict(rule.id, Status.incomplete, missing=named, gating=len(gates))


def generated_code_namespace() -> dict[str, Any]:
    """The names generated rule code uses, as its import would bind them."""
    found = globals()
    return {name: found[name] for name in GENERATED_CODE_NAMES}
