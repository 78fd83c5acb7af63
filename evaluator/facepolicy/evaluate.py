"""Pure evaluation: (rules, deployment, today) → one verdict per rule, in three-valued logic.

A rule fails when the stated facts violate it whatever the unstated ones are; passes when they
satisfy it whatever the unstated ones are; is not_applicable only when the stated facts put it out
of scope; and is incomplete otherwise, naming the unstated facts (JSON Pointers) that would decide
it. Nobody declares which facts a rule needs: they are the unknowns its scope and assertions ran
into. Locations are built here, not by rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from facepolicy.compiler import Assertion, Rule, Step
from facepolicy.durations import Day
from facepolicy.expressions import truth
from facepolicy.facts import Partial, Unknown, closed_world, facts_of, items_at, read
from facepolicy.functions import FunctionError, Functions
from facepolicy.model import Status, Verdict, Violation


class RuleError(Exception):
    """A rule that cannot decide (an expression gave a non-boolean, a function failed)."""


def iter_items(document: Any, steps: tuple[Step, ...]) -> Iterator[tuple[str | None, Any]]:
    """(JSON Pointer, item) for every stated item of the list the steps lead to; then (None, an
    Unknown) standing for the items the deployment may have without listing them, where it may."""
    return iter(items_at(document, steps))


def _decided(value: Any, what: str, base: str | None) -> Any:
    """True, False, or an Unknown; a stated value that is not a boolean is a broken rule."""
    if type(value) is bool:
        return value
    if type(value) is Unknown:
        return value if value.truth is None else value.truth
    raise RuleError(f"{what} gave {value!r}, not true or false at {base or '/'}")


def _holds(value: Any) -> Any:
    """A filter's answer: its truthiness, or an Unknown when the stated facts do not settle it."""
    held = truth(value)
    return held if held is not None else Unknown(facts_of(value))


def evaluate_rule(
    rule: Rule,
    facts: Any,
    functions: Functions,
    trace: list[dict[str, Any]] | None = None,
    scopes_seen: dict[int, Any] | None = None,
) -> Verdict:
    """One verdict on a deployment already read as facts (facts.read); when `trace` is a list, each
    step of the decision is appended to it. `scopes_seen` remembers each scope's answer for one
    deployment."""
    functions.document = facts
    try:
        in_scope: Any = True
        if rule.scope is not None:
            in_scope = scopes_seen.get(id(rule.scope)) if scopes_seen is not None else None
            if in_scope is None:
                in_scope = rule.scope(facts)
                if scopes_seen is not None:
                    scopes_seen[id(rule.scope)] = in_scope
            if trace is not None:
                trace.append(
                    {
                        "step": "scope",
                        "matched": in_scope if type(in_scope) is bool else None,
                        "unknown": sorted(facts_of(in_scope)),
                    }
                )
            if in_scope is False:
                return Verdict(rule.id, Status.not_applicable)
        violations: list[Violation] = []
        missing: set[str] = set()
        gates: set[str] = (
            set()
        )  # facts of filters and of unlisted items: whether an item is checked at all
        for assertion in rule.assertions:
            # iter_items over no steps gives the same one pair (the tuple saves a call): not mutated
            steps = assertion.for_each
            subjects = iter_items(facts, steps) if steps else (("", facts),)  # pragma: no mutate
            for base, subject in subjects:
                outcome = _check(
                    rule, assertion, base, subject, functions, violations, missing, gates
                )
                if trace is not None:
                    trace.append(
                        {
                            "step": f"assertions[{assertion.number}]",
                            "at": "/" if base == "" else base or "(unlisted items)",
                            "expect": assertion.expect.expression,
                            "outcome": outcome,
                            "values": _fields_seen(assertion, subject),
                        }
                    )
    except (RuleError, FunctionError) as exc:
        return Verdict(rule.id, Status.error, error=str(exc))
    except Exception as exc:  # a broken rule must not stop the others; it is reported as `error`
        return Verdict(rule.id, Status.error, error=f"{type(exc).__name__}: {exc}")
    scope_facts = facts_of(in_scope)
    gates = (gates | scope_facts) & (missing | scope_facts)
    named = tuple(sorted(gates)) + tuple(sorted(missing - gates))
    if in_scope is not True:  # in scope or not, the stated facts cannot say: that decides first
        return Verdict(rule.id, Status.incomplete, missing=named, gating=len(gates))
    if violations:
        return Verdict(
            rule.id, Status.fail, violations=tuple(violations), missing=named, gating=len(gates)
        )
    if missing:
        return Verdict(rule.id, Status.incomplete, missing=named, gating=len(gates))
    return Verdict(rule.id, Status.pass_)


