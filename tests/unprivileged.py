"""Run facepolicy as a second, unprivileged user: permission cases mean nothing to root.

As root, the command runs as `nobody` (uid 65534) through setpriv or runuser. As any other user it
runs as that user, who is already unprivileged. A test skips only when no such user can be used, and
never under CI=true, where a skip would hide the very case it guards.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import ROOT, Result

NOBODY = 65534


def _prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwuid(NOBODY)
    except KeyError:
        return _unavailable("no user with uid 65534")
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    if shutil.which("runuser"):
        return ["runuser", "-u", pwd.getpwuid(NOBODY).pw_name, "--"]
    return _unavailable("neither setpriv nor runuser is installed")


def _unavailable(why: str) -> list[str]:
    if os.environ.get("CI") == "true":
        pytest.fail(f"cannot run as an unprivileged user under CI: {why}")
    pytest.skip(f"cannot run as an unprivileged user: {why}")


def unprivileged() -> bool:
    """Whether commands run through `run_unprivileged` really lack root's powers (always, unless
    skipped)."""
    _prefix()
    return True


def shared_folder() -> Path:
    """A fresh folder both users can reach (pytest's tmp_path is private to the user who runs the
    tests)."""
    folder = Path(tempfile.mkdtemp(prefix="facepolicy-shared-"))
    folder.chmod(0o755)
    atexit.register(shutil.rmtree, folder, True)  # outside pytest's tmp_path, so removed here
    return folder


def run_unprivileged(
    args: list[str], cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> Result:
    """`facepolicy ARGS…` as the unprivileged user, in `cwd` (which that user must be able to
    enter)."""
    assert args[0] == "facepolicy"
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("FACEPOLICY_CACHE_DIR", "FACEPOLICY_LANG")
    }
    full_env.update(
        {
            "FACEPOLICY_TODAY": "2026-01-01",
            "FACEPOLICY_NO_CACHE": "1",
            "PYTHONPATH": str(ROOT / "evaluator"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "HOME": str(cwd),
            **(env or {}),
        }
    )
    proc = subprocess.run(
        [*_prefix(), sys.executable, "-m", "facepolicy", *args[1:]],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=full_env,
    )
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def as_other_user(path: Path) -> None:
    """Give a file or folder to the other user (root only; elsewhere the test is run the other way
    round)."""
    if os.geteuid() != 0:
        _unavailable("only root can give a file to another user")
    os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
