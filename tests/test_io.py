"""Issue 10, "nothing lost, nothing hidden": files, streams, numbers and text.

Each test is one reproduction from the issue. Permission cases run as `nobody`
(tests/unprivileged.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT, deployment, run_line
from unprivileged import run_unprivileged, shared_folder

MALL = ROOT / "fixtures" / "scenarios" / "mall-cameras" / "deployment.json"
PASSING = ROOT / "fixtures" / "rules" / "megvii-fr-guideline.private-spaces" / "pass-office.json"


def _one_line_error(result, *words: str) -> None:
    assert result.code == 2, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert lines and all(line.startswith("facepolicy: ") for line in lines), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    for word in words:
        assert word in result.err, result.err


# --- output files
# ---------------------------------------------------------------------------------------


def test_the_output_may_not_be_an_input(tmp_path):
    """`eval -o x.json x.json` truncated the deployment before reading it."""
    target = tmp_path / "x.json"
    target.write_bytes(MALL.read_bytes())
    result = run_line(["facepolicy", "eval", "-o", str(target), str(target)])
    _one_line_error(result, "also an input")
    assert target.read_bytes() == MALL.read_bytes()


def test_the_output_may_not_lie_inside_a_scanned_folder(tmp_path):
    """`eval -o deps/r.json deps/` read its own half-written report."""
    deps = tmp_path / "deps"
    deps.mkdir()
    (deps / "a.json").write_bytes(MALL.read_bytes())
    result = run_line(
        ["facepolicy", "eval", "--format", "json", "-o", str(deps / "r.json"), str(deps)]
    )
    _one_line_error(result, "inside a folder being scanned")
    assert sorted(p.name for p in deps.iterdir()) == ["a.json"]


def test_a_failed_run_leaves_the_previous_report_and_no_partial_file(tmp_path):
    report = tmp_path / "report.json"
    report.write_text("previous", encoding="utf-8")
    result = run_line(
        [
            "facepolicy",
            "eval",
            "--format",
            "json",
            "--rule",
            "no.such-rule",
            "-o",
            str(report),
            str(MALL),
        ]
    )
    assert result.code == 2
    assert report.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_the_report_appears_whole_under_its_name(tmp_path):
    report = tmp_path / "report.json"
    result = run_line(["facepolicy", "eval", "--format", "json", "-o", str(report), str(MALL)])
    assert result.code == 1
    json.loads(report.read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


@pytest.mark.parametrize("command", [["eval", str(MALL)], ["report", str(MALL)], ["coverage"]])
def test_output_to_a_missing_folder_is_an_input_error(tmp_path, command):
    result = run_line(["facepolicy", *command, "-o", str(tmp_path / "missing" / "out.txt")])
    _one_line_error(result, "out.txt")


def test_output_to_a_full_device_is_an_io_error_not_a_bug():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    result = run_line(["facepolicy", "eval", "-o", "/dev/full", str(MALL)])
    _one_line_error(result)
    assert "No space left" in result.err


def test_output_into_a_folder_the_user_cannot_write_is_an_input_error():
    folder = shared_folder()
    (folder / "d.json").write_bytes(PASSING.read_bytes())
    locked = folder / "locked"
    locked.mkdir(mode=0o555)
    locked.chmod(0o555)
    result = run_unprivileged(
        ["facepolicy", "eval", "-o", str(locked / "out.txt"), str(folder / "d.json")], cwd=folder
    )
    _one_line_error(result, "Permission denied")


def test_a_read_only_output_file_is_refused(tmp_path):
    folder = shared_folder()
    (folder / "d.json").write_bytes(PASSING.read_bytes())
    (folder / "out.txt").write_text("theirs", encoding="utf-8")
    (folder / "out.txt").chmod(0o444)
    result = run_unprivileged(
        ["facepolicy", "eval", "-o", str(folder / "out.txt"), str(folder / "d.json")], cwd=folder
    )
    assert result.code == 2 and "Traceback" not in result.err
    assert (folder / "out.txt").read_text(encoding="utf-8") == "theirs"


# --- reading
# --------------------------------------------------------------------------------------------


def test_an_unreadable_subfolder_is_an_input_error_not_skipped():
    """An unreadable subfolder of a scanned folder was skipped silently: "1 deployment", exit 0."""
    folder = shared_folder()
    deps = folder / "deps"
    (deps / "hidden").mkdir(parents=True)
    (deps / "a.json").write_bytes(PASSING.read_bytes())
    (deps / "hidden" / "b.json").write_bytes(PASSING.read_bytes())
    deps.chmod(0o755)
    (deps / "hidden").chmod(0o000)
    try:
        result = run_unprivileged(["facepolicy", "eval", str(deps)], cwd=folder)
    finally:
        (deps / "hidden").chmod(0o755)
    assert result.code == 2, (result.out, result.err)
    assert "hidden" in result.err and "Permission denied" in result.err
    assert "1 deployment(s), 1 input error(s)" in result.out


def test_an_unreadable_file_is_an_input_error_named():
    folder = shared_folder()
    (folder / "a.json").write_bytes(PASSING.read_bytes())
    (folder / "a.json").chmod(0o000)
    result = run_unprivileged(["facepolicy", "eval", str(folder / "a.json")], cwd=folder)
    _one_line_error(result, "a.json", "Permission denied")


def test_a_fifo_is_named_as_such(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    result = run_line(["facepolicy", "eval", str(fifo), str(PASSING)])
    assert result.code == 2 and "FIFO" in result.err and "no such file" not in result.err
    folder = tmp_path / "deps"
    folder.mkdir()
    os.mkfifo(folder / "p.json")
    result = run_line(["facepolicy", "eval", str(folder)])
    assert result.code == 2 and "FIFO" in result.err


def test_a_device_is_named_as_such():
    result = run_line(["facepolicy", "eval", "/dev/null"])
    _one_line_error(result, "character device")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    """A 2 GB file was read whole before being refused at line 1."""
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: no disk used
    result = run_line(["facepolicy", "eval", str(big)])
    _one_line_error(result, "big.json", "larger than the limit of 33554432 bytes")


def test_max_size_applies_to_files_and_ndjson_lines(tmp_path):
    line = json.dumps(json.loads(PASSING.read_text(encoding="utf-8")))
    fleet = tmp_path / "fleet.ndjson"
    fleet.write_text(
        line + "\n" + json.dumps(deployment(name="x" * 5000)) + "\n" + line + "\n", encoding="utf-8"
    )
    result = run_line(["facepolicy", "eval", "--format", "ndjson", "--max-size", "4K", str(fleet)])
    assert result.code == 2
    assert "line 2: " in result.err and "larger than the limit of 4096 bytes" in result.err
    assert sum(1 for out in result.out.splitlines() if '"verdicts"' in out) == 2
    assert run_line(["facepolicy", "eval", "--max-size", "lots", str(fleet)]).code == 2


_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


def _rusage_run(
    args: list[str], stdin, tmp_path: Path, timeout: float = 60
) -> tuple[int, int, bytes, bytes]:
    """Exit code, peak resident memory in KiB, stdout and stderr of one facepolicy process (measured
    by a wrapper process of its own, so that other tests' children do not count)."""
    env = {**os.environ, "FACEPOLICY_TODAY": "2026-01-01"}
    peak_file = tmp_path / "peak-rss"
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(peak_file), sys.executable, "-m", "facepolicy", *args],
        stdin=stdin,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )
    return proc.returncode, int(peak_file.read_text()), proc.stdout, proc.stderr


