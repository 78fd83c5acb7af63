"""After a rule edit, only the edited file is read and compiled again (rulecache.Parts); every other
file's part comes from the last load of the same files, and what comes out is what a build from
nothing gives."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from facepolicy import api, compiler, program, ruleset

TODAY = dt.date(2026, 1, 1)
FOLDER = "megvii-fr-guideline"
EDITED = "private-spaces.toml"
FAILING = ROOT / "fixtures" / "rules" / f"{FOLDER}.private-spaces" / "fail-hotel-room.json"


@pytest.fixture
def policies(tmp_path, monkeypatch):
    """A copy of one bundled document's rules, and a cache folder of its own."""
    folder = tmp_path / "policies"
    shutil.copytree(ROOT / "policies" / FOLDER, folder / FOLDER)
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    monkeypatch.setenv("FACEPOLICY_CACHE_DIR", str(cache))
    monkeypatch.delenv("FACEPOLICY_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def counted(monkeypatch):
    """How many rule files were compiled, and how many rule modules generated, since it was made."""
    calls = {"compile_rule": 0, "rule_code": 0}
    for module, name in ((compiler, "compile_rule"), (program, "rule_code")):
        original = getattr(module, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)
    return calls


def _load(policies: Path) -> api.Rules:
    return api.load([str(policies)], bundled=False)


def _judged(rules: api.Rules) -> list[tuple[str, str, tuple[str, ...]]]:
    report = rules.evaluate(json.loads(FAILING.read_text(encoding="utf-8")), today=TODAY)
    assert isinstance(report, api.DeploymentResult)
    return [
        (v.rule_id, v.status.value, tuple(x.message.en for x in v.violations))
        for v in report.verdicts
    ]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_rule_edit_compiles_that_rule_alone_and_judges_as_a_fresh_build(policies, counted):
    rules = len(list((policies / FOLDER).glob("*.toml"))) - 1  # less the catalog
    assert rules > 10
    _load(policies)
    assert counted == {"compile_rule": rules, "rule_code": rules}
    _load(policies)  # unchanged: the whole program from the cache
    assert counted == {"compile_rule": rules, "rule_code": rules}
    _edit(
        policies / FOLDER / EDITED, "would intrude on privacy", "would intrude (edited) on privacy"
    )
    edited = _load(policies)
    assert counted == {"compile_rule": rules + 1, "rule_code": rules + 1}
    assert any("would intrude (edited)" in m for _, _, ms in _judged(edited) for m in ms)
    fresh_cache = policies.parent / "fresh"
    fresh_cache.mkdir(mode=0o700)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACEPOLICY_CACHE_DIR", str(fresh_cache))
        fresh = _load(policies)
    assert _judged(edited) == _judged(fresh)
    assert counted["compile_rule"] == 2 * rules + 1  # the fresh build read every file


def test_rules_sharing_a_scope_share_one_test_once_put_together(policies):
    rules = _load(policies).program.rules
    scopes = {json.dumps(r.raw.get("scope"), sort_keys=True) for r in _rule_set(policies)}
    assert len({rule.scope for rule in rules.values()}) == len(scopes) < len(rules)


def _rule_set(policies: Path) -> list:
    return list(ruleset.load_rule_set((str(policies),), bundled=False).rules.values())


def test_a_change_to_what_every_file_is_read_with_reads_every_file_again(
    policies, counted, monkeypatch
):
    rules = len(list((policies / FOLDER).glob("*.toml"))) - 1
    _load(policies)
    salt = ruleset._salt
    monkeypatch.setattr(ruleset, "_salt", lambda *files: salt(*files) + b"another schema")
    _edit(
        policies / FOLDER / EDITED, "would intrude on privacy", "would intrude (edited) on privacy"
    )
    _load(policies)
    assert counted["compile_rule"] == 2 * rules


def test_a_broken_file_kept_from_the_last_load_is_reported_alike(policies, counted):
    broken = policies / FOLDER / "zz-broken.toml"
    broken.write_text('id = "x"\nseverity = [unclosed\n', encoding="utf-8")
    first = _load(policies).problems
    assert len(first) == 1 and "zz-broken.toml" in first[0].source
    compiled = counted["compile_rule"]
    _edit(
        policies / FOLDER / EDITED, "would intrude on privacy", "would intrude (edited) on privacy"
    )
    second = _load(policies).problems
    assert second == first
    assert counted["compile_rule"] == compiled + 1  # the edited rule only; the broken one was kept
