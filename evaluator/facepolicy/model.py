"""The result model: statuses, severities, verdicts, and the exit code they make."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    info = 0
    low = 1
    medium = 2
    high = 3
    critical = 4


class Status(str, enum.Enum):
    pass_ = "pass"
    fail = "fail"
    not_applicable = "not_applicable"
    incomplete = "incomplete"
    waived = "waived"
    error = "error"


STATUS_ORDER = [Status.fail, Status.error, Status.incomplete, Status.waived, Status.pass_, Status.not_applicable]


@dataclass(frozen=True)
class Text:
    """A text a user reads, in Simplified Chinese and English."""

    zh: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Violation:
    pointer: str
    message: Text
    remediation: Text


@dataclass(frozen=True)
class Verdict:
    rule_id: str
    status: Status
    violations: tuple[Violation, ...] = ()
    missing: tuple[str, ...] = ()
    error: str = ""
    waiver: str = ""


@dataclass(frozen=True)
class Problem:
    """Input that could not be used: the file, the place, the one-line message."""

    source: str
    message: str

    def line(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass
class DeploymentResult:
    source: str
    deployment_id: str
    verdicts: list[Verdict]
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in Status})
    deployments: int = 0
    problems: int = 0
    worst_failure: Severity | None = None

    def add(self, result: DeploymentResult, severity_of: dict[str, Severity]) -> None:
        self.deployments += 1
        for verdict in result.verdicts:
            self.counts[verdict.status.value] += 1
            if verdict.status is Status.fail:
                severity = severity_of[verdict.rule_id]
                if self.worst_failure is None or severity > self.worst_failure:
                    self.worst_failure = severity

    def exit_code(self, fail_on: Severity, fail_on_incomplete: bool = False) -> int:
        """0 clean; 1 failures at or above the threshold; 2 bad input or a broken rule."""
        if self.problems or self.counts["error"]:
            return 2
        if self.worst_failure is not None and self.worst_failure >= fail_on:
            return 1
        if fail_on_incomplete and self.counts["incomplete"]:
            return 1
        return 0

    def as_dict(self) -> dict[str, Any]:
        return {"deployments": self.deployments, "problems": self.problems, **self.counts}
