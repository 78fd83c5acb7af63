"""A rule file's data → a compiled rule: schema validators, JMESPath expressions and message templates, built once."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import jmespath
from jmespath import exceptions as jmespath_errors

from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.expressions import Expression
from facepolicy.model import Severity, Text
from facepolicy import schemas


def compile_expression(text: str, where: str) -> Expression:
    """A compiled JMESPath expression, or a one-line error naming the column."""
    try:
        return Expression(text, jmespath.compile(text).parsed)
    except jmespath_errors.LexerError as exc:
        raise FacepolicyError(where, bilingual("JMESPath 词法错误", "JMESPath syntax error") + f": {exc.message} at column {exc.lexer_position + 1}") from None
    except jmespath_errors.ParseError as exc:
        token = f" {exc.token_value!r}" if exc.token_value else ""
        raise FacepolicyError(where, bilingual("JMESPath 语法错误", "JMESPath syntax error") + f": {exc.msg.lower()}{token} at column {exc.lex_position + 1}") from None


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")


class Template(NamedTuple):
    """A message in both languages whose {placeholders} are JMESPath over the checked item."""

    zh: str
    en: str
    expressions: dict[str, Expression]

    @classmethod
    def build(cls, text: dict[str, str], where: str) -> "Template":
        expressions = {}
        for lang in ("zh", "en"):
            for match in _PLACEHOLDER.finditer(text[lang]):
                if match.group(1) is not None:
                    source = match.group(1).strip()
                    expressions[source] = compile_expression(source, f"{where}.{lang}: {{{source}}}")
        return cls(text["zh"], text["en"], expressions)

    def render(self, data: Any, options: jmespath.Options) -> Text:
        values = {src: _show(expr.search(data, options=options)) for src, expr in self.expressions.items()}

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
    index: int
    for_each: tuple[Step, ...]
    where: Expression | None
    requires: tuple[tuple[str, Expression], ...]
    expect: Expression
    at: str
    message: Template | None
    remediation: Template | None


@dataclass(frozen=True)
class Rule:
    id: str
    title: Text
    description: Text | None
    severity: Severity
    tags: tuple[str, ...]
    clauses: tuple[str, ...]
    scope_schema: Any
    evidence_schema: Any
    assertions: tuple[Assertion, ...]
    message: Template
    remediation: Template
    source: str
    raw: dict[str, Any]

    # jsonschema-rs validators cannot be pickled, so a cached rule set carries the schemas and each
    # process builds a validator on first use.
    @functools.cached_property
    def scope(self) -> Any:
        return None if self.scope_schema is None else schemas.shared_validator(self.scope_schema, f"{self.source}: scope")

    @functools.cached_property
    def evidence(self) -> Any:
        return None if self.evidence_schema is None else schemas.fast_validator(self.evidence_schema, f"{self.source}: evidence")

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("scope", "evidence")}


def _steps(path: str) -> tuple[Step, ...]:
    steps = []
    for part in path.split("."):
        each = part.endswith("[*]")
        steps.append(Step(part[:-3] if each else part, each))
    return tuple(steps)


def check_rule_data(data: dict[str, Any], source: str) -> None:
    """Validate a rule file's data against the rule schema; the error names the key path."""
    message = schemas.first_error("rule", data)
    if message is not None:
        place, _, detail = message.partition(": ")
        key = ".".join(part for part in place.strip("/").split("/") if part) or "(top)"
        raise FacepolicyError(f"{source}: {key}", bilingual("规则文件不符合规则 schema", "rule file breaks the rule schema") + f": {detail}")


def compile_rule(data: dict[str, Any], source: str) -> Rule:
    check_rule_data(data, source)
    assertions = []
    for index, raw in enumerate(data["assertions"]):
        where = f"{source}: assertions[{index}]"
        assertions.append(
            Assertion(
                index=index,
                for_each=_steps(raw["for_each"]) if "for_each" in raw else (),
                where=compile_expression(raw["where"], f"{where}.where") if "where" in raw else None,
                requires=tuple((path, compile_expression(path, f"{where}.requires")) for path in raw.get("requires", [])),
                expect=compile_expression(raw["expect"], f"{where}.expect"),
                at=raw.get("at", ""),
                message=Template.build(raw["message"], f"{where}.message") if "message" in raw else None,
                remediation=Template.build(raw["remediation"], f"{where}.remediation") if "remediation" in raw else None,
            )
        )
    rule = Rule(
        id=data["id"],
        title=Text(**data["title"]),
        description=Text(**data["description"]) if "description" in data else None,
        severity=Severity[data["severity"]],
        tags=tuple(data.get("tags", [])),
        clauses=tuple(data["clauses"]),
        scope_schema=data.get("scope"),
        evidence_schema=data.get("evidence"),
        assertions=tuple(assertions),
        message=Template.build(data["message"], f"{source}: message"),
        remediation=Template.build(data["remediation"], f"{source}: remediation"),
        source=source,
        raw=data,
    )
    rule.scope, rule.evidence  # noqa: B018 — compile both now, so a schema that cannot compile is reported here
    return rule