def _check(
    rule: Rule,
    assertion: Assertion,
    base: str | None,
    subject: Any,
    functions: Functions,
    violations: list[Violation],
    missing: set[str],
    gates: set[str],
) -> str:
    """One item against one assertion: it holds, it is violated, or it is open (its unknowns
    noted)."""
    where: Any = True
    if assertion.where is not None:
        where = _holds(assertion.where.search(subject, functions))
        if where is False:
            return "skipped"
    expect = assertion.expect.search(subject, functions)
    held = (
        _decided(expect, f"assertions[{assertion.number}].expect", base)
        if base is not None
        else _holds(expect)
    )
    if held is True:
        return "holds"
    if held is False and where is True and base is not None:
        message = assertion.message or rule.message
        remediation = assertion.remediation or rule.remediation
        at = f"{base}/{assertion.at}" if assertion.at else base
        violation = Violation(
            at or "/", message.render(subject, functions), remediation.render(subject, functions)
        )
        if (
            violation not in violations
        ):  # one component read once per platform may break a rule the same way twice
            violations.append(violation)
        return "violation"
    if base is None:
        missing.update(subject.facts)  # the unlisted items themselves
        gates.update(subject.facts)
    missing.update(facts_of(where))  # nothing when the filter held
    gates.update(facts_of(where))
    missing.update(facts_of(held))
    return "open"


def _fields_seen(assertion: Assertion, subject: Any) -> dict[str, Any]:
    """The values of the plain field paths an assertion reads, for explaining a decision (a path of
    fields calls no function, so it needs neither the date nor the deployment)."""
    from facepolicy.expressions import parse

    paths: dict[str, Any] = {}

    def show(value: Any) -> Any:
        if isinstance(value, Unknown):
            return "(unstated)" if value.at else "(unknown)"
        if isinstance(value, Partial):
            return [show(v) for v in value.items] + ["…"]
        if isinstance(value, dict):
            return {k: show(v) for k, v in value.items()}
        if isinstance(value, list):
            return [show(v) for v in value]
        return value

    def walk(node: dict[str, Any]) -> None:
        kind = node.get("type")
        if kind == "field":
            paths[node["value"]] = show(parse(node["value"]).search(subject))
        elif kind == "subexpression" and all(c.get("type") == "field" for c in node["children"]):
            name = ".".join(c["value"] for c in node["children"])
            paths[name] = show(parse(name).search(subject))
        else:
            for child in node["children"]:  # jmespath gives every node its children, if only []
                if isinstance(child, dict):
                    walk(child)

    walk(assertion.expect.parsed)
    return dict(sorted(paths.items()))


def read_deployment(document: Any) -> Any:
    """A parsed deployment as facts: schema_version 1 reads every stated list as complete, as it
    always did."""
    return read(document, open_lists=not closed_world(document))


def evaluate(
    rules: dict[str, Rule],
    deployment: Any,
    *,
    today: dt.date | Day,
    trace: list[dict[str, Any]] | None = None,
) -> list[Verdict]:
    """Every rule's verdict on a parsed deployment, as of `today`; pure: the same input, the same
    verdicts. With `trace` (a list), each step of the decision is appended to it (meant for one
    rule)."""
    facts = read_deployment(deployment)
    functions = Functions(today)
    scopes_seen: dict[int, Any] = {}
    return [evaluate_rule(rule, facts, functions, trace, scopes_seen) for rule in rules.values()]
