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


def test_a_tally_counts_each_status_and_the_worst_failure_and_incomplete():
    """model.tally against a plain count over every mix of statuses the verdicts can have."""
    import itertools
    import random

    from facepolicy.model import tally

    severities = list(Severity)
    chooser = random.Random(7)
    for statuses in itertools.chain(
        [[]],
        ([s] for s in Status),
        ([chooser.choice(list(Status)) for _ in range(40)] for _ in range(200)),
    ):
        severity_of = {f"r{n}": chooser.choice(severities) for n in range(len(statuses))}
        verdicts = [Verdict(f"r{n}", status) for n, status in enumerate(statuses)]
        counts, worst, worst_open = tally(DeploymentResult("f", "d", verdicts), severity_of)
        assert counts == {s.value: statuses.count(s) for s in Status if statuses.count(s)}
        fails = [severity_of[v.rule_id] for v in verdicts if v.status is Status.fail]
        opens = [severity_of[v.rule_id] for v in verdicts if v.status is Status.incomplete]
        assert worst == (max(fails) if fails else None)
        assert worst_open == (max(opens) if opens else None)


def test_a_status_hashes_as_the_text_it_equals():
    for status in Status:
        assert status == status.value and hash(status) == hash(status.value)
        assert {status.value: 1}[status] == 1
