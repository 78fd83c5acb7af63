"""NDJSON: one line per deployment and per input problem as each arrives, then one summary line.

Each line is a schemas/report.schema.json#/$defs/ndjson_line; nothing is held back, so memory stays
flat however many deployments stream through.
"""

from __future__ import annotations

from facepolicy.model import DeploymentResult, Problem, Summary
from facepolicy.reporters import Reporter
from facepolicy.reporters.json_ import deployment_json, dump, problem_entry


class NdjsonReporter(Reporter):
    def problem(self, problem: Problem) -> None:
        self.out.write(dump({"problem": problem_entry(problem)}) + "\n")

    def deployment(self, result: DeploymentResult) -> None:
        self.out.write(self.render(result))

    def render(self, result: DeploymentResult) -> str:
        return deployment_json(result, self.context) + "\n"

    def finish(self, summary: Summary) -> None:
        self.out.write(
            dump({"summary": summary.as_dict(), "provenance": self.context.provenance}) + "\n"
        )


REPORTER = NdjsonReporter
