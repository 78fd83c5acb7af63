"""`make mutation`: mutmut over the evaluation, expression, model and waiver modules, one score per
module.

mutmut 3 names a mutant's module after its file path, stripping only a leading `src/`; with this
checkout's `evaluator/` layout its trampolines never match the imported `facepolicy` package. So the
run happens in a temporary copy laid out as `src/facepolicy` (the working tree is never touched),
and PYTHONPATH points at mutmut's mutated copy so the CLI subprocesses some tests start import the
mutants too.

Usage: python tests/mutation.py [--keep] [--max-children N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MODULES = [
    "evaluate.py",
    "expressions.py",
    "facts.py",
    "functions.py",
    "scopes.py",
    "model.py",
    "waivers.py",
]

# A fast, focused selection: the tests that exercise these modules directly (about 15 s for the
# whole set).
TESTS = [
    "tests/test_mutants.py",
    "tests/test_three_valued.py",
    "tests/test_evaluate.py",
    "tests/test_exit_codes.py",
    "tests/test_waivers.py",
    "tests/test_functions.py",
    "tests/test_expressions.py",
    "tests/test_dates.py",
]
TESTS = [t for t in TESTS if (ROOT / t).exists()]

# What the tests read besides the package: the bundled pack (pack.toml beside policies/), the
# example pack.
DATA = [
    d
    for d in ("pack.toml", "policies", "schemas", "fixtures", "examples", "benchmarks")
    if (ROOT / d).exists()
]

KILLED = {1, 3}  # mutmut: pytest failed, or pytest's internal error
TIMEOUT = {36, -24, 24, 152, 255}  # a mutant that loops forever is caught too, by the time limit


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def _layout(work: Path) -> None:
    shutil.copytree(
        ROOT / "evaluator" / "facepolicy",
        work / "src" / "facepolicy",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    shutil.copytree(
        ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    for data in DATA:
        copy = shutil.copytree if (ROOT / data).is_dir() else shutil.copy2
        copy(ROOT / data, work / data)
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    pyproject += "\n[tool.mutmut]\n"
    pyproject += 'source_paths = ["src"]\n'
    pyproject += f"only_mutate = {_toml_list(['src/facepolicy/' + m for m in MODULES])}\n"
    pyproject += f"also_copy = {_toml_list(DATA)}\n"
    pyproject += f"pytest_add_cli_args_test_selection = {_toml_list(TESTS)}\n"
    pyproject += 'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n'
    pyproject += "use_git_change_detection = false\n"
    (work / "pyproject.toml").write_text(pyproject, "utf-8")


def _scores(work: Path) -> tuple[list[tuple[str, int, int, list[str]]], int, int]:
    rows = []
    for module in MODULES:
        meta = work / "mutants" / "src" / "facepolicy" / (module + ".meta")
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"] if meta.exists() else {}
        killed = sum(1 for c in codes.values() if c in KILLED or c in TIMEOUT)
        survivors = sorted(k for k, c in codes.items() if not (c in KILLED or c in TIMEOUT))
        rows.append((module, killed, len(codes), survivors))
    return rows, sum(r[1] for r in rows), sum(r[2] for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary copy and print where it is"
    )
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--min", type=float, default=90.0, help="fail below this percentage killed in total"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="facepolicy-mutation-"))
    try:
        _layout(work)
        # It must exist before Python starts, or the import system caches it as absent and
        # `facepolicy` is imported from wherever the virtualenv's editable install points: the
        # unmutated working tree.
        (work / "mutants" / "src").mkdir(parents=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(work / "mutants" / "src"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.pop("FACEPOLICY_LANG", None)
        run = subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if run.returncode != 0:
            print(run.stdout[-3000:], file=sys.stderr)
            print(
                f"mutmut run failed ({run.returncode}); rerun with --keep to inspect {work}",
                file=sys.stderr,
            )
            return run.returncode
        rows, killed, total = _scores(work)
        print(f"{'module':<16} {'killed':>7} {'total':>6}  score")
        for module, k, t, _ in rows:
            print(f"{module:<16} {k:>7} {t:>6}  {100 * k / t if t else 100:5.1f}%")
        print(
            f"{'total':<16} {killed:>7} {total:>6}  {100 * killed / total if total else 100:5.1f}%"
        )
        for _, _, _, survivors in rows:
            for name in survivors:
                print(f"  not killed: {name}")
        if args.keep:
            print(f"kept: {work} (cd there; `mutmut show NAME`)")
        return 0 if total and 100 * killed / total >= args.min else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
