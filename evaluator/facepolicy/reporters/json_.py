"""JSON report (schemas/report.schema.json), written as it streams: one deployment at a time."""

from __future__ import annotations

import json
from typing import Any

from facepolicy.model import DeploymentResult, Problem, Summary
from facepolicy.reporters import Context, Reporter


def dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def deployment_entry(result: DeploymentResult, context: Context) -> dict[str, Any]:
    """One deployment as the report schema's #/$defs/deployment."""
    lang = context.lang
    rules = context.rule_set.rules
    verdicts = []
    for verdict in result.verdicts:
        rule = rules[verdict.rule_id]
        entry: dict[str, Any] = {
            "rule": rule.id,
            "status": verdict.status.value,
            "severity": rule.severity.name,
            "title": rule.title(lang),
            "clauses": list(rule.clauses),
        }
        if verdict.violations:
            entry["violations"] = [
                {"pointer": v.pointer, "line": result.positions.get(v.pointer, (1, 1))[0],
                 "column": result.positions.get(v.pointer, (1, 1))[1], "message": v.message(lang),
                 "remediation": v.remediation(lang), "severity": rule.severity.name, "clauses": list(rule.clauses)}
                for v in verdict.violations
            ]
        if verdict.missing:
            entry["missing"] = list(verdict.missing)
        if verdict.error:
            entry["error"] = verdict.error
        if verdict.waiver:
            entry["waiver"] = verdict.waiver
        verdicts.append(entry)
    return {"source": result.source, "id": result.deployment_id, "verdicts": verdicts}


def problem_entry(problem: Problem) -> dict[str, str]:
    return {"source": problem.source, "message": problem.message}


class JsonReporter(Reporter):
    def __init__(self, out, context):
        super().__init__(out, context)
        self.problems: list[dict[str, str]] = []
        self.first = True
        self.out.write('{"report_version": 1, "provenance": ' + dump(context.provenance()) + ', "deployments": [')

    def problem(self, problem: Problem) -> None:
        self.problems.append(problem_entry(problem))

    def deployment(self, result: DeploymentResult) -> None:
        self.out.write(("" if self.first else ", ") + dump(deployment_entry(result, self.context)))
        self.first = False

    def finish(self, summary: Summary) -> None:
        self.out.write('], "problems": ' + dump(self.problems) + ', "summary": ' + dump(summary.as_dict()) + "}\n")


REPORTER = JsonReporter
