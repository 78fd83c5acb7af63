"""What the cache keeps beside a loaded rule set, outside the rule-set model: its compiled program
(program.py) and its catalogs, stored under the rule set's cache key (cache.py), kept once read.

A rule set knows nothing of this: the loader (ruleset._load) says which key a rule set was loaded
under, and `program_of` / `documents_of` read, build and remember the rest. A selection
(RuleSet.select) shares what is kept for the whole rule set it was taken from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from facepolicy import cache

if TYPE_CHECKING:
    import weakref

    from facepolicy.program import Program
    from facepolicy.ruleset import Document, RuleSet

DOCUMENTS = "-documents"  # the catalogs' entry: the rule set's cache key and this


class _Beside:
    """A whole rule set's cache key (empty: not cached), and its program and catalogs once known."""

    __slots__ = ("key", "program", "documents")

    def __init__(self) -> None:
        self.key = ""
        self.program: "Program | None" = None
        self.documents: "dict[str, Document] | None" = None


_kept: "weakref.WeakKeyDictionary[RuleSet, _Beside] | None" = None  # made on first use


def _beside(rule_set: "RuleSet") -> _Beside:
    global _kept
    if _kept is None:
        import weakref  # off a cached eval's path (it holds no rule set): the import costs 1 ms

        _kept = weakref.WeakKeyDictionary()
    whole = rule_set.selected_from or rule_set
    found = _kept.get(whole)
    if found is None:
        found = _kept[whole] = _Beside()
    return found


def loaded(
    rule_set: "RuleSet", cache_key: str, documents: "dict[str, Document] | None" = None
) -> None:
    """Note the key a rule set was loaded under; with `documents` (just read), cache them."""
    beside = _beside(rule_set)
    beside.key = cache_key
    if documents is not None:
        cache.store(cache_key + DOCUMENTS, documents)
        beside.documents = documents


def program_of(rule_set: "RuleSet") -> "Program":
    """The rules compiled to Python: from the cache, else built (and cached) on first use; for a
    selection, the whole rule set's program judging only the rules selected."""
    from facepolicy import program

    beside = _beside(rule_set)
    if beside.program is None:
        beside.program = program.cached(beside.key) if beside.key else None
    if beside.program is None:
        beside.program, entry = program.build(rule_set.selected_from or rule_set)
        if beside.key:
            program.store(beside.key, entry)
    if len(beside.program.rules) != len(rule_set.rules):
        return beside.program.select(set(rule_set.rules))
    return beside.program


def documents_of(
    rule_set: "RuleSet", read: "Callable[[], dict[str, Document]]"
) -> "dict[str, Document]":
    """The catalogs: from the cache, else `read` from their files; once per rule set."""
    beside = _beside(rule_set)
    if beside.documents is None:
        cached: Any = cache.load(beside.key + DOCUMENTS) if beside.key else None
        beside.documents = cached if isinstance(cached, dict) else read()
    return beside.documents
