"""A rule file's data → a compiled rule: schema validators, JMESPath expressions and message
templates, built once."""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

from facepolicy import schemas
from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.expressions import Expression, Unsupported, build
from facepolicy.facts import Partial, Range, Unknown
from facepolicy.model import Severity, Text

_NAME = re.compile(r"[a-z_][a-z0-9_]*")
# String literals, quoted identifiers and backtick literals (each with its escapes), or a $reference
# outside them.
_LITERAL_OR_REFERENCE = re.compile(
    r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`(?:[^`\\]|\\.)*`|\$([A-Za-z0-9_]*)"
)


class Lets:
    """A rule's [let] table: each name stands for its expression, substituted in parentheses before
    compiling.

    A let may use the lets above it; `used` collects the names met, so that one never used can be
    refused."""

    def __init__(self, table: dict[str, str], source: str):
        self.expanded: dict[str, str] = {}
        self.used: set[str] = set()
        for name, text in table.items():
            self.expanded[name] = self.substitute(text, f"{source}: let.{name}")
        self.source = source

    def substitute(self, text: str, where: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return match.group(0)  # a literal: left exactly as written
            if name not in self.expanded:
                raise FacepolicyError(
                    where,
                    bilingual("未定义的命名子表达式", "unknown named sub-expression")
                    + f": ${name}",
                )
            self.used.add(name)
            return f"({self.expanded[name]})"

        return _LITERAL_OR_REFERENCE.sub(one, text) if "$" in text else text

    def check_all_used(self) -> None:
        for name in self.expanded:
            if name not in self.used:
                raise FacepolicyError(
                    f"{self.source}: let.{name}",
                    bilingual("命名子表达式未被使用", "named sub-expression never used")
                    + f": ${name}",
                )


NO_LETS = Lets({}, "")


def compile_expression(text: str, where: str, lets: Lets = NO_LETS) -> Expression:
    """A compiled JMESPath expression ($names replaced by their lets), or a one-line error naming
    the column."""
    import jmespath  # only when the rule-set cache misses
    from jmespath import exceptions as jmespath_errors

    text = lets.substitute(text, where)
    try:
        expression = Expression(text, jmespath.compile(text).parsed)
        build(expression.parsed)  # a construct that has no three-valued meaning is refused here
        _check_calls(expression.parsed, where)
        return expression
    except Unsupported as exc:
        raise FacepolicyError(
            where,
            bilingual("不支持的 JMESPath 结构", "unsupported JMESPath construct") + f": {exc}",
        ) from None
    except jmespath_errors.LexerError as exc:
        raise FacepolicyError(
            where,
            bilingual("JMESPath 词法错误", "JMESPath syntax error") + f": {exc.message} at "
            "column "
            f"{exc.lexer_position + 1}",
        ) from None
    except jmespath_errors.ParseError as exc:
        token = f" {exc.token_value!r}" if exc.token_value else ""
        raise FacepolicyError(
            where,
            bilingual("JMESPath 语法错误", "JMESPath syntax error") + ": "
            f"{exc.msg.lower()}{token} "
            "at column "
            f"{exc.lex_position + 1}",
        ) from None


# What the date and duration functions take, so that a literal date or duration is checked when the
# rule compiles.
_CALENDAR_ARGUMENTS = {
    "days_between": ("date", "date"),
    "days_since": ("date",),
    "days_until": ("date",),
    "date_add": ("date", "duration"),
    "min_days": ("duration",),
    "max_days": ("duration",),
    "shorter_than": ("duration", "duration"),
    "longer_than": ("duration", "duration"),
}


def _check_calls(tree: dict[str, Any], where: str) -> None:
    """Every function called exists, with as many arguments as it takes; literal dates and durations
    can be read."""
    from facepolicy import durations, reference
    from facepolicy.messages import did_you_mean

    table = reference.FacepolicyFunctions.FUNCTION_TABLE
    stack = [tree]  # not recursive: an expression may nest hundreds of levels
    while stack:
        node = stack.pop()
        stack.extend(
            child for child in node.get("children", []) if isinstance(child, dict)
        )  # a slice's are numbers
        if node.get("type") != "function_expression":
            continue
        name, arguments = node["value"], node.get("children", [])
        if name not in table:
            raise FacepolicyError(
                where,
                bilingual("未知函数", "unknown function") + f" {name}(){did_you_mean(name, table)}",
            )
        signature = table[name]["signature"]
        variadic = bool(signature) and signature[-1].get("variadic", False)
        if len(arguments) != len(signature) and not (variadic and len(arguments) >= len(signature)):
            wanted = f"{len(signature)}{' or more' if variadic else ''}"
            raise FacepolicyError(
                where,
                bilingual("函数参数个数不对", "wrong number of arguments")
                + f": {name}() takes {wanted}, not {len(arguments)}",
            )
        for kind, argument in zip(_CALENDAR_ARGUMENTS.get(name, ()), arguments, strict=False):
            if argument.get("type") == "literal":
                try:
                    (durations.date if kind == "date" else durations.duration)(argument["value"])
                except durations.DateError as exc:
                    raise FacepolicyError(
                        where,
                        bilingual("无法读取的日期或时长", "unreadable date or duration")
                        + f" in {name}(): {exc}",
                    ) from None


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")


class Template(NamedTuple):
    """A message in both languages whose {placeholders} are JMESPath over the checked item."""

    zh: str
    en: str
    expressions: dict[str, Expression]

    @classmethod
    def build(cls, text: dict[str, str], where: str, lets: Lets = NO_LETS) -> "Template":
        expressions = {}
        for lang in ("zh", "en"):
            for match in _PLACEHOLDER.finditer(text[lang]):
                if match.group(1) is not None:
                    source = match.group(1).strip()
                    expressions[source] = compile_expression(
                        source, f"{where}.{lang}: {{{source}}}", lets
                    )
        return cls(text["zh"], text["en"], expressions)

    def render(self, data: Any, functions: Any) -> Text:
        values = {
            src: _show(expr.search(data, functions)) for src, expr in self.expressions.items()
        }

        def fill(text: str) -> str:
            def one(match: re.Match[str]) -> str:
                if match.group(1) is None:
                    return match.group(0)[0]
                return values[match.group(1).strip()]

            return _PLACEHOLDER.sub(one, text)

        return Text(fill(self.zh), fill(self.en))


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (Unknown, Range)):
        return "?"
    if isinstance(value, Partial):
        shown = [_show(item) for item, maybe in value.entries() if maybe is None]
        return ", ".join(shown + ["…"]) if shown else "…"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) if value else "—"
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class Step(NamedTuple):
    name: str
    each: bool  # iterate this list before going on


class Assertion(NamedTuple):
    number: int  # its place in the rule's [[assertions]], from 0
    for_each: tuple[Step, ...]
    where: Expression | None
    expect: Expression
    at: str
    message: Template | None
    remediation: Template | None


class Rule:
    """One rule file compiled. Immutable by convention (a plain class, not a frozen dataclass:
    importing dataclasses costs a run that reads an edited rule about 6 ms)."""

    FIELDS = (
        "id",
        "title",
        "description",
        "severity",
        "tags",
        "clauses",
        "scope_schema",
        "assertions",
        "message",
        "remediation",
        "source",
        "raw",
    )
    id: str
    title: Text
    description: Text | None
    severity: Severity
    tags: tuple[str, ...]
    clauses: tuple[str, ...]
    scope_schema: Any
    assertions: tuple[Assertion, ...]
    message: Template
    remediation: Template
    source: str
    raw: dict[str, Any]

    def __init__(self, **values: Any):
        missing = [name for name in self.FIELDS if name not in values]
        unknown = [name for name in values if name not in self.FIELDS]
        if missing or unknown:
            raise TypeError(f"Rule(): missing {missing}, unknown {unknown}")
        self.__dict__.update(values)

    def replace(self, **changes: Any) -> "Rule":
        """The same rule with some fields changed (its scope compiled anew on first use)."""
        return Rule(**{name: changes.get(name, getattr(self, name)) for name in self.FIELDS})

    def __eq__(self, other: object) -> bool:
        return type(other) is Rule and all(
            getattr(self, name) == getattr(other, name) for name in self.FIELDS
        )

    __hash__ = None  # type: ignore[assignment]  # a rule holds its raw data: a dict

    def __repr__(self) -> str:
        return f"Rule({self.id!r}, {self.source!r})"

    # Closures cannot be pickled, so a cached rule set carries the scope's schema and each process
    # compiles its three-valued test on first use.
    @functools.cached_property
    def scope(self) -> Any:
        return (
            None
            if self.scope_schema is None
            else compile_scope(self.scope_schema, f"{self.source}: scope")
        )

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "scope"}


def _steps(path: str) -> tuple[Step, ...]:
    steps = []
    for part in path.split("."):  # a quoted name ("acme-pm": a pack's namespace) holds no dot
        each = part.endswith("[*]")
        steps.append(Step((part[:-3] if each else part).strip('"'), each))
    return tuple(steps)


def check_rule_data(data: dict[str, Any], source: str) -> None:
    """Validate a rule file's data against the rule schema; the error names the key path."""
    declared = ["evidence"] if "evidence" in data else []
    declared += [
        f"assertions[{i}].requires"
        for i, a in enumerate(data.get("assertions", []))
        if isinstance(a, dict) and "requires" in a
    ]
    if declared:
        raise FacepolicyError(
            f"{source}: {declared[0]}",
            bilingual(
                "规则所需的事实由求值自动推导，请删除此项",
                "the facts a rule needs are derived from what it reads; remove this",
            ),
        )
    for name in data.get("let", {}) if isinstance(data.get("let"), dict) else ():
        if not _NAME.fullmatch(
            name
        ):  # before the schema, whose message would not say what a name may be
            raise FacepolicyError(
                f"{source}: let.{name}",
                bilingual(
                    "命名子表达式的名称须为 [a-z_][a-z0-9_]*",
                    "a let name must match [a-z_][a-z0-9_]*",
                ),
            )
    message = schemas.first_error("rule", data)
    if message is not None:
        place, _, detail = message.partition(": ")
        from facepolicy.messages import key_path

        raise FacepolicyError(
            f"{source}: {key_path(place)}",
            bilingual("规则文件不符合规则 schema", "rule file breaks the rule schema")
            + f": {detail}",
        )


def compile_rule(data: dict[str, Any], source: str) -> Rule:
    check_rule_data(data, source)
    lets = Lets(data.get("let", {}), source)
    assertions = []
    for index, raw in enumerate(data["assertions"]):
        where = f"{source}: assertions[{index}]"
        assertions.append(
            Assertion(
                number=index,
                for_each=_steps(raw["for_each"]) if "for_each" in raw else (),
                where=compile_expression(raw["where"], f"{where}.where", lets)
                if "where" in raw
                else None,
                expect=compile_expression(raw["expect"], f"{where}.expect", lets),
                at=raw.get("at", ""),
                message=Template.build(raw["message"], f"{where}.message", lets)
                if "message" in raw
                else None,
                remediation=Template.build(raw["remediation"], f"{where}.remediation", lets)
                if "remediation" in raw
                else None,
            )
        )
    message = Template.build(data["message"], f"{source}: message", lets)
    remediation = Template.build(data["remediation"], f"{source}: remediation", lets)
    lets.check_all_used()
    rule = Rule(
        id=data["id"],
        title=Text(**data["title"]),
        description=Text(**data["description"]) if "description" in data else None,
        severity=Severity[data["severity"]],
        tags=tuple(data.get("tags", [])),
        clauses=tuple(data["clauses"]),
        scope_schema=data.get("scope"),
        assertions=tuple(assertions),
        message=message,
        remediation=remediation,
        source=source,
        raw=data,
    )
    rule.scope  # noqa: B018 — compile it now, so a scope that cannot compile is reported here
    return rule


_SCOPES: dict[str, Any] = {}


def compile_scope(schema: Any, where: str) -> Any:
    """The three-valued test of a scope; one per distinct scope, as most rules share a handful."""
    import json

    from facepolicy.scopes import Compiler, ScopeError

    text = json.dumps(schema, sort_keys=True)
    if text in _SCOPES:
        return _SCOPES[text]

    def resolve(target: str) -> Any:
        base, _, fragment = target.partition("#")
        if base not in ("", "urn:facepolicy:scopes"):
            raise ScopeError(
                f"$ref {target!r}: only '#…' and 'urn:facepolicy:scopes#…' resolve "
                "(nothing is fetched)"
            )
        node: Any = schemas.load("scopes") if base else schema
        for part in (p for p in fragment.split("/") if p):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise ScopeError(f"$ref {target!r} does not resolve")
            node = node[part]
        return node

    try:
        _SCOPES[text] = Compiler(resolve).compile(schema)
    except ScopeError as exc:
        raise FacepolicyError(
            where, bilingual("无法使用的适用范围", "unusable scope") + f": {exc}"
        ) from None
    return _SCOPES[text]
