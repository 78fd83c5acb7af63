"""JSON report (schemas/report.schema.json), written as it streams: one deployment at a time."""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # what json.dumps writes a str with (ensure_ascii off)
from typing import Any

from facepolicy.model import DeploymentResult, Problem, Summary, Verdict
from facepolicy.reporters import Context, Reporter


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _verdict_entry(verdict: Verdict, result: DeploymentResult, context: Context) -> dict[str, Any]:
    lang = context.lang
    rule = context.rules[verdict.rule_id]
    entry: dict[str, Any] = {
        "rule": rule.id,
        "status": verdict.status.value,
        "severity": rule.severity.name,
        "title": rule.title(lang),
        "clauses": list(rule.clauses),
    }
    if verdict.violations:
        entry["violations"] = [
            {
                "pointer": v.pointer,
                "line": result.positions.get(v.pointer, (1, 1))[0],
                "column": result.positions.get(v.pointer, (1, 1))[1],
                "message": v.message(lang),
                "remediation": v.remediation(lang),
                "severity": rule.severity.name,
                "clauses": list(rule.clauses),
            }
            for v in verdict.violations
        ]
    if verdict.missing:
        entry["missing"] = list(verdict.missing)
    if verdict.error:
        entry["error"] = verdict.error
    if verdict.waiver:
        entry["waiver"] = verdict.waiver
    return entry


def _rule_parts(rule_id: str, context: Context) -> tuple[str, str, str]:
    """What every entry of a rule says the same way, serialised once per run: its clauses, its
    severity, and its id and title."""
    plain = context.memo if context.memo is not None else {}
    key = ("rule parts", rule_id)
    if key not in plain:
        rule = context.rules[rule_id]
        plain[key] = (
            dump(list(rule.clauses)),
            dump(rule.severity.name),
            dump(rule.title(context.lang)),
        )
    return plain[key]


def _verdict_text(verdict: Verdict, result: DeploymentResult, context: Context) -> str:
    """dump(_verdict_entry(…)), written piece by piece from parts serialised once per rule (a
    report holds thousands of these entries; a test holds the two to the same bytes)."""
    lang = context.lang
    clauses, severity, title = _rule_parts(verdict.rule_id, context)
    error = f', "error": {encode_basestring(verdict.error)}' if verdict.error else ""
    missing = (
        f', "missing": [{", ".join(map(encode_basestring, verdict.missing))}]'
        if verdict.missing
        else ""
    )
    violations = ""
    if verdict.violations:
        placed = result.positions
        shown = []
        for v in verdict.violations:
            line, column = placed.get(v.pointer, (1, 1))
            shown.append(
                f'{{"clauses": {clauses}, "column": {column}, "line": {line}, "message": '
                f'{encode_basestring(v.message(lang))}, "pointer": {encode_basestring(v.pointer)}, '
                f'"remediation": {encode_basestring(v.remediation(lang))}, "severity": {severity}}}'
            )
        violations = f', "violations": [{", ".join(shown)}]'
    waiver = f', "waiver": {dump(verdict.waiver)}' if verdict.waiver else ""
    return (
        f'{{"clauses": {clauses}{error}{missing}, "rule": {encode_basestring(verdict.rule_id)}, '
        f'"severity": {severity}, "status": "{verdict.status.value}", "title": {title}'
        f"{violations}{waiver}}}"
    )


def deployment_json(result: DeploymentResult, context: Context) -> str:
    """One deployment as the report schema's #/$defs/deployment, serialised. Most verdicts say only
    a rule's status, and that text is the same in every deployment: it is serialised once per rule
    and status."""
    plain = context.memo if context.memo is not None else {}
    parts = []
    for verdict in result.verdicts:
        if verdict.violations or verdict.missing or verdict.error or verdict.waiver:
            parts.append(_verdict_text(verdict, result, context))
            continue
        key = ("plain verdict", verdict.rule_id, verdict.status)
        if key not in plain:
            plain[key] = _verdict_text(verdict, result, context)
        parts.append(plain[key])
    # The keys in the order sort_keys gives them: the same text dump() of the whole would write.
    reading = ', "reading": "closed_world"' if result.closed_world else ""
    return (
        '{"id": '
        + encode_basestring(result.deployment_id)
        + reading
        + ', "source": '
        + encode_basestring(result.source)
        + ', "verdicts": ['
        + ", ".join(parts)
        + "]}"
    )


def problem_entry(problem: Problem) -> dict[str, str]:
    return {"source": problem.source, "message": problem.message}


class JsonReporter(Reporter):
    def __init__(self, out, context):
        super().__init__(out, context)
        self.problems: list[dict[str, str]] = []
        self.first = True
        self.out.write(
            '{"report_version": 1, "provenance": ' + dump(context.provenance) + ', "deployments": ['
        )

    def problem(self, problem: Problem) -> None:
        self.problems.append(problem_entry(problem))

    def deployment(self, result: DeploymentResult) -> None:
        self.rendered(self.render(result))

    def render(self, result: DeploymentResult) -> str:
        return deployment_json(result, self.context)

    between = ", "

    def rendered(self, text: str | bytes) -> None:
        if not self.first:
            self.out.write(self.between)
        self.write(text)
        self.first = False

    def finish(self, summary: Summary) -> None:
        self.out.write(
            '], "problems": '
            + dump(self.problems)
            + ', "summary": '
            + dump(summary.as_dict())
            + "}\n"
        )


REPORTER = JsonReporter
