"""The facts a rule reads are derived from its scope and expressions; every fact an incomplete verdict names
is one of them (a list's `-` is "the items it may have besides those listed")."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from conftest import ROOT
from facepolicy.evaluate import evaluate, functions_for
from facepolicy.reads import facts_read
from facepolicy.ruleset import load_rule_set

RULES = load_rule_set().rules
FIXTURES = sorted((ROOT / "fixtures").rglob("*.json"))


def _covered(pointer: str, reads: list[str]) -> bool:
    for path in reads:
        pattern = "^" + re.escape(path).replace(r"\*", r"[^/]+") + "(/.*)?$"
        if re.match(pattern, pointer):
            return True
        # an unstated parent (or an unlisted item) names a prefix of what the rule reads
        prefix = "^" + re.escape(pointer).replace(r"/\-", "/[^/]+") + "(/|$)"
        concrete = path.replace("*", "0")
        if re.match(prefix, concrete) or re.match("^" + re.escape(pointer.rsplit("/-", 1)[0]) + "/", concrete):
            return True
    return False


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT / "fixtures")))
def test_every_missing_fact_is_one_the_rule_reads(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    for verdict in evaluate(RULES, document, functions_for(dt.date(2026, 1, 1))):
        reads = facts_read(RULES[verdict.rule_id])
        for pointer in verdict.missing:
            assert _covered(pointer, reads), (verdict.rule_id, pointer, reads)


def test_explain_lists_the_facts_a_rule_reads():
    assert facts_read(RULES["megvii-fr-guideline.private-spaces"]) == ["/components/*/product", "/mode", "/sites/*/area_type"]
