"""Reading files: TOML rule files and catalogs, JSON and NDJSON deployments. Bad input becomes a
Problem."""

from __future__ import annotations

import itertools
import json
import os
import re
import stat
import sys

from facepolicy.errors import FacepolicyError, LazyPattern, bilingual
from facepolicy.model import Problem
from facepolicy.paths import pure, shown
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import IO, Any, Iterator, NamedTuple
else:
    from facepolicy.records import NamedTuple


MAX_DEPTH = 64
MAX_SIZE = (
    32 * 1024 * 1024
)  # bytes per deployment (a file, or a line of NDJSON) unless --max-size says otherwise
DATE_KEYS = ("date", "expires")  # TOML keys where an unquoted TOML date means what it says


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(
        pairs
    )  # in C; only an object that lost a member to a repeated key is looked at again
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


_STRINGS = LazyPattern(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # unrolled: no alternation per character


def _nests_deeper(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether the containers of a parsed JSON value nest deeper than `limit` (the value's
    containers are visited; scanning its text instead costs more, as strings are most of its
    bytes)."""
    kind = type(value)
    if kind is not dict and kind is not list:
        return False
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if type(node) is dict else node:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


_CONTAINERS = frozenset((dict, list))


def _members_within_depth(value: Any) -> int | None:
    """How many members the objects of a parsed JSON value hold in all, or None when its
    containers nest deeper than MAX_DEPTH (one walk does both: level by level)."""
    members = depth = 0
    level: list[Any] = [value] if type(value) is dict or type(value) is list else []
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            return None
        below: list[Any] = []
        for node in level:
            if type(node) is dict:
                members += len(node)
                node = node.values()
            for child in node:
                if type(child) in _CONTAINERS:
                    below.append(child)
        level = below
    return members


def _colons_in_strings(value: Any) -> int:
    """How many ':' the keys and strings of a parsed JSON value hold."""
    found = 0
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is str:
            found += node.count(":")
        elif kind is dict:
            found += "".join(node).count(":")
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
    return found


def _no_member_lost(text: str, value: Any, members: int) -> bool:
    """Whether no key of `text` repeats a key of its object, proven by counting: each member is
    written with a ':' of its own outside strings, so when the objects of `value` hold as many
    members as the text has such colons, none was lost to a repeated key. False is a doubt, not a
    finding."""
    colons = text.count(":")
    if colons == members:
        return True
    if "\\u003" in text:  # an escaped colon (\u003a) is in a string's value but not its text
        return False
    return colons - _colons_in_strings(value) == members


def decode_text(data: bytes) -> str:
    """UTF-8 text, or a FacepolicyError naming the line and column of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        line, col = _line_col(good, len(good))
        raise FacepolicyError(
            f"line {line}, column {col}", bilingual("不是有效的 UTF-8 编码", "invalid UTF-8")
        ) from None


class _BadNumber(ValueError):
    def __init__(self, text: str, why: str):
        super().__init__(text)
        self.text = text
        self.why = why


def _exact_float(text: str) -> float:
    """A JSON number with a fraction or exponent, refused where the float it becomes is not what it
    says in a way that matters: an integer by rounding (13.99999999999999999 is not 14) or out of
    range (1e400 is not infinity)."""
    value = float(text)
    if value.is_integer():
        from decimal import Decimal  # only for the rare fraction that is integral once rounded

        if Decimal(text) != int(value):
            raise _BadNumber(text, f"{text} is not an integer, yet would be read as {int(value)}")
    elif value != value or value in (float("inf"), float("-inf")):
        raise _BadNumber(text, f"{text} is out of range")
    return value


def _number_place(text: str, number: str) -> int:
    """Where a number is written (outside strings, which are blanked first so that offsets
    stand)."""
    blank = _STRINGS.sub(lambda m: " " * len(m.group()), text)
    match = re.search(r"(?<![\w.+-])" + re.escape(number) + r"(?![\w.])", blank)
    return match.start() if match else 0


_SURROGATE_ESCAPE = LazyPattern(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)
_LONE_SURROGATE = LazyPattern("[\ud800-\udfff]")


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _lone_surrogate_place(text: str) -> int:
    for match in _SURROGATE_ESCAPE.finditer(text):
        if len(match.group()) == 6:
            return match.start()
    return 0


_TOKEN = LazyPattern(
    r'[ \t\r\n]*(?:("[^"\\]*(?:\\.[^"\\]*)*")|([{}\[\]:,])|[^ \t\r\n{}\[\]:,"]+)', re.S
)


def _first_duplicate(text: str) -> tuple[int, str] | None:
    """The offset and name of the first key, in reading order, that repeats a key of the same
    object."""
    stack: list[
        tuple[set[str] | None, list[bool]]
    ] = []  # per open container: its keys (None for an array), expecting a key
    pos = 0
    while (match := _TOKEN.match(text, pos)) and match.end() > pos:
        pos = match.end()
        token, punct = match.group(1), match.group(2)
        if punct in ("{", "["):
            stack.append((set() if punct == "{" else None, [punct == "{"]))
        elif punct in ("}", "]"):
            if stack:
                stack.pop()
        elif punct == ",":
            if stack and stack[-1][0] is not None:
                stack[-1][1][0] = True
        elif token is not None and stack and stack[-1][0] is not None and stack[-1][1][0]:
            keys = stack[-1][0]
            name = json.loads(token) if "\\" in token else token[1:-1]
            if name in keys:
                return match.start(1), name
            keys.add(name)
            stack[-1][1][0] = False
    return None


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_exact_float)  # no hook


def parse_json(text: str, line_offset: int = 0) -> Any:
    """One JSON document; errors carry line and column. NaN, Infinity, duplicate keys, numbers that
    are not what they say and lone surrogates (text no encoder can write) are refused."""
    # Read at C speed without the duplicate-key hook (a Python call per object), then proven to
    # have lost no member to a repeated key and to nest within MAX_DEPTH; any error or doubt is
    # read again the slow way, which names the first fault as the text has it.
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError):
        return _parse_json_checked(text, line_offset)
    members = _members_within_depth(value)
    if members is None or not _no_member_lost(text, value, members):
        return _parse_json_checked(text, line_offset)
    _refuse_lone_surrogates(text, value, line_offset)
    return value


