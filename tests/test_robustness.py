"""Property-based robustness: whatever the input, no traceback, exit 0/1/2 only, and valid JSON reports.

`make test` runs a small fixed-seed sample; `make fuzz` is the full run (FACEPOLICY_FUZZ_EXAMPLES=2500:
each property test draws that many examples, and each runs eval on a JSON and an NDJSON file in two
formats; broken rule sets, each run through lint, test and eval, are capped at 300 — about 21,000 cases
in all; the last test prints the count).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conftest import ROOT
from facepolicy import schemas
from facepolicy.cli import run

EXAMPLES = int(os.environ.get("FACEPOLICY_FUZZ_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("FACEPOLICY_FUZZ_RANDOM"),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
REPORT = Draft202012Validator(json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8")))
DEPLOYMENT = json.loads((ROOT / "schemas" / "deployment.schema.json").read_text(encoding="utf-8"))
FIXTURES = sorted((ROOT / "fixtures").rglob("*.json"))
COUNTER = {"cases": 0}


def invoke(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(argv)
    COUNTER["cases"] += 1
    return code, out.getvalue(), err.getvalue()


def check(code: int, out: str, err: str, json_report: bool = False) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in out + err
    assert "internal error" not in err, err
    for line in err.strip().splitlines():
        assert line.startswith("facepolicy: ") or line.startswith("Error: ") or line.startswith("Usage: ") or line.startswith("Try "), line
    if json_report:
        REPORT.validate(json.loads(out))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=40,
)


NDJSON_LINE = Draft202012Validator({"$ref": "urn:facepolicy:report#/$defs/ndjson_line"}, registry=schemas.registry())


def eval_bytes(tmp_path: Path, data: bytes, suffix: str = ".json") -> None:
    path = tmp_path / f"case{suffix}"
    path.write_bytes(data)
    code, out, err = invoke(["eval", "--format", "json", str(path)])
    check(code, out, err, json_report=True)
    code, out, err = invoke(["eval", "--format", "ndjson", str(path)])
    check(code, out, err)
    for line in out.splitlines():
        NDJSON_LINE.validate(json.loads(line))


@SETTINGS
@seed(1)
@given(value=json_values)
def test_random_json(tmp_path_factory, value):
    eval_bytes(tmp_path_factory.mktemp("j"), json.dumps(value).encode())


def _paths(schema: dict, prefix: tuple = ()) -> list[tuple[tuple, dict]]:
    found = []
    for name, sub in schema.get("properties", {}).items():
        if "$ref" in sub:
            sub = DEPLOYMENT["$defs"][sub["$ref"].split("/")[-1]] | {k: v for k, v in sub.items() if k != "$ref"}
        found.append((prefix + (name,), sub))
        if sub.get("type") == "object":
            found.extend(_paths(sub, prefix + (name,)))
        if sub.get("type") == "array" and isinstance(sub.get("items"), dict) and "$ref" in sub["items"]:
            item = DEPLOYMENT["$defs"][sub["items"]["$ref"].split("/")[-1]]
            found.extend(_paths(item, prefix + (name, 0)))
    return found


PROPERTY_PATHS = _paths(DEPLOYMENT)


def _set(document, path, value):
    node = document
    for part in path[:-1]:
        if isinstance(part, int):
            if not isinstance(node, list) or not node:
                return document
            node = node[0]
        else:
            if not isinstance(node, dict):
                return document
            node = node.setdefault(part, [{"id": "x"}] if part in ("components", "sites", "consents", "cross_border_transfers") else {})
    if isinstance(node, dict):
        node[path[-1]] = value
    return document


@SETTINGS
@seed(2)
@given(index=st.integers(0, len(FIXTURES) - 1), target=st.sampled_from(PROPERTY_PATHS), value=json_values)
def test_wrong_types_at_every_schema_property_of_real_fixtures(tmp_path_factory, index, target, value):
    document = json.loads(FIXTURES[index].read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        return
    eval_bytes(tmp_path_factory.mktemp("w"), json.dumps(_set(document, target[0], value)).encode())


@SETTINGS
@seed(3)
@given(index=st.integers(0, len(FIXTURES) - 1), cut=st.floats(0, 1), junk=st.binary(max_size=8))
def test_truncated_and_corrupted_files(tmp_path_factory, index, cut, junk):
    data = FIXTURES[index].read_bytes()
    data = data[: int(len(data) * cut)] + junk
    eval_bytes(tmp_path_factory.mktemp("t"), data)
    eval_bytes(tmp_path_factory.mktemp("n"), data, ".ndjson")


SPECIALS = [
    b'{"schema_version": 1, "id": "x", "name": ' + b"[" * 50000 + b"]" * 50000 + b"}",
    b'{"schema_version": 1, "id": "' + b"x" * 2_000_000 + b'"}',
    b'{"schema_version": 1, "id": "x", "sites": [{"id": "s", "devices": NaN}]}',
    b'{"schema_version": 1, "id": "x", "sites": [{"id": "s", "devices": Infinity}]}',
    b'{"schema_version": 1, "id": "x", "id": "y"}',
    b'{"schema_version": 1, "id": "\xc3\x28"}',
    b"\xef\xbb\xbf{}",
    b"\x00\x00\x00",
    b'{"schema_version": 1e400, "id": "x"}',
    b'{"schema_version": 1, "id": "x", "data_subjects": {"min_age": 1e308}}',
    b'{"schema_version": 1, "id": "x", "components": [{"id": "c", "runs_on": {"os_version": "' + b"9." * 5000 + b'9"}}]}',
]


@pytest.mark.parametrize("number", range(len(SPECIALS)))
def test_hostile_inputs(tmp_path, number):
    eval_bytes(tmp_path, SPECIALS[number])


TOML_MUTATIONS = ["", "[", "id = ", '"\\u', "expect = \"sites[?\"", "scope = 5", "[[assertions]]\nexpect = 1",
                  'scope = { "$ref" = "https://example.com/x.json" }', "\x00", "severity = \"urgent\"",
                  'evidence = { "type" = "nothing" }', "[message]\nzh = 1"]


@settings(SETTINGS, max_examples=min(EXAMPLES, 300))  # each example runs lint, test (every fixture) and eval
@seed(4)
@given(mutation=st.sampled_from(TOML_MUTATIONS), position=st.floats(0, 1), drop=st.integers(0, 40))
def test_broken_rule_files_for_lint_test_and_eval(tmp_path_factory, mutation, position, drop):
    root = tmp_path_factory.mktemp("rules")
    source = sorted((ROOT / "policies").glob("*/*.toml"))
    rule = random.Random(drop).choice([p for p in source if p.name != "document.toml"])
    folder = root / "policies" / rule.parent.name
    folder.mkdir(parents=True)
    text = rule.read_text(encoding="utf-8")
    cut = int(len(text) * position)
    (folder / rule.name).write_text(text[:cut] + mutation + text[cut + drop:], encoding="utf-8")
    catalog = rule.parent / "document.toml"
    if catalog.is_file():
        shutil.copy(catalog, folder / "document.toml")
    fixture = FIXTURES[drop % len(FIXTURES)]
    for argv in (["lint", "--no-bundled", "--policies", str(root / "policies")],
                 ["test", "--no-bundled", "--policies", str(root / "policies"), "--fixtures", str(ROOT / "fixtures")],
                 ["eval", "--no-bundled", "--policies", str(root / "policies"), "--format", "json", str(fixture)]):
        code, out, err = invoke(argv)
        check(code, out, err, json_report=argv[0] == "eval")


def test_zz_report_case_count():
    print(f"\nrobustness cases run: {COUNTER['cases']}")
    assert COUNTER["cases"] >= EXAMPLES
