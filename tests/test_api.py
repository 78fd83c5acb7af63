"""facepolicy.api: load once, evaluate a deployment or many, get report objects — and the same rules
mapped over NDJSON partitions by dask on a local cluster of worker processes, as a platform would on
its own cluster."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import sys

import pytest
from conftest import ROOT

from facepolicy import api
from facepolicy.errors import FacepolicyError
from facepolicy.evaluate import evaluate
from facepolicy.model import DeploymentResult, Problem, Status
from facepolicy.ruleset import load_rule_set

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

TODAY = dt.date(2026, 1, 1)
HOTEL = ROOT / "fixtures" / "rules" / "megvii-fr-guideline.private-spaces" / "fail-hotel-room.json"


@pytest.fixture(scope="module")
def rules():
    return api.load()


def test_one_deployment_as_a_dict_or_as_text(rules):
    text = HOTEL.read_text(encoding="utf-8")
    from_text = rules.evaluate(text, today=TODAY, source="hotel.json")
    from_dict = rules.evaluate(json.loads(text), today=TODAY)
    assert isinstance(from_text, DeploymentResult) and from_text.source == "hotel.json"
    assert (
        from_text.verdicts
        == from_dict.verdicts
        == evaluate(load_rule_set().rules, json.loads(text), today=TODAY)
    )
    assert from_text.status("megvii-fr-guideline.private-spaces") is Status.fail
    assert from_text.positions["/sites/1/area_type"] == (
        22,
        20,
    )  # line and column in the text given
    assert from_text.status("no.such-rule") is None


def test_input_that_cannot_be_used_is_a_problem_naming_the_place(rules):
    broken = rules.evaluate('{"schema_version": 2,\n "id": }', today=TODAY, source="x.json")
    assert isinstance(broken, Problem) and broken.source == "x.json" and "line 2" in broken.message
    invalid = rules.evaluate({"schema_version": 2, "id": "x", "mode": "nowhere"}, today=TODAY)
    assert isinstance(invalid, Problem) and "/mode" in invalid.message


def test_many_deployments_in_order_with_the_rules_chosen(rules):
    documents = list(generate.deployments(41, 12))
    lines = [json.dumps(d) for d in documents]
    chosen = rules.select(tags=["children"])
    assert 0 < len(chosen.ids) < len(rules.ids)
    assert all("children" in chosen.info(rid).tags for rid in chosen.ids)
    reports = list(chosen.evaluate_many(lines + ["", "not json"], today=TODAY))
    assert [r.deployment_id for r in reports[:-1]] == [d["id"] for d in documents]
    assert isinstance(reports[-1], Problem) and reports[-1].source == "<deployment>:14"
    assert [v.rule_id for v in reports[0].verdicts] == chosen.ids
    in_two = list(chosen.evaluate_many(documents, today=TODAY, jobs=2))
    assert [r.verdicts for r in in_two] == [r.verdicts for r in reports[:-1]]
    with pytest.raises(FacepolicyError, match="no such rule"):
        rules.select(["no.such-rule"])


def test_no_rules_still_check_the_deployment_and_read_no_facts(rules, tmp_path, monkeypatch):
    """bench.py's "no rules at all", as `eval` runs it (an empty rule folder) and in one process
    (the bundled program with none selected): the pipeline's own cost, with nothing to judge."""
    import facepolicy.program

    def unread(*_: object, **__: object) -> None:
        raise AssertionError("facts read with no rule to judge")

    monkeypatch.setattr(facepolicy.program, "read", unread)
    none = api.load([str(tmp_path)], bundled=False)
    assert none.ids == []
    assert rules.program.select(set()).evaluate(json.loads(HOTEL.read_text("utf-8")), TODAY) == []
    result = none.evaluate(HOTEL.read_text(encoding="utf-8"), today=TODAY)
    assert isinstance(result, DeploymentResult) and result.verdicts == []
    invalid = none.evaluate({"schema_version": 2, "id": "x", "mode": "nowhere"}, today=TODAY)
    assert isinstance(invalid, Problem) and "/mode" in invalid.message


def test_rules_pickle_as_the_way_to_load_them_again(rules):
    chosen = rules.select(["megvii-fr-guideline.private-spaces"])
    again = pickle.loads(pickle.dumps(chosen))
    assert again.ids == ["megvii-fr-guideline.private-spaces"]
    assert again.digest == rules.digest and again.info(again.ids[0]).severity.name == "critical"


def _statuses(lines, rules):
    """One partition: its deployments' verdicts, as plain values."""
    return [
        (r.deployment_id, [(v.rule_id, v.status.value) for v in r.verdicts])
        for r in rules.evaluate_many(lines, today=TODAY)
        if isinstance(r, DeploymentResult)
    ]


def test_a_dask_bag_over_ndjson_partitions_on_a_local_cluster(rules, tmp_path):
    """Four NDJSON files, two worker processes: every deployment judged once, as judged here."""
    import dask.bag
    import distributed

    documents = list(generate.deployments(2026, 80))
    paths = []
    for part in range(4):
        path = tmp_path / f"fleet-{part}.ndjson"
        path.write_text("".join(json.dumps(d) + "\n" for d in documents[part::4]), encoding="utf-8")
        paths.append(str(path))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            bag = dask.bag.read_text(paths).map_partitions(_statuses, rules)
            found = dict(bag.compute(scheduler=client.get))
            workers = client.run(lambda: __import__("os").getpid())
    assert len(workers) == 2
    expected = dict(_statuses([json.dumps(d) for d in documents], rules))
    assert found == expected and len(found) == 80