def _refuse_lone_surrogates(text: str, value: Any, line_offset: int) -> None:
    # (a search for one character is many times faster than for two, and most texts have no "\\")
    if (
        "\\" in text
        and "\\u" in text
        and _SURROGATE_ESCAPE.search(text)
        and _has_lone_surrogate(value)
    ):
        line, col = _line_col(text, _lone_surrogate_place(text))
        raise FacepolicyError(
            f"line {line + line_offset}, column {col}",
            bilingual(
                "孤立的代理项转义不是字符",
                "a lone surrogate escape (\\ud800–\\udfff) is not a character",
            ),
        )


def _parse_json_checked(text: str, line_offset: int) -> Any:
    """parse_json the slow way, each check as the text is read: the first fault found is the one
    named."""
    if not text.strip():
        raise FacepolicyError(f"line {line_offset + 1}", bilingual("文件为空", "empty document"))
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_float=_exact_float,
        )
    except json.JSONDecodeError as exc:
        raise FacepolicyError(
            f"line {exc.lineno + line_offset}, column {exc.colno}",
            bilingual("不是有效的 JSON", "invalid JSON") + f": {exc.msg}",
        ) from None
    except _DuplicateKey as exc:
        found = _first_duplicate(text)
        offset, key = found if found else (0, exc.key)
        line, col = _line_col(text, offset)
        raise FacepolicyError(
            f"line {line + line_offset}, column {col}",
            bilingual("重复的键", "duplicate key") + f" {json.dumps(key, ensure_ascii=False)}",
        ) from None
    except _BadNumber as exc:
        line, col = _line_col(text, _number_place(text, exc.text))
        raise FacepolicyError(
            f"line {line + line_offset}, column {col}",
            bilingual("数值不精确", "inexact number") + f": {exc.why}",
        ) from None
    except ValueError as exc:  # parse_constant
        raise FacepolicyError(
            f"line {line_offset + 1}",
            bilingual("JSON 中不允许", "not allowed in JSON") + f": {exc}",
        ) from None
    except RecursionError:
        value = None
        too_deep = True
    else:
        too_deep = _nests_deeper(value)
    if too_deep:
        raise FacepolicyError(
            f"line {line_offset + 1}",
            bilingual(f"嵌套超过 {MAX_DEPTH} 层", f"nested deeper than {MAX_DEPTH} levels"),
        )
    _refuse_lone_surrogates(text, value, line_offset)
    return value


