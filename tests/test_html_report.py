"""`facepolicy report`: a self-contained HTML file that renders in headless Chromium with the right
counts."""

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
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


def browser_required(env: dict[str, str]) -> bool:
    """Chromium's absence fails the check where FACEPOLICY_REQUIRE_BROWSER is set (make test sets it
    where it could install Chromium) or on CI (CI=true), unless FACEPOLICY_REQUIRE_BROWSER=0 says
    otherwise; elsewhere it skips."""
    explicit = env.get("FACEPOLICY_REQUIRE_BROWSER", "")
    if explicit:
        return explicit != "0"
    return env.get("CI", "").strip().lower() in ("true", "1", "yes")


needs_browser = pytest.mark.skipif(
    CHROMIUM is None and not browser_required(dict(os.environ)),
    reason="Chromium is not installed: the HTML report's browser check needs it (Debian/Ubuntu: "
    "apt-get install chromium; "
    "make test installs it when run as root); FACEPOLICY_REQUIRE_BROWSER=1 or CI=true makes "
    "its absence a failure",
)


def render_in_chromium(path: Path, profile: Path) -> tuple[str, list[str]]:
    assert CHROMIUM, "chromium is required (FACEPOLICY_REQUIRE_BROWSER is set)"
    proc = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", path.resolve().as_uri()],
        capture_output=True,
        timeout=60,
    )
    console = [
        line for line in proc.stderr.decode("utf-8", "replace").splitlines() if ":CONSOLE" in line
    ]
    return proc.stdout.decode("utf-8"), console


def test_the_report_is_self_contained(tmp_path):
    out = tmp_path / "report.html"
    result = run_line(["facepolicy", "report", str(ROOT / "fixtures" / "rules"), "-o", str(out)])
    assert result.code == 1, (
        result.err
    )  # the fixtures include violating deployments: exit 1, like eval
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no external assets"
    assert "<script src" not in html and "<link" not in html


@needs_browser
def test_the_report_renders_with_the_counts_of_eval_and_no_console_output(tmp_path):
    # The scenarios (42 deployments, a 2 MB page) rather than every rule fixture (775, 42 MB): that
    # page took Chromium 156 about 60 s to render on the 2-core machines, the other about 2 s.
    scenarios = str(ROOT / "fixtures" / "scenarios")
    out = tmp_path / "report.html"
    assert run_line(["facepolicy", "report", scenarios, "-o", str(out)]).code == 1
    summary = json.loads(run_line(["facepolicy", "eval", "-f", "json", scenarios]).out)["summary"]
    assert all(summary[key] > 0 for key in ("fail", "pass", "incomplete", "not_applicable"))
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
    page.write_text(
        "<html><body><script>console.error('boom')</script></body></html>", encoding="utf-8"
    )
    _, console = render_in_chromium(page, tmp_path / "profile")
    assert any("boom" in line for line in console)


# What a reader sees, without a browser: fonts, no Python reprs, words that agree with their
# numbers, exit codes.


def _report(tmp_path, *args, lang="en") -> tuple[int, str, str]:
    out = tmp_path / f"report-{lang}.html"
    result = run_line(["facepolicy", "report", "--lang", lang, "-o", str(out), *args])
    return result.code, out.read_text(encoding="utf-8") if out.exists() else "", result.out


CJK_FONTS = [
    '"PingFang SC"',
    '"Hiragino Sans GB"',
    '"Microsoft YaHei"',
    '"Noto Sans CJK SC"',
    '"Source Han Sans SC"',
    '"WenQuanYi Micro Hei"',
]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_names_a_cjk_font_on_every_common_system_and_no_python_repr(tmp_path, lang):
    _, html, _ = _report(
        tmp_path,
        str(ROOT / "fixtures" / "scenarios" / "mall-cameras" / "deployment.json"),
        lang=lang,
    )
    stack = re.search(r"body\{\s*font:[^;]*;", html).group(0)
    for font in CJK_FONTS:
        assert font in stack, font
    assert stack.rstrip(";").endswith("sans-serif")
    for repr_mark in ("{'", "':", "dict(", "[(", "None", "Severity.", "Status."):
        assert repr_mark not in html, repr_mark
    assert '<dl class="provenance">' in html and "<dt>" in html


def test_the_provenance_is_a_definition_list_with_each_policy_folder_and_its_commit():
    from facepolicy.html_report import provenance_list

    html = provenance_list(
        {"rules": 3, "policy_revisions": {"policies": "abc", "extra": "def"}}, "en"
    )
    assert html == (
        '<dl class="provenance"><dt>rules</dt><dd><code>3</code></dd><dt>policy '
        "folders at</dt>"
        "<dd><code>extra</code> @ <code>def</code><br><code>policies</code> @ "
        "<code>abc</code></dd></dl>"
    )


@pytest.mark.parametrize(
    ("n", "en", "zh"),
    [
        (0, "0 deployments", "0 个部署"),
        (1, "1 deployment", "1 个部署"),
        (2, "2 deployments", "2 个部署"),
    ],
)
def test_counts_agree_with_their_numbers(n, en, zh):
    from facepolicy.html_report import count

    assert count(n, "deployment", "en") == en
    assert count(n, "deployment", "zh") == zh


def test_one_deployment_is_one_deployment_in_the_page_and_the_message(tmp_path):
    code, html, out = _report(
        tmp_path, str(ROOT / "fixtures" / "scenarios" / "mall-cameras" / "deployment.json")
    )
    assert (
        '<b id="count-deployments">1</b> deployment<' in html
        and ('<b id="count-problems">0</b> input errors<') in html
    )
    assert "(1 deployment, 7 failed)" in out
    _, html, out = _report(
        tmp_path,
        str(ROOT / "fixtures" / "scenarios" / "mall-cameras" / "deployment.json"),
        lang="zh",
    )
    assert '<b id="count-deployments">1</b> 个部署<' in html and "（1 个部署，7 项不合规）" in out
    assert "<th>严重程度</th>" in html and "<th>severity</th>" not in html


def _demo(tmp_path, name: str, document) -> str:
    path = tmp_path / name
    path.write_text(
        document if isinstance(document, str) else json.dumps(document), encoding="utf-8"
    )
    return str(path)


def test_the_report_exits_like_eval(tmp_path, demo_policies):
    from conftest import deployment

    rules = ["--no-bundled", "--policies", str(demo_policies)]
    signed = {"id": "a", "public": True, "signage": {"face_recognition_sign": True}}
    unsigned = {"id": "b", "public": True, "signage": {"face_recognition_sign": False}}
    unknown = {"id": "c", "public": True}
    passing = _demo(tmp_path, "pass.json", deployment(sites=[signed]))
    failing = _demo(tmp_path, "fail.json", deployment(sites=[unsigned]))
    incomplete = _demo(tmp_path, "incomplete.json", deployment(sites=[unknown]))
    broken = _demo(tmp_path, "broken.json", "{not json")
    cases = [
        ([passing], 0),
        ([failing], 1),
        ([failing, "--fail-on", "critical"], 0),
        ([failing, "--fail-on", "high"], 1),
        ([incomplete], 1),
        ([incomplete, "--allow-incomplete"], 0),
        ([incomplete, "--fail-on", "critical"], 0),
        ([failing, "--allow-incomplete"], 1),
        ([passing, broken], 2),
    ]
    for args, expected in cases:
        eval_code = run_line(["facepolicy", "eval", *rules, *args]).code
        report_code, html, _ = _report(tmp_path, *rules, *args)
        assert (report_code, eval_code) == (expected, expected), args
        assert html.endswith("</html>\n"), "the report is written whatever the exit code"
