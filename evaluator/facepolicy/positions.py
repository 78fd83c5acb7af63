"""Where each JSON value starts in its text: JSON Pointer → (line, column), for reports that point into files."""

from __future__ import annotations

import json
import re

_WS = re.compile(r"[ \t\r\n]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"[^,\]\}\s]+")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def positions(text: str, line_offset: int = 0) -> dict[str, tuple[int, int]]:
    """Pointer → (line, column), both from 1, of every value in a valid JSON text (first value only)."""
    found: dict[str, tuple[int, int]] = {}
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def place(offset: int) -> tuple[int, int]:
        low, high = 0, len(line_starts) - 1
        while low < high:
            mid = (low + high + 1) // 2
            if line_starts[mid] <= offset:
                low = mid
            else:
                high = mid - 1
        return low + 1 + line_offset, offset - line_starts[low] + 1

    # An explicit stack instead of recursion: documents may be deep.
    pos = _WS.match(text, 0).end()
    stack: list[list] = []  # [kind, pointer, index]
    pointer = ""
    while True:
        found[pointer] = place(pos)
        char = text[pos] if pos < len(text) else ""
        if char == "{" or char == "[":
            pos = _WS.match(text, pos + 1).end()
            closing = "}" if char == "{" else "]"
            if text[pos] == closing:
                pos += 1
            else:
                stack.append([char, pointer, 0])
                if char == "{":
                    key_match = _STRING.match(text, pos)
                    key = json.loads(key_match.group(0))
                    pos = _WS.match(text, key_match.end()).end() + 1  # past ':'
                    pos = _WS.match(text, pos).end()
                    pointer = f"{stack[-1][1]}/{_escape(key)}"
                else:
                    pointer = f"{stack[-1][1]}/0"
                continue
        elif char == '"':
            pos = _STRING.match(text, pos).end()
        else:
            pos = _SCALAR.match(text, pos).end()
        # after a value: close containers or move to the next member
        while stack:
            pos = _WS.match(text, pos).end()
            kind, base, index = stack[-1]
            if text[pos] == ",":
                pos = _WS.match(text, pos + 1).end()
                stack[-1][2] = index + 1
                if kind == "{":
                    key_match = _STRING.match(text, pos)
                    key = json.loads(key_match.group(0))
                    pos = _WS.match(text, key_match.end()).end() + 1
                    pos = _WS.match(text, pos).end()
                    pointer = f"{base}/{_escape(key)}"
                else:
                    pointer = f"{base}/{index + 1}"
                break
            pos += 1  # '}' or ']'
            stack.pop()
        else:
            return found


def locate(table: dict[str, tuple[int, int]], pointer: str) -> tuple[int, int]:
    """The position of a pointer, or of its nearest ancestor that exists (a missing fact points at its parent)."""
    while pointer not in table and pointer:
        pointer = pointer.rsplit("/", 1)[0]
    return table.get(pointer, (1, 1))