def _toml_float(text: str) -> float:
    try:
        return _exact_float(text.replace("_", ""))
    except _BadNumber as exc:
        raise ValueError(exc.why) from None


def _toml_dates(data: dict[str, Any], where: str) -> dict[str, Any]:
    """Unquoted TOML dates as the ISO text the schemas expect, under a key that means a date
    (DATE_KEYS); a date, time or date-time anywhere else is refused with its key, not left to fail
    somewhere without a name."""
    import datetime as dt

    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, path = stack.pop()
        items = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else ()
        )
        for key, value in items:
            place = (
                f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else str(key)
            )
            if isinstance(value, (dt.date, dt.time)):
                if type(value) is dt.date and isinstance(key, str) and key in DATE_KEYS:
                    node[key] = value.isoformat()
                    continue
                raise FacepolicyError(
                    f"{where}: {place}",
                    bilingual(
                        "此处不应是 TOML 日期或时间，请加引号或删除",
                        "a TOML date or time is not expected here",
                    )
                    + ": "
                    f"{value.isoformat()}",
                )
            if isinstance(value, (dict, list)):
                stack.append((value, place))
    return data


def _read_bytes(path: str | os.PathLike[str]) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def read_toml(path: str | os.PathLike[str], data: bytes | None = None) -> dict[str, Any]:
    """A TOML file (or its bytes, already read) as a dict, or a FacepolicyError naming the file,
    line and column."""
    import tomllib  # only when the rule-set cache misses

    try:
        text = decode_text(_read_bytes(path) if data is None else data)
        return _toml_dates(tomllib.loads(text, parse_float=_toml_float), shown(path))
    except FacepolicyError as exc:
        raise (exc if exc.where.startswith(shown(path)) else exc.within(shown(path))) from None
    except tomllib.TOMLDecodeError as exc:
        raise FacepolicyError(
            shown(path), bilingual("TOML 语法错误", "invalid TOML") + f": {exc}"
        ) from None
    except ValueError as exc:  # from _toml_float
        raise FacepolicyError(
            shown(path), bilingual("数值不精确", "inexact number") + f": {exc}"
        ) from None
    except RecursionError:
        raise FacepolicyError(shown(path), bilingual("嵌套过深", "nested too deeply")) from None
    except OSError as exc:
        raise FacepolicyError(
            shown(path), bilingual("无法读取", "cannot read") + f": {exc.strerror}"
        ) from None


def read_json_file(path: str | os.PathLike[str]) -> Any:
    try:
        return parse_json(decode_text(_read_bytes(path)))
    except FacepolicyError as exc:
        raise exc.within(shown(path)) from None
    except OSError as exc:
        raise FacepolicyError(
            shown(path), bilingual("无法读取", "cannot read") + f": {exc.strerror}"
        ) from None


class Raw(NamedTuple):
    """One deployment's text as read, not yet parsed: parsing happens where it is evaluated (maybe a
    worker)."""

    source: str  # the file, or file:line for a line of NDJSON
    text: str
    line_offset: int = 0
    file: str = ""  # the file alone, for problems (their message names the line)


class ParsedDeployment(NamedTuple):
    """One deployment document as read: where it came from, its value, and its text (for line
    numbers)."""

    source: str
    value: Any
    text: str
    line_offset: int = 0


Loaded = ParsedDeployment | Problem


def parse_raw(raw: Raw) -> Loaded:
    try:
        return ParsedDeployment(
            raw.source, parse_json(raw.text, raw.line_offset), raw.text, raw.line_offset
        )
    except FacepolicyError as exc:
        return Problem(raw.file or raw.source, f"{exc.where}: {exc.message}")


class _Oversize(NamedTuple):
    """A line longer than the size limit: not read further than the limit."""


def _too_big(max_size: int) -> str:
    return bilingual(
        f"超过大小上限 {max_size} 字节（--max-size）",
        f"larger than the limit of {max_size} bytes (--max-size)",
    )


