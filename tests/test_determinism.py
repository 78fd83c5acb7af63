"""Same inputs, byte-identical reports: across runs, hash seeds, locales and --jobs values."""

from __future__ import annotations

import pytest
from conftest import run_line

ARGS = [
    "facepolicy",
    "eval",
    "--format",
    "json",
    "fixtures/scenarios",
    "fixtures/rules/megvii-fr-guideline.private-spaces",
]


@pytest.fixture(scope="module")
def reference() -> str:
    result = run_line(ARGS, env={"PYTHONHASHSEED": "0"})
    assert result.code in (0, 1), result.err
    assert '"deployments": [{' in result.out
    return result.out


@pytest.mark.parametrize(
    "env, extra",
    [
        ({"PYTHONHASHSEED": "1"}, []),
        ({"PYTHONHASHSEED": "4242"}, []),
        ({"PYTHONHASHSEED": "random", "LC_ALL": "C"}, []),
        ({"PYTHONHASHSEED": "7", "LC_ALL": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}, []),
        ({"PYTHONHASHSEED": "9"}, ["--jobs", "2"]),
        ({"PYTHONHASHSEED": "11"}, ["--jobs", "3"]),
    ],
)
def test_the_report_is_byte_identical(reference, env, extra):
    result = run_line(ARGS[:2] + extra + ARGS[2:], env=env)
    assert result.code in (0, 1), result.err
    assert result.out == reference
