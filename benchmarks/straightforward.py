"""The straightforward way to evaluate, as the baseline the engine is measured against.

It reads the same rule files and gives the same three-valued statuses, but does everything for every
rule on every document: reads the deployment into facts again, checks it against the deployment
schema with python-jsonschema, parses each expression text with a fresh jmespath parser and compiles
it, and compiles the scope anew. No compiled rule set, no shared scope answers, no caching. The
benchmark checks that its statuses equal the engine's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jmespath.parser import Parser
from jsonschema import Draft202012Validator

from facepolicy import compiler, schemas
from facepolicy.evaluate import evaluate_rule, read_deployment
from facepolicy.functions import Functions


def status(raw_rule: dict[str, Any], document: Any, today: dt.date) -> str:
    compiler._SCOPES.clear()  # no scope compiled once and shared
    Parser._CACHE.clear()  # no parse tree kept between searches
    rule = compiler.compile_rule(raw_rule, "rule")
    return evaluate_rule(rule, read_deployment(document), Functions(today)).status.value


def evaluate(
    raw_rules: dict[str, dict[str, Any]], document: Any, today: dt.date
) -> list[str] | None:
    """The status of every rule, or None when the document breaks the deployment schema."""
    if not Draft202012Validator(schemas.load("deployment"), registry=schemas.registry()).is_valid(
        document
    ):
        return None
    return [status(raw, document, today) for raw in raw_rules.values()]
