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

    __slots__ = ("key", "program", "documents", "parts")

    def __init__(self) -> None:
        self.key = ""
        self.program: "Program | None" = None
        self.documents: "dict[str, Document] | None" = None
        self.parts: "Parts | None" = None


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
    rule_set: "RuleSet",
    cache_key: str,
    documents: "dict[str, Document] | None" = None,
    parts: "Parts | None" = None,
) -> None:
    """Note the key a rule set was loaded under; with `documents` (just read), cache them; with
    `parts` (the files just read), keep them for building the program."""
    beside = _beside(rule_set)
    beside.key = cache_key
    beside.parts = parts
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
        beside.program, entry = program.build(rule_set.selected_from or rule_set, beside.parts)
        if beside.key:
            program.store(beside.key, entry)
        if beside.parts is not None:
            if beside.key:
                beside.parts.built(beside.key)
            beside.parts.save()
            beside.parts = None
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


PARTS = "-parts"  # each file's part of the last rule set loaded from the same files (by name)
PROGRAM_OF = "\0program"  # in the parts: the cache key of the program last built from them


def _codes_of(kept: tuple[bytes, Any] | None) -> dict[bytes, Any]:
    """The code objects of the program cached under a key, by the digest of the part each was
    compiled from."""
    from facepolicy import program

    return program.codes_by_digest(kept[1]) if kept is not None else {}


class Parts:
    """Each rule and catalog file as the last load of the same files read it, kept by its name with
    a digest of its bytes and of everything else its reading depends on (`salt`: the schemas and
    the packs' fact extensions; facepolicy's own code is in every cache key). After a rule edit,
    only the files whose digest changed are read and compiled again."""

    def __init__(self, names: list[str], salt: bytes):
        from hashlib import sha256

        self._sha256 = sha256
        self.key = cache.key([("parts of", "\0".join(sorted(names)).encode("utf-8", "replace"))])
        self.salt = sha256(salt).digest()
        kept: Any = cache.load(self.key + PARTS)
        self.old: dict[str, tuple[bytes, Any]] = kept if isinstance(kept, dict) else {}
        self.new: dict[str, tuple[bytes, Any]] = {}
        self._codes: dict[bytes, Any] | None = None

    def get(self, name: str, content: bytes, read: "Callable[..., Any]", *args: Any) -> Any:
        """What `read(*args)` gives for a file (its parsed and compiled part), or what it gave last
        time for the same name, bytes and salt."""
        if not content:  # unreadable or empty: read again, so that its problem is worded anew
            return read(*args)
        digest = self._sha256(
            self.salt + len(name).to_bytes(8, "big") + name.encode("utf-8", "replace") + content
        ).digest()
        kept = self.old.get(name)
        value = kept[1] if kept is not None and kept[0] == digest else read(*args)
        self.new[name] = (digest, value)
        return value

    def code(self, name: str, make: "Callable[..., Any]", *args: Any) -> tuple[Any, bytes]:
        """The code object `make(*args)` compiles for the file `name` read by `get` ("": for the
        salt alone, the deployment check), and the digest it is kept by: taken from the program
        last built from these parts where that digest is the same."""
        if name and name not in self.new:  # not a file this load read
            return make(*args), b""
        digest = self.new[name][0] if name else self.salt
        if self._codes is None:
            self._codes = _codes_of(self.old.get(PROGRAM_OF))
        found = self._codes.get(digest)
        return (found if found is not None else make(*args)), digest

    def built(self, program_key: str) -> None:
        """Note the cache key of the program built from these parts (the next build reuses its
        code)."""
        self.new[PROGRAM_OF] = (self._sha256(program_key.encode()).digest(), program_key)

    def save(self) -> None:
        if self.new.keys() != self.old.keys() or any(
            self.new[name][0] != self.old[name][0] for name in self.new
        ):
            cache.store(self.key + PARTS, self.new)