def test_stdin_from_dev_zero_is_refused_with_flat_memory(tmp_path):
    """`eval - < /dev/zero` grew without bound (6 GB in 12 s)."""
    with open("/dev/zero", "rb") as zero:
        code, peak_kib, out, err = _rusage_run(
            ["eval", "--max-size", "1M", "-"], zero, tmp_path, timeout=60
        )
    assert code == 2 and b"larger than the limit" in err
    assert peak_kib < 400 * 1024


def test_stdin_ndjson_is_streamed_a_line_at_a_time(tmp_path):
    """85 MB of NDJSON on stdin held 439 MB resident: read whole, then split."""
    line = (json.dumps(deployment(name="x" * 4000)) + "\n").encode()
    fleet = tmp_path / "fleet.ndjson"
    with fleet.open("wb") as handle:
        for _ in range(12000):  # ~48 MB
            handle.write(line)
    with fleet.open("rb") as stdin:
        code, peak_kib, out, err = _rusage_run(
            [
                "eval",
                "--format",
                "ndjson",
                "--allow-incomplete",
                "--rule",
                "megvii-fr-guideline.private-spaces",
                "-",
            ],
            stdin,
            tmp_path,
            timeout=300,
        )
    assert code == 0, err[-500:]
    assert out.count(b'"verdicts"') == 12000
    assert peak_kib < 200 * 1024, peak_kib  # well below the 48 MB input held twice


