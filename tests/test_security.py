"""Issue 10, "nothing executed": the cache cannot be turned against its user, git is never handed an
option from the command line's arguments, `new` writes only inside its folders, and a scoped waiver
hides nothing.

Each test is one reproduction from the issue; permission cases run the other user as `nobody`
(tests/unprivileged.py).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import CATALOG, ROOT, RULE, deployment, run_line
from unprivileged import as_other_user

from facepolicy import cache

MALL = str(ROOT / "fixtures" / "scenarios" / "mall-cameras" / "deployment.json")


def _entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if cache.ENTRY.fullmatch(p.name))


def _private_cache(tmp_path: Path, name: str = "cache") -> Path:
    folder = tmp_path / name
    folder.mkdir(mode=0o700)
    return folder


def _malicious_entry(folder: Path, entry: Path, marker: Path) -> None:
    """What an attacker who knows the key would write: the right name, the right digests, a payload
    that runs code."""

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Exploit())
    data = entry.read_bytes()
    head = len(cache.MAGIC)
    entry.write_bytes(cache.framed(data[head : head + cache.KEY_DIGEST], payload))


def _eval_with_cache(folder: Path, *extra: str):
    return run_line(
        ["facepolicy", "eval", "--format", "json", *extra, MALL],
        env={"FACEPOLICY_CACHE_DIR": str(folder)},
    )


def _digest_of(result) -> str:
    return json.loads(result.out)["provenance"]["rule_set_digest"]


def test_the_cache_folder_is_created_private_and_its_entries_carry_their_digest(tmp_path):
    folder = tmp_path / "fresh" / "facepolicy"
    result = _eval_with_cache(folder)
    assert result.code == 1, result.err
    assert (folder.stat().st_mode & 0o777) == 0o700
    entries = _entries(folder)
    assert entries and all((e.stat().st_mode & 0o077) == 0 for e in entries)
    data = entries[0].read_bytes()
    head = len(cache.MAGIC)
    assert data.startswith(cache.MAGIC) and data == cache.framed(
        data[head : head + cache.KEY_DIGEST], data[cache.HEAD :]
    )


def test_a_pickle_planted_by_another_user_runs_nothing(tmp_path):
    """A planted entry with the right name and digests, owned by another user: never unpickled, one
    warning."""
    folder = _private_cache(tmp_path)
    clean = _eval_with_cache(folder)
    marker = tmp_path / "pwned"
    for entry in _entries(folder):
        _malicious_entry(folder, entry, marker)
        as_other_user(entry)
    result = _eval_with_cache(folder)
    assert not marker.exists()
    assert result.code == 1 and _digest_of(result) == _digest_of(clean)
    assert result.out.count('"status": "fail"') == clean.out.count('"status": "fail"')
    warnings = [line for line in result.err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "not by you" in warnings[0], result.err


def test_an_entry_writable_by_others_is_not_read(tmp_path):
    folder = _private_cache(tmp_path)
    _eval_with_cache(folder)
    marker = tmp_path / "pwned"
    for entry in _entries(folder):
        _malicious_entry(folder, entry, marker)
        entry.chmod(0o666)
    result = _eval_with_cache(folder)
    assert not marker.exists() and result.code == 1
    assert "writable by group or others" in result.err


@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o775])
def test_a_shared_cache_folder_is_refused_with_one_warning(tmp_path, mode):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(mode)
    marker = tmp_path / "pwned"
    private = _private_cache(tmp_path, "private")
    _eval_with_cache(private)
    for entry in _entries(private):  # the real names, planted in the shared folder
        _malicious_entry(private, entry, marker)
        (folder / entry.name).write_bytes(entry.read_bytes())
    result = _eval_with_cache(folder)
    assert result.code == 1 and not marker.exists()
    assert len([line for line in result.err.splitlines() if "warning" in line]) == 1, result.err
    assert not any(p.name.endswith(".tmp") for p in folder.iterdir())


def test_a_cache_folder_owned_by_another_user_is_refused(tmp_path):
    folder = _private_cache(tmp_path)
    as_other_user(folder)
    result = _eval_with_cache(folder)
    assert result.code == 1 and "not by you" in result.err
    assert not _entries(folder)


def test_pruning_removes_only_facepolicys_own_entries(tmp_path):
    """FACEPOLICY_CACHE_DIR pointed at a project folder: its own *.pickle files survive every
    run."""
    folder = _private_cache(tmp_path, "project")
    theirs = [folder / f"model-{i}.pickle" for i in range(20)] + [
        folder / "fp-notours.pickle",
        folder / "notes.txt",
    ]
    for i, path in enumerate(theirs):
        path.write_bytes(b"precious")
        os.utime(path, (i, i))  # older than anything facepolicy writes
    ours = [folder / f"fp-{i:064x}.pickle" for i in range(20)]
    for i, path in enumerate(ours):
        path.write_bytes(b"stale")
        os.utime(path, (i, i))
    assert _eval_with_cache(folder).code == 1
    assert all(p.read_bytes() == b"precious" for p in theirs)
    assert len(_entries(folder)) == cache.KEEP
    assert not ours[0].exists()


def test_the_temporary_file_never_follows_a_planted_symlink(tmp_path, monkeypatch):
    folder = _private_cache(tmp_path)
    monkeypatch.setenv("FACEPOLICY_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache.os, "urandom", lambda n: b"\0" * n)
    target = tmp_path / "victim.txt"
    target.write_text("keep me", encoding="utf-8")
    name = cache.entry_name("k")
    (folder / f"{name}.{os.getpid()}.{'00' * 6}.tmp").symlink_to(target)
    cache.store("k", {"value": 1})
    assert target.read_text(encoding="utf-8") == "keep me"
    assert cache.load("k") is None  # nothing was stored through the link


def test_a_symlink_at_an_entry_is_neither_read_nor_written_through(tmp_path, monkeypatch):
    folder = _private_cache(tmp_path)
    monkeypatch.setenv("FACEPOLICY_CACHE_DIR", str(folder))
    elsewhere = _private_cache(tmp_path, "elsewhere")
    monkeypatch.setenv("FACEPOLICY_CACHE_DIR", str(elsewhere))
    cache.store("k", {"value": "theirs"})
    monkeypatch.setenv("FACEPOLICY_CACHE_DIR", str(folder))
    (folder / cache.entry_name("k")).symlink_to(elsewhere / cache.entry_name("k"))
    assert cache.load("k") is None
    cache.store("k", {"value": "mine"})
    assert cache.load("k") == {"value": "mine"}
    monkeypatch.setenv("FACEPOLICY_CACHE_DIR", str(elsewhere))
    assert cache.load("k") == {"value": "theirs"}


def test_an_entry_whose_bytes_changed_is_rebuilt_not_trusted(tmp_path, monkeypatch):
    folder = _private_cache(tmp_path)
    monkeypatch.setenv("FACEPOLICY_CACHE_DIR", str(folder))
    cache.store("k", {"value": 1})
    (entry,) = _entries(folder)
    data = bytearray(entry.read_bytes())
    data[-3] ^= 0x01
    entry.write_bytes(bytes(data))
    assert cache.load("k") is None
    cache.store("other", {"value": 2})
    (folder / cache.entry_name("k")).write_bytes((folder / cache.entry_name("other")).read_bytes())
    assert cache.load("k") is None  # another key's entry under this name


def test_the_key_is_a_cryptographic_hash_that_a_crafted_edit_cannot_keep(demo_policies):
    """The issue's CRC-32 + Adler-32 collision: `min_age < 14` → `> 14` kept the key. BLAKE2b cannot
    be steered."""
    before = cache.key([("rule.toml", b'expect = "min_age < 14"')])
    after = cache.key([("rule.toml", b'expect = "min_age > 14"')])
    assert before != after and len(before) == 64 and int(before, 16) >= 0


def test_an_edited_rule_is_never_served_from_the_cache(tmp_path, demo_policies):
    folder = _private_cache(tmp_path)
    case = demo_policies.parent / "fixtures" / "rules" / "demo.signs" / "fail-unsigned.json"
    args = [
        "facepolicy",
        "eval",
        "--no-bundled",
        "--policies",
        str(demo_policies),
        "--format",
        "json",
        str(case),
    ]
    env = {"FACEPOLICY_CACHE_DIR": str(folder)}
    first = run_line(args, env=env)
    assert first.code == 1
    rule = demo_policies / "demo" / "signs.toml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace(
            'expect = "signage.face_recognition_sign"',
            'expect = "!(signage.face_recognition_sign)"',
        ),
        encoding="utf-8",
    )
    second = run_line(args, env=env)
    assert second.code == 1 and _digest_of(second) != _digest_of(first)
    assert (
        json.loads(second.out)["deployments"][0]["verdicts"][0]["violations"][0]["pointer"]
        == "/sites/0/signage"
    )


def _rule_with_expect(folder: Path, expect: str) -> Path:
    policies = folder / "policies" / "demo"
    policies.mkdir(parents=True)
    (policies / "document.toml").write_text(textwrap.dedent(CATALOG), encoding="utf-8")
    (policies / "signs.toml").write_text(
        textwrap.dedent(RULE).replace(
            'expect = "signage.face_recognition_sign"', f'expect = "{expect}"'
        ),
        encoding="utf-8",
    )
    case = folder / "d.json"
    case.write_text(
        json.dumps(
            deployment(
                sites=[{"id": "a", "public": True, "signage": {"face_recognition_sign": False}}]
            )
        ),
        encoding="utf-8",
    )
    return folder / "policies"


def test_hundreds_of_or_terms_are_cached_and_judged(tmp_path):
    """≥ 250 `||` terms made pickling recurse and every command exit 2 "nested too deeply", naming
    no file."""
    terms = " || ".join(
        f"signage.face_recognition_sign == `{i}`" for i in range(300)
    )  # each stated false
    policies = _rule_with_expect(tmp_path, f"{terms} || signage.face_recognition_sign")
    env = {"FACEPOLICY_CACHE_DIR": str(_private_cache(tmp_path))}
    for _ in range(2):  # cold, then from the cache
        result = run_line(
            [
                "facepolicy",
                "eval",
                "--no-bundled",
                "--policies",
                str(policies),
                str(tmp_path / "d.json"),
            ],
            env=env,
        )
        assert result.code == 1 and "FAIL" in result.out, result.err


@pytest.mark.parametrize(
    "expect", [" || ".join(f"a{i}" for i in range(3000)), "(" * 1000 + "a" + ")" * 1000]
)
def test_an_expression_nested_too_deeply_is_an_error_naming_its_file(tmp_path, expect):
    policies = _rule_with_expect(tmp_path, expect)
    for command in (
        ["eval", str(tmp_path / "d.json")],
        ["lint"],
        ["test", "--fixtures", str(tmp_path)],
    ):
        result = run_line(
            ["facepolicy", command[0], "--no-bundled", "--policies", str(policies), *command[1:]]
        )
        assert result.code in (1, 2), result.err
        assert "signs.toml" in result.err + result.out and "nested" in result.err + result.out
        assert "Traceback" not in result.err


def test_deep_toml_nesting_names_its_file(tmp_path):
    policies = _rule_with_expect(tmp_path, "signage.face_recognition_sign")
    (policies / "demo" / "deep.toml").write_text(
        "id = 1\na = " + "[" * 3000 + "1" + "]" * 3000 + "\n", encoding="utf-8"
    )
    result = run_line(
        [
            "facepolicy",
            "eval",
            "--no-bundled",
            "--policies",
            str(policies),
            str(tmp_path / "d.json"),
        ]
    )
    assert result.code == 2 and "deep.toml" in result.err and "nested too deeply" in result.err
    assert "Traceback" not in result.err


# --- git
# -----------------------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path, demo_policies):
    root = demo_policies.parent
    _git(root, "init", "-q")
    _git(root, "add", "policies", "fixtures")
    _git(root, "commit", "-qm", "rules")
    return root


def test_a_revision_is_never_an_option_to_git(repo, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    result = run_line(
        ["facepolicy", "diff", "--repo", str(repo), "--", f"--output={victim}", "HEAD"]
    )
    assert result.code == 2 and "no such revision" in result.err, result.err
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_a_policies_dir_is_never_an_option_to_git(repo, tmp_path):
    marker = tmp_path / "ran"
    result = run_line(
        [
            "facepolicy",
            "diff",
            "--repo",
            str(repo),
            f"--policies-dir=--exec=touch {marker}",
            "HEAD",
            "HEAD",
        ]
    )
    assert not marker.exists()
    assert "Traceback" not in result.err and result.code in (0, 2)


def test_a_rule_that_no_longer_parses_is_an_error_not_a_removal(repo):
    rule = repo / "policies" / "demo" / "signs.toml"
    rule.write_text(rule.read_text(encoding="utf-8") + "\n[[assertions]\n", encoding="utf-8")
    result = run_line(["facepolicy", "diff", "--repo", str(repo), "HEAD"], cwd=repo)
    assert result.code == 2, result.out
    assert "signs.toml" in result.err and "removed" not in result.out


# --- new
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clause, name",
    [("../../x:1.1", "name"), ("demo:1", "../x"), ("demo:../1", "x"), ("/tmp/x:1", "y")],
)
def test_new_writes_nothing_outside_the_rule_and_fixture_folders(demo_policies, clause, name):
    root = demo_policies.parent
    before = sorted(str(p) for p in root.parent.rglob("*"))
    result = run_line(["facepolicy", "new", clause, name], cwd=root)
    assert result.code == 2 and "Traceback" not in result.err
    assert sorted(str(p) for p in root.parent.rglob("*")) == before


# --- waivers
# --------------------------------------------------------------------------------------------


def test_a_scoped_waiver_leaves_missing_facts_elsewhere_incomplete(tmp_path, demo_policies):
    """A waiver for /sites/0 covered the violation there, and the verdict became `waived` though
    /sites/1 lacks a fact."""
    case = tmp_path / "d.json"
    case.write_text(
        json.dumps(
            deployment(
                sites=[
                    {"id": "a", "public": True, "signage": {"face_recognition_sign": False}},
                    {"id": "b", "public": True},
                ]
            )
        ),
        encoding="utf-8",
    )
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        textwrap.dedent("""
        [[waivers]]
        rule = "demo.signs"
        deployment = "demo"
        pointer = "/sites/0"
        justification = "Signs for site a are on order"
        approver = "Li Wei (DPO)"
        expires = 2099-12-31
    """),
        encoding="utf-8",
    )
    base = [
        "facepolicy",
        "eval",
        "--no-bundled",
        "--policies",
        str(demo_policies),
        "--format",
        "json",
        "--waivers",
        str(waivers),
    ]
    (verdict,) = json.loads(run_line([*base, str(case)]).out)["deployments"][0]["verdicts"]
    assert verdict["status"] == "incomplete" and verdict["missing"] == [
        "/sites/1/signage/face_recognition_sign"
    ]
    case.write_text(
        json.dumps(
            deployment(
                sites=[
                    {"id": "a", "public": True, "signage": {"face_recognition_sign": False}},
                    {"id": "b", "public": True, "signage": {"face_recognition_sign": False}},
                ]
            )
        ),
        encoding="utf-8",
    )
    result = run_line([*base, str(case)])
    (verdict,) = json.loads(result.out)["deployments"][0]["verdicts"]
    assert verdict["status"] == "fail" and [v["pointer"] for v in verdict["violations"]] == [
        "/sites/1/signage"
    ]
    case.write_text(
        json.dumps(
            deployment(
                sites=[{"id": "a", "public": True, "signage": {"face_recognition_sign": False}}]
            )
        ),
        encoding="utf-8",
    )
    (verdict,) = json.loads(run_line([*base, str(case)]).out)["deployments"][0]["verdicts"]
    assert verdict["status"] == "waived"


def test_waiver_book_decides_from_violations_and_missing_facts():
    import datetime as dt

    from facepolicy.model import Status, Text, Verdict, Violation
    from facepolicy.waivers import Waiver, WaiverBook

    waiver = Waiver(0, "r", "d", "/sites/1", "why", "who", dt.date(2099, 1, 1), "w.toml")
    book = WaiverBook([waiver], dt.date(2026, 1, 1))
    at = lambda pointer: Violation(pointer, Text("", ""), Text("", ""))  # noqa: E731
    assert book.apply("d", Verdict("r", Status.fail, (at("/sites/1/x"),))).status is Status.waived
    kept = book.apply("d", Verdict("r", Status.fail, (at("/sites/1/x"),), missing=("/sites/2/y",)))
    assert kept.status is Status.incomplete and kept.missing == ("/sites/2/y",)
    failing = book.apply(
        "d",
        Verdict("r", Status.fail, (at("/sites/1/x"), at("/sites/10/x")), missing=("/sites/2/y",)),
    )
    assert failing.status is Status.fail and [v.pointer for v in failing.violations] == [
        "/sites/10/x"
    ]
