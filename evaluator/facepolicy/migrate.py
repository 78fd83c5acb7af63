"""schema_version 1 → 2, as a text edit that keeps every other byte of the file.

Version 1 read every stated list as complete. Version 2 reads a list as "at least these" unless its
object names it in `complete`; so migrating names, in each object, every list that object states,
and the meaning of the description does not change.
"""

from __future__ import annotations

from typing import Any, Iterator

from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.facts import SCHEMA_VERSION
from facepolicy.jsonedit import add_to_array, set_value


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _objects_with_lists(value: Any, at: str = "") -> Iterator[tuple[str, list[str]]]:
    if isinstance(value, dict):
        lists = [key for key, item in value.items() if isinstance(item, list)]
        if lists:
            yield at, lists
        for key, item in value.items():
            yield from _objects_with_lists(item, f"{at}/{_escape(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects_with_lists(item, f"{at}/{index}")


def migrate_text(text: str, document: Any) -> str:
    """The text of a version-1 deployment as version 2 (the parsed `document` says where its lists
    are)."""
    version = document.get("schema_version") if isinstance(document, dict) else None
    if version == SCHEMA_VERSION:
        return text
    if version != 1:
        raise FacepolicyError(
            "/schema_version",
            bilingual("只能迁移版本 1 的描述", "only schema_version 1 can be migrated")
            + f": {version!r}",
        )
    # deepest objects first, so that no edit moves a place a later edit needs (members are only
    # appended)
    for at, lists in sorted(_objects_with_lists(document), key=lambda found: -found[0].count("/")):
        for name in lists:
            text = add_to_array(text, f"{at}/complete", name)
    return set_value(text, "/schema_version", SCHEMA_VERSION)
