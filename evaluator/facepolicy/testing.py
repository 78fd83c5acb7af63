"""Fixtures and their expected verdicts; `facepolicy test` and pytest run this same code.

Per-rule fixtures: fixtures/rules/<rule-id>/<status>-<name>.json, where <status> is the verdict the
rule must give (pass, fail, incomplete, not_applicable). Scenarios: fixtures/scenarios/<name>/
deployment.json with expected.toml listing, under each status in [verdicts], every rule of its
pack, and under [packs.<name>] the verdicts it expects of rules of a pack it builds on (only those
listed are checked).

Each pack's fixtures are judged by the rules of that pack and of the packs it builds on, against the
deployment schema with their fact extensions: another pack's rules never change its results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from facepolicy.errors import FacepolicyError
from facepolicy.loader import iter_deployments, read_toml
from facepolicy.model import Outcome, Problem, Status, Verdict, exit_code
from facepolicy.pipeline import judge
from facepolicy.ruleset import RuleSet

FIXTURE_TODAY = dt.date(2026, 1, 1)
STATUSES = {s.value: s for s in Status}


@dataclass(frozen=True)
class Case:
    path: Path
    expected: dict[str, Status]
    covers_all_rules: bool  # a scenario must state a verdict for every rule of its pack
    # rule id → the pack whose table stated it ("": [verdicts])
    pack_of: dict[str, str] = field(default_factory=dict)


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
        return Problem(
            str(path),
            "fixture name must start with pass-, fail-, incomplete- or "
            "not_applicable- / 夹具文件名须以状态开头",
        )
    return Case(path, {path.parent.name: STATUSES[status_word]}, False)


def _statuses(table: dict, where: str, pack: str, case: Case) -> Problem | None:
    for word, rule_ids in table.items():
        if word not in STATUSES or not isinstance(rule_ids, list):
            return Problem(
                f"{where}.{word}",
                "unknown status; use pass, fail, incomplete or not_applicable / 未知状态",
            )
        for rule_id in rule_ids:
            if rule_id in case.expected:
                return Problem(f"{where}.{word}", f"rule {rule_id} is listed twice / 规则重复列出")
            case.expected[rule_id] = STATUSES[word]
            case.pack_of[rule_id] = pack
    return None


def _scenario_case(folder: Path) -> Case | Problem:
    try:
        data = read_toml(folder / "expected.toml")
    except FacepolicyError as exc:
        return Problem(exc.where, exc.message)
    case = Case(folder / "deployment.json", {}, True, {})
    where = f"{folder / 'expected.toml'}"
    problem = _statuses(data.get("verdicts", {}), f"{where}: verdicts", "", case)
    for pack, table in sorted(data.get("packs", {}).items()):
        table = table if isinstance(table, dict) else {"?": table}
        problem = problem or _statuses(table, f"{where}: packs.{pack}", pack, case)
    return problem or case


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


def run_fixtures(
    rule_set: RuleSet,
    roots: list[Path] | None = None,
    today: dt.date = FIXTURE_TODAY,
    lang: str = "en",
) -> TestRun:
    """Evaluate each pack's fixtures (or those in `roots`, each the fixtures of the pack it lies in)
    by the rules of that pack and the packs it builds on, compare with their expectations, and list
    its rules lacking fixtures."""
    from facepolicy import schemas
    from facepolicy.packs import fixture_roots

    run = TestRun()
    in_use = schemas.extensions()
    try:
        for name, pack_roots in fixture_roots(rule_set.packs, roots or ()).items():
            family = set(rule_set.pack(name).family)
            schemas.use_extensions(tuple(e for e in rule_set.extensions if e[0] in family))
            _run_pack(run, rule_set, name, pack_roots, today, lang)
    finally:
        schemas.use_extensions(in_use)
    return run


def _misplaced(rule_set: RuleSet, pack: str, case: Case, rule_id: str) -> str | None:
    """Why an expectation cannot be checked in a pack's case, or None when it can."""
    home = rule_set.pack_of.get(rule_id)
    if home is None:
        return "expectation names a rule that does not exist / 期望中的规则不存在"
    if home not in rule_set.pack(pack).family:
        return (
            f"rule of pack {home}, which this pack does not build on (builds_on in "
            "pack.toml) / "
            f"该规则属于未被依赖的规则包 {home}"
        )
    stated_under = case.pack_of.get(rule_id, "") or pack
    if case.covers_all_rules and stated_under != home:
        table = "[verdicts]" if home == pack else f"[packs.{home}]"
        return f"rule of pack {home}: state its verdict under {table} / 请在 {table} 下给出"
    return None


UNSTATED = (
    "no expected verdict for this rule; list it under its status in [verdicts] of "
    "expected.toml / 未给出该规则的期望结论"
)


def _run_pack(
    run: TestRun, rule_set: RuleSet, name: str, roots: list[Path], today: dt.date, lang: str
) -> None:
    rules = rule_set.family_rules(name)
    own = [rid for rid in rules if rule_set.pack_of[rid] == name]
    proven: dict[str, set[Status]] = {rid: set() for rid in own}
    for case in discover(roots):
        if isinstance(case, Problem):
            run.problems.append(case)
            continue
        run.cases += 1
        label = str(case.path)
        chosen = {}
        for rid in case.expected:
            why = _misplaced(rule_set, name, case, rid)
            if why is None:
                chosen[rid] = rules[rid]
            else:
                run.mismatches.append(Mismatch(label, rid, why))
        if case.covers_all_rules:
            unstated = [rid for rid in own if rid not in case.expected]
            run.mismatches += [Mismatch(label, rid, UNSTATED) for rid in unstated]
            chosen.update((rid, rules[rid]) for rid in own)
        item = next(iter(iter_deployments([label])))
        judged = judge(dict(sorted(chosen.items())), item, today=today)
        if isinstance(judged, Problem):
            run.problems.append(judged if judged.source else Problem(label, judged.message))
            continue
        for verdict in judged.verdicts:
            if verdict.status is Status.error:
                run.errors += 1
            expected = case.expected.get(verdict.rule_id)
            if expected is None:
                continue
            run.checked += 1
            if verdict.status is expected:
                if not case.covers_all_rules and verdict.rule_id in proven:
                    proven[verdict.rule_id].add(expected)
                continue
            got = f"expected {expected.value}, got {verdict.status.value}"
            run.mismatches.append(Mismatch(label, verdict.rule_id, got, _describe(verdict, lang)))
    for rid, kinds in proven.items():
        lacking = [s.value for s in (Status.pass_, Status.fail) if s not in kinds]
        if lacking:
            run.untested[rid] = lacking
