"""Edits of a hand-written JSON text that set one value and leave every other byte as it was."""

from __future__ import annotations

import json
import re
from typing import Any

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\r\n]*")
_BLANKS = re.compile(r"[ \t]*")
_INDEX = re.compile(r"0|[1-9][0-9]*")
_INDENT = re.compile(r"^([ \t]+)[^ \t\r\n]", re.M)

Entry = tuple[
    Any, int, int, int, int
]  # key (None in an array), key start, key end, value start, value end


class EditError(ValueError):
    """The pointer cannot be applied: it runs through a string, number, boolean or null, names an
    array index that is not a number or out of range, or uses an array index ("-" or digits) on an
    object that has no such key."""


def _ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]  # matches empty too


def _entries(text: str, start: int) -> tuple[int, list[Entry]]:
    """The offset of the closing bracket, and the entries, of the object or array opened at
    `start`."""
    closer = "}" if text[start] == "{" else "]"
    entries: list[Entry] = []
    pos = _ws(text, start + 1)
    while text[pos] != closer:
        key, key_end, value = None, pos, pos
        if closer == "}":
            key, key_end = _DECODER.raw_decode(
                text, pos
            )  # a string: escapes and brackets inside are handled
            value = _ws(text, _ws(text, key_end) + 1)  # past the colon
        end = _DECODER.raw_decode(text, value)[1]  # skips a whole scalar, object or array
        entries.append((key, pos, key_end, value, end))
        pos = _ws(text, end)
        if text[pos] == ",":
            pos = _ws(text, pos + 1)
    return pos, entries


def _parts(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise EditError(f"{pointer!r} is not a JSON Pointer: it must start with '/'")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def _line_indent(text: str, pos: int) -> str:
    """The spaces and tabs that start the line holding `pos`."""
    return _BLANKS.match(text, text.rfind("\n", 0, pos) + 1).group()  # type: ignore[union-attr]


def _indent_unit(text: str) -> str:
    """The document's indentation step: a tab, or the smallest run of leading spaces (two if
    none)."""
    indents = _INDENT.findall(text)
    if any(indent.startswith("\t") for indent in indents):
        return "\t"
    return min(indents, key=len, default="  ")


def _insert(text: str, start: int, close: int, entries: list[Entry], new: str, comma: str) -> str:
    """`new` (a member or an item) added after the last entry of the container opened at `start`."""
    if not entries:  # `{}`, `{ }`, or brackets on separate lines
        if "\n" in text[start + 1 : close]:
            newline = "\r\n" if "\r\n" in text else "\n"
            new = newline + _line_indent(text, start) + _indent_unit(text) + new
        return text[: start + 1] + new + text[start + 1 :]
    if len(entries) > 1:  # the separator between the last two entries
        separator = text[entries[-2][4] : entries[-1][1]]
    elif "\n" in text[start + 1 : entries[0][1]]:  # on a line of its own, like the only sibling
        separator = "," + text[start + 1 : entries[0][1]]
    else:
        separator = comma
    return text[: entries[-1][4]] + separator + new + text[entries[-1][4] :]


def _locate(text: str, pointer: str) -> tuple[int, int, int, list[Entry], int, tuple[str, str]]:
    """Where `pointer` leads: (start, end, close, entries, depth, separators). When the value
    exists, start:end is its text and depth is -1; otherwise start is the bracket of the container
    that lacks segment `depth`, close its closing bracket and entries its entries. The separators
    (item, key) are those last seen inline on the way down."""
    parts = _parts(pointer)
    start = _ws(text, 0)
    end = _DECODER.raw_decode(text, start)[1]
    comma, colon = ", ", ": "
    for depth, part in enumerate(parts):
        if text[start] not in "{[":
            raise EditError(f"{pointer}: segment {depth} goes through {text[start:end]!r}")
        close, entries = _entries(text, start)
        if text[start] == "{" and entries:
            colon = text[entries[0][2] : entries[0][3]]
        if len(entries) > 1 and "\n" not in text[entries[0][4] : entries[1][1]]:
            comma = text[entries[0][4] : entries[1][1]]
        if text[start] == "{":
            found = [entry for entry in entries if entry[0] == part]
            if not found and (part == "-" or _INDEX.fullmatch(part)):
                raise EditError(f"{pointer}: array index {part!r} used on an object")
        elif part == "-":
            found = []
        elif _INDEX.fullmatch(part) and int(part) < len(entries):
            found = [entries[int(part)]]
        else:
            raise EditError(f"{pointer}: array index {part!r} is out of range or not a number")
        if not found:
            return start, end, close, entries, depth, (comma, colon)
        start, end = found[0][3], found[0][4]
    return start, end, -1, [], -1, (comma, colon)


def set_value(text: str, pointer: str, value: Any) -> str:
    """`text` with the value at JSON Pointer `pointer` set to `value`, every other byte kept.

    An existing value's text is replaced; a missing member is added as the last member of its parent
    object, with missing intermediate objects created inline; an existing array index replaces that
    item; "-" appends to an array (and creates a one-item array when the member is missing).
    """
    start, end, close, entries, depth, separators = _locate(text, pointer)
    if depth < 0:
        return (
            text[:start] + json.dumps(value, ensure_ascii=False, separators=separators) + text[end:]
        )
    parts = _parts(pointer)
    for later in reversed(parts[depth + 1 :]):
        if _INDEX.fullmatch(later):
            raise EditError(
                f"{pointer}: array index {later!r} below the missing member {parts[depth]!r}"
            )
        value = [value] if later == "-" else {later: value}
    new = json.dumps(value, ensure_ascii=False, separators=separators)
    if text[start] == "{":
        new = json.dumps(parts[depth], ensure_ascii=False) + separators[1] + new
    return _insert(text, start, close, entries, new, separators[0])


def add_to_array(text: str, pointer: str, value: Any) -> str:
    """`text` with `value` appended to the array at `pointer` (created, with missing intermediate
    objects, when the member is absent); unchanged when the array already holds an equal value."""
    start, end, _, _, depth, _ = _locate(text, pointer)
    if depth < 0:
        if text[start] != "[":
            raise EditError(f"{pointer}: {text[start:end]!r} is not an array")
        canonical = json.dumps(value, sort_keys=True)
        if any(
            json.dumps(item, sort_keys=True) == canonical for item in json.loads(text[start:end])
        ):
            return text
    return set_value(text, pointer + "/-", value)
