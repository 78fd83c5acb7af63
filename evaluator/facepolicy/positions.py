"""Where each JSON value starts in its text: JSON Pointer → (line, column), for reports that point
into files."""

from __future__ import annotations

import functools
import json
import re

from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Iterable


_WS = re.compile(r"[ \t\r\n]*")
_MEMBER = re.compile(
    r'("[^"\\]*(?:\\.[^"\\]*)*")[ \t\r\n]*:[ \t\r\n]*'
)  # a key, its colon, and the space to its value


@functools.cache
def _full_walk_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A string, a scalar, and what follows a value (a comma or a closing bracket): for _walk
    alone, which placing a report's pointers never calls, hence compiled on first use."""
    return (
        re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S),  # unrolled: no alternation per character
        re.compile(r"[^,\]\}\s]+"),
        re.compile(r"[ \t\r\n]*([,\]\}])[ \t\r\n]*"),
    )


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _key(token: str) -> str:
    return json.loads(token) if "\\" in token else token[1:-1]


# the C scanner itself: no Python frame per value skipped
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _at(pattern: re.Pattern[str], text: str, pos: int) -> re.Match[str]:
    match = pattern.match(text, pos)
    assert match is not None  # the text is valid JSON: each pattern matches where it is tried
    return match


# --- jumping over values in C -------------------------------------------------------------------
# A value is jumped over by one regular-expression match instead of being built by the JSON
# decoder. The patterns only find where a value of a valid JSON text ends (brackets balanced,
# strings matched whole); they do not check it. Every repetition is possessive, so a match that
# fails (a value nested deeper than _DEPTH, the end of the text) fails at once instead of
# backtracking, and the caller then falls back to the decoder.
_DEPTH = 3  # levels of brackets within a value jumped over: deployments have 3 below the root
_SPACE = r"[ \t\r\n]*+"
# After a value, commas are treated as space: in a valid text they are where they belong, and one
# pattern then goes from the end of a value to the start of the next one.
_AFTER = r"[ \t\r\n,]*+"
_SEPARATOR = re.compile(_AFTER)
_COLON = re.compile(rf"{_SPACE}:{_SPACE}")
_BLANK = " \t\r\n"
_INDEX = re.compile(r"0|[1-9][0-9]*")  # how a pointer part names an array item


class _Jumps:
    """The patterns for one kind of text: with backslashes (escapes) in it, or without."""

    def __init__(self, escapes: bool) -> None:
        # `[^"]` is the engine's fastest loop, and right where no string holds an escape
        string = r'"[^"]*+"'
        key = string
        if escapes:
            string = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
            key = r'"[^"\\]*+"'  # a key spelled with escapes is left to the walk
        gap = r'[^"\[\]{}]*+'  # commas, colons, space and scalars between a container's strings
        nested = "(?!)"  # deeper than _DEPTH: no match
        strings = rf"(?:{string}{gap})*+"  # no alternation per string: the usual content
        for _ in range(_DEPTH):
            nested = rf"[\[{{]{gap}{strings}(?:{nested}{gap}{strings})*+[\]}}]"
        value = rf"(?:{string}|{nested}|[-0-9tfn][^\s,\]}}]*+)"
        # a value and what follows it, up to the next value or the closing bracket
        self.value = re.compile(value + _AFTER)
        # object members with plain keys, up to the next member or the closing brace
        self.members = re.compile(rf"{_AFTER}(?:{key}{_SPACE}:{_SPACE}{value}{_AFTER})*+")


class _NoJumps:
    """Stand-ins for _Jumps that jump over nothing: the walk goes member by member and the C
    scanner skips each value. Compiling _Jumps' patterns costs about 2 ms, more than one
    deployment's walk saves with them; a run pays it once it has placed COLD deployments."""

    value = re.compile("(?!)")  # never matches: the caller skips the value with _SCAN
    members = _SEPARATOR  # the space and commas before a member, and no member


COLD = 4  # deployments placed without _Jumps in a process, before they are compiled
_placed = 0


@functools.cache
def _jumps(escapes: bool) -> _Jumps:
    return _Jumps(escapes)


