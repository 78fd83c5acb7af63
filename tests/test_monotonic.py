"""The guarantee: verdicts stay true as facts are added. Removing facts from a deployment never
turns pass into fail or back, never turns either into not_applicable: each verdict stays what it was
or becomes incomplete. (Read the other way: adding facts only resolves incomplete verdicts.)

A fact removed is an object member deleted, a list's name taken out of `complete` (the list becomes
"at least these"), or an item taken out of a list not stated complete. `make test` runs every
fixture and scenario with each top-level fact removed, and a fixed-seed sample of random removals;
`make fuzz` (FACEPOLICY_FUZZ_EXAMPLES=2500) draws over 10,000 (deployment, removed facts) pairs, and
prints the count.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import sys
from typing import Any, Iterator

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facepolicy import schemas
from facepolicy.evaluate import evaluate
from facepolicy.model import Status
from facepolicy.ruleset import load_rule_set

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

EXAMPLES = int(os.environ.get("FACEPOLICY_FUZZ_EXAMPLES", "150"))
REMOVALS_PER_EXAMPLE = 5
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("FACEPOLICY_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RULES = load_rule_set().rules
TODAY = dt.date(2026, 1, 1)
FIXTURES = sorted((ROOT / "fixtures").rglob("*.json"))
DOCUMENTS = [json.loads(p.read_text(encoding="utf-8")) for p in FIXTURES] + list(
    generate.deployments(20261130, 40)
)
PAIRS = {"checked": 0}
KEEP = {"schema_version", "id"}  # required: without them there is no deployment to judge


def statuses(document: Any) -> dict[str, Status]:
    return {v.rule_id: v.status for v in evaluate(RULES, document, today=TODAY)}


def places(document: Any) -> list[tuple[str, tuple, Any]]:
    """Every fact that can be taken away: ("member", path to the object, key), ("complete", path,
    name), ("item", path to the list, index)."""
    found: list[tuple[str, tuple, Any]] = []

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, dict):
            complete = set(node.get("complete", ()))
            for key, value in node.items():
                if not (path == () and key in KEEP) and key != "id":
                    found.append(("member", path, key))
                if key == "complete":
                    found.extend(("complete", path, name) for name in value)
                    continue
                if isinstance(value, list) and key not in complete:
                    found.extend(("item", path + (key,), index) for index in range(len(value)))
                walk(value, path + (key,))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, path + (index,))

    walk(document, ())
    return found


def remove(document: Any, place: tuple[str, tuple, Any]) -> Any:
    kind, path, what = place
    changed = copy.deepcopy(document)
    node = changed
    for step in path:
        node = node[step]
    if kind == "member":
        del node[what]
    elif kind == "complete":
        node["complete"] = [name for name in node["complete"] if name != what]
    else:
        del node[what]
    return changed


def assert_only_resolves(before: dict[str, Status], after: dict[str, Status], what: Any) -> None:
    for rule_id, status in before.items():
        assert after[rule_id] is not Status.error, (rule_id, what)
        if after[rule_id] is not status:
            assert after[rule_id] is Status.incomplete, (
                f"{rule_id}: {status.value} → {after[rule_id].value} after removing {what}"
            )


def _top_level_removals(document: Any) -> Iterator[tuple[str, tuple, Any]]:
    for place in places(document):
        if len(place[1]) == 0:
            yield place


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT / "fixtures")))
def test_every_fixture_with_each_top_level_fact_removed(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    before = statuses(document)
    for place in _top_level_removals(document):
        smaller = remove(document, place)
        if schemas.first_error("deployment", smaller) is None:
            assert_only_resolves(before, statuses(smaller), place)
            PAIRS["checked"] += 1


def test_removing_any_facts_never_flips_a_decided_verdict():
    checked = []

    @SETTINGS
    @given(st.data())
    def removals(data):
        document = data.draw(st.sampled_from(DOCUMENTS), label="deployment")
        before = statuses(document)
        for _ in range(REMOVALS_PER_EXAMPLE):
            smaller = document
            for _ in range(data.draw(st.integers(1, 6), label="facts removed")):
                choices = places(smaller)
                if not choices:
                    break
                smaller = remove(smaller, data.draw(st.sampled_from(choices), label="fact"))
            if schemas.first_error("deployment", smaller) is not None:
                # a removal that leaves an invalid document (a list emptied below its minimum)
                continue  # judges nothing
            assert_only_resolves(before, statuses(smaller), "drawn facts")
            checked.append(1)

    removals()
    PAIRS["checked"] += len(checked)
    # Counted here, not by a later test reading what the others left (that passed or failed with
    # the order tests ran in): at least half the drawn removals must leave a document to judge.
    floor = EXAMPLES * REMOVALS_PER_EXAMPLE // 2
    assert len(checked) >= floor, f"only {len(checked)} drawn pairs could be judged"


@pytest.fixture(autouse=True, scope="module")
def _report_pair_count():
    """The pairs checked, printed once the module's tests are over, in whatever order they ran."""
    yield
    print(f"\nmonotonicity: {PAIRS['checked']} (deployment, removed facts) pairs checked")
