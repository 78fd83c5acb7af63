"""Reading files: TOML rule files and catalogs, JSON and NDJSON deployments. Bad input becomes a Problem."""

from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.model import Problem
from facepolicy.paths import shown

MAX_DEPTH = 64


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # unrolled: no alternation per character
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the containers of a valid JSON text nest deeper than `limit`: counted on its brackets, outside
    strings, with C-speed regular expressions rather than by walking the parsed value."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0) > limit


def decode_text(data: bytes) -> str:
    """UTF-8 text, or a FacepolicyError naming the line and column of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        line, col = _line_col(good, len(good))
        raise FacepolicyError(f"line {line}, column {col}", bilingual("不是有效的 UTF-8 编码", "invalid UTF-8")) from None


def parse_json(text: str, line_offset: int = 0) -> Any:
    """One JSON document; errors carry line and column. NaN, Infinity and duplicate keys are refused."""
    if not text.strip():
        raise FacepolicyError(f"line {line_offset + 1}", bilingual("文件为空", "empty document"))
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise FacepolicyError(
            f"line {exc.lineno + line_offset}, column {exc.colno}", bilingual("不是有效的 JSON", "invalid JSON") + f": {exc.msg}"
        ) from None
    except _DuplicateKey as exc:
        hits = [m.start() for m in re.finditer(re.escape(json.dumps(exc.key)) + r"\s*:", text)]
        line, col = _line_col(text, hits[1] if len(hits) > 1 else 0)
        raise FacepolicyError(
            f"line {line + line_offset}, column {col}", bilingual("重复的键", "duplicate key") + f" {json.dumps(exc.key, ensure_ascii=False)}"
        ) from None
    except ValueError as exc:  # parse_constant
        raise FacepolicyError(f"line {line_offset + 1}", bilingual("JSON 中不允许", "not allowed in JSON") + f": {exc}") from None
    except RecursionError:
        value = None
        too_deep = True
    else:
        too_deep = _too_deep(text)
    if too_deep:
        raise FacepolicyError(
            f"line {line_offset + 1}", bilingual(f"嵌套超过 {MAX_DEPTH} 层", f"nested deeper than {MAX_DEPTH} levels")
        )
    return value


def read_toml(path: Path, data: bytes | None = None) -> dict[str, Any]:
    """A TOML file (or its bytes, already read) as a dict, or a FacepolicyError naming the file, line and column."""
    import tomllib  # only when the rule-set cache misses

    try:
        text = decode_text(path.read_bytes() if data is None else data)
        return tomllib.loads(text)
    except FacepolicyError as exc:
        raise exc.within(shown(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise FacepolicyError(shown(path), bilingual("TOML 语法错误", "invalid TOML") + f": {exc}") from None
    except OSError as exc:
        raise FacepolicyError(shown(path), bilingual("无法读取", "cannot read") + f": {exc.strerror}") from None


def read_json_file(path: Path) -> Any:
    try:
        return parse_json(decode_text(path.read_bytes()))
    except FacepolicyError as exc:
        raise exc.within(shown(path)) from None
    except OSError as exc:
        raise FacepolicyError(shown(path), bilingual("无法读取", "cannot read") + f": {exc.strerror}") from None


class Raw(NamedTuple):
    """One deployment's text as read, not yet parsed: parsing happens where it is evaluated (maybe a worker)."""

    source: str  # the file, or file:line for a line of NDJSON
    text: str
    line_offset: int = 0
    file: str = ""  # the file alone, for problems (their message names the line)


class Document(NamedTuple):
    """One deployment document as read: where it came from, its value, and its text (for line numbers)."""

    source: str
    value: Any
    text: str
    line_offset: int = 0


Loaded = Document | Problem


def parse_raw(raw: Raw) -> Loaded:
    try:
        return Document(raw.source, parse_json(raw.text, raw.line_offset), raw.text, raw.line_offset)
    except FacepolicyError as exc:
        return Problem(raw.file or raw.source, f"{exc.where}: {exc.message}")


def _lines(source: str, lines: Iterator[bytes]) -> Iterator[Raw | Problem]:
    """NDJSON, one line at a time (memory does not grow with the file): each non-blank line is one document."""
    any_line = False
    for number, data in enumerate(lines, start=1):
        if not data.strip():
            continue
        any_line = True
        try:
            text = decode_text(data)
        except FacepolicyError as exc:
            column = exc.where.rpartition(" ")[2]  # decode_text names line 1 of this one line; the column stands
            yield Problem(source, f"line {number}, column {column}: {exc.message}")
            continue
        yield Raw(f"{source}:{number}", text.rstrip("\r\n"), number - 1, source)
    if not any_line:
        yield Problem(source, f"line 1: {bilingual('文件为空', 'empty document')}")


def _whole(source: str, data: bytes) -> Iterator[Raw | Problem]:
    try:
        yield Raw(source, decode_text(data))
    except FacepolicyError as exc:
        yield Problem(source, f"{exc.where}: {exc.message}")


def _stdin(data: bytes) -> Iterator[Raw | Document | Problem]:
    """Standard input: one JSON document (parsed here, to tell), or NDJSON when more than one follows."""
    source = "<stdin>"
    try:
        text = decode_text(data)
        value = parse_json(text)
    except FacepolicyError as exc:
        if "Extra data" in exc.message:
            yield from _lines(source, iter(data.splitlines(keepends=True)))
            return
        yield Problem(source, f"{exc.where}: {exc.message}")
        return
    yield Document(source, value, text)


def iter_deployment_files(paths: list[str]) -> Iterator[tuple[str, Path | None] | Problem]:
    """The deployment files named: files as given, folders searched for .json and .ndjson, '-' for stdin."""
    for name in paths:
        if name == "-":
            yield name, None
            continue
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".json", ".ndjson", ".jsonl") and p.is_file())
            if not found:
                yield Problem(name, bilingual("目录中没有 .json 或 .ndjson 文件", "no .json or .ndjson files in this folder"))
            for file in found:
                yield str(file), file
        elif path.is_file():
            yield name, path
        else:
            yield Problem(name, bilingual("文件不存在", "no such file"))


def iter_raw(paths: list[str]) -> Iterator[Raw | Loaded]:
    """Every deployment text in the files named, in order, unparsed (but for standard input's, parsed to tell
    JSON from NDJSON); a bad file is a Problem and the rest go on."""
    for item in iter_deployment_files(paths):
        if isinstance(item, Problem):
            yield item
            continue
        source, path = item
        if path is None:
            yield from _stdin(sys.stdin.buffer.read())
            continue
        try:
            if path.suffix in (".ndjson", ".jsonl"):
                with path.open("rb") as handle:
                    yield from _lines(source, handle)
            else:
                yield from _whole(source, path.read_bytes())
        except OSError as exc:
            yield Problem(source, bilingual("无法读取", "cannot read") + f": {exc.strerror}")


def iter_deployments(paths: list[str]) -> Iterator[Loaded]:
    """Every deployment document in the files named, parsed, in order."""
    for item in iter_raw(paths):
        yield parse_raw(item) if isinstance(item, Raw) else item
