"""`eval` shows a progress line on stderr for long runs, only when stderr is a terminal and not in
CI."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys

import pytest
from conftest import ROOT

from facepolicy.progress import AFTER_DEPLOYMENTS, Progress, guard

PASSING = json.loads(
    (ROOT / "fixtures" / "scenarios" / "mall-cameras" / "deployment.json").read_text(
        encoding="utf-8"
    )
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _not_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")


def test_a_short_run_draws_nothing():
    term, clock = Terminal(), Clock()
    progress = Progress("en", term, clock)
    for _ in range(10):
        clock.now += 0.01
        progress.tick()
    progress.close()
    assert term.getvalue() == ""


def test_a_run_longer_than_two_seconds_draws_a_counter_and_wipes_it_at_the_end():
    term, clock = Terminal(), Clock()
    progress = Progress("en", term, clock)
    progress.tick()
    clock.now = 2.5
    progress.tick()
    assert term.getvalue() == "\r\x1b[Kfacepolicy: 2 deployments judged (2 s)"
    progress.close()
    assert term.getvalue().endswith("\r\x1b[K")


def test_many_quick_deployments_draw_it_at_most_ten_times_a_second_in_chinese_too():
    term, clock = Terminal(), Clock()
    progress = Progress("zh", term, clock)
    for _ in range(AFTER_DEPLOYMENTS + 50):
        clock.now += 0.0001
        progress.tick()
    assert term.getvalue().count("\r") == 1 and "已评估 200 个部署" in term.getvalue()


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_never_in_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    assert not Progress("en", Terminal()).enabled


def test_never_into_a_file_or_a_pipe():
    assert not Progress("en", io.StringIO()).enabled


def test_output_to_the_same_terminal_wipes_the_line_first():
    term, clock = Terminal(), Clock()
    progress = Progress("en", term, clock)
    out = guard(term, progress)
    clock.now = 3
    progress.tick()
    out.write("report line\n")
    assert term.getvalue().endswith("\r\x1b[Kreport line\n")
    assert guard(io.StringIO(), progress).__class__ is io.StringIO


# The real command, its stderr on a pseudo-terminal or a pipe. A fleet large enough to pass
# AFTER_DEPLOYMENTS.


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    path = tmp_path_factory.mktemp("fleet") / "fleet.ndjson"
    lines = [json.dumps({**PASSING, "id": f"d{i}"}) for i in range(AFTER_DEPLOYMENTS + 20)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return {**env, "FACEPOLICY_TODAY": "2026-01-01", "TERM": "xterm", **extra}


def _eval_with_stderr_on_a_pty(fleet, env, tmp_path) -> tuple[int, bytes, bytes]:
    master, slave = pty.openpty()
    stdout = tmp_path / "stdout"
    with stdout.open(
        "wb"
    ) as sink:  # a file, not a pipe: the command never waits on a reader of its output
        proc = subprocess.Popen(
            [sys.executable, "-m", "facepolicy", "eval", "-f", "json", str(fleet)],
            stdout=sink,
            stderr=slave,
            env=env,
            cwd=ROOT,
        )
    os.close(slave)
    seen = b""
    while (
        True
    ):  # read the terminal while the command runs, so that it never blocks on a full pty buffer
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the command closed its end
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=120)
    os.close(master)
    out = stdout.read_bytes()
    return proc.returncode, out, seen


def test_a_bulk_eval_shows_progress_on_a_terminal_and_wipes_it(fleet, tmp_path):
    code, out, seen = _eval_with_stderr_on_a_pty(fleet, _env(), tmp_path)
    assert code == 1
    assert b"deployments judged" in seen
    assert seen.endswith(b"\r\x1b[K"), seen[-80:]
    assert json.loads(out)["summary"]["deployments"] == AFTER_DEPLOYMENTS + 20  # stdout untouched


def test_no_progress_on_a_terminal_in_ci(fleet, tmp_path):
    _, _, seen = _eval_with_stderr_on_a_pty(fleet, _env(CI="true"), tmp_path)
    assert seen == b""


def test_no_progress_when_stderr_is_a_pipe(fleet):
    proc = subprocess.run(
        [sys.executable, "-m", "facepolicy", "eval", "-f", "json", str(fleet)],
        capture_output=True,
        env=_env(),
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert proc.stderr == b""
