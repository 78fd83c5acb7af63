"""Fixtures and their expected verdicts; `facepolicy test` and pytest run this same code.

Per-rule fixtures: fixtures/rules/<rule-id>/<status>-<name>.json, where <status> is the verdict the
rule must give (pass, fail, incomplete, not_applicable). Scenarios: fixtures/scenarios/<name>/
deployment.json with expected.toml listing, under each status, every rule of the set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from facepolicy.errors import FacepolicyError
from facepolicy.loader import iter_deployments, read_toml
from facepolicy.pipeline import judge
from facepolicy.model import Outcome, Problem, Status, Verdict, exit_code
from facepolicy.ruleset import RuleSet

FIXTURE_TODAY = dt.date(2026, 1, 1)
STATUSES = {s.value: s for s in Status}


@dataclass(frozen=True)
class Case:
    path: Path
    expected: dict[str, Status]
    covers_all_rules: bool  # a scenario must state a verdict for every rule


@dataclass
class Mismatch:
    case: str
    rule_id: str
    text: str
    details: list[str] = field(default_factory=list)


@dataclass
class TestRun:
    cases: int = 0
    checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    errors: int = 0
    untested: dict[str, list[str]] = field(default_factory=dict)  # rule id → missing fixture kinds

    @property
    def outcomes(self) -> list[Outcome]:
        found = []
        if self.problems:
            found.append(Outcome.bad_input)
        if self.errors:
            found.append(Outcome.broken_rule)
        if self.mismatches or self.untested:
            found.append(Outcome.unmet)
        return found

    @property
    def exit_code(self) -> int:
        return exit_code(self.outcomes)


def _rule_case(path: Path) -> Case | Problem:
    status_word = path.stem.split("-", 1)[0]
    if status_word not in STATUSES or status_word == "waived" or status_word == "error":
        return Problem(str(path), "fixture name must start with pass-, fail-, incomplete- or not_applicable- / 夹具文件名须以状态开头")
    return Case(path, {path.parent.name: STATUSES[status_word]}, False)


def _scenario_case(folder: Path) -> Case | Problem:
    try:
        data = read_toml(folder / "expected.toml")
    except FacepolicyError as exc:
        return Problem(exc.where, exc.message)
    expected: dict[str, Status] = {}
    for word, rule_ids in data.get("verdicts", {}).items():
        if word not in STATUSES:
            return Problem(f"{folder / 'expected.toml'}: verdicts.{word}", "unknown status / 未知状态")
        for rule_id in rule_ids:
            if rule_id in expected:
                return Problem(f"{folder / 'expected.toml'}: verdicts.{word}", f"rule {rule_id} is listed twice / 规则重复列出")
            expected[rule_id] = STATUSES[word]
    return Case(folder / "deployment.json", expected, True)


def discover(roots: list[Path]) -> Iterator[Case | Problem]:
    for root in roots:
        for path in sorted((root / "rules").glob("*/*.json")):
            yield _rule_case(path)
        for folder in sorted(p for p in (root / "scenarios").glob("*") if p.is_dir()):
            yield _scenario_case(folder)


def _describe(verdict: Verdict, lang: str) -> list[str]:
    lines = [f"{v.pointer}: {v.message(lang)}" for v in verdict.violations]
    if verdict.missing:
        lines.append("missing: " + ", ".join(verdict.missing))
    if verdict.error:
        lines.append(verdict.error)
    return lines


def run_fixtures(rule_set: RuleSet, roots: list[Path], today: dt.date = FIXTURE_TODAY, lang: str = "en") -> TestRun:
    """Evaluate every fixture and compare with its expectations; also list rules lacking fixtures."""
    run = TestRun()
    proven: dict[str, set[Status]] = {rid: set() for rid in rule_set.rules}
    for case in discover(roots):
        if isinstance(case, Problem):
            run.problems.append(case)
            continue
        run.cases += 1
        name = str(case.path)
        unknown = [rid for rid in case.expected if rid not in rule_set.rules]
        for rid in unknown:
            run.mismatches.append(Mismatch(name, rid, "expectation names a rule that does not exist / 期望中的规则不存在"))
        chosen = {rid: rule_set.rules[rid] for rid in case.expected if rid in rule_set.rules}
        if case.covers_all_rules:
            for rid in rule_set.rules:
                if rid not in case.expected:
                    run.mismatches.append(Mismatch(name, rid, "no expected verdict for this rule / 未给出该规则的期望结论"))
            chosen = rule_set.rules
        judged = next(iter(judge(chosen, item, today=today) for item in iter_deployments([str(case.path)])))
        if isinstance(judged, Problem):
            run.problems.append(judged if judged.source else Problem(name, judged.message))
            continue
        for verdict in judged.verdicts:
            if verdict.status is Status.error:
                run.errors += 1
            expected = case.expected.get(verdict.rule_id)
            if expected is None:
                continue
            run.checked += 1
            if verdict.status is expected:
                if not case.covers_all_rules:
                    proven[verdict.rule_id].add(expected)
                continue
            run.mismatches.append(
                Mismatch(name, verdict.rule_id, f"expected {expected.value}, got {verdict.status.value}", _describe(verdict, lang))
            )
    for rid, kinds in proven.items():
        lacking = [s.value for s in (Status.pass_, Status.fail) if s not in kinds]
        if lacking:
            run.untested[rid] = lacking
    return run
