"""`facepolicy diff` between two commits: which rule changed, which part, which verdicts flipped."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import deployment, run_line


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_a_changed_threshold_names_the_rule_the_part_and_the_flipped_fixtures(
    demo_policies, tmp_path
):
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(demo_policies, repo / "policies")
    shutil.copytree(demo_policies.parent / "fixtures", repo / "fixtures")
    taps = repo / "policies" / "demo" / "taps.toml"
    taps.write_text(
        (demo_policies / "demo" / "signs.toml")
        .read_text(encoding="utf-8")
        .replace('id = "demo.signs"', 'id = "demo.taps"')
        .replace(
            'expect = "signage.face_recognition_sign"',
            'expect = "privacy_policy.taps_from_main_screen <= `4`"',
        )
        .replace('for_each = "sites"\nwhere = "public"\n', "")
        .replace('at = "signage"', 'at = "privacy_policy/taps_from_main_screen"'),
        encoding="utf-8",
    )
    catalog = repo / "policies" / "demo" / "document.toml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace(
            'rules = ["demo.signs"]', 'rules = ["demo.signs", "demo.taps"]'
        ),
        encoding="utf-8",
    )
    cases = repo / "fixtures" / "rules" / "demo.taps"
    cases.mkdir()
    for name, count in (("pass-4-taps", 4), ("fail-5-taps", 5)):
        (cases / f"{name}.json").write_text(
            json.dumps(deployment(privacy_policy={"taps_from_main_screen": count})),
            encoding="utf-8",
        )
    git(repo, "init", "-q")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base", "--allow-empty")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "rules")
    taps.write_text(taps.read_text(encoding="utf-8").replace("<= `4`", "<= `3`"), encoding="utf-8")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "stricter")

    result = run_line(["facepolicy", "diff", "HEAD~1", "HEAD", "--repo", str(repo)])
    assert result.code == 0, result.err
    assert "demo.taps: assertions" in result.out
    assert "demo.taps pass → fail (1): fixtures/rules/demo.taps/pass-4-taps.json" in result.out
    assert "fail-5-taps.json" not in result.out  # still fails: no flip

    everything = run_line(["facepolicy", "diff", "HEAD~2", "--repo", str(repo), "--format", "json"])
    report = json.loads(everything.out)
    assert report["rules"]["added"] == ["demo.signs", "demo.taps"]
    assert (
        "demo.taps (added): 4 deployment(s): fail 2, incomplete 2"
        in run_line(["facepolicy", "diff", "HEAD~2", "--repo", str(repo)]).out
    )
    assert {
        "ref": "demo:1",
        "change": "added",
        "before": "",
        "after": "demo.signs, demo.taps",
    } in report["clauses"]

    markdown = run_line(
        ["facepolicy", "diff", "HEAD~1", "HEAD", "--repo", str(repo), "--format", "markdown"]
    )
    assert "- `demo.taps`: assertions" in markdown.out


def test_an_unknown_revision_is_a_one_line_error(tmp_path):
    git(tmp_path, "init", "-q")
    result = run_line(["facepolicy", "diff", "no-such-rev", "--repo", str(tmp_path)])
    assert result.code == 2
    assert (
        result.err.startswith("facepolicy: no-such-rev: ")
        and len(result.err.strip().splitlines()) == 1
    )
