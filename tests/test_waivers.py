"""Waivers: a valid one turns a covered failure into `waived`; an expired one stops covering and
says so; one that matches nothing is reported; lint refuses one without justification or expiry."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import run_line

FAILING = "fixtures/rules/megvii-fr-guideline.private-spaces/fail-hotel-room.json"
RULE = "megvii-fr-guideline.private-spaces"


def _waivers(
    tmp_path: Path, expires: str, rule: str = RULE, deployment: str | None = None, extra: str = ""
) -> str:
    import json

    deployment = deployment or json.loads(Path(FAILING).read_text(encoding="utf-8"))["id"]
    path = tmp_path / "waivers.toml"
    path.write_text(
        textwrap.dedent(f"""
        [[waivers]]
        rule = "{rule}"
        deployment = "{deployment}"
        justification = "Room devices are being removed this month"
        approver = "Li Wei (DPO)"
        expires = "{expires}"
        {extra}
    """),
        encoding="utf-8",
    )
    return str(path)


def test_a_valid_waiver_turns_the_failure_into_waived(tmp_path):
    result = run_line(
        [
            "facepolicy",
            "eval",
            "--rule",
            RULE,
            "--waivers",
            _waivers(tmp_path, "2026-01-01"),
            FAILING,
        ]
    )
    assert result.code == 0, result.out + result.err
    assert "WAIVED" in result.out and "Li Wei (DPO)" in result.out


def test_an_expired_waiver_hides_nothing_and_the_run_says_why(tmp_path):
    result = run_line(
        [
            "facepolicy",
            "eval",
            "--rule",
            RULE,
            "--waivers",
            _waivers(tmp_path, "2025-12-31"),
            FAILING,
        ]
    )
    assert result.code == 1
    assert "FAIL" in result.out and "waiver expired on 2025-12-31" in result.out


def test_a_waiver_that_matches_nothing_is_reported(tmp_path):
    path = _waivers(tmp_path, "2026-12-31", extra='pointer = "/sites/0"')
    result = run_line(["facepolicy", "eval", "--rule", RULE, "--waivers", path, FAILING])
    assert result.code == 1
    assert "matched no failure" in result.err


@pytest.mark.parametrize(
    "drop, where",
    [("justification", "waivers[0].justification"), ("expires", "waivers[0].expires")],
)
def test_lint_refuses_a_waiver_without_justification_or_expiry(tmp_path, drop, where):
    path = Path(_waivers(tmp_path, "2026-12-31"))
    path.write_text(
        "\n".join(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.strip().startswith(drop)
        ),
        encoding="utf-8",
    )
    result = run_line(["facepolicy", "lint", "--waivers", str(path)])
    assert result.code == 1
    assert f"{path}: {where}: " in result.out and drop in result.out


def test_lint_flags_an_impossible_date_an_unknown_rule_and_an_expired_waiver(tmp_path):
    bad_date = _waivers(tmp_path, "2026-02-30")
    result = run_line(["facepolicy", "lint", "--waivers", bad_date])
    assert (
        result.code == 1 and "waivers[0].expires" in result.out and "not a valid date" in result.out
    )
    unknown = _waivers(tmp_path, "2025-06-30", rule="megvii-fr-guideline.no-such-rule")
    result = run_line(["facepolicy", "lint", "--waivers", unknown])
    assert result.code == 1
    assert "waivers[0].rule" in result.out and "waivers[0].expires" in result.out
