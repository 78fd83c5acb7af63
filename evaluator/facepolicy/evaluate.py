"""Pure evaluation: (rules, deployment, today) → one verdict per rule. Locations are built here, not by rules."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

import jmespath

from facepolicy.compiler import Assertion, Rule, Step
from facepolicy.functions import FacepolicyFunctions
from facepolicy.model import Status, Verdict, Violation
from facepolicy.schemas import missing_facts as schema_gaps


class RuleError(Exception):
    """A rule that cannot decide (an expression gave a non-boolean, a function failed)."""


def options_for(today: dt.date) -> jmespath.Options:
    return jmespath.Options(custom_functions=FacepolicyFunctions(today))


def _escape(part: Any) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def iter_items(document: Any, steps: tuple[Step, ...]) -> Iterator[tuple[str, Any]]:
    """(JSON Pointer, item) for every item of the list the steps lead to; nothing where a step is absent."""
    nodes: list[tuple[str, Any]] = [("", document)]
    for number, step in enumerate(steps):
        last = number == len(steps) - 1
        following = []
        for base, node in nodes:
            if not isinstance(node, dict) or step.name not in node:
                continue
            value, here = node[step.name], f"{base}/{_escape(step.name)}"
            if step.each or last:
                if isinstance(value, list):
                    following.extend((f"{here}/{i}", item) for i, item in enumerate(value))
            else:
                following.append((here, value))
        nodes = following
    return iter(nodes)


def _missing(subject: Any, base: str, assertion: Assertion, options: jmespath.Options) -> list[str]:
    return [
        base + "/" + "/".join(_escape(p) for p in path.split("."))
        for path, expression in assertion.requires
        if expression.search(subject, options=options) is None
    ]


def _check(rule: Rule, assertion: Assertion, subject: Any, base: str, options: jmespath.Options) -> Violation | None:
    result = assertion.expect.search(subject, options=options)
    if result is True:
        return None
    if result is not False:
        raise RuleError(f"assertions[{assertion.index}].expect gave {result!r}, not true or false at {base or '/'}")
    message = assertion.message or rule.message
    remediation = assertion.remediation or rule.remediation
    at = f"{base}/{assertion.at}" if assertion.at else base
    return Violation(at or "/", message.render(subject, options), remediation.render(subject, options))


def evaluate_rule(rule: Rule, document: Any, options: jmespath.Options, trace: list[dict[str, Any]] | None = None,
                  scopes_seen: dict[int, bool] | None = None) -> Verdict:
    """One verdict; when `trace` is a list, each step of the decision is appended to it with the values seen.
    `scopes_seen` remembers, for one deployment, the answer of each scope validator (most rules share one)."""
    tracing = trace is not None  # the steps are built only then: this runs for every rule on every deployment
    options.custom_functions.document = document
    try:
        if rule.scope is not None:
            in_scope = scopes_seen.get(id(rule.scope)) if scopes_seen is not None else None
            if in_scope is None:
                in_scope = rule.scope.is_valid(document)
                if scopes_seen is not None:
                    scopes_seen[id(rule.scope)] = in_scope
            if tracing:
                trace.append({"step": "scope", "matched": in_scope})
            if not in_scope:
                return Verdict(rule.id, Status.not_applicable)
        if rule.evidence is not None:
            missing = [] if rule.evidence.is_valid(document) else sorted(set(schema_gaps(rule.evidence, document)))
            if tracing:
                trace.append({"step": "evidence", "missing": missing})
            if missing:
                return Verdict(rule.id, Status.incomplete, missing=tuple(missing))
        violations: list[Violation] = []
        missing_facts: list[str] = []
        for assertion in rule.assertions:
            subjects = iter_items(document, assertion.for_each) if assertion.for_each else (("", document),)
            for base, subject in subjects:
                step = {"step": f"assertions[{assertion.index}]", "at": base or "/"} if tracing else None
                if assertion.where is not None:
                    where = assertion.where.search(subject, options=options)
                    if tracing:
                        step["where"] = where
                    if not _truthy(where):
                        if tracing:
                            trace.append(step | {"outcome": "skipped"})
                        continue
                gaps = _missing(subject, base, assertion, options) if assertion.requires else None
                if gaps:
                    if tracing:
                        trace.append(step | {"outcome": "missing", "missing": gaps})
                    missing_facts.extend(gaps)
                    continue
                violation = _check(rule, assertion, subject, base, options)
                if tracing:
                    trace.append(step | {"expect": assertion.expect.expression, "outcome": "violation" if violation else "holds",
                                         "values": _fields_seen(assertion, subject, options)})
                if violation is not None:
                    violations.append(violation)
    except RuleError as exc:
        return Verdict(rule.id, Status.error, error=str(exc))
    except Exception as exc:  # a broken rule must not stop the others; it is reported as `error`
        return Verdict(rule.id, Status.error, error=f"{type(exc).__name__}: {exc}")
    if violations:
        return Verdict(rule.id, Status.fail, violations=tuple(violations), missing=tuple(missing_facts))
    if missing_facts:
        return Verdict(rule.id, Status.incomplete, missing=tuple(missing_facts))
    return Verdict(rule.id, Status.pass_)


def _fields_seen(assertion: Assertion, subject: Any, options: jmespath.Options) -> dict[str, Any]:
    """The values of the plain field paths an assertion reads, for explaining a decision."""
    paths: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str = "") -> None:
        kind = node.get("type")
        if kind == "field":
            name = prefix + node["value"]
            paths[name] = jmespath.search(name, subject, options=options) if isinstance(subject, (dict, list)) else None
        elif kind == "subexpression" and all(c.get("type") == "field" for c in node["children"]):
            name = ".".join(c["value"] for c in node["children"])
            paths[name] = jmespath.search(name, subject, options=options)
        else:
            for child in node.get("children", []):
                if isinstance(child, dict):
                    walk(child)

    walk(assertion.expect.parsed)
    return dict(sorted(paths.items()))


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", [], {})


def evaluate(rules: dict[str, Rule], document: Any, options: jmespath.Options) -> list[Verdict]:
    options.custom_functions.document = document
    scopes_seen: dict[int, bool] = {}
    return [evaluate_rule(rule, document, options, scopes_seen=scopes_seen) for rule in rules.values()]