def _numbered(
    handle: IO[bytes], max_size: int, start: int = 1, skip_oversize: bool = True
) -> Iterator[tuple[int, bytes | _Oversize]]:
    """The lines of a stream with their numbers, none read beyond `max_size` bytes. The rest of an
    oversized line is skipped in bounded reads when `skip_oversize` (a file ends), else the stream
    is not read further (standard input may never end: /dev/zero has no newline)."""
    number = start
    while data := handle.readline(max_size + 1):
        if len(data) > max_size and not data.endswith(b"\n"):
            yield number, _Oversize()
            if not skip_oversize:
                return
            while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
        else:
            yield number, data
        number += 1


def _lines(
    source: str,
    lines: Iterator[tuple[int, bytes | _Oversize]],
    max_size: int = MAX_SIZE,
    any_line: bool = False,
) -> Iterator[Raw | Problem]:
    """NDJSON, one line at a time (memory does not grow with the file): each non-blank line is one
    document."""
    for number, data in lines:
        if isinstance(data, _Oversize):
            any_line = True
            yield Problem(source, f"line {number}: {_too_big(max_size)}")
            continue
        if not data.strip():
            continue
        any_line = True
        try:
            text = decode_text(data)
        except FacepolicyError as exc:
            column = exc.where.rpartition(" ")[
                2
            ]  # decode_text names line 1 of this one line; the column stands
            yield Problem(source, f"line {number}, column {column}: {exc.message}")
            continue
        yield Raw(f"{source}:{number}", text.rstrip("\r\n"), number - 1, source)
    if not any_line:
        yield empty_document(source)


def _parses_alone(data: bytes) -> bool:
    """Whether one line is a JSON object by itself: the mark of NDJSON (a line of pretty-printed
    JSON rarely is)."""
    try:
        return isinstance(json.loads(data), dict)
    except (ValueError, RecursionError):
        return False


def _stdin(
    handle: IO[bytes], max_size: int = MAX_SIZE
) -> Iterator[Raw | ParsedDeployment | Problem]:
    """Standard input, streamed: NDJSON a line at a time when its first document fits on its first
    line, else one JSON document (read up to the size limit). A broken first line of NDJSON is a
    problem at line 1, and the lines after it are judged."""
    source = "<stdin>"
    lines = _numbered(handle, max_size, skip_oversize=False)
    buffered: list[tuple[int, bytes | _Oversize]] = []
    for number, data in lines:
        buffered.append((number, data))
        if isinstance(data, _Oversize) or data.strip():
            break
    if not buffered or not any(not isinstance(d, _Oversize) and d.strip() for _, d in buffered):
        if buffered and isinstance(buffered[-1][1], _Oversize):
            yield from _lines(source, iter(buffered), max_size)
            return
        yield Problem(source, f"line 1: {bilingual('文件为空', 'empty document')}")
        return
    first = buffered[-1][1]
    assert isinstance(
        first, bytes
    )  # reading stopped at the first line with content or the first oversize one
    if _parses_alone(first) or first.lstrip()[:1] not in (b"{", b"["):
        for number, data in lines:  # look one document ahead: a single one keeps the name <stdin>
            buffered.append((number, data))
            if isinstance(data, _Oversize) or data.strip():
                break
        else:
            yield from (
                Raw(source, r.text) if isinstance(r, Raw) else r
                for r in _lines(source, iter(buffered), max_size)
            )
            return
        yield from _lines(source, itertools.chain(buffered, lines), max_size)
        return
    # Maybe one document over many lines: read on while it fits under the limit.
    size = sum(len(d) for _, d in buffered)
    for number, data in lines:
        buffered.append((number, data))
        if isinstance(data, _Oversize):
            break
        size += len(data)
        if size > max_size:
            break
    ndjson = any(_parses_alone(d) for _, d in buffered[1:] if not isinstance(d, _Oversize))
    if ndjson:
        yield from _lines(source, itertools.chain(buffered, lines), max_size)
        return
    if size > max_size or isinstance(buffered[-1][1], _Oversize):
        yield Problem(source, f"line 1: {_too_big(max_size)}")
        return
    data = b"".join(d for _, d in buffered if isinstance(d, bytes))  # none is oversize here
    try:
        text = decode_text(data)
        value = parse_json(text)
    except FacepolicyError as exc:
        yield Problem(source, f"{exc.where}: {exc.message}")
        return
    yield ParsedDeployment(source, value, text)


