"""Nothing is ever fetched: eval, test and lint run with every socket refused, and a remote $ref
stays unfetched."""

from __future__ import annotations

import contextlib
import io
import socket
import textwrap

import pytest
from conftest import CATALOG, ROOT

from facepolicy.cli import run


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network use attempted: {args!r}")

    for name in ("socket", "create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse)


def invoke(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "argv, codes",
    [
        (["eval", "--format", "json", str(ROOT / "fixtures" / "scenarios")], (0, 1)),
        (["eval", "--jobs", "2", str(ROOT / "fixtures" / "scenarios")], (0, 1)),
        (["test"], (0,)),
        (
            ["lint", "--sources", str(ROOT.parent / "shared" / "sources")]
            if (ROOT.parent / "shared" / "sources").is_dir()
            else ["lint"],
            (0,),
        ),
    ],
)
def test_the_commands_run_with_every_socket_refused(no_network, argv, codes):
    code, out, err = invoke(argv)
    assert code in codes, err
    assert "network use attempted" not in out + err


REMOTE_RULE = """
id = "demo.remote"
severity = "high"
clauses = ["demo:1"]
title = { zh = "远程", en = "Remote" }
scope = { "$ref" = "https://example.com/scope.json" }

[[assertions]]
expect = "`true`"

[message]
zh = "远程"
en = "Remote"

[remediation]
zh = "远程"
en = "Remote"
"""


def test_a_rule_with_a_remote_ref_is_refused_not_fetched(no_network, tmp_path):
    folder = tmp_path / "policies" / "demo"
    folder.mkdir(parents=True)
    (folder / "document.toml").write_text(
        textwrap.dedent(CATALOG).replace('"demo.signs"', '"demo.remote"'), encoding="utf-8"
    )
    (folder / "remote.toml").write_text(textwrap.dedent(REMOTE_RULE), encoding="utf-8")
    deployment = ROOT / "fixtures" / "scenarios" / "mall-cameras" / "deployment.json"
    for argv, expected in (
        (["lint", "--no-bundled", "--policies", str(tmp_path / "policies")], 1),  # a finding
        (["eval", "--no-bundled", "--policies", str(tmp_path / "policies"), str(deployment)], 2),
    ):  # a broken rule
        code, out, err = invoke(argv)
        assert code == expected, (argv, out, err)
        assert "https://example.com/scope.json" in out + err
        assert "network use attempted" not in out + err
