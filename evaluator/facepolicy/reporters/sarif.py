"""SARIF 2.1.0 for code scanning: one reporting descriptor per rule, one result per violation, and
one result of kind "open" per rule left incomplete (the facts that would decide it are its logical
locations)."""

from __future__ import annotations

import json
from typing import Any

from facepolicy.model import DeploymentResult, Problem, Status, Summary
from facepolicy.reporters import Reporter

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def _uri(source: str) -> str:
    # NDJSON sources are 'file:line'; the artifact is the file.
    path, _, line = source.rpartition(":")
    return path if line.isdigit() and path else source


class SarifReporter(Reporter):
    def __init__(self, out, context):
        super().__init__(out, context)
        self.results: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.index = {rid: i for i, rid in enumerate(context.rules)}

    def _descriptor(self, rule) -> dict[str, Any]:
        lang = self.context.lang
        clauses = []
        for ref, heading, excerpt in rule.excerpts or tuple(
            (ref, None, None) for ref in rule.clauses
        ):
            clauses.append(
                f"- `{ref}` {heading(lang)}: “{excerpt.strip()}”"
                if heading and excerpt
                else f"- `{ref}`"
            )
        help_md = (
            f"{rule.title(lang)}\n\n"
            f"{(rule.description(lang) + chr(10) + chr(10)) if rule.description else ''}"
            f"**Clauses / 依据条款**\n"
            + "\n".join(clauses)
            + (
                "\n\n**Fix / 修复**: "
                f"{rule.remediation.zh if lang == 'zh' else rule.remediation.en}"
            )
        )
        return {
            "id": rule.id,
            "name": rule.id.split(".", 1)[1],
            "shortDescription": {"text": rule.title(lang)},
            "fullDescription": {
                "text": rule.description(lang) if rule.description else rule.title(lang)
            },
            "help": {"text": help_md.replace("**", ""), "markdown": help_md},
            "defaultConfiguration": {"level": LEVELS[rule.severity.name]},
            "properties": {
                "tags": list(rule.tags),
                "clauses": list(rule.clauses),
                "severity": rule.severity.name,
                "security-severity": SECURITY_SEVERITY[rule.severity.name],
            },
        }

    def problem(self, problem: Problem) -> None:
        self.notifications.append({"level": "error", "message": {"text": problem.line()}})

    def deployment(self, result: DeploymentResult) -> None:
        lang = self.context.lang
        rules = self.context.rules
        for verdict in result.verdicts:
            if verdict.status is Status.incomplete:
                self.results.append(self._open(result, rules[verdict.rule_id], verdict.missing))
            if verdict.status is not Status.fail:
                continue
            rule = rules[verdict.rule_id]
            for violation in verdict.violations:
                line, column = result.positions.get(violation.pointer, (1, 1))
                self.results.append(
                    {
                        "ruleId": rule.id,
                        "ruleIndex": self.index[rule.id],
                        "level": LEVELS[rule.severity.name],
                        "message": {
                            "text": f"{violation.message(lang)} — {violation.remediation(lang)}"
                        },
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": _uri(result.source)},
                                    "region": {"startLine": line, "startColumn": column},
                                },
                                "logicalLocations": [
                                    {"fullyQualifiedName": violation.pointer, "kind": "element"}
                                ],
                            }
                        ],
                        "partialFingerprints": {
                            "facepolicy/v1": f"{result.deployment_id}:{rule.id}:{violation.pointer}"
                        },
                        "properties": {
                            "deployment": result.deployment_id,
                            "pointer": violation.pointer,
                            "clauses": list(rule.clauses),
                            "remediation": violation.remediation(lang),
                        },
                    }
                )

    def _open(self, result: DeploymentResult, rule, missing: tuple[str, ...]) -> dict[str, Any]:
        lang = self.context.lang
        what = (
            "信息不全，缺少能判定本规则的事实"
            if lang == "zh"
            else ("incomplete: the deployment does not state the facts that would decide this rule")
        )
        return {
            "ruleId": rule.id,
            "ruleIndex": self.index[rule.id],
            "kind": "open",
            "level": "none",
            "message": {"text": f"{rule.title(lang)} — {what}: {', '.join(missing)}"},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": {"uri": _uri(result.source)}},
                    "logicalLocations": [
                        {"fullyQualifiedName": pointer, "kind": "element"} for pointer in missing
                    ],
                }
            ],
            "partialFingerprints": {
                "facepolicy/v1": f"{result.deployment_id}:{rule.id}:incomplete"
            },
            "properties": {
                "deployment": result.deployment_id,
                "missing": list(missing),
                "clauses": list(rule.clauses),
                "severity": rule.severity.name,
            },
        }

    def finish(self, summary: Summary) -> None:
        rules = [self._descriptor(rule) for rule in self.context.rules.values()]
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "facepolicy",
                    "version": self.context.provenance["facepolicy_version"],
                    "informationUri": "https://pypi.org/project/facepolicy/",
                    "rules": rules,
                }
            },
            "results": self.results,
            "invocations": [
                {
                    "executionSuccessful": not self.notifications,
                    "toolExecutionNotifications": self.notifications,
                }
            ],
            "properties": {"provenance": self.context.provenance, "summary": summary.as_dict()},
        }
        document = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [run],
        }
        self.out.write(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


REPORTER = SarifReporter
