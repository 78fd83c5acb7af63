"""The one base error, carrying where it happened; the CLI prints it on one line and exits 2."""

from __future__ import annotations

import re


class LazyPattern:
    """A regular expression compiled on first use: most of them serve error paths, and compiling
    them all costs every cached eval about 2 ms."""

    __slots__ = ("_source", "_flags", "_compiled")

    def __init__(self, source: str, flags: int = 0):
        self._source, self._flags = source, flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name):  # untyped: the pattern's own methods, as re.Pattern types them
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return getattr(self._compiled, name)


class FacepolicyError(Exception):
    """Bad input or usage: a file, a place in it, and what is wrong (Chinese / English)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message

    def within(self, outer: str) -> "FacepolicyError":
        """The same error, with the location known by an outer layer put in front."""
        where = f"{outer}: {self.where}" if self.where else outer
        return FacepolicyError(where, self.message)


def bilingual(zh: str, en: str) -> str:
    return f"{zh} / {en}"


# C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what a terminal
# shows.
_HIDDEN = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))}
_HIDDEN.update(
    {
        c: f"\\u{c:04x}"
        for c in (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF)
    }
)
_HIDDEN.update(
    {c: f"\\u{c:04x}" for c in (0x2028, 0x2029, 0xFFFE, 0xFFFF)}
)  # line separators; not characters in XML


def printable(text: str, keep_newlines: bool = False) -> str:
    """Text from input made safe to show: control characters, bidirectional overrides and lone
    surrogates written as escapes, so that a name can neither hide text (`\\e[8m`) nor reorder it
    nor break an encoder."""
    # Every character written as an escape is one str.isprintable refuses (a test holds them to
    # it), so a text printable but for its newlines is returned as it is without compiling a
    # pattern (about 1 ms of a cached eval); the rest (a tab, a no-break space …) is searched.
    plain = text.replace("\n", "") if keep_newlines else text
    if plain.isprintable() or not (_SUSPECT_LINES if keep_newlines else _SUSPECT).search(text):
        return text
    table = _HIDDEN_LINES if keep_newlines else _HIDDEN
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text.translate(table))


_HIDDEN_LINES = {k: v for k, v in _HIDDEN.items() if k not in (0x0A, 0x09)}
_OTHERS = (
    "\\x7f-\\x9f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff"
    "\\u2028\\u2029\\ufffe\\uffff\\ud800-\\udfff"
)
_SUSPECT = LazyPattern(f"[\\x00-\\x1f{_OTHERS}]")
_SUSPECT_LINES = LazyPattern(f"[\\x00-\\x08\\x0b-\\x1f{_OTHERS}]")
_SURROGATE = LazyPattern("[\\ud800-\\udfff]")
