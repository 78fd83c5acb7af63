"""The canonical layout of rule files (and long lines folded in catalogs), proved to parse back to
the same data."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from typing import Any

from facepolicy.errors import FacepolicyError, bilingual

WIDTH = 100
TOP = ("id", "severity", "tags", "clauses")
TEXTS = ("zh", "en")
ASSERTION_KEYS = ("for_each", "where", "expect", "at")
EXPRESSIONS = ("where", "expect")  # folded only at spaces outside literals
INDENT = "  "
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
# CJK punctuation a line should neither start with (closing) nor end with (opening).
_CLOSING = set("，。、；：！？）」』”’》〉】…")
_OPENING = set("（「『“‘《〈【")


def _escape(text: str) -> str:
    return "".join(
        _ESCAPES.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c)
        for c in text
    )


def _key(key: str) -> str:
    return key if _BARE.fullmatch(key) else f'"{_escape(key)}"'


def inline(value: Any) -> str:
    """A value on one line, as TOML writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{_escape(value)}"'
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{_key(k)} = {inline(v)}" for k, v in value.items()) + " }"
            if value
            else "{}"
        )
    raise FacepolicyError(
        "", bilingual("无法写出的值", "a value fmt cannot write") + f": {value!r}"
    )


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _breaks(text: str, expression: bool) -> list[int]:
    """Where a line may end before text[i]: after a space (outside literals in an expression), or
    between two characters one of which is Chinese. Never before whitespace, which the line-ending
    backslash would eat."""
    found, quote, escaped = [], "", False
    for i, char in enumerate(text):
        if i and char not in " \t":
            before = text[i - 1]
            if before == " " and not quote:
                found.append(i)
            elif (
                not expression
                and before not in " \t"
                and (_wide(before) or _wide(char))
                and char not in _CLOSING
                and before not in _OPENING
            ):
                found.append(i)
        if expression:  # the literal state after text[i]
            if escaped:
                escaped = False
            elif char == "\\" and quote:
                escaped = True
            elif quote and char == quote:
                quote = ""
            elif not quote and char in "'\"`":
                quote = char
    return found


