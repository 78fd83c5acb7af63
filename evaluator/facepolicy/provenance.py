"""What a report was made with: the git revision of each policy folder, read from the repository's
files.

No `git` process is started (a one-file run cannot afford one): HEAD is followed to its commit
through loose refs and packed-refs, worktrees included. A folder outside any repository has no
revision.
"""

from __future__ import annotations

import os

from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any


def _text(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read().strip()


def _git_dir(folder: str) -> str | None:
    place = folder
    while True:
        marker = os.path.join(place, ".git")
        if os.path.isdir(marker):
            return marker
        if os.path.isfile(marker):  # a worktree or submodule: "gitdir: PATH"
            text = _text(marker)
            if text.startswith("gitdir:"):
                target = text[len("gitdir:") :].strip()
                return (
                    target
                    if os.path.isabs(target)
                    else os.path.realpath(os.path.join(place, target))
                )
        parent = os.path.dirname(place)
        if parent == place:
            return None
        place = parent


def _ref(git_dir: str, common: str, name: str) -> str | None:
    for base in (git_dir, common):
        loose = os.path.join(base, name)
        if os.path.isfile(loose):
            return _text(loose)
    packed = os.path.join(common, "packed-refs")
    if os.path.isfile(packed):
        for line in _text(packed).splitlines():
            sha, _, ref = line.partition(" ")
            if ref == name:
                return sha
    return None


def git_revision(folder: str | os.PathLike[str]) -> str | None:
    """The commit HEAD points at in the repository holding `folder`, or None."""
    try:
        git_dir = _git_dir(os.path.realpath(folder))
        if git_dir is None:
            return None
        common_file = os.path.join(git_dir, "commondir")
        common = (
            os.path.realpath(os.path.join(git_dir, _text(common_file)))
            if os.path.isfile(common_file)
            else git_dir
        )
        head = _text(os.path.join(git_dir, "HEAD"))
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
    folders: list[str] | list[Path],
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