def test_a_broken_first_line_of_stdin_ndjson_drops_nothing():
    """A broken first line dropped every deployment and was reported at the wrong line."""
    good = json.dumps(json.loads(MALL.read_text(encoding="utf-8")))
    data = (
        "{broken\n" + good + "\n\n" + good.replace('"mall-cameras"', '"two"', 1) + "\n"
    ).encode()
    result = run_line(["facepolicy", "eval", "--format", "ndjson", "-"], stdin=data)
    assert result.code == 2
    assert "<stdin>: line 1, column 2" in result.err
    ids = [json.loads(line).get("id") for line in result.out.splitlines() if '"verdicts"' in line]
    assert ids == ["mall-cameras", "two"]
    assert '"source": "<stdin>:4"' in result.out


def test_one_pretty_printed_document_on_stdin_is_still_one_document():
    result = run_line(["facepolicy", "eval", "--format", "json", "-"], stdin=MALL.read_bytes())
    assert result.code == 1 and json.loads(result.out)["deployments"][0]["source"] == "<stdin>"


# --- numbers and text
# ------------------------------------------------------------------------------------


def test_a_near_integer_is_refused_not_rounded(tmp_path):
    """`"min_age": 13.99999999999999999` was read as 14.0, accepted as an integer, and a critical
    rule passed."""
    case = tmp_path / "kids.json"
    case.write_text(
        '{"schema_version": 1, "id": "kids",\n "data_subjects": {"min_age": 13.99999999999999999}}',
        encoding="utf-8",
    )
    result = run_line(["facepolicy", "eval", str(case)])
    _one_line_error(
        result, "kids.json: line 2, column 31", "13.99999999999999999", "not an integer"
    )
    case.write_text(
        '{"schema_version": 1, "id": "kids", "data_subjects": {"min_age": 14.0}}', encoding="utf-8"
    )
    assert run_line(["facepolicy", "eval", str(case)]).code in (0, 1)


def test_a_near_integer_in_a_rule_file_is_refused(tmp_path, demo_policies):
    rule = demo_policies / "demo" / "signs.toml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace(
            'severity = "high"', 'severity = "high"\nweight = 13.99999999999999999'
        ),
        encoding="utf-8",
    )
    result = run_line(["facepolicy", "lint", "--no-bundled", "--policies", str(demo_policies)])
    assert result.code != 0 and "13.99999999999999999" in result.out + result.err