def string_lines(key: str, value: str, expression: bool = False, indent: str = "") -> list[str]:
    """`key = "value"`, or, when longer than WIDTH, a multi-line basic string whose lines end in a
    backslash."""
    one = f'{indent}{key} = "{_escape(value)}"'
    if len(one) <= WIDTH or not value or value[0] in " \t\n":
        return [one]
    cuts = [0, *_breaks(value, expression), len(value)]
    pieces = [_escape(value[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]
    lines, current = [f'{indent}{key} = """\\'], ""
    for piece in pieces:
        if current and len(indent + INDENT + current + piece) + 1 > WIDTH:
            lines.append(indent + INDENT + current + "\\")
            current = ""
        current += piece
    last = indent + INDENT + current + '"""'
    if len(last) > WIDTH and len(pieces) > 1 and current != pieces[-1]:
        lines.append(indent + INDENT + current[: -len(pieces[-1])] + "\\")
        last = indent + INDENT + pieces[-1] + '"""'
    return lines + [last]


def value_lines(key: str, value: Any, expression: bool = False) -> list[str]:
    if isinstance(value, str):
        return string_lines(_key(key), value, expression)
    one = f"{_key(key)} = {inline(value)}"
    if len(one) <= WIDTH or not isinstance(value, list) or not value:
        return [one]
    return [f"{_key(key)} = ["] + [f"{INDENT}{inline(item)}," for item in value] + ["]"]


def _fits(lines: list[str]) -> bool:
    return all(len(line) <= WIDTH for line in lines)


def section(
    path: list[str], data: dict[str, Any], array: bool = False, expression: bool = False
) -> list[str]:
    """A table: its short values under its header, a value too long for one line as a table of its
    own after them."""
    body: list[str] = []
    later: list[str] = []
    for key, value in data.items():
        lines = value_lines(key, value, expression)
        if _fits(lines) or isinstance(value, str):
            body += lines
        elif isinstance(value, dict) and value:
            later += section([*path, key], value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) and v for v in value):
            for item in value:
                later += section([*path, key], item, array=True)
        else:
            body += lines
    name = ".".join(_key(p) for p in path)
    header = (
        [""] + ([f"[[{name}]]"] if array else [f"[{name}]"]) if body or array or not later else []
    )
    return header + body + later


def _text(path: list[str], text: dict[str, str]) -> list[str]:
    return section(path, {lang: text[lang] for lang in TEXTS})


def rule_layout(data: dict[str, Any]) -> str:
    """The one layout of a rule file (see policies/README.md)."""
    lines: list[str] = []
    for key in TOP:
        if key in data:
            lines += value_lines(key, data[key])
    if isinstance(data.get("scope"), bool):
        lines.append(f"scope = {inline(data['scope'])}")
    for key in ("title", "description"):
        if key in data:
            lines += _text([key], data[key])
    if isinstance(data.get("scope"), dict):
        lines += section(["scope"], data["scope"]) if data["scope"] else ["", "[scope]"]
    if data.get("let"):
        lines += section(["let"], data["let"], expression=True)
    for assertion in data["assertions"]:
        lines += ["", "[[assertions]]"]
        for key in ASSERTION_KEYS:
            if key in assertion:
                lines += value_lines(key, assertion[key], key in EXPRESSIONS)
        for key in ("message", "remediation"):
            if key in assertion:
                lines += _text(["assertions", key], assertion[key])
    for key in ("message", "remediation"):
        lines += _text([key], data[key])
    return "\n".join(lines) + "\n"


def _parsed(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FacepolicyError(
            where, bilingual("TOML 语法错误", "invalid TOML") + f": {exc}"
        ) from None


def _proved(before: dict[str, Any], text: str, where: str) -> str:
    """The new text, only if it parses back to exactly the data it was made from."""
    try:
        after = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        after = None
    if after != before:
        raise FacepolicyError(
            where,
            bilingual(
                "格式化会改变数据，拒绝写入", "formatting would change the data; not written"
            ),
        )
    return text


def format_rule(text: str, where: str) -> str:
    from facepolicy.compiler import check_rule_data

    data = _parsed(text, where)
    check_rule_data(data, where)
    return _proved(data, rule_layout(data), where)


_LINE = re.compile(r"(?P<indent>\s*)(?P<key>[A-Za-z0-9_-]+) = (?P<value>.*)")
VERBATIM = (
    "excerpt",
)  # checked byte for byte against the source texts: never folded, never flagged


def _multiline_open(line: str, state: str) -> str:
    """The multi-line string delimiter still open after this line ('' when none)."""
    for match in re.finditer(r'"""|\'\'\'', line):
        if not state:
            state = match.group(0)
        elif match.group(0) == state:
            state = ""
    return state


def long_lines(text: str, catalog: bool) -> list[tuple[int, int]]:
    """(line number, length) of each line longer than WIDTH; in a catalog, the lines of excerpts are
    exempt."""
    found, state, verbatim = [], "", False
    for number, line in enumerate(text.splitlines(), 1):
        if not state:
            match = _LINE.fullmatch(line)
            verbatim = catalog and match is not None and match.group("key") in VERBATIM
        if len(line) > WIDTH and not verbatim:
            found.append((number, len(line)))
        state = _multiline_open(line, state)
    return found


def fold_catalog(text: str, where: str) -> str:
    """A catalog with each long one-line string, and each long {zh, en} table, folded in place;
    nothing else moves."""
    data = _parsed(text, where)
    out, state = [], ""
    for line in text.splitlines():
        match = None if state else _LINE.fullmatch(line)
        state = _multiline_open(line, state)
        if len(line) <= WIDTH or match is None or match.group("key") in VERBATIM:
            out.append(line)
            continue
        try:
            value = tomllib.loads(f"v = {match.group('value')}")["v"]
        except tomllib.TOMLDecodeError:
            out.append(line)
            continue
        indent, key = match.group("indent"), match.group("key")
        if isinstance(value, str):
            out += string_lines(key, value, indent=indent)
        elif isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
            for lang, part in value.items():
                out += string_lines(f"{key}.{_key(lang)}", part, indent=indent)
        elif isinstance(value, list):
            out += [indent + folded for folded in value_lines(key, value)]
        else:
            out.append(line)
    return _proved(data, "\n".join(out) + "\n", where)
