"""The string path functions a cached eval uses instead of pathlib (paths.py, packs.py, loader.py)
give what pathlib gives: the names in reports, the folders found and the order files are read in
stay what they were with Path."""

from __future__ import annotations

from pathlib import Path

import pytest

from facepolicy.loader import _parts, _suffix
from facepolicy.packs import _parent
from facepolicy.paths import pure, shown

PATHS = [
    "", ".", "a", "a/", "a//b", "./a/./b/", "/", "//", "///", "//a", "///a", "/a/../b", "a/..",
    "../x", "..", "/tmp/./x//y/", "a/./", "/a/b", "//a/b",
]  # fmt: skip
NAMES = [
    "a.ndjson",
    ".ndjson",
    "x/.ndjson",
    "a.b.jsonl",
    "a.",
    "a",
    "dir.x/b",
    "..ndjson",
    "y.json",
]


@pytest.mark.parametrize("path", PATHS)
def test_pure_parent_and_parts_are_pathlibs(path):
    assert pure(path) == str(Path(path))
    assert _parent(pure(path)) == str(Path(path).parent)
    assert _parts(path) == Path(path).parts


@pytest.mark.parametrize("name", NAMES)
def test_suffix_is_pathlibs(name):
    assert _suffix(name) == Path(name).suffix


def _shown_by_pathlib(path):
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(Path(path))


@pytest.mark.parametrize("where", ["root", "checkout"])
def test_shown_is_relative_to_the_working_folder_as_pathlib_makes_it(where, tmp_path, monkeypatch):
    (tmp_path / "policies" / "doc").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "policies")
    monkeypatch.chdir("/" if where == "root" else tmp_path)
    for path in [
        ".", "policies", "policies/", "./policies//doc", "link/doc", str(tmp_path / "link"),
        "/", "/nonexistent/x", "missing", str(tmp_path) + "x", "..",
    ]:  # fmt: skip
        assert shown(path) == _shown_by_pathlib(path), path
        assert shown(Path(path)) == _shown_by_pathlib(Path(path)), path
