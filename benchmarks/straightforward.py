"""The straightforward way to evaluate, as the baseline the engine is measured against.

It reads the same rule files and gives the same statuses, but builds a python-jsonschema validator and
calls jmespath.search on the expression text for every rule on every document: no compiled rule set,
no jsonschema-rs, no caching. The benchmark checks that its statuses equal the engine's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jmespath
from jsonschema import Draft202012Validator

from facepolicy import schemas
from facepolicy.evaluate import iter_items, options_for
from facepolicy.compiler import _steps


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", [], {})


def status(raw_rule: dict[str, Any], document: Any, options: jmespath.Options) -> str:
    registry = schemas.registry()
    if "scope" in raw_rule and not Draft202012Validator(raw_rule["scope"], registry=registry).is_valid(document):
        return "not_applicable"
    if "evidence" in raw_rule and not Draft202012Validator(raw_rule["evidence"], registry=registry).is_valid(document):
        return "incomplete"
    failed = missing = False
    for assertion in raw_rule["assertions"]:
        subjects = iter_items(document, _steps(assertion["for_each"])) if "for_each" in assertion else [("", document)]
        for _, subject in subjects:
            if "where" in assertion and not _truthy(jmespath.search(assertion["where"], subject, options=options)):
                continue
            if any(jmespath.search(path, subject, options=options) is None for path in assertion.get("requires", [])):
                missing = True
                continue
            result = jmespath.search(assertion["expect"], subject, options=options)
            if result is False:
                failed = True
            elif result is not True:
                return "error"
    return "fail" if failed else "incomplete" if missing else "pass"


def evaluate(raw_rules: dict[str, dict[str, Any]], document: Any, today: dt.date) -> list[str] | None:
    """The status of every rule, or None when the document breaks the deployment schema."""
    if not Draft202012Validator(schemas.load("deployment"), registry=schemas.registry()).is_valid(document):
        return None
    options = options_for(today)
    options.custom_functions.document = document
    return [status(raw, document, options) for raw in raw_rules.values()]
