"""GitHub Actions workflow commands: one annotation per violation, at its file, line and column."""

from __future__ import annotations

from facepolicy.errors import printable
from facepolicy.model import DeploymentResult, Problem, Status, Summary
from facepolicy.reporters import Reporter
from facepolicy.reporters.sarif import _uri

COMMANDS = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "notice",
    "info": "notice",
}


def _data(text: str) -> str:
    text = printable(text, keep_newlines=True)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    def problem(self, problem: Problem) -> None:
        self.out.write(
            "::error "
            f"file={_property(_uri(problem.source))},title=facepolicy::{_data(problem.message)}\n"
        )

    def deployment(self, result: DeploymentResult) -> None:
        lang = self.context.lang
        rules = self.context.rules
        for verdict in result.verdicts:
            rule = rules[verdict.rule_id]
            if verdict.status is Status.fail:
                for v in verdict.violations:
                    line, column = result.positions.get(v.pointer, (1, 1))
                    text = (
                        f"{v.message(lang)} ({v.pointer}; {', '.join(rule.clauses)})\nfix: "
                        f"{v.remediation(lang)}"
                    )
                    self.out.write(
                        f"::{COMMANDS[rule.severity.name]} "
                        f"file={_property(_uri(result.source))},line={line},col={column},"
                        f"title={_property(rule.id)}::{_data(text)}\n"
                    )
            elif verdict.status is Status.incomplete:
                what = (
                    "信息不全，缺少的事实"
                    if lang == "zh"
                    else ("incomplete, unstated facts that would decide it")
                )
                text = (
                    f"{rule.title(lang)}: {what}: {', '.join(verdict.missing)} "
                    f"({', '.join(rule.clauses)})"
                )
                self.out.write(
                    "::warning "
                    f"file={_property(_uri(result.source))},title={_property(rule.id)}::{_data(text)}\n"
                )
            elif verdict.status is Status.error:
                self.out.write(
                    "::error "
                    f"file={_property(_uri(result.source))},title={_property(rule.id)}::{_data(verdict.error)}\n"
                )

    def finish(self, summary: Summary) -> None:
        c = summary.counts
        self.out.write(
            f"facepolicy: {summary.deployments} deployment(s): {c['fail']} failed, "
            f"{c['incomplete']} incomplete, "
            f"{c['error']} rule errors, {c['waived']} waived, {c['pass']} passed, "
            f"{c['not_applicable']} not applicable\n"
        )
        self.out.write(
            f"::notice title=facepolicy rule set::{_data(self.context.provenance_line())}\n"
        )


REPORTER = GithubReporter