def _skip(text: str, pos: int) -> int:
    """Past the value at `pos` and the space and comma after it, for a value the patterns do not
    jump over."""
    return _at(_SEPARATOR, text, _SCAN(text, pos)[1]).end()


# --- the walk to the wanted values --------------------------------------------------------------
Tree = dict[str, "Tree"]  # escaped pointer part → the wanted parts below it


def _tree(pointers: Iterable[str]) -> Tree:
    root: Tree = {}
    for pointer in set(pointers):
        node = root
        for part in _parts(pointer):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            node = child
    return root


@functools.lru_cache(maxsize=4096)
def _parts(pointer: str) -> list[str]:
    # "" is the root itself, and a pointer that does not start with "/" names no value
    return pointer[1:].split("/") if pointer[:1] == "/" else []


@functools.lru_cache(maxsize=4096)
def _spelling(part: str) -> str | None:
    """`"key"` for the key a pointer part names, if it can be written without escapes."""
    key = part.replace("~1", "/").replace("~0", "~")
    if _escape(key) != part or re.search(r'["\\\x00-\x1f]', key):
        return None
    return f'"{key}"'


class _Walk:
    """A walk from the root down to the wanted values only, in document order: over each object to
    the members whose keys are wanted, over each array to the wanted items, jumping over the rest
    in C. It reads a valid JSON text without duplicate keys (as the loader admits), and goes only
    as deep as the wanted pointers."""

    def __init__(self, text: str) -> None:
        self.text = text
        # with a backslash somewhere, a key may also be spelled with escapes, unlike `"key"`
        self.escapes = "\\" in text
        global _placed
        _placed += 1
        self.jumps: _Jumps | type[_NoJumps] = _jumps(self.escapes) if _placed > COLD else _NoJumps
        self.offsets: dict[str, int] = {}

    def value(self, pos: int, below: Tree, pointer: str, to_end: bool) -> int | None:
        """Record the value at `pos` and the wanted ones below it; return the offset past it, or
        None once nothing more is wanted and `to_end` is false (the walk is over)."""
        self.offsets[pointer] = pos
        if below:
            char = self.text[pos]
            if char == "{":
                return self.object(pos, below, pointer, to_end)
            if char == "[":
                return self.array(pos, below, pointer, to_end)
        if not to_end:
            return None
        jump = self.jumps.value.match(self.text, pos)
        return jump.end() if jump else _skip(self.text, pos)

    def object(self, pos: int, below: Tree, pointer: str, to_end: bool) -> int | None:
        text, nowhere, jumps = self.text, len(self.text), self.jumps
        # [the next offset where a wanted key is spelled `"key"`, its part, that spelling], nearest
        # first: a candidate, which is a member of this object only if the walk lands on it
        wanted: list[list[Any]] = []
        for part in below:
            spelling = _spelling(part)
            at = text.find(spelling, pos) if spelling else -1
            wanted.append([nowhere if at < 0 else at, part, spelling])
        wanted.sort()
        pos += 1
        while True:
            if wanted and wanted[0][0] < pos:
                for entry in wanted:
                    if entry[0] < pos:  # the candidate was inside a value: look further on
                        at = text.find(entry[2], pos)
                        entry[0] = nowhere if at < 0 else at
                wanted.sort()
            limit = wanted[0][0] if wanted else nowhere
            if limit == nowhere and not (to_end or self.escapes):
                return None  # no wanted key is spelled in the rest of the text
            # jump over whole members, stopping at the candidate if it is a member
            members = jumps.members.match(text, pos, limit)
            assert members is not None  # it matches anywhere: zero members at least
            pos = members.end()
            if pos == limit:
                _, part, spelling = wanted.pop(0)
                pos += len(spelling)
                if text[pos] == ":" and text[pos + 1] == " " and text[pos + 2] not in _BLANK:
                    pos += 2  # the usual `": "`, passed without a regular expression's overhead
                else:
                    pos = _at(_COLON, text, pos).end()
            elif text[pos] == "}":
                return pos + 1
            else:  # a key with escapes, a value deeper than _DEPTH or one holding a candidate
                member = _at(_MEMBER, text, pos)
                pos = member.end()
                part = _escape(_key(member.group(1)))
                found = [entry for entry in wanted if entry[1] == part]
                if not found:
                    jump = jumps.value.match(text, pos)
                    pos = jump.end() if jump else _skip(text, pos)
                    continue
                wanted.remove(found[0])
            more = to_end or self.escapes or bool(wanted) and wanted[0][0] < nowhere
            after = self.value(pos, below[part], f"{pointer}/{part}", more)
            if after is None:
                return None
            pos = after

    def array(self, pos: int, below: Tree, pointer: str, to_end: bool) -> int | None:
        text, jump_value = self.text, self.jumps.value.match
        wanted = sorted([int(part) for part in below if _INDEX.fullmatch(part)])
        pos = _at(_WS, text, pos + 1).end()
        index = 0
        while wanted or to_end:
            if text[pos] == "]":
                return pos + 1
            if wanted and index == wanted[0]:
                part = str(wanted.pop(0))
                after = self.value(pos, below[part], f"{pointer}/{part}", to_end or bool(wanted))
                if after is None:
                    return None
                pos = after
                if text[pos] != "]":  # a container ends at its bracket: on to the next item
                    pos = _at(_SEPARATOR, text, pos).end()
            else:
                jump = jump_value(text, pos)
                pos = jump.end() if jump else _skip(text, pos)
            index += 1
        return None


