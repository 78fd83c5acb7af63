"""`explain`: a rule, the verbatim clauses it stands on, and — given a deployment — each step of its
decision."""

from __future__ import annotations

import json
from typing import Any

from facepolicy.compiler import Rule
from facepolicy.model import Verdict
from facepolicy.ruleset import RuleSet


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def describe_rule(rule: Rule, rule_set: RuleSet, lang: str) -> list[str]:
    lines = [f"{rule.id}  [{rule.severity.name}]  {rule.title(lang)}", f"  file: {rule.source}"]
    if rule.tags:
        lines.append(f"  tags: {', '.join(rule.tags)}")
    if rule.description:
        lines.append(f"  {rule.description(lang)}")
    lines.append("  clauses:" if lang == "en" else "  依据条款:")
    for ref in rule.clauses:
        clause = rule_set.clause(ref)
        if clause is None:
            lines.append(f"    {ref}  (not in any catalog)")
            continue
        document = rule_set.documents[clause.document]
        lines.append(
            f"    {ref}  {clause.heading(lang)}  — {document.title(lang)}, §{clause.section}"
        )
        lines.append(f"      “{' '.join(clause.excerpt.split())}”")
    from facepolicy.reads import facts_read

    lines.append(("  reads: " if lang == "en" else "  读取的事实: ") + ", ".join(facts_read(rule)))
    raw = rule.raw
    if "scope" in raw:
        lines.append(f"  scope: {_show(raw['scope'])}")
    for name, text in raw.get("let", {}).items():
        lines.append(f"  let ${name} = {text}")
    for index, assertion in enumerate(raw["assertions"]):
        parts = [
            f"{key}={assertion[key]!r}"
            for key in ("for_each", "where", "expect", "at")
            if key in assertion
        ]
        lines.append(f"  assertions[{index}]: " + ", ".join(parts))
    return lines


def describe_decision(verdict: Verdict, trace: list[dict[str, Any]], lang: str) -> list[str]:
    lines = ["  decision:" if lang == "en" else "  判定过程:"]
    for step in trace:
        name = step["step"]
        if name == "scope":
            if step["matched"] is None:
                lines.append(
                    "    scope: unknown until " + ", ".join(step["unknown"]) + " → incomplete"
                )
            else:
                lines.append(
                    f"    scope: {'matched' if step['matched'] else 'not matched → not_applicable'}"
                )
        else:
            detail = [f"at {step['at']}"]
            if "where" in step:
                detail.append(f"where → {_show(step['where'])}")
            if "values" in step:
                detail.append(
                    "saw " + ", ".join(f"{k}={_show(v)}" for k, v in step["values"].items())
                )
            if "missing" in step:
                detail.append("missing " + ", ".join(step["missing"]))
            lines.append(f"    {name}: {'; '.join(detail)} → {step['outcome']}")
    lines.append(f"  status: {verdict.status.value}")
    for v in verdict.violations:
        lines.append(f"    {v.pointer}: {v.message(lang)}")
    if verdict.missing:
        lines.append(
            "    unstated: " + ", ".join(verdict.missing)
            if lang == "en"
            else "    未陈述: " + ", ".join(verdict.missing)
        )
    if verdict.error:
        lines.append(f"    {verdict.error}")
    return lines
