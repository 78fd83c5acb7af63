"""What changed between two revisions of the rules: in meaning (which part of which rule) and in
verdicts."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facepolicy.errors import FacepolicyError, bilingual, printable
from facepolicy.loader import ParsedDeployment
from facepolicy.model import DeploymentResult
from facepolicy.pipeline import judge
from facepolicy.ruleset import RuleSet

PARTS = {
    "scope": ("scope",),
    "evidence": ("evidence",),
    "assertions": ("assertions",),
    "severity": ("severity",),
    "clauses": ("clauses",),
    "messages": ("title", "description", "message", "remediation"),
    "tags": ("tags",),
}


def _git(repo: Path, *args: str) -> bytes:
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            check=True,
            stdin=subprocess.DEVNULL,
        ).stdout
    except FileNotFoundError:
        raise FacepolicyError("git", bilingual("找不到 git", "git is not installed")) from None


def _detail(exc: subprocess.CalledProcessError) -> list[str]:
    return exc.stderr.decode("utf-8", "replace").strip().splitlines()


def resolve_revision(repo: Path, revision: str) -> str:
    """The commit a revision names, through `git rev-parse --verify --end-of-options`: a revision
    that looks like an option (`--output=FILE`) is a revision that does not exist, never an option
    given to git."""
    try:
        return (
            _git(
                repo,
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                f"{revision}^{{commit}}",
            )
            .decode()
            .strip()
        )
    except subprocess.CalledProcessError:
        raise FacepolicyError(
            printable(revision), bilingual("没有该版本", "no such revision in the repository")
        ) from None


def export_revision(repo: Path, revision: str, subdir: str, target: Path) -> Path:
    """Write `subdir` as it was at `revision` into `target`, through git archive (nothing is checked
    out)."""
    if Path(subdir).is_absolute() or ".." in Path(subdir).parts:
        raise FacepolicyError(
            printable(subdir),
            bilingual("目录必须在仓库之内", "the folder must be inside the repository"),
        )
    commit = resolve_revision(repo, revision)
    try:
        # Options end before the commit (already resolved to hex), so the path is a path even if it
        # starts with "-".
        data = _git(repo, "archive", "--format=tar", "--end-of-options", commit, subdir)
    except subprocess.CalledProcessError as exc:
        detail = _detail(exc)
        if (
            detail and "did not match any files" in detail[-1]
        ):  # the folder did not exist yet: an empty rule set
            (target / subdir).mkdir(parents=True, exist_ok=True)
            return target / subdir
        raise FacepolicyError(
            printable(revision),
            bilingual("无法读取该版本", "cannot read this revision") + ": "
            f"{printable(detail[-1]) if detail else exc}",
        ) from None
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(target, filter="data")
    return target / subdir


def refuse_broken(rule_set: RuleSet, label: str) -> None:
    """A rule that no longer parses is an error of the diff, not a removal: its problems, named,
    exit 2."""
    if rule_set.problems:
        first = rule_set.problems[0]
        more = f" (+{len(rule_set.problems) - 1} more)" if len(rule_set.problems) > 1 else ""
        raise FacepolicyError(
            f"{label}: {printable(first.source)}", f"{printable(first.message)}{more}"
        )


@dataclass
class RuleChange:
    id: str
    parts: list[str]


@dataclass
class ClauseChange:
    ref: str
    change: str  # added | removed | disposition | excerpt
    before: str = ""
    after: str = ""


@dataclass
class VerdictChange:
    case: str
    rule_id: str
    before: str
    after: str


@dataclass
class PolicyDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[RuleChange] = field(default_factory=list)
    clauses: list[ClauseChange] = field(default_factory=list)
    verdicts: list[VerdictChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rules": {
                "added": self.added,
                "removed": self.removed,
                "changed": [{"id": c.id, "parts": c.parts} for c in self.changed],
            },
            "clauses": [
                {"ref": c.ref, "change": c.change, "before": c.before, "after": c.after}
                for c in self.clauses
            ],
            "verdicts": [
                {"case": v.case, "rule": v.rule_id, "before": v.before, "after": v.after}
                for v in self.verdicts
            ],
        }


def _disposition(clause) -> str:
    return ", ".join(clause.rules) if clause.rules else f"not_checkable: {clause.not_checkable}"


def compare_rules(base: RuleSet, head: RuleSet, result: PolicyDiff) -> None:
    result.added = sorted(set(head.rules) - set(base.rules))
    result.removed = sorted(set(base.rules) - set(head.rules))
    for rid in sorted(set(base.rules) & set(head.rules)):
        before, after = base.rules[rid].raw, head.rules[rid].raw
        parts = [
            name for name, keys in PARTS.items() if any(before.get(k) != after.get(k) for k in keys)
        ]
        if parts:
            result.changed.append(RuleChange(rid, parts))
    for key in sorted(set(base.documents) | set(head.documents)):
        old = {c.id: c for c in base.documents[key].clauses} if key in base.documents else {}
        new = {c.id: c for c in head.documents[key].clauses} if key in head.documents else {}
        for cid in sorted(set(old) | set(new)):
            ref = f"{key}:{cid}"
            if cid not in old:
                result.clauses.append(ClauseChange(ref, "added", after=_disposition(new[cid])))
            elif cid not in new:
                result.clauses.append(ClauseChange(ref, "removed", before=_disposition(old[cid])))
            else:
                if _disposition(old[cid]) != _disposition(new[cid]):
                    result.clauses.append(
                        ClauseChange(
                            ref, "disposition", _disposition(old[cid]), _disposition(new[cid])
                        )
                    )
                if old[cid].excerpt != new[cid].excerpt:
                    result.clauses.append(
                        ClauseChange(
                            ref, "excerpt", old[cid].excerpt.strip(), new[cid].excerpt.strip()
                        )
                    )


def compare_verdicts(
    base: RuleSet,
    head: RuleSet,
    documents: list[ParsedDeployment],
    today: dt.date,
    result: PolicyDiff,
) -> None:
    for document in documents:
        judged = [judge(rules, document, today=today) for rules in (base.rules, head.rules)]
        results = [j for j in judged if isinstance(j, DeploymentResult)]
        if len(results) < 2:
            continue  # a fixture that is not a valid deployment says nothing about what changed
        before, after = ({v.rule_id: v.status.value for v in j.verdicts} for j in results)
        for rid in sorted(set(before) | set(after)):
            if before.get(rid) != after.get(rid):
                result.verdicts.append(
                    VerdictChange(
                        document.source, rid, before.get(rid, "absent"), after.get(rid, "absent")
                    )
                )


def render(result: PolicyDiff, base: str, head: str, markdown: bool) -> str:
    lines: list[str] = []
    title = f"facepolicy diff {base} → {head}"
    lines += [f"## {title}", ""] if markdown else [title, ""]

    def section(name: str, rows: list[str]) -> None:
        lines.extend([f"### {name}", ""] if markdown else [f"{name}:"])
        lines.extend(rows or (["_none_"] if markdown else ["  none"]))
        lines.append("")

    bullet = "- " if markdown else "  "
    code = (lambda s: f"`{s}`") if markdown else (lambda s: s)
    section("Rules added / 新增规则", [f"{bullet}{code(r)}" for r in result.added])
    section("Rules removed / 删除规则", [f"{bullet}{code(r)}" for r in result.removed])
    section(
        "Rules changed / 修改规则",
        [f"{bullet}{code(c.id)}: {', '.join(c.parts)}" for c in result.changed],
    )
    section(
        "Catalog changes / 条款目录变化",
        [
            f"{bullet}{code(c.ref)}: {c.change}"
            + (f" ({c.before} → {c.after})" if c.change != "excerpt" else "")
            for c in result.clauses
        ],
    )
    section("Verdicts that change / 结论变化", _verdict_rows(result, bullet, code))
    return "\n".join(lines).rstrip() + "\n"


SHOWN_CASES = 20  # per rule and change, in text and Markdown; the JSON lists every one


def _verdict_rows(result: PolicyDiff, bullet: str, code) -> list[str]:
    """By rule: for a rule added or removed, how its verdicts fall; for the others, each change of
    verdict with the deployments it concerns."""
    by_rule: dict[str, list[VerdictChange]] = {}
    for change in result.verdicts:
        by_rule.setdefault(change.rule_id, []).append(change)
    rows = []
    for rule_id, changes in sorted(by_rule.items()):
        if rule_id in result.added or rule_id in result.removed:
            side = [c.after if rule_id in result.added else c.before for c in changes]
            counts = ", ".join(f"{status} {side.count(status)}" for status in sorted(set(side)))
            rows.append(
                f"{bullet}{code(rule_id)} "
                f"({'added' if rule_id in result.added else 'removed'}): {len(changes)} "
                f"deployment(s): {counts}"
            )
            continue
        flips: dict[tuple[str, str], list[str]] = {}
        for c in changes:
            flips.setdefault((c.before, c.after), []).append(c.case)
        for (before, after), cases in sorted(flips.items()):
            shown = ", ".join(code(case) for case in cases[:SHOWN_CASES]) + (
                f" … and {len(cases) - SHOWN_CASES} more" if len(cases) > SHOWN_CASES else ""
            )
            rows.append(f"{bullet}{code(rule_id)} {before} → {after} ({len(cases)}): {shown}")
    return rows