def _walk(text: str) -> dict[str, int]:
    """The offset of every value of a valid JSON text, in document order."""
    offsets: dict[str, int] = {}
    string, scalar, after = _full_walk_patterns()
    # An explicit stack instead of recursion: documents may be deep.
    pos = _at(_WS, text, 0).end()
    stack: list[list] = []  # [kind, pointer, index]
    pointer = ""
    while True:
        char = text[pos] if pos < len(text) else ""
        offsets[pointer] = pos
        if char == "{" or char == "[":
            pos = _at(_WS, text, pos + 1).end()
            closing = "}" if char == "{" else "]"
            if text[pos] == closing:
                pos += 1
            else:
                stack.append([char, pointer, 0])
                if char == "{":
                    member = _at(_MEMBER, text, pos)
                    pos = member.end()
                    pointer = f"{stack[-1][1]}/{_escape(_key(member.group(1)))}"
                else:
                    pointer = f"{stack[-1][1]}/0"
                continue
        elif char == '"':
            pos = _at(string, text, pos).end()
        elif char:
            pos = _at(scalar, text, pos).end()
        # after a value: close containers or move to the next member
        while stack:
            following = _at(after, text, pos)
            pos = following.end()
            kind, base, index = stack[-1]
            if following.group(1) == ",":
                stack[-1][2] = index + 1
                if kind == "{":
                    member = _at(_MEMBER, text, pos)
                    pos = member.end()
                    pointer = f"{base}/{_escape(_key(member.group(1)))}"
                else:
                    pointer = f"{base}/{index + 1}"
                break
            stack.pop()  # '}' or ']'; the space after it is already passed
        else:
            break
    return offsets


def positions(
    text: str, line_offset: int = 0, wanted: Iterable[str] | None = None
) -> dict[str, tuple[int, int]]:
    """Pointer → (line, column), both from 1, of the values of a valid JSON text: every value, or
    only those in `wanted` and their ancestors (the text is read only as far as they need)."""
    if wanted is None:
        offsets = _walk(text)
    else:
        walk = _Walk(text)
        walk.value(_at(_WS, text, 0).end(), _tree(wanted), "", False)
        offsets = walk.offsets
    if "\n" not in text:  # one line (NDJSON): no lines to count
        return {p: (1 + line_offset, offset + 1) for p, offset in offsets.items()}
    # in document order, each value's line counted on from the one before
    places = {}
    line, line_start, last = 1 + line_offset, 0, 0
    for pointer, offset in sorted(offsets.items(), key=lambda item: item[1]):
        newlines = text.count("\n", last, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", last, offset) + 1
        places[pointer] = (line, offset - line_start + 1)
        last = offset
    return places


def locate(table: dict[str, tuple[int, int]], pointer: str) -> tuple[int, int]:
    """The position of a pointer, or of its nearest ancestor that exists (a missing fact points at
    its parent)."""
    while pointer not in table and pointer:
        pointer = pointer.rsplit("/", 1)[0]
    return table.get(pointer, (1, 1))
