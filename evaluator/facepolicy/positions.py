"""Where each JSON value starts in its text: JSON Pointer → (line, column), for reports that point
into files."""

from __future__ import annotations

import bisect
import json
import re
from typing import Iterable

_WS = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # unrolled: no alternation per character
_SCALAR = re.compile(r"[^,\]\}\s]+")
_MEMBER = re.compile(
    r'("[^"\\]*(?:\\.[^"\\]*)*")[ \t\r\n]*:[ \t\r\n]*'
)  # a key, its colon, and the space to its value
_NEXT = re.compile(
    r"[ \t\r\n]*([,\]\}])[ \t\r\n]*"
)  # what follows a value: a comma or a closing bracket


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


def _skip_value(text: str, pos: int) -> int:
    """The offset just past the JSON value that starts at `pos` (jumped over by the C decoder)."""
    return _SCAN(text, pos)[1]


def _ancestors(pointers: Iterable[str]) -> set[str]:
    wanted = {""}
    for pointer in pointers:
        while pointer and pointer not in wanted:
            wanted.add(pointer)
            pointer = pointer.rsplit("/", 1)[0]
    return wanted


def positions(
    text: str, line_offset: int = 0, wanted: Iterable[str] | None = None
) -> dict[str, tuple[int, int]]:
    """Pointer → (line, column), both from 1, of the values of a valid JSON text: every value, or
    only those in `wanted` and their ancestors (a subtree no wanted pointer enters is skipped
    unread)."""
    keep = None if wanted is None else _ancestors(wanted)
    offsets: dict[str, int] = {}
    # An explicit stack instead of recursion: documents may be deep.
    pos = _at(_WS, text, 0).end()
    stack: list[list] = []  # [kind, pointer, index]
    pointer = ""
    while True:
        char = text[pos] if pos < len(text) else ""
        if keep is not None and pointer not in keep:
            pos = _skip_value(text, pos)
            char = ""
        else:
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
            pos = _at(_STRING, text, pos).end()
        elif char:
            pos = _at(_SCALAR, text, pos).end()
        # after a value: close containers or move to the next member
        while stack:
            following = _at(_NEXT, text, pos)
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
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def place(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(line_starts, offset) - 1
        return line + 1 + line_offset, offset - line_starts[line] + 1

    return {p: place(offset) for p, offset in offsets.items()}


def locate(table: dict[str, tuple[int, int]], pointer: str) -> tuple[int, int]:
    """The position of a pointer, or of its nearest ancestor that exists (a missing fact points at
    its parent)."""
    while pointer not in table and pointer:
        pointer = pointer.rsplit("/", 1)[0]
    return table.get(pointer, (1, 1))
