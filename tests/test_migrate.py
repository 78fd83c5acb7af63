"""`facepolicy migrate`: version 1 → 2 keeps the meaning (every stated list named complete) and
every other byte."""

from __future__ import annotations

import json

from conftest import ROOT, run_line

V1 = """{
  "schema_version": 1,
  "id": "gate",
  "components": [
    {"id": "g", "vendor": "megvii", "product": "megvii_face_recognition", "collects": ["face_images"]}
  ],
  "sites": [{"id": "lobby", "area_type": "office"}],
  "rights": {"supported": ["access"]}
}
"""  # noqa: E501 — a JSON text as a user writes it: one object per line, byte for byte


def test_migrate_names_every_stated_list_complete_and_keeps_the_rest(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(V1, encoding="utf-8")
    assert run_line(["facepolicy", "migrate", "--check", str(path)]).code == 1
    result = run_line(["facepolicy", "migrate", str(path)])
    assert result.code == 0, result.err
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["schema_version"] == 2
    assert data["complete"] == ["components", "sites"]
    assert data["components"][0]["complete"] == ["collects"]
    assert data["rights"]["complete"] == ["supported"]
    kept = text.replace('"schema_version": 2', '"schema_version": 1')
    for added in (
        ',\n  "complete": ["components", "sites"]',
        ', "complete": ["collects"]',
        ', "complete": ["supported"]',
    ):
        assert added in kept
        kept = kept.replace(added, "", 1)
    assert kept == V1, "nothing but the version and the complete lists changed"
    assert run_line(["facepolicy", "migrate", "--check", str(path)]).code == 0, (
        "migrating twice changes nothing"
    )


def test_a_version_1_description_is_read_closed_world_and_the_report_says_so(tmp_path):
    old = tmp_path / "old.json"
    old.write_text(V1, encoding="utf-8")
    new = tmp_path / "new.json"
    new.write_text(V1, encoding="utf-8")
    run_line(["facepolicy", "migrate", str(new)])
    before = run_line(["facepolicy", "eval", "--format", "json", "--allow-incomplete", str(old)])
    after = run_line(["facepolicy", "eval", "--format", "json", "--allow-incomplete", str(new)])
    statuses = [
        [(v["rule"], v["status"]) for v in json.loads(r.out)["deployments"][0]["verdicts"]]
        for r in (before, after)
    ]
    assert statuses[0] == statuses[1], "migrating keeps every verdict"
    assert json.loads(before.out)["deployments"][0]["reading"] == "closed_world"
    assert "reading" not in json.loads(after.out)["deployments"][0]
    text = run_line(["facepolicy", "eval", "--allow-incomplete", str(old)])
    assert "schema_version 1: every stated list read as complete" in text.out


def test_every_bundled_fixture_is_version_2():
    old = [
        p
        for p in (ROOT / "fixtures").rglob("*.json")
        if json.loads(p.read_text(encoding="utf-8"))["schema_version"] != 2
    ]
    assert not old
