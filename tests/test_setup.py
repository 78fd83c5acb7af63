"""`make test` on a fresh machine: Chromium installed where it can be, else one line saying what to
install."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPT = ROOT / "tests" / "ensure_browser.sh"
SH = shutil.which("sh") or "/bin/sh"


def fake_bin(tmp_path: Path, uid: int, apt: str | None = None, chromium: bool = False) -> Path:
    """A PATH holding only `id` (answering uid), maybe `apt-get` (that works or fails) and maybe
    `chromium`."""
    folder = tmp_path / "bin"
    folder.mkdir()

    def tool(name: str, body: str) -> None:
        path = folder / name
        path.write_text(f"#!{SH}\n{body}\n", encoding="utf-8")
        path.chmod(0o755)

    tool("id", f"echo {uid}")
    if chromium:
        tool("chromium", "exit 0")
    if apt == "works":  # `install` puts a chromium on the PATH, as Debian's package does
        tool(
            "apt-get",
            f'echo "$*" >> "{tmp_path}/apt.log"\n'
            f'case "$*" in *install*) printf "#!{SH}\\nexit 0\\n" > '
            f'"{folder}/chromium"; {shutil.which("chmod")} +x "{folder}/chromium";; '
            "esac",
        )
    elif apt == "fails":
        tool("apt-get", f'echo "$*" >> "{tmp_path}/apt.log"; echo "E: network down" >&2; exit 100')
    return folder


def run_script(tmp_path: Path, **kwargs) -> subprocess.CompletedProcess:
    path = fake_bin(tmp_path, **kwargs)
    return subprocess.run(
        [SH, str(SCRIPT)], capture_output=True, text=True, env={"PATH": str(path)}, timeout=30
    )


def test_chromium_present_is_required_and_nothing_is_said(tmp_path):
    proc = run_script(tmp_path, uid=1000, chromium=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "1\n", "")


def test_root_with_apt_get_installs_it_as_on_ci(tmp_path):
    proc = run_script(tmp_path, uid=0, apt="works")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "1\n", "")
    assert "install -y -qq chromium" in (tmp_path / "apt.log").read_text()


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"uid": 1000, "apt": "works"}, "not root"),
        ({"uid": 0}, "no apt-get"),
        ({"uid": 0, "apt": "fails"}, "failed"),
    ],
)
def test_otherwise_one_line_says_what_to_install_and_why_and_the_rest_runs(tmp_path, kwargs, why):
    proc = run_script(tmp_path, **kwargs)
    assert proc.returncode == 0 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert (
        why in lines[0]
        and "apt-get install chromium" in lines[0]
        and ("HTML report's browser check") in lines[0]
    )
    if kwargs.get("uid") == 1000:
        assert not (tmp_path / "apt.log").exists(), "never tries to install without root"


@pytest.mark.parametrize(
    ("env", "required"),
    [
        ({}, False),
        ({"FACEPOLICY_REQUIRE_BROWSER": ""}, False),
        ({"FACEPOLICY_REQUIRE_BROWSER": "1"}, True),
        ({"CI": "true"}, True),
        ({"CI": "false"}, False),
        ({"CI": "true", "FACEPOLICY_REQUIRE_BROWSER": "0"}, False),
    ],
)
def test_the_browser_check_skips_only_off_ci_and_when_not_required(env, required):
    from test_html_report import browser_required

    assert browser_required(env) is required


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_asks_the_script_and_runs_no_apt_get_itself():
    dry = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "test"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    ).stdout
    assert "sh tests/ensure_browser.sh" in dry
    assert "FACEPOLICY_REQUIRE_BROWSER=${FACEPOLICY_REQUIRE_BROWSER:-$browser}" in dry
    assert "apt-get" not in dry
