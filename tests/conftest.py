"""Shared helpers: run the CLI like a shell line, and a small rule set built in a temporary
folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from facepolicy.facts import Facts, Partial, Range, Unknown

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _private_rule_set_cache(tmp_path_factory):
    """Tests write their rule-set cache to a folder of their own, never to the user's ~/.cache."""
    os.environ["FACEPOLICY_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


def check_golden(golden: Path, actual: str) -> None:
    """Compare with the golden file. UPDATE_GOLDEN=1 rewrites a golden that differs and still
    fails, so an update never passes by comparing a file with itself: the next run, on the new
    golden, must pass."""
    before = golden.read_text(encoding="utf-8") if golden.is_file() else None
    if os.environ.get("UPDATE_GOLDEN") and actual != before:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        pytest.fail(f"{golden.name} rewritten: review the diff, then rerun without UPDATE_GOLDEN")
    assert before is not None, f"{golden} is missing: run with UPDATE_GOLDEN=1 and review it"
    assert actual == before


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_line(
    args: list[str], stdin: bytes | None = None, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> Result:
    """Run `facepolicy ARGS…` in a fresh process, as a user's shell would."""
    assert args[0] == "facepolicy"
    full_env = {**os.environ, "FACEPOLICY_TODAY": "2026-01-01", **(env or {})}
    full_env.pop("FACEPOLICY_LANG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "facepolicy", *args[1:]],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=full_env,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


CATALOG = """
key = "demo"
source = "demo.txt"
publisher = "Demo"
date = "undated"
version = "undated"
title = { zh = "演示", en = "Demo" }
governs = { zh = "全部", en = "All" }

[[clauses]]
id = "1"
section = "1"
heading = { zh = "标识", en = "Signs" }
binds = "deployer"
kind = "obligation"
excerpt = "公共区域应设置标识"
rules = ["demo.signs"]
"""

RULE = """
id = "demo.signs"
severity = "high"
clauses = ["demo:1"]
title = { zh = "公共区域应设置标识", en = "Public areas need signs" }

[[assertions]]
for_each = "sites"
where = "public"
expect = "signage.face_recognition_sign"
at = "signage"

[message]
zh = "场所 {id} 没有标识"
en = "Site {id} has no sign"

[remediation]
zh = "设置标识"
en = "Post a sign"
"""


def deployment(**facts) -> dict:
    """A version-2 deployment; `complete` names the top-level lists stated complete (default: those
    given)."""
    lists = [key for key, value in facts.items() if isinstance(value, list)]
    facts.setdefault("complete", lists)
    if not facts["complete"]:
        del facts["complete"]
    return {"schema_version": 2, "id": "demo", **facts}


@pytest.fixture
def demo_policies(tmp_path: Path) -> Path:
    """tmp/policies/demo/{document.toml,signs.toml},
    tmp/fixtures/rules/demo.signs/{pass,fail}-*.json, tmp/sources/demo.txt."""
    folder = tmp_path / "policies" / "demo"
    folder.mkdir(parents=True)
    (folder / "document.toml").write_text(textwrap.dedent(CATALOG), encoding="utf-8")
    (folder / "signs.toml").write_text(textwrap.dedent(RULE), encoding="utf-8")
    cases = tmp_path / "fixtures" / "rules" / "demo.signs"
    cases.mkdir(parents=True)
    signed = {"id": "a", "public": True, "signage": {"face_recognition_sign": True}}
    (cases / "pass-signed.json").write_text(
        json.dumps(deployment(sites=[signed])), encoding="utf-8"
    )
    unsigned = {"id": "b", "public": True, "signage": {"face_recognition_sign": False}}
    (cases / "fail-unsigned.json").write_text(
        json.dumps(deployment(sites=[signed, unsigned])), encoding="utf-8"
    )
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "demo.txt").write_text("一、公共区域应设置\n标识。", encoding="utf-8")
    return tmp_path / "policies"


def canonical(value: Any) -> Any:
    """A value with everything three-valued evaluation can tell apart made comparable (1 is not
    true)."""
    kind = type(value)
    if kind is Unknown:
        return ("unknown", sorted(value.facts), value.at, value.truth)
    if kind is Partial:
        return (
            "partial",
            [canonical(v) for v in value.items],
            [None if m is None else sorted(m) for m in value.maybe],
            None if value.tail is None else sorted(value.tail),
        )
    if kind is Range:
        return ("range", value.lo, value.hi, sorted(value.facts))
    if kind is Facts:
        return ("facts", value.at, {k: canonical(v) for k, v in value.items()})
    if kind is dict:
        return ("dict", {k: canonical(v) for k, v in value.items()})
    if kind is list:
        return ("list", [canonical(v) for v in value])
    return (kind.__name__, value)
