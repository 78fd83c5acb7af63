"""`facepolicy report`: a self-contained HTML file that renders in headless Chromium with the right counts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, run_line

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"]

needs_browser = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("FACEPOLICY_REQUIRE_BROWSER"),
    reason="chromium is not installed (make test installs it; FACEPOLICY_REQUIRE_BROWSER=1 makes its absence a failure)",
)


def render_in_chromium(path: Path, profile: Path) -> tuple[str, list[str]]:
    assert CHROMIUM, "chromium is required (FACEPOLICY_REQUIRE_BROWSER is set)"
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", path.resolve().as_uri()],
                          capture_output=True, timeout=60)
    console = [line for line in proc.stderr.decode("utf-8", "replace").splitlines() if ":CONSOLE" in line]
    return proc.stdout.decode("utf-8"), console


def test_the_report_is_self_contained(tmp_path):
    out = tmp_path / "report.html"
    result = run_line(["facepolicy", "report", str(ROOT / "fixtures" / "rules"), "-o", str(out)])
    assert result.code == 0, result.err
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no external assets"
    assert "<script src" not in html and "<link" not in html


@needs_browser
def test_the_report_renders_with_the_counts_of_eval_and_no_console_output(tmp_path):
    out = tmp_path / "report.html"
    assert run_line(["facepolicy", "report", str(ROOT / "fixtures" / "rules"), "-o", str(out)]).code == 0
    summary = json.loads(run_line(["facepolicy", "eval", "-f", "json", str(ROOT / "fixtures" / "rules")]).out)["summary"]
    dom, console = render_in_chromium(out, tmp_path / "profile")
    assert console == []
    for key in ("deployments", "fail", "pass", "incomplete", "not_applicable", "error"):
        assert re.search(rf'id="count-{key}">{summary[key]}<', dom), key
    coverage = json.loads(run_line(["facepolicy", "coverage", "-f", "json", "--min", "0"]).out)
    assert dom.count('<tr class="clause">') == sum(d["clauses"] for d in coverage["documents"])
    assert dom.count('<tr class="coverage"') == len(coverage["documents"])


@needs_browser
def test_the_console_check_can_fail(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>console.error('boom')</script></body></html>", encoding="utf-8")
    _, console = render_in_chromium(page, tmp_path / "profile")
    assert any("boom" in line for line in console)