_KINDS = (
    (stat.S_ISFIFO, ("是命名管道（FIFO），不是文件", "a FIFO (named pipe), not a file")),
    (stat.S_ISCHR, ("是字符设备，不是文件", "a character device, not a file")),
    (stat.S_ISBLK, ("是块设备，不是文件", "a block device, not a file")),
    (stat.S_ISSOCK, ("是套接字，不是文件", "a socket, not a file")),
)


def _not_a_file(mode: int) -> str | None:
    for test, (zh, en) in _KINDS:
        if test(mode):
            return bilingual(zh, en)
    return None


SUFFIXES = (".json", ".ndjson", ".jsonl")


def _walk(folder: str) -> tuple[list[str], list[Problem]]:
    """The deployment files below a folder, and a problem for each folder or entry that could not be
    read: an unreadable subfolder is an error, never silently skipped."""
    found, problems = [], []

    def refused(exc: OSError) -> None:
        problems.append(
            Problem(
                exc.filename or folder,
                bilingual("无法读取目录", "cannot read folder") + f": {exc.strerror}",
            )
        )

    for place, folders, names in os.walk(folder, onerror=refused):
        folders.sort()
        for name in names:
            if name.endswith(SUFFIXES):
                found.append(os.path.join(place, name))
    return found, problems


def iter_deployment_files(paths: list[str]) -> Iterator[tuple[str, str | None] | Problem]:
    """The deployment files named: files as given, folders searched for .json and .ndjson, '-' for
    stdin. Devices, FIFOs and sockets are named as such, not read; unreadable folders are
    problems."""
    for name in paths:
        if name == "-":
            yield name, None
            continue
        try:
            info = os.stat(name)
        except FileNotFoundError:
            yield Problem(name, bilingual("文件不存在", "no such file"))
            continue
        except OSError as exc:
            yield Problem(name, bilingual("无法读取", "cannot read") + f": {exc.strerror}")
            continue
        if stat.S_ISDIR(info.st_mode):
            files, problems = _walk(name)
            yield from problems
            shown_any = False
            for file in sorted(files, key=_parts):
                try:
                    kind = _not_a_file(os.stat(file).st_mode)
                except OSError as exc:
                    yield Problem(file, bilingual("无法读取", "cannot read") + f": {exc.strerror}")
                    continue
                shown_any = True
                if kind is not None:
                    yield Problem(file, kind)
                else:
                    yield file, file
            if not shown_any and not problems:
                yield Problem(
                    name,
                    bilingual(
                        "目录中没有 .json 或 .ndjson 文件",
                        "no .json or .ndjson files in this folder",
                    ),
                )
        elif (kind := _not_a_file(info.st_mode)) is not None:
            yield Problem(name, kind)
        else:
            yield name, name


def _parts(path: str) -> tuple[str, ...]:
    """Path(path).parts without pathlib: the order files of a folder are read in."""
    text = pure(path)
    root = "//" if text.startswith("//") else "/" if text.startswith("/") else ""
    rest = tuple(part for part in text[len(root) :].split("/") if part and part != ".")
    return (root, *rest) if root else rest


def _suffix(path: str) -> str:
    """Path(path).suffix without pathlib."""
    name = os.path.basename(path)
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _read_whole(source: str, path: str, max_size: int) -> Iterator[Raw | Problem]:
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size > max_size:
            yield Problem(source, _too_big(max_size))  # refused before a byte is read
            return
        data = handle.read(max_size + 1)
    if len(data) > max_size:
        yield Problem(source, _too_big(max_size))
        return
    try:
        yield Raw(source, decode_text(data))
    except FacepolicyError as exc:
        yield Problem(source, f"{exc.where}: {exc.message}")


def iter_raw(paths: list[str], max_size: int = MAX_SIZE) -> Iterator[Raw | Loaded]:
    """Every deployment text in the files named, in order, unparsed (but for standard input's,
    parsed to tell JSON from NDJSON); a bad file is a Problem and the rest go on. No deployment is
    read beyond `max_size` bytes."""
    for item in iter_deployment_files(paths):
        if isinstance(item, Problem):
            yield item
            continue
        source, path = item
        if path is None:
            yield from _stdin(sys.stdin.buffer, max_size)
            continue
        try:
            if _suffix(path) in (".ndjson", ".jsonl"):
                with open(path, "rb") as handle:
                    yield from _lines(source, _numbered(handle, max_size), max_size)
            else:
                yield from _read_whole(source, path, max_size)
        except OSError as exc:
            yield Problem(source, bilingual("无法读取", "cannot read") + f": {exc.strerror}")


