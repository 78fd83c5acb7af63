"""Bulk evaluation: NDJSON in and out a line at a time, --jobs keeps the order, the rule-set cache
is never stale."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, run_line
from jsonschema import Draft202012Validator

LINE = Draft202012Validator(
    {"$ref": "urn:facepolicy:report#/$defs/ndjson_line"},
    registry=__import__("facepolicy.schemas", fromlist=["registry"]).registry(),
)


def _ndjson(tmp_path: Path, count: int) -> Path:
    scenarios = sorted((ROOT / "fixtures" / "scenarios").glob("*/deployment.json"))
    path = tmp_path / "many.ndjson"
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            document = json.loads(scenarios[number % len(scenarios)].read_text(encoding="utf-8"))
            document["id"] = f"{document['id']}-{number}"
            out.write(json.dumps(document, ensure_ascii=False) + "\n")
        out.write("{not json\n")
    return path


def test_ndjson_out_has_one_valid_line_per_deployment_and_problem_then_a_summary(tmp_path):
    path = _ndjson(tmp_path, 30)
    result = run_line(["facepolicy", "eval", "--format", "ndjson", str(path)])
    assert result.code == 2, result.err  # the broken last line is bad input
    lines = [json.loads(line) for line in result.out.splitlines()]
    for line in lines:
        LINE.validate(line)
    assert [line["id"] for line in lines[:30]] == [
        f"{json.loads(text)['id']}" for text in path.read_text(encoding="utf-8").splitlines()[:30]
    ]
    assert lines[30] == {
        "problem": {"source": str(path), "message": lines[30]["problem"]["message"]}
    }
    assert "line 31" in lines[30]["problem"]["message"]
    assert lines[31]["summary"]["deployments"] == 30 and lines[31]["summary"]["problems"] == 1


def test_jobs_give_the_same_lines_in_the_same_order(tmp_path):
    path = _ndjson(tmp_path, 70)
    one = run_line(["facepolicy", "eval", "--format", "ndjson", str(path)])
    two = run_line(["facepolicy", "eval", "--format", "ndjson", "--jobs", "2", str(path)])
    assert one.out == two.out and one.code == two.code


def test_a_changed_rule_file_is_never_served_from_the_cache(tmp_path):
    policies = tmp_path / "policies"
    (policies / "demo").mkdir(parents=True)
    source = ROOT / "policies" / "megvii-fr-guideline"
    (policies / "demo" / "document.toml").write_bytes((source / "document.toml").read_bytes())
    rule = (source / "private-spaces.toml").read_text(encoding="utf-8")
    target = policies / "demo" / "private-spaces.toml"
    failing = (
        ROOT / "fixtures" / "rules" / "megvii-fr-guideline.private-spaces" / "fail-hotel-room.json"
    )
    args = ["facepolicy", "eval", "--no-bundled", "--policies", str(policies), str(failing)]
    cache = {"FACEPOLICY_CACHE_DIR": str(tmp_path / "cache")}
    target.write_text(rule, encoding="utf-8")
    assert run_line(args, env=cache).code == 1
    assert run_line(args, env=cache).code == 1  # now from the cache
    target.write_text(
        rule.replace("'hotel_room', ", ""), encoding="utf-8"
    )  # same size class, different bytes
    assert run_line(args, env=cache).code == 0
    for stale in (tmp_path / "cache").glob("*.pickle"):
        stale.write_bytes(b"not a pickle")
    assert run_line(args, env=cache).code == 0  # a broken cache file is only a rebuild
