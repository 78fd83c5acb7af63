"""The files a rule set is made of, and the key their bytes make: all a cached run reads before it
evaluates.

Kept apart from ruleset.py, which defines the rule set itself, so that a cached `eval` finds its
compiled program (program.py) without loading what only building one needs.
"""

from __future__ import annotations

import os

from facepolicy.paths import SCHEMAS_DIR, shown
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    from facepolicy.records import NamedTuple


if TYPE_CHECKING:
    from facepolicy.program import Program


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return b""  # read again by the parser, which reports it with the file's name


def _listing(folder: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """The catalogs (<document>/document.toml) and rule files (<document>/<rule>.toml) of a policies
    folder, as plain strings: building a Path for each of a hundred files costs a one-file run more
    than reading them."""
    catalogs: list[str] = []
    rules: list[str] = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_dir():
            for name in sorted(os.listdir(entry.path)):
                if name.endswith(".toml"):
                    (catalogs if name == "document.toml" else rules).append(
                        os.path.join(entry.path, name)
                    )
    return catalogs, rules


class Located(NamedTuple):
    """A rule set's packs and files as found on disk, and the cache key their bytes make."""

    found: list[Any]  # facepolicy.packs.Place, in load order
    listed: list[tuple[Any, list[str], list[str]]]
    names: dict[str, str]
    contents: dict[str, bytes]
    pack_contents: dict[str, bytes]
    cache_key: str
    schema_contents: list[tuple[str, bytes]]  # the schema files, as the key read them

    @property
    def folders(self) -> list[str]:
        return [place.rules for place in self.found]


def locate(extra: tuple[str, ...], bundled: bool) -> Located:
    """The packs (bundled unless told not to, then each --policies folder), their files and the
    key."""
    from facepolicy import cache, packs

    found = packs.places(extra, bundled)
    listed = [(place, *_listing(place.rules)) for place in found]
    # resolving a path costs a stat per part: once per folder
    shown_folders = {place.rules: shown(place.rules) for place in found}
    names = {
        path: shown_folders[place.rules] + path[len(place.rules) :]
        for place, catalogs, rules in listed
        for path in catalogs + rules
    }
    contents = {path: _read(path) for path in names}
    pack_files = [
        path for place in found for path in (place.manifest, place.extension) if path is not None
    ]
    pack_contents = {path: _read(path) for path in pack_files}
    schema_files = sorted(
        os.path.join(SCHEMAS_DIR, n) for n in os.listdir(SCHEMAS_DIR) if n.endswith(".schema.json")
    )
    schema_contents = [(p, _read(p)) for p in schema_files]
    cache_key = cache.key(
        [(names[p], data) for p, data in contents.items()]
        + [(shown(p), data) for p, data in pack_contents.items()]
        + schema_contents
    )
    return Located(found, listed, names, contents, pack_contents, cache_key, schema_contents)


def load_program(extra: tuple[str, ...] = (), bundled: bool = True) -> tuple["Program", list[str]]:
    """The compiled program of the rule set (bundled unless told not to, then each --policies
    folder) and its folders: from the cache when no file changed, else built with the rule set."""
    from facepolicy.program import cached

    located = locate(extra, bundled)
    found = cached(located.cache_key)
    if found is not None:
        return found, located.folders
    from facepolicy.rulecache import program_of
    from facepolicy.ruleset import _load

    rule_set = _load(located, building=True)
    return program_of(rule_set), located.folders
