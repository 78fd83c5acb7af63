"""The one exit-code table, a test per row, and the outcomes each kind of run reports."""

from __future__ import annotations

import pytest

from facepolicy.model import (
    EXIT_CODES,
    DeploymentResult,
    Outcome,
    Severity,
    Status,
    Summary,
    Verdict,
    exit_code,
)
from facepolicy.testing import Mismatch
from facepolicy.testing import TestRun as FixtureRun


@pytest.mark.parametrize(
    "outcome, code",
    [
        (Outcome.clean, 0),
        (Outcome.violations, 1),
        (Outcome.undecided, 1),
        (Outcome.unmet, 1),
        (Outcome.bad_input, 2),
        (Outcome.broken_rule, 2),
        (Outcome.bug, 3),
        (Outcome.interrupted, 130),
        (Outcome.closed_output, 141),
    ],
)
def test_each_row_of_the_table(outcome, code):
    assert EXIT_CODES[outcome] == code
    assert exit_code([outcome]) == code


def test_the_table_has_no_other_row():
    assert set(EXIT_CODES) == set(Outcome)


def test_the_gravest_outcome_decides_and_nothing_found_is_clean():
    assert exit_code([]) == 0
    assert exit_code([Outcome.violations, Outcome.bad_input]) == 2
    assert exit_code([Outcome.bad_input, Outcome.violations]) == 2
    assert exit_code([Outcome.undecided, Outcome.violations]) == 1
    assert exit_code([Outcome.broken_rule, Outcome.bug]) == 3


SEVERITY = {"crit": Severity.critical, "low": Severity.low}


def summary(*verdicts: Verdict, problems: int = 0) -> Summary:
    result = Summary()
    result.add(DeploymentResult("d.json", "d", list(verdicts)), SEVERITY)
    result.problems = problems
    return result


@pytest.mark.parametrize(
    "verdicts, fail_on, allow, expected",
    [
        ([Verdict("low", Status.fail)], Severity.info, False, [Outcome.violations]),
        ([Verdict("low", Status.fail)], Severity.medium, False, []),  # below --fail-on
        (
            [Verdict("crit", Status.fail)],
            Severity.critical,
            False,
            [Outcome.violations],
        ),  # at --fail-on
        ([Verdict("crit", Status.incomplete)], Severity.high, False, [Outcome.undecided]),
        ([Verdict("crit", Status.incomplete)], Severity.high, True, []),  # --allow-incomplete
        (
            [Verdict("low", Status.incomplete)],
            Severity.medium,
            False,
            [],
        ),  # incomplete below --fail-on
        ([Verdict("low", Status.error)], Severity.critical, False, [Outcome.broken_rule]),
        (
            [Verdict("crit", Status.pass_), Verdict("low", Status.not_applicable)],
            Severity.info,
            False,
            [],
        ),
        ([Verdict("crit", Status.waived)], Severity.info, False, []),
    ],
)
def test_an_evaluation_run_reports_its_outcomes(verdicts, fail_on, allow, expected):
    assert summary(*verdicts).outcomes(fail_on, allow) == expected
    assert summary(*verdicts).exit_code(fail_on, allow) == exit_code(expected)


def test_input_problems_are_bad_input_whatever_the_verdicts():
    assert summary(Verdict("crit", Status.fail), problems=1).outcomes(Severity.info) == [
        Outcome.bad_input,
        Outcome.violations,
    ]


def test_a_fixture_run_reports_its_outcomes():
    run = FixtureRun()
    assert run.outcomes == [] and run.exit_code == 0
    run.mismatches.append(Mismatch("f.json", "r", "expected pass, got fail"))
    assert run.outcomes == [Outcome.unmet] and run.exit_code == 1
    run.errors = 1
    assert run.exit_code == 2
