"""The files a rule set is made of, and the key their bytes make: all a cached run reads before it evaluates.

Kept apart from ruleset.py, which defines the rule set itself, so that a cached `eval` finds its compiled
program (program.py) without loading what only building one needs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.paths import POLICIES, SCHEMAS, shown

if TYPE_CHECKING:
    from facepolicy.program import Program


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""  # read again by the parser, which reports it with the file's name


def _listing(folder: Path) -> tuple[list[str], list[str]]:
    """The catalogs (<document>/document.toml) and rule files (<document>/<rule>.toml) of a policies folder,
    as plain strings: building a Path for each of a hundred files costs a one-file run more than reading them."""
    catalogs, rules = [], []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_dir():
            for name in sorted(os.listdir(entry.path)):
                if name.endswith(".toml"):
                    (catalogs if name == "document.toml" else rules).append(
                        os.path.join(entry.path, name)
                    )
    return catalogs, rules


class Located(NamedTuple):
    """A rule set's folders and files as found on disk, and the cache key their bytes make."""

    folders: list[Path]
    listed: list[tuple[Path, list[str], list[str]]]
    names: dict[str, str]
    contents: dict[str, bytes]
    cache_key: str


def locate(extra: tuple[str, ...], bundled: bool) -> Located:
    from facepolicy import cache

    folders = ([POLICIES] if bundled else []) + [Path(f) for f in extra]
    for folder in folders:
        if not folder.is_dir():
            raise FacepolicyError(
                str(folder), bilingual("策略目录不存在", "no such policies folder")
            )
    listed = [(folder, *_listing(folder)) for folder in folders]
    shown_folders = {
        folder: shown(folder) for folder in folders
    }  # resolving a path costs a stat per part: once per folder
    names = {
        path: shown_folders[folder] + path[len(str(folder)) :]
        for folder, catalogs, rules in listed
        for path in catalogs + rules
    }
    contents = {path: _read(path) for path in names}
    schema_files = sorted(
        os.path.join(SCHEMAS, n) for n in os.listdir(SCHEMAS) if n.endswith(".schema.json")
    )
    cache_key = cache.key(
        [(names[p], data) for p, data in contents.items()] + [(p, _read(p)) for p in schema_files]
    )
    return Located(folders, listed, names, contents, cache_key)


def load_program(extra: tuple[str, ...] = (), bundled: bool = True) -> tuple["Program", list[Path]]:
    """The compiled program of the rule set (bundled unless told not to, then each --policies folder) and its
    folders: from the cache when no file changed, else built with the rule set (load_rule_set)."""
    from facepolicy import cache, program

    located = locate(extra, bundled)
    entry = cache.load_bytes(located.cache_key + "-program", "code")
    found = program.from_entry(entry) if entry is not None else None
    if found is not None:
        return found, located.folders
    from facepolicy.ruleset import _load

    rule_set = _load(located)
    return rule_set.program(), rule_set.folders
