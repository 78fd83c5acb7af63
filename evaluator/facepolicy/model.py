"""The result model: statuses, severities, verdicts, and the exit code they make.

Immutable values are NamedTuples rather than frozen dataclasses: on Python 3.11 a frozen dataclass
costs about 0.9 ms to define against 0.14 ms for a NamedTuple, and every command pays that at
start-up.
"""

from __future__ import annotations

import enum

from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Iterable, NamedTuple
else:
    from facepolicy.records import NamedTuple


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

    # Hashed as the text it equals (Status.pass_ == "pass"): Enum's own __hash__, of the name and
    # in Python, disagreed with that equality and cost a Python call on every lookup by status.
    __hash__ = str.__hash__


STATUS_ORDER = [
    Status.fail,
    Status.error,
    Status.incomplete,
    Status.waived,
    Status.pass_,
    Status.not_applicable,
]


class Text(NamedTuple):
    """A text a user reads, in Simplified Chinese and English."""

    zh: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class RuleInfo(NamedTuple):
    """What a report says of a rule: its words, weight and clauses (with their verbatim excerpts
    where the format shows them). Reporters read this, never the rule itself."""

    id: str
    title: Text
    description: Text | None
    severity: Severity
    tags: tuple[str, ...]
    clauses: tuple[str, ...]
    remediation: Text
    excerpts: tuple[tuple[str, Text | None, str | None], ...] = ()  # (clause ref, heading, excerpt)


class Violation(NamedTuple):
    pointer: str
    message: Text
    remediation: Text


class Verdict(NamedTuple):
    rule_id: str
    status: Status
    violations: tuple[Violation, ...] = ()
    missing: tuple[str, ...] = ()  # the unstated facts that would decide it, gating facts first
    error: str = ""
    waiver: str = ""
    # how many of `missing`, from the first, decide whether the rule or an item is in play at all
    gating: int = 0


class Problem(NamedTuple):
    """Input that could not be used: the file, the place, the one-line message."""

    source: str
    message: str

    def line(self) -> str:
        return f"{self.source}: {self.message}"


class DeploymentResult:
    """The verdicts on one deployment, and the line and column of each place they name."""

    __slots__ = ("source", "deployment_id", "verdicts", "positions", "closed_world")

    def __init__(
        self,
        source: str,
        deployment_id: str,
        verdicts: list[Verdict],
        positions: dict[str, tuple[int, int]] | None = None,
        closed_world: bool = False,
    ):
        self.source = source
        self.deployment_id = deployment_id
        self.verdicts = verdicts
        self.positions = positions or {}
        self.closed_world = (
            closed_world  # a schema_version 1 description: every stated list read as complete
        )

    def status(self, rule_id: str) -> "Status | None":
        """The status of one rule on this deployment (None when that rule was not evaluated)."""
        return next((v.status for v in self.verdicts if v.rule_id == rule_id), None)


Tally = tuple[dict[str, int], "Severity | None", "Severity | None"]
_STATUSES = tuple((status, status.value) for status in Status)


def tally(result: DeploymentResult, severity_of: dict[str, Severity]) -> Tally:
    """The count of each status among a deployment's verdicts, its worst failure and its worst
    incomplete."""
    # list.count compares by identity first, at C speed: a loop reading each verdict's
    # `status.value` (an enum property) cost about 70 µs a deployment of 125 verdicts
    statuses = [verdict.status for verdict in result.verdicts]
    counts = {value: found for status, value in _STATUSES if (found := statuses.count(status))}
    worst: Severity | None = None
    worst_open: Severity | None = None
    if "fail" in counts or "incomplete" in counts:
        for verdict in result.verdicts:
            if verdict.status is Status.fail:
                severity = severity_of[verdict.rule_id]
                worst = severity if worst is None else max(worst, severity)
            elif verdict.status is Status.incomplete:
                severity = severity_of[verdict.rule_id]
                worst_open = severity if worst_open is None else max(worst_open, severity)
    return counts, worst, worst_open


class Outcome(str, enum.Enum):
    """What a run found, in the words of the exit-code table."""

    clean = "clean"
    violations = "violations"  # a failure at or above --fail-on
    undecided = "undecided"  # an incomplete verdict at or above --fail-on (unless allowed)
    # `test`: an expectation not met, or a rule lacking a fixture; `lint`, `coverage`, `migrate
    # --check`: findings
    unmet = "unmet"
    bad_input = "bad_input"  # a file that cannot be used, a usage error, an I/O or permission error
    broken_rule = "broken_rule"  # a rule that cannot decide (status error) or does not load
    bug = "bug"  # facepolicy itself failed
    interrupted = "interrupted"  # Ctrl-C
    closed_output = "closed_output"  # standard output closed by its reader


EXIT_CODES: dict[Outcome, int] = {
    Outcome.clean: 0,
    Outcome.violations: 1,
    Outcome.undecided: 1,
    Outcome.unmet: 1,
    Outcome.bad_input: 2,
    Outcome.broken_rule: 2,
    Outcome.bug: 3,
    Outcome.interrupted: 130,
    Outcome.closed_output: 141,
}


def exit_code(outcomes: "Iterable[Outcome]") -> int:
    """The exit code of a run: the gravest of its outcomes (0 when there is none), by the one
    table."""
    order = [
        Outcome.clean,
        Outcome.violations,
        Outcome.undecided,
        Outcome.unmet,
        Outcome.bad_input,
        Outcome.broken_rule,
        Outcome.bug,
        Outcome.interrupted,
        Outcome.closed_output,
    ]
    return EXIT_CODES[max([Outcome.clean, *outcomes], key=order.index)]


class Summary:
    """Counts per status over a run, and the worst failure: what decides the exit code."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {s.value: 0 for s in Status}
        self.deployments = 0
        self.problems = 0
        self.worst_failure: Severity | None = None
        self.worst_incomplete: Severity | None = None

    def add(self, result: DeploymentResult, severity_of: dict[str, Severity]) -> None:
        self.add_tally(tally(result, severity_of))

    def add_tally(self, counted: Tally, deployments: int = 1) -> None:
        """Deployments already counted (by a worker process that also wrote their output)."""
        counts, worst, worst_open = counted
        self.deployments += deployments
        for status, count in counts.items():
            self.counts[status] += count
        if worst is not None:
            known = self.worst_failure
            self.worst_failure = worst if known is None else max(known, worst)
        if worst_open is not None:
            known = self.worst_incomplete
            self.worst_incomplete = worst_open if known is None else max(known, worst_open)

    def outcomes(self, fail_on: Severity, allow_incomplete: bool = False) -> list[Outcome]:
        """Failures, or verdicts left incomplete (silence is never compliance), at or above the
        threshold (incomplete ones unless allowed); input problems; broken rules."""
        found = []
        if self.problems:
            found.append(Outcome.bad_input)
        if self.counts["error"]:
            found.append(Outcome.broken_rule)
        if self.worst_failure is not None and self.worst_failure >= fail_on:
            found.append(Outcome.violations)
        if (
            not allow_incomplete
            and self.worst_incomplete is not None
            and self.worst_incomplete >= fail_on
        ):
            found.append(Outcome.undecided)
        return found

    def exit_code(self, fail_on: Severity, allow_incomplete: bool = False) -> int:
        return exit_code(self.outcomes(fail_on, allow_incomplete))

    def as_dict(self) -> dict[str, Any]:
        return {"deployments": self.deployments, "problems": self.problems, **self.counts}
