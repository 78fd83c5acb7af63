"""The facts a rule reads are derived from its scope and expressions; every fact an incomplete
verdict names is one of them (a list's `-` is "the items it may have besides those listed")."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import ROOT

from facepolicy.evaluate import evaluate
from facepolicy.reads import facts_read
from facepolicy.ruleset import load_rule_set

RULES = load_rule_set().rules
FIXTURES = sorted((ROOT / "fixtures").rglob("*.json"))


def _covered(pointer: str, reads: list[str]) -> bool:
    """Whether the pointer names a fact the rule reads, one above it (an unstated object or list),
    or one below it (an item of a list it reads; `-`: the items a list may have besides those
    listed)."""
    parts = pointer.split("/")[1:]
    for path in reads:
        pattern = path.split("/")[1:]
        if all(a == b or b == "*" or a == "-" for a, b in zip(parts, pattern, strict=False)):
            return True
    return False


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT / "fixtures")))
def test_every_missing_fact_is_one_the_rule_reads(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    for verdict in evaluate(RULES, document, today=dt.date(2026, 1, 1)):
        reads = facts_read(RULES[verdict.rule_id])
        for pointer in verdict.missing:
            assert _covered(pointer, reads), (verdict.rule_id, pointer, reads)


def test_explain_lists_the_facts_a_rule_reads():
    assert facts_read(RULES["megvii-fr-guideline.private-spaces"]) == [
        "/components/*/product",
        "/mode",
        "/sites/*/area_type",
    ]