@pytest.mark.parametrize("fmt", ["text", "json", "ndjson", "sarif", "junit", "github", "markdown"])
def test_a_lone_surrogate_is_an_input_error_and_later_deployments_are_judged(tmp_path, fmt):
    """`"East\\ud800entrance"` ended every format with exit 3; later deployments were never
    judged."""
    good = json.dumps(json.loads(MALL.read_text(encoding="utf-8")))
    bad = json.dumps(deployment(name="East\ud800entrance"))
    assert "\\ud800" in bad
    fleet = tmp_path / "fleet.ndjson"
    fleet.write_text(bad + "\n" + good + "\n", encoding="utf-8")
    result = run_line(["facepolicy", "eval", "--format", fmt, str(fleet)])
    assert result.code == 2, result.err
    assert "fleet.ndjson: line 1, column" in result.err and "surrogate" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert (
        json.loads(good)["id"] in result.out or "1 deployment(s)" in result.out
    )  # judged (github names files, not ids)


def test_paired_surrogate_escapes_are_characters():
    case = json.dumps(deployment(name="\ud83d\ude00"))
    result = run_line(["facepolicy", "eval", "-"], stdin=case.encode())
    assert result.code in (0, 1), result.err


HOSTILE = "Lobby\x1b[8mHIDDEN\x1b[0m\u202eevil\x00nul</name><script>alert(1)</script>`|"


@pytest.fixture
def hostile(tmp_path) -> Path:
    document = json.loads(
        (
            ROOT
            / "fixtures"
            / "rules"
            / "megvii-fr-guideline.private-spaces"
            / "fail-hotel-room.json"
        ).read_text(encoding="utf-8")
    )
    document["id"] = HOSTILE
    for site in document["sites"]:
        site["name"] = HOSTILE
    case = tmp_path / "hostile\x1b[31m.json"
    case.write_text(json.dumps(document), encoding="utf-8")
    return case


@pytest.mark.parametrize("fmt", ["text", "github", "markdown", "junit"])
def test_control_characters_from_names_never_reach_the_terminal_raw(hostile, fmt):
    result = run_line(["facepolicy", "eval", "--format", fmt, str(hostile)])
    assert result.code == 1, result.err
    for raw in ("\x1b", "\u202e", "\x00"):
        assert raw not in result.out and raw not in result.err
    assert "\\x1b[8m" in result.out or "%5C" in result.out or "\\x1b" in result.out
    if fmt == "junit":
        ET.fromstring(result.out.encode())  # well-formed XML
    if fmt == "markdown":
        assert "<script>" not in result.out and "&lt;script&gt;" in result.out


def test_the_html_report_escapes_names(tmp_path, hostile):
    out = tmp_path / "r.html"
    result = run_line(["facepolicy", "report", "-o", str(out), str(hostile)])
    html = out.read_text(encoding="utf-8")
    assert (
        "<script>alert" not in html
        and "\x1b" not in html
        and "\x00" not in html
        and "\u202e" not in html
    )
    assert "\x1b" not in result.out + result.err


def test_an_unquoted_toml_date_is_accepted_where_a_date_is_meant(tmp_path, demo_policies):
    catalog = demo_policies / "demo" / "document.toml"
    catalog.write_text(
        catalog.read_text(encoding="utf-8").replace('date = "undated"', "date = 2021-10-01"),
        encoding="utf-8",
    )
    waivers = tmp_path / "w.toml"
    waivers.write_text(
        textwrap.dedent("""
        [[waivers]]
        rule = "demo.signs"
        deployment = "demo"
        justification = "Signs are on order"
        approver = "Li Wei (DPO)"
        expires = 2099-12-31
    """),
        encoding="utf-8",
    )
    case = demo_policies.parent / "fixtures" / "rules" / "demo.signs" / "fail-unsigned.json"
    result = run_line(
        [
            "facepolicy",
            "eval",
            "--no-bundled",
            "--policies",
            str(demo_policies),
            "--waivers",
            str(waivers),
            str(case),
        ]
    )
    assert result.code == 0 and "WAIVED" in result.out, result.err


