"""The clause → rule → fixture matrix, per document: what is encoded, what cannot be, what is
unaccounted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from facepolicy.model import Text

if TYPE_CHECKING:  # the HTML report reads the value types below: importing them loads no rule
    from facepolicy.ruleset import RuleSet


@dataclass
class DocumentCoverage:
    key: str
    title: str
    total: int = 0
    encoded: int = 0
    not_checkable: Counter = field(default_factory=Counter)
    unaccounted: list[str] = field(default_factory=list)

    @property
    def accounted_percent(self) -> float:
        return (
            100.0 if not self.total else 100.0 * (self.total - len(self.unaccounted)) / self.total
        )


@dataclass
class RuleCoverage:
    id: str
    clauses: list[str]
    fixtures: dict[str, list[str]]  # status word → fixture file names


def fixture_files(roots: list[Path], rule_id: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for root in roots:
        for path in sorted((root / "rules" / rule_id).glob("*.json")):
            found.setdefault(path.stem.split("-", 1)[0], []).append(path.name)
    return found


def measure(
    rule_set: RuleSet, roots: list[Path], lang: str = "en"
) -> tuple[list[DocumentCoverage], list[RuleCoverage]]:
    """The matrix; each rule's fixtures are looked for in its own pack's fixture folders (or those
    of `roots` that belong to its pack: see packs.fixture_roots)."""
    from facepolicy.packs import fixture_roots

    roots_of = fixture_roots(rule_set.packs, roots)
    documents = []
    for document in sorted(rule_set.documents.values(), key=lambda d: d.key):
        cover = DocumentCoverage(document.key, document.title(lang))
        for clause in document.clauses:
            cover.total += 1
            if clause.not_checkable:
                cover.not_checkable[clause.not_checkable] += 1
                continue
            alive = [
                rid
                for rid in clause.rules
                if rid in rule_set.rules and clause.ref in rule_set.rules[rid].clauses
            ]
            if alive and len(alive) == len(clause.rules):
                cover.encoded += 1
            else:
                cover.unaccounted.append(clause.id)
        documents.append(cover)
    rules = []
    for rule in rule_set.rules.values():
        pack_roots = roots_of.get(rule_set.pack_of.get(rule.id, ""), [])
        rules.append(RuleCoverage(rule.id, list(rule.clauses), fixture_files(pack_roots, rule.id)))
    return documents, rules


class TracedClause(NamedTuple):
    """One catalog clause as the traceability table shows it: its words and what became of it."""

    id: str
    heading: Text
    excerpt: str
    rules: tuple[str, ...]
    not_checkable: str | None
    reason: Text | None


class TracedDocument(NamedTuple):
    key: str
    title: Text
    publisher: str
    date: str
    clauses: tuple[TracedClause, ...]


class Audit(NamedTuple):
    """What the HTML report shows besides the verdicts, computed by the command so that the report
    reads no catalog and no fixture folder: coverage per document, fixture files per rule, and every
    catalog's clauses."""

    documents: list[DocumentCoverage]
    fixtures: dict[str, dict[str, list[str]]]  # rule id → status word → fixture file names
    catalogs: list[TracedDocument]


def audit(rule_set: RuleSet, roots: list[Path], lang: str) -> Audit:
    documents, rules = measure(rule_set, roots, lang)
    catalogs = []
    for d in sorted(rule_set.documents.values(), key=lambda d: d.key):
        clauses = tuple(
            TracedClause(c.id, c.heading, c.excerpt, c.rules, c.not_checkable, c.reason)
            for c in d.clauses
        )
        catalogs.append(TracedDocument(d.key, d.title, d.publisher, d.date, clauses))
    return Audit(documents, {r.id: r.fixtures for r in rules}, catalogs)


def as_dict(documents: list[DocumentCoverage], rules: list[RuleCoverage]) -> dict[str, Any]:
    return {
        "documents": [
            {
                "key": d.key,
                "title": d.title,
                "clauses": d.total,
                "encoded": d.encoded,
                "not_checkable": dict(sorted(d.not_checkable.items())),
                "unaccounted": d.unaccounted,
                "accounted_percent": round(d.accounted_percent, 2),
            }
            for d in documents
        ],
        "rules": [{"id": r.id, "clauses": r.clauses, "fixtures": r.fixtures} for r in rules],
    }


def render_text(
    documents: list[DocumentCoverage], rules: list[RuleCoverage], markdown: bool = False
) -> str:
    lines = []
    if markdown:
        lines += [
            "## Clause coverage",
            "",
            "| document | clauses | encoded | not checkable | unaccounted |",
            "|---|---:|---:|---|---:|",
        ]
    for d in documents:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(d.not_checkable.items())) or "—"
        nc = sum(d.not_checkable.values())
        if markdown:
            lines.append(
                f"| `{d.key}` {d.title} | {d.total} | {d.encoded} | {nc} ({reasons}) | "
                f"{len(d.unaccounted)} |"
            )
        else:
            lines.append(
                f"{d.key}: {d.total} clauses, {d.encoded} encoded, {nc} not checkable "
                f"({reasons}), {len(d.unaccounted)} unaccounted"
            )
            if d.unaccounted:
                lines.append(f"  unaccounted: {', '.join(d.unaccounted)}")
    lines.append("")
    if markdown:
        lines += [
            "## Rules",
            "",
            "| rule | clauses | pass | fail | other fixtures |",
            "|---|---|---:|---:|---:|",
        ]
    for r in rules:
        passes, fails = len(r.fixtures.get("pass", [])), len(r.fixtures.get("fail", []))
        others = sum(len(v) for k, v in r.fixtures.items() if k not in ("pass", "fail"))
        if markdown:
            lines.append(f"| `{r.id}` | {', '.join(r.clauses)} | {passes} | {fails} | {others} |")
        else:
            lines.append(
                f"{r.id}: clauses {', '.join(r.clauses)}; fixtures {passes} pass, {fails} "
                f"fail, {others} other"
            )
    return "\n".join(lines) + "\n"
