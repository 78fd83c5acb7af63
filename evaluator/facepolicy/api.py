"""facepolicy as a library: load a rule set once, evaluate deployments, get report objects.

    from facepolicy import api

    rules = api.load()                                  # the bundled rules, compiled (and cached)
    report = rules.evaluate({"schema_version": 2, "id": "gate", "mode": "offline", ...})
    report.status("megvii-fr-guideline.private-spaces")  # Status.fail, Status.pass_, …
    for report in rules.evaluate_many(open("fleet.ndjson", encoding="utf-8")):
        ...

`evaluate` takes a parsed document (a dict), or its JSON text; `evaluate_many` any iterable of them
(lines of NDJSON included) and yields one report per deployment in order, without holding them:
memory stays flat. A report is a `DeploymentResult` (verdicts, the line and column of each
violation) or, for input that cannot be used, a `Problem` naming the place. Rules objects pickle as
the way to load them again, so that a data-parallel engine (dask, Spark, Ray) can ship one to its
workers: see the README's "Speed" section. Nothing here prints, reads a terminal or exits; the CLI
(`facepolicy eval`) is built on this module.
"""

from __future__ import annotations

import json

from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.model import DeploymentResult, Problem, RuleInfo, Severity, Status, Verdict
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from typing import Any, Iterable, Iterator


if TYPE_CHECKING:
    from facepolicy.program import Program
    from facepolicy.reporters import Context
    from facepolicy.ruleset import RuleSet

__all__ = ["load", "Rules", "DeploymentResult", "Problem", "Verdict", "Status", "Severity"]


class Rules:
    """A rule set loaded and compiled once; evaluate as many deployments as you like with it."""

    def __init__(self, program: "Program", folders: list[Any], how: tuple[Any, ...]):
        self.program = program
        self.folders = folders
        self._how = how  # (policies, bundled, rule_ids, tags): how to load the same rules again
        self._rule_set: "RuleSet | None" = None

    def __reduce__(self) -> tuple[Any, ...]:
        policies, bundled, rule_ids, tags = self._how
        return _reload, (policies, bundled, rule_ids, tags)

    @property
    def ids(self) -> list[str]:
        """The ids of the rules evaluated, in the order verdicts come in."""
        return list(self.program.rules)

    @property
    def digest(self) -> str:
        """The content digest of the rule and catalog files (reports state it)."""
        return self.program.digest

    @property
    def problems(self) -> list[Problem]:
        """Rule or catalog files that could not be loaded (the other rules still run)."""
        return [Problem(source, message) for source, message in self.program.problems]

    def info(self, rule_id: str) -> RuleInfo:
        """What a report says of a rule: title, description, severity, tags, clauses,
        remediation."""
        return self.program.info(rule_id)

    def severity(self, rule_id: str) -> Severity:
        return self.program.severity(rule_id)

    @property
    def rule_set(self) -> "RuleSet":
        """The rule set itself (rule files, catalogs): loaded on first use, from the cache when
        unchanged."""
        if self._rule_set is None:
            from facepolicy.ruleset import load_rule_set

            policies, bundled, rule_ids, tags = self._how
            self._rule_set = load_rule_set(policies, bundled=bundled).select(rule_ids, tags)
        return self._rule_set

    def select(self, rule_ids: Iterable[str] = (), tags: Iterable[str] = ()) -> "Rules":
        """The same rules, keeping only those named or tagged (all when neither is given)."""
        rule_ids, tags = tuple(rule_ids), tuple(tags)
        if not rule_ids and not tags:
            return self
        if any(rid not in self.program.rules for rid in rule_ids):
            self.rule_set.select(
                rule_ids, tags
            )  # words the error (RuleSet.select is the one place that does)
            raise FacepolicyError(
                "--rule", bilingual("没有该规则", "no such rule")
            )  # pragma: no cover
        chosen = {
            rid
            for rid in self.program.rules
            if rid in rule_ids or any(t in self.program.tags(rid) for t in tags)
        }
        policies, bundled, _, _ = self._how
        return Rules(self.program.select(chosen), self.folders, (policies, bundled, rule_ids, tags))

    def evaluate(
        self, deployment: Any, *, today: dt.date | None = None, source: str = "<deployment>"
    ) -> DeploymentResult | Problem:
        """The verdict of every rule on one deployment: a parsed document (dict) or its JSON
        text."""
        from facepolicy.pipeline import judge

        return judge(self.program, _item(deployment, source), today=today or _today())

    def evaluate_many(
        self,
        deployments: Iterable[Any],
        *,
        today: dt.date | None = None,
        jobs: int = 1,
        source: str = "<deployment>",
    ) -> Iterator[DeploymentResult | Problem]:
        """A report per deployment, in order, one at a time: dicts, JSON texts or NDJSON lines
        (blank lines are skipped); `jobs` > 1 judges them in that many worker processes."""
        from facepolicy.engine import Run

        items = (_item(d, f"{source}:{n}") for n, d in enumerate(deployments, 1) if not _blank(d))
        run = Run(self.program, today or _today(), jobs=jobs)
        yield from run.results(items)  # type: ignore[misc]  # no renderer: never a Rendered

    def evaluate_files(
        self,
        paths: list[str],
        *,
        today: dt.date | None = None,
        jobs: int = 1,
        max_size: int | None = None,
    ) -> Iterator[DeploymentResult | Problem]:
        """A report per deployment found in files and folders ('-': standard input), JSON or NDJSON,
        in order."""
        from facepolicy.engine import Run
        from facepolicy.loader import MAX_SIZE

        yield from Run(self.program, today or _today(), jobs=jobs).results_of_files(
            list(paths), max_size or MAX_SIZE
        )  # type: ignore[misc]  # no renderer: never a Rendered

    def context(
        self,
        lang: str = "en",
        today: dt.date | None = None,
        verbose: bool = False,
        excerpts: bool = False,
    ) -> "Context":
        """What a reporter needs besides the results (facepolicy.reporters): the rules' words and
        provenance."""
        from facepolicy.provenance import context_of

        infos = {rid: self.program.info(rid) for rid in self.program.rules}
        clause = self.rule_set.clause if excerpts else None
        return context_of(
            infos, self.digest, self.folders, lang, today or _today(), verbose, clause
        )


