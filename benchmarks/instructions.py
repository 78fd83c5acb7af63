"""Instructions rather than seconds: callgrind's count of the work facepolicy does, which a busy
machine does not move (wall-clock figures on the shared 2-core machines vary by a third between
runs); with the hash seed fixed, the same code gives the same count to within 0.1 %. Use it to
compare two versions of the code; `make bench` gives the seconds and the targets.

    python benchmarks/instructions.py [--deployments N] [--seed N]

Prints, each counted by `valgrind --tool=callgrind` (needs valgrind):
  per deployment  the whole pipeline (parse, schema check, facts, rules, positions, the JSON
                  line, the tally) on N generated deployments, the rules alone, and the pipeline
                  with no rule at all (bench.py's ceiling): the count with N deployments less the
                  count with none, divided by N;
  cold start      one `facepolicy eval` of a scenario with the cache warm, against
                  `python -c "import json"`.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "fixtures" / "scenarios" / "mall-cameras" / "deployment.json"


def judge_all(path: str, count: int, what: str) -> None:
    """The work counted: the first `count` deployments of an NDJSON file through the pipeline (with
    no rule at all for "none"), or through the rules alone (then every deployment is parsed and read
    as facts, judged or not, so that the difference between two counts is the rules' work)."""
    from facepolicy import api
    from facepolicy.facts import closed_world, read
    from facepolicy.functions import Functions
    from facepolicy.loader import Raw, parse_raw
    from facepolicy.model import tally
    from facepolicy.pipeline import judge
    from facepolicy.reporters.json_ import deployment_json
    from facepolicy.runtime import judge_rule

    rules = api.load()
    program, context = rules.program, rules.context()
    if what == "none":
        program = program.select(set())
    severity = {rid: program.severity(rid) for rid in program.rules}
    today = dt.date(2026, 1, 1)
    with open(path, encoding="utf-8") as lines:
        raws = [Raw(f"{path}:{n}", line.rstrip("\n")) for n, line in enumerate(lines, 1)]
    judge(program, raws[0], today=today)  # once-per-process work (lazy rule bodies) not counted
    if what == "rules":  # every deployment parsed and read, with or without judging: not counted
        documents = [parse_raw(raw).value for raw in raws]
        facts = [read(d, open_lists=not closed_world(d)) for d in documents]
        for deployment in facts[:count]:
            functions, seen = Functions(today), {}
            for rule in program.rules.values():
                judge_rule(rule, deployment, functions, seen)
        return
    for raw in raws[:count]:
        result = judge(program, raw, today=today)
        deployment_json(result, context)
        tally(result, severity)


def instructions(argv: list[str]) -> int:
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"PYTHONHASHSEED": "0"},  # set and dict orders, hence counts, repeat
    )
    if done.returncode not in (0, 1):  # 1: `eval` found violations
        raise SystemExit(f"instructions: {' '.join(argv)} exited {done.returncode}")
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"instructions: no count in valgrind's output:\n{done.stderr[-500:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployments", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261124)
    # PATH COUNT pipeline|rules|none: the counted run itself
    parser.add_argument("--judge", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.judge:
        path, count, what = args.judge
        judge_all(path, int(count), what)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit(
            "instructions: valgrind is not installed (Debian: apt-get install valgrind)"
        )
    # as pip leaves an installed package, and as bench.py does: bytecode written
    compileall.compile_dir(ROOT / "evaluator" / "facepolicy", quiet=1)
    python, me = sys.executable, str(Path(__file__).resolve())
    subprocess.run(
        [str(Path(python).parent / "facepolicy"), "eval", str(SCENARIO)],
        check=False,
        capture_output=True,
    )  # the cache warm
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "deployments.ndjson"
        with path.open("w", encoding="utf-8") as out:
            for document in generate.deployments(args.seed, args.deployments):
                out.write(json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n")
        for what in ("pipeline", "rules", "none"):
            counts = [
                instructions([python, me, "--judge", str(path), str(n), what])
                for n in (0, args.deployments)
            ]
            per = (counts[1] - counts[0]) / args.deployments
            named = "no rules" if what == "none" else what
            print(f"per deployment  {named:8s} {per / 1e6:8.2f} million instructions")
    json_only = instructions([python, "-c", "import json"])
    cold = instructions([str(Path(python).parent / "facepolicy"), "eval", str(SCENARIO)])
    print(
        f"cold start      eval {cold / 1e6:.1f} million, python -c 'import json' "
        f"{json_only / 1e6:.1f} million: ratio {cold / json_only:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
