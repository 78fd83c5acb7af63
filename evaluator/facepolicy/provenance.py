"""What a report was made with: the git revision of each policy folder, read from the repository's
files.

No `git` process is started (a one-file run cannot afford one): HEAD is followed to its commit
through loose refs and packed-refs, worktrees included. A folder outside any repository has no
revision.
"""

from __future__ import annotations

from pathlib import Path

from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


def _git_dir(folder: Path) -> Path | None:
    for place in (folder, *folder.parents):
        marker = place / ".git"
        if marker.is_dir():
            return marker
        if marker.is_file():  # a worktree or submodule: "gitdir: PATH"
            text = marker.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:") :].strip())
                return target if target.is_absolute() else (place / target).resolve()
    return None


def _ref(git_dir: Path, common: Path, name: str) -> str | None:
    for base in (git_dir, common):
        loose = base / name
        if loose.is_file():
            return loose.read_text(encoding="utf-8").strip()
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            sha, _, ref = line.partition(" ")
            if ref == name:
                return sha
    return None


def git_revision(folder: Path) -> str | None:
    """The commit HEAD points at in the repository holding `folder`, or None."""
    try:
        git_dir = _git_dir(folder.resolve())
        if git_dir is None:
            return None
        common_file = git_dir / "commondir"
        common = (
            (git_dir / common_file.read_text(encoding="utf-8").strip()).resolve()
            if common_file.is_file()
            else git_dir
        )
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        revision = _ref(git_dir, common, head[4:].strip()) if head.startswith("ref:") else head
    except (OSError, UnicodeDecodeError):
        return None
    return revision if revision and len(revision) >= 40 else None


def report_context(
    rule_set: Any, lang: str, today: Any, verbose: bool = False, excerpts: bool = False
) -> Any:
    """The reporters' Context for a run: each rule as the report words it, and what the report was
    made with (facepolicy's version, the rule set's digest, each policy folder's git commit, the
    day). `excerpts`: also the verbatim clause texts (read from the catalogs), for the formats that
    show them."""
    from facepolicy.model import RuleInfo, Text

    rules = {}
    for rid, rule in rule_set.rules.items():
        rules[rid] = RuleInfo(
            rid,
            rule.title,
            rule.description,
            rule.severity,
            rule.tags,
            rule.clauses,
            Text(rule.remediation.zh, rule.remediation.en),
        )
    return context_of(
        rules,
        rule_set.digest(),
        rule_set.folders,
        lang,
        today,
        verbose,
        rule_set.clause if excerpts else None,
    )


def context_of(
    rules: dict[str, Any],
    digest: str,
    folders: list[Path],
    lang: str,
    today: Any,
    verbose: bool = False,
    clause: Any = None,
) -> Any:
    """The Context from each rule's RuleInfo; `clause` (a ref → Clause lookup) adds the verbatim
    excerpts."""
    from facepolicy import __version__
    from facepolicy.paths import shown
    from facepolicy.reporters import Context

    if clause is not None:
        rules = {
            rid: info._replace(
                excerpts=tuple(
                    (ref, c.heading if c else None, c.excerpt if c else None)
                    for ref in info.clauses
                    for c in [clause(ref)]
                )
            )
            for rid, info in rules.items()
        }
    provenance = {
        "facepolicy_version": __version__,
        "rule_set_digest": digest,
        "rules": len(rules),
        "today": today.isoformat(),
        "lang": lang,
    }
    revisions = {shown(folder): rev for folder in folders if (rev := git_revision(folder))}
    if revisions:
        provenance["policy_revisions"] = revisions
    return Context(rules, provenance, lang, today, verbose, memo={})