def _blank(item: Any) -> bool:
    return isinstance(item, (str, bytes)) and not item.strip()


def _item(deployment: Any, source: str) -> Any:
    from facepolicy.loader import ParsedDeployment, Raw

    if isinstance(deployment, (Raw, ParsedDeployment, Problem)):
        return deployment
    if isinstance(deployment, bytes):
        from facepolicy.loader import decode_text

        try:
            deployment = decode_text(deployment)
        except FacepolicyError as exc:
            return Problem(source, f"{exc.where}: {exc.message}")
    if isinstance(deployment, str):
        return Raw(source, deployment.rstrip("\r\n"))
    return ParsedDeployment(source, deployment, json.dumps(deployment, ensure_ascii=False))


def load(
    policies: Iterable[str] = (),
    *,
    bundled: bool = True,
    rule_ids: Iterable[str] = (),
    tags: Iterable[str] = (),
) -> Rules:
    """The bundled rules (unless `bundled` is False) and those of each folder in `policies` (a rule
    with the same id replaces the bundled one), compiled; from the cache when no rule file changed.
    `rule_ids` and `tags` keep only the rules named or tagged. Raises FacepolicyError for a folder
    that does not exist."""
    from facepolicy.rulefiles import load_program

    policies = tuple(str(p) for p in policies)
    program, folders = load_program(policies, bundled=bundled)
    return Rules(program, folders, (policies, bundled, (), ())).select(rule_ids, tags)


def _reload(
    policies: tuple[str, ...], bundled: bool, rule_ids: tuple[str, ...], tags: tuple[str, ...]
) -> Rules:
    return load(policies, bundled=bundled, rule_ids=rule_ids, tags=tags)


def _today() -> Any:
    """Today (the local date), as facepolicy's own runs name it (durations.Day)."""
    from facepolicy.durations import current_day

    return current_day()