@pytest.mark.parametrize("place", ["rule", "catalog", "waiver"])
def test_an_unquoted_toml_date_elsewhere_names_its_file_and_key(tmp_path, demo_policies, place):
    """An unquoted TOML date in a waiver, catalog or rule ended with exit 3, no file named."""
    waivers = tmp_path / "w.toml"
    waivers.write_text(
        '[[waivers]]\nrule = "demo.signs"\ndeployment = "demo"\njustification = '
        '"Signs are on order"\n'
        'approver = "Li Wei (DPO)"\nexpires = "2099-12-31"\n',
        encoding="utf-8",
    )
    if place == "rule":
        target = demo_policies / "demo" / "signs.toml"
        target.write_text(
            target.read_text(encoding="utf-8").replace(
                "[message]", "reviewed = 2024-01-01\n[message]"
            ),
            encoding="utf-8",
        )
        key = "assertions[0].reviewed"
    elif place == "catalog":
        target = demo_policies / "demo" / "document.toml"
        target.write_text(
            target.read_text(encoding="utf-8").replace(
                "excerpt = ", "adopted = 2024-01-01\nexcerpt = "
            ),
            encoding="utf-8",
        )
        key = "clauses[0].adopted"
    else:
        target = waivers
        target.write_text(
            target.read_text(encoding="utf-8").replace(
                'approver = "Li Wei (DPO)"', "approver = 2024-01-01"
            ),
            encoding="utf-8",
        )
        key = "waivers[0].approver"
    case = demo_policies.parent / "fixtures" / "rules" / "demo.signs" / "fail-unsigned.json"
    result = run_line(
        [
            "facepolicy",
            "eval",
            "--no-bundled",
            "--policies",
            str(demo_policies),
            "--waivers",
            str(waivers),
            str(case),
        ]
    )
    assert result.code == 2, result.err
    assert f"{target.name}: {key}" in result.err, result.err
    assert "internal error" not in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    "text, line, column",
    [
        ('{"schema_version": 1, "id": "a",\n "sites": [{"id": "s", "id": "t"}]}', 2, 24),
        ('{"schema_version": 1, "sites": [{"id": "s"}],\n "id": "a", "id": "b"}', 2, 13),
        (
            '{"schema_version": 1, "id": "a", "sites": [{"id": "s"}, {"id": "t",\n "name": "n", '
            '"name": '
            '"m"}]}',
            2,
            15,
        ),
        ('{"schema_version": 1, "id": "a", "sites": [{"id": "s"}], "\\u0069d": "b"}', 1, 58),
    ],
)
def test_a_duplicate_key_is_placed_where_it_repeats(tmp_path, text, line, column):
    """Duplicate keys were refused but placed at the wrong line in 3 of 4 cases."""
    case = tmp_path / "dup.json"
    case.write_text(text, encoding="utf-8")
    result = run_line(["facepolicy", "eval", str(case)])
    _one_line_error(result, f"dup.json: line {line}, column {column}", "duplicate key")


@pytest.mark.parametrize("day", ["2026-W01-1", "20260101", "2026-001", "2026-1-1"])
def test_today_must_be_a_calendar_date(day):
    result = run_line(["facepolicy", "eval", "--today", day, str(PASSING)])
    _one_line_error(result, "--today")


def test_every_character_printable_escapes_is_one_str_isprintable_refuses():
    """errors.printable returns a text str.isprintable accepts (newlines aside) as it is, without
    its pattern: that is right only if the pattern matches no printable character."""
    from facepolicy import errors

    for pattern in (errors._SUSPECT, errors._SUSPECT_LINES):
        matched = [c for c in range(0x110000) if pattern.match(chr(c))]
        assert len(matched) > 2000  # surrogates, controls, overrides
        assert [hex(c) for c in matched if chr(c).isprintable()] == []
    assert errors.printable("a\tb\u00a0c\u3000") == "a\\x09b\u00a0c\u3000"
    assert errors.printable("a\tb\nc", keep_newlines=True) == "a\tb\nc"
    assert errors.printable("名称\n\x1b[8m", keep_newlines=True) == "名称\n\\x1b[8m"
    assert errors.printable("x\u202ey\ud800") == "x\\u202ey\\ud800"
