"""Errors as users read them: one line in Chinese and English, values written as JSON (never as
Python), long lists cut between items, and the closest known name offered for a misspelt one."""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Iterable

from facepolicy.errors import bilingual

LONGEST_VALUE = 60  # characters of a value shown back; the rest is "…"
MOST_CHOICES = 12  # choices listed before "… N more"


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name nearest to `name` by edit distance, if one is near enough to be a
    misspelling."""
    import difflib  # only when an error is being written

    if not isinstance(name, str):
        return None
    found = difflib.get_close_matches(
        name, sorted({k for k in known if isinstance(k, str)}), n=1, cutoff=0.6
    )
    return found[0] if found else None


def did_you_mean(name: Any, known: Iterable[str]) -> str:
    """' — did you mean "x"?' in both languages, or nothing when no known name is close."""
    near = closest(name, known)
    return f" — 是否应为 / did you mean {show(near)}?" if near is not None else ""


def show(value: Any) -> str:
    """A value as JSON on one line, shortened; objects and arrays as {…} and […]."""
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 2] + '…"'


def listing(values: Iterable[Any], most: int = MOST_CHOICES) -> str:
    """Values separated by commas, whole items only: past `most`, "… N more"."""
    values = list(values)
    shown = ", ".join(show(v) for v in values[:most])
    rest = len(values) - most
    return shown + (f", … {rest} more / 另 {rest} 项" if rest > 0 else "")


def pointer_text(path: Iterable[Any]) -> str:
    """A JSON Pointer to show, each overlong member name shortened."""
    parts = []
    for part in path:
        text = str(part).replace("~", "~0").replace("/", "~1")
        parts.append(text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…")
    return "".join("/" + part for part in parts)


_TYPES = {
    "string": "字符串 string",
    "number": "数 number",
    "integer": "整数 integer",
    "boolean": "布尔值 boolean",
    "object": "对象 object",
    "array": "数组 array",
    "null": "null",
}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


def _required_sets(schema: Any) -> list[list[str]] | None:
    """The property sets a oneOf/anyOf's branches require, when that is all they ask for."""
    found = []
    for branch in schema if isinstance(schema, list) else ():
        if not isinstance(branch, dict) or not isinstance(branch.get("required"), list):
            return None
        found.append(branch["required"])
    return found or None


def _forbidden(schema: Any) -> list[str]:
    """The properties a `not` forbids, when it is `{required: […]}` or an anyOf of those."""
    if isinstance(schema, dict) and isinstance(schema.get("required"), list) and len(schema) == 1:
        return list(schema["required"])
    if isinstance(schema, dict) and set(schema) == {"anyOf"}:
        names = []
        for branch in schema["anyOf"]:
            inner = _forbidden(branch)
            if not inner:
                return []
            names.extend(inner)
        return names
    return []


Described = tuple[list[Any], str]


def describe(error: Any) -> Described:
    """A python-jsonschema ValidationError as (path of the place to point at, one-line message)."""
    path = list(error.absolute_path)
    keyword = _KEYWORDS.get(error.validator)
    described = keyword(error, path) if keyword is not None else None
    if described is not None:
        return described
    if error.validator is None or error.schema is False:
        return path, bilingual("此处不允许", "not allowed here")
    return path, bilingual(
        "不符合 schema 的约束", "breaks the schema's constraint"
    ) + f" {show(str(error.validator))}: {show(error.instance)}"


def _extra_property(error: Any, path: list[Any]) -> Described | None:
    schema, instance = error.schema, error.instance
    if not isinstance(instance, dict) or error.validator_value is not False:
        return None
    known = list(schema.get("properties", {})) if isinstance(schema, dict) else []
    patterns = list(schema.get("patternProperties", {})) if isinstance(schema, dict) else []
    extra = [k for k in instance if k not in known and not any(re.search(p, k) for p in patterns)]
    if not extra:
        return None
    name = extra[0]
    hint = did_you_mean(name, known)
    if not hint and known:
        hint = f" (可用 / allowed: {listing(known)})"
    return path + [name], bilingual("未知属性", "unknown property") + f" {show(name)}{hint}"


def _enum(error: Any, path: list[Any]) -> Described | None:
    expected, instance = error.validator_value, error.instance
    if not isinstance(expected, list):
        return None
    hint = (
        did_you_mean(instance, [v for v in expected if isinstance(v, str)])
        if isinstance(instance, str)
        else ""
    )
    return path, (
        bilingual("不是允许的值", "not an allowed value") + f": {show(instance)}{hint}"
        f" (可选 / choices: {listing(expected)})"
    )


def _const(error: Any, path: list[Any]) -> Described:
    return path, bilingual("值不对", "wrong value") + f": {show(error.instance)}, " + bilingual(
        "应为", "must be"
    ) + f" {show(error.validator_value)}"