def iter_deployments(paths: list[str], max_size: int = MAX_SIZE) -> Iterator[Loaded]:
    """Every deployment document in the files named, parsed, in order."""
    for item in iter_raw(paths, max_size):
        yield parse_raw(item) if isinstance(item, Raw) else item


# Deployment files split for worker processes, which read their part themselves: the main process
# only finds where lines end and counts them, so that it neither reads lines one by one, nor decodes
# them, nor sends their text through a pipe (eval --jobs).

CHUNK = 1 << 20  # bytes of NDJSON a worker reads at a time: about 60 deployments of 16 KB
_BLOCK = 1 << 16


class Chunk(NamedTuple):
    """Part of a deployment file, for a worker to read: the whole lines of NDJSON from byte `start`
    to `end`, the first of them numbered `line`; or, with `end` None, a whole JSON file. `last`:
    the file's last part (after it, a file in which no part held a line is an empty document)."""

    source: str
    path: str
    start: int = 0
    end: int | None = None
    line: int = 1
    last: bool = True


def empty_document(source: str) -> Problem:
    return Problem(source, f"line 1: {bilingual('文件为空', 'empty document')}")


def iter_chunks(paths: list[str], size: int | None = None) -> Iterator[Chunk | Problem]:
    """The files named (no standard input), in order, as parts a worker reads itself (read_chunk):
    NDJSON in runs of whole lines about CHUNK bytes long, any other file whole."""
    for item in iter_deployment_files(paths):
        if isinstance(item, Problem):
            yield item
            continue
        source, path = item
        assert path is not None  # standard input is read by the main process (iter_raw)
        if _suffix(path) not in (".ndjson", ".jsonl"):
            yield Chunk(source, path)
            continue
        try:
            yield from _ndjson_chunks(source, path, size or CHUNK)
        except OSError as exc:
            yield Problem(source, bilingual("无法读取", "cannot read") + f": {exc.strerror}")


def _ndjson_chunks(source: str, path: str, size: int) -> Iterator[Chunk]:
    """Runs of whole lines, each ending at the first line end `size` bytes or more after its start,
    found in bounded reads (a line may be longer than memory should hold)."""
    start = position = newlines = 0
    line = 1
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            offset = 0  # in the block, where the current run's uncounted bytes begin
            while (earliest := start + size - 1 - position) < len(block):
                cut = block.find(b"\n", max(offset, earliest))
                if cut < 0:
                    break
                newlines += block.count(b"\n", offset, cut + 1)
                end = position + cut + 1
                yield Chunk(source, path, start, end, line, last=False)
                start, line, newlines, offset = end, line + newlines, 0, cut + 1
            newlines += block.count(b"\n", offset)
            position += len(block)
    yield Chunk(source, path, start, position, line, last=True)


class _Slice:
    """A file read only up to `end`: readline() as _numbered calls it."""

    def __init__(self, handle: IO[bytes], end: int):
        self.handle = handle
        self.end = end

    def readline(self, limit: int) -> bytes:
        left = self.end - self.handle.tell()
        return self.handle.readline(min(limit, left)) if left > 0 else b""


def read_chunk(chunk: Chunk, max_size: int = MAX_SIZE) -> list[Raw | Problem]:
    """The deployments of one part of a file, unparsed, as iter_raw gives them (without the empty
    document problem, which only the whole file can tell: see Chunk.last)."""
    try:
        if chunk.end is None:
            return list(_read_whole(chunk.source, chunk.path, max_size))
        with open(chunk.path, "rb") as handle:
            handle.seek(chunk.start)
            lines = _numbered(_Slice(handle, chunk.end), max_size, chunk.line)  # type: ignore[arg-type]
            return list(_lines(chunk.source, lines, max_size, any_line=True))
    except OSError as exc:
        return [Problem(chunk.source, bilingual("无法读取", "cannot read") + f": {exc.strerror}")]
