"""JSON report (schemas/report.schema.json), written as it streams: one deployment at a time."""

from __future__ import annotations

import json
from typing import Any

from facepolicy.model import DeploymentResult, Problem, Summary
from facepolicy.reporters import Reporter


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class JsonReporter(Reporter):
    def __init__(self, out, context):
        super().__init__(out, context)
        self.problems: list[dict[str, str]] = []
        self.first = True
        self.out.write('{"report_version": 1, "provenance": ' + _dump(context.provenance()) + ', "deployments": [')

    def problem(self, problem: Problem) -> None:
        self.problems.append({"source": problem.source, "message": problem.message})

    def deployment(self, result: DeploymentResult) -> None:
        lang = self.context.lang
        rules = self.context.rule_set.rules
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
        self.out.write(("" if self.first else ", ") + _dump({"source": result.source, "id": result.deployment_id, "verdicts": verdicts}))
        self.first = False

    def finish(self, summary: Summary) -> None:
        self.out.write('], "problems": ' + _dump(self.problems) + ', "summary": ' + _dump(summary.as_dict()) + "}\n")


REPORTER = JsonReporter