def _type(error: Any, path: list[Any]) -> Described:
    expected = error.validator_value
    wanted = expected if isinstance(expected, list) else [expected]
    return path, (
        bilingual("类型不对", "wrong type")
        + f": {_TYPES.get(_type_of(error.instance))}, "
        + bilingual("应为", "expected")
        + f" {' / '.join(_TYPES.get(t, str(t)) for t in wanted)}"
    )


def _required(error: Any, path: list[Any]) -> Described | None:
    instance = error.instance
    if not isinstance(instance, dict):
        return None
    missing = [name for name in error.validator_value if name not in instance]
    parent = error.parent
    options = (
        _required_sets(parent.validator_value)
        if parent is not None and parent.validator in ("oneOf", "anyOf")
        else None
    )
    if options:
        either = "; or ".join(" and ".join(show(n) for n in option) for option in options)
        return path, bilingual("须具备其中一组属性", "needs one of these") + f": {either}"
    if missing:
        return path + [missing[0]], bilingual(
            "缺少必填属性", "missing required property"
        ) + f" {show(missing[0])}"
    return None


def _format(error: Any, path: list[Any]) -> Described:
    expected, instance = error.validator_value, error.instance
    if expected == "date":
        return path, bilingual(
            "不是有效日期", "not a valid date (YYYY-MM-DD)"
        ) + f": {show(instance)}"
    return path, bilingual("格式不对", f"not a valid {expected}") + f": {show(instance)}"


def _pattern(error: Any, path: list[Any]) -> Described:
    return path, bilingual(
        "格式不对", "does not match"
    ) + f" {error.validator_value}: {show(error.instance)}"


_BOUNDS = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}


def _bound(error: Any, path: list[Any]) -> Described:
    return path, bilingual("超出范围", "out of range") + f": {show(error.instance)}, " + bilingual(
        "应", "must be"
    ) + f" {_BOUNDS[error.validator]} {error.validator_value}"


_SIZES = {
    "minLength": ("至少", "at least", "characters"),
    "maxLength": ("至多", "at most", "characters"),
    "minItems": ("至少", "at least", "items"),
    "maxItems": ("至多", "at most", "items"),
    "minProperties": ("至少", "at least", "members"),
    "maxProperties": ("至多", "at most", "members"),
}


def _size(error: Any, path: list[Any]) -> Described:
    kind, expected = error.validator, error.validator_value
    zh, en, unit = _SIZES[kind]
    if kind in ("minLength", "minItems") and expected == 1:
        return path, bilingual("不能为空", "must not be empty")
    return path, bilingual(f"长度应{zh} {expected}", f"must have {en} {expected} {unit}")


def _unique(error: Any, path: list[Any]) -> Described | None:
    if not isinstance(error.instance, list):
        return None
    seen: list[Any] = []
    for item in error.instance:
        if item in seen:
            return path, bilingual("有重复项", "duplicate item") + f": {show(item)}"
        seen.append(item)
    return None


def _not(error: Any, path: list[Any]) -> Described:
    instance = error.instance
    names = [
        n for n in _forbidden(error.validator_value) if isinstance(instance, dict) and n in instance
    ]
    if names:
        return path + [names[0]], bilingual(
            "此处不可有该属性", "not allowed here"
        ) + f": {show(names[0])}"
    return path, bilingual(
        "此处不允许该值", "this value is not allowed here"
    ) + f": {show(instance)}"


def _one_of(error: Any, path: list[Any]) -> Described:
    kind, expected, instance = error.validator, error.validator_value, error.instance
    options = _required_sets(expected) if isinstance(expected, list) else None
    if options and isinstance(instance, dict):
        either = "; or ".join(" and ".join(show(n) for n in option) for option in options)
        if kind == "anyOf":
            return path, bilingual("须具备其中一组属性", "needs one of these") + f": {either}"
        return path, bilingual("只能具备其中一组属性", "needs exactly one of these") + f": {either}"
    return path, bilingual(
        "不符合任何一种允许的形式", "matches none of the allowed forms"
    ) + f": {show(instance)}"


# Each keyword's message; a None from one leaves the generic message of `describe`.
_KEYWORDS: dict[Any, Callable[[Any, list[Any]], Described | None]] = {
    "additionalProperties": _extra_property,
    "unevaluatedProperties": _extra_property,
    "enum": _enum,
    "const": _const,
    "type": _type,
    "required": _required,
    "format": _format,
    "pattern": _pattern,
    **{kind: _bound for kind in _BOUNDS},
    **{kind: _size for kind in _SIZES},
    "uniqueItems": _unique,
    "not": _not,
    "oneOf": _one_of,
    "anyOf": _one_of,
}


def key_path(pointer: str) -> str:
    """A JSON Pointer into a TOML file as its keys read: /assertions/0/expect →
    assertions[0].expect."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/") if p]
    text = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts).lstrip(".")
    return text or "(top)"
