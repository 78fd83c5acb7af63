"""facepolicy's benchmark: cold start, throughput, scaling over processes and peak memory.

    python benchmarks/bench.py [--seed N] [--repeat N] [--quick]

Prints medians over repeated runs with their spread (min–max), and the ratios the project holds itself to:
  cold start   `facepolicy eval` on one deployment ÷ `python -c "import json"`, whole processes  (≤ 5)
  engine       1 job ÷ the straightforward way (benchmarks/straightforward.py), same documents  (≥ 10×)
  processes    2 jobs ÷ 1 job on 10,000 deployments                                             (≤ 60%)
  memory       peak RSS at 10,000 deployments ÷ at 1,000                                         (≤ 1.10)
Machines here are noisy: read the ratios, which compare runs made side by side, rather than the seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402
import straightforward  # noqa: E402

BIN = Path(sys.executable).parent
FACEPOLICY = str(BIN / "facepolicy")
TODAY = "2026-01-01"


def _peak_rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return 0


def run_process(argv: list[str], watch_memory: bool = False) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one whole process; its output is thrown away.

    The peak is read from /proc/PID/status (VmHWM) while the process runs: the rusage of a child also
    counts the memory it shared with this (large) benchmark process between fork and exec.
    """
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ | {"FACEPOLICY_TODAY": TODAY})
    peak = 0
    while watch_memory and process.poll() is None:
        peak = max(peak, _peak_rss_kib(process.pid))
        time.sleep(0.02)
    process.wait()
    wall = time.perf_counter() - start
    if process.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(argv)} exited {process.returncode}")
    return wall, peak


def spread(values: list[float], unit: str, scale: float = 1.0) -> str:
    return f"{statistics.median(values) * scale:.1f} {unit} (min {min(values) * scale:.1f}, max {max(values) * scale:.1f}, n={len(values)})"


def cold_start(one: Path, repeat: int) -> float:
    baseline, ours = [], []
    for argv in ([sys.executable, "-c", "import json"], [FACEPOLICY, "eval", str(one)]):
        run_process(argv)  # warm the disk cache, the .pyc files and the rule-set cache
    for _ in range(repeat):  # interleaved, so both see the same machine load
        baseline.append(run_process([sys.executable, "-c", "import json"])[0])
        ours.append(run_process([FACEPOLICY, "eval", str(one)])[0])
    ratio = statistics.median(ours) / statistics.median(baseline)
    print(f"cold start   python -c 'import json'       {spread(baseline, 'ms', 1000)}")
    print(f"             facepolicy eval (1 document)   {spread(ours, 'ms', 1000)}")
    print(f"             ratio {ratio:.2f}  (target ≤ 5)")
    return ratio


def engine_versus_straightforward(path: Path, count: int, repeat: int) -> float:
    from facepolicy.engine import Run
    from facepolicy.loader import iter_raw
    from facepolicy.model import DeploymentResult
    from facepolicy.ruleset import load_rule_set

    rule_set = load_rule_set()
    raw_rules = {rid: rule.raw for rid, rule in rule_set.rules.items()}
    today = dt.date.fromisoformat(TODAY)
    lines = path.read_text(encoding="utf-8").splitlines()[:count]
    subset = path.with_name(f"first-{count}.ndjson")
    subset.write_text("\n".join(lines) + "\n", encoding="utf-8")
    documents = [json.loads(line) for line in lines]
    fast, slow = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        results = [r for r in Run(rule_set, today).results(iter_raw([str(subset)])) if isinstance(r, DeploymentResult)]
        fast.append(time.perf_counter() - start)
        start = time.perf_counter()
        plain = [straightforward.evaluate(raw_rules, doc, today) for doc in documents]
        slow.append(time.perf_counter() - start)
    engine_statuses = [[v.status.value for v in r.verdicts] for r in results]
    if engine_statuses != [p for p in plain if p is not None]:
        raise SystemExit("bench: the straightforward evaluator and the engine disagree; the comparison would mean nothing")
    ratio = statistics.median(slow) / statistics.median(fast)
    rules = len(raw_rules)
    print(f"engine       {count} documents × {rules} rules, in one process (parse, schema check, evaluate)")
    print(f"             straightforward  {spread(slow, 's')}  = {count / statistics.median(slow):,.0f} docs/s")
    print(f"             facepolicy       {spread(fast, 's')}  = {count / statistics.median(fast):,.0f} docs/s")
    print(f"             speed-up {ratio:.1f}×  (target ≥ 10×)")
    return ratio


def bulk(paths: dict[int, Path], rules: int, repeat: int) -> tuple[float, float]:
    walls: dict[tuple[int, int], list[float]] = {}
    peaks: dict[tuple[int, int], list[int]] = {}
    for count, path in paths.items():
        for jobs in (1, 2):
            argv = [FACEPOLICY, "eval", "--format", "ndjson", "--output", os.devnull, "--jobs", str(jobs), str(path)]
            for _ in range(repeat):
                wall, peak = run_process(argv, watch_memory=True)
                walls.setdefault((count, jobs), []).append(wall)
                peaks.setdefault((count, jobs), []).append(peak)
            median = statistics.median(walls[count, jobs])
            print(f"bulk         {count:>6,} docs, {jobs} job(s): {spread(walls[count, jobs], 's')}"
                  f"  {count / median:,.0f} docs/s  {count * rules / median:,.0f} rule evaluations/s"
                  f"  peak RSS {statistics.median(peaks[count, jobs]) / 1024:.1f} MiB")
    largest, smallest = max(paths), min(paths)
    jobs_ratio = statistics.median(walls[largest, 2]) / statistics.median(walls[largest, 1])
    memory_ratio = statistics.median(peaks[largest, 1]) / statistics.median(peaks[smallest, 1])
    print(f"processes    2 jobs ÷ 1 job at {largest:,} docs: {jobs_ratio:.0%}  (target ≤ 60%)")
    print(f"memory       peak RSS at {largest:,} ÷ at {smallest:,} docs (1 job): {memory_ratio:.2f}  (target ≤ 1.10)")
    return jobs_ratio, memory_ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each bulk measurement (cold start: 10× this)")
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 documents instead of 1,000 and 10,000")
    args = parser.parse_args()
    small, large = (100, 1_000) if args.quick else (1_000, 10_000)
    from facepolicy.ruleset import load_rule_set

    rules = len(load_rule_set().rules)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        paths = {}
        for count in (small, large):
            paths[count] = folder / f"deployments-{count}.ndjson"
            sizes = generate.write_ndjson(paths[count], args.seed, count)
            print(f"generated    {count:,} deployments (seed {args.seed}): {min(sizes) / 1000:.1f}–{max(sizes) / 1000:.1f} KB, median {statistics.median(sizes) / 1000:.1f} KB")
        one = folder / "one.json"
        one.write_text(paths[small].read_text(encoding="utf-8").splitlines()[0], encoding="utf-8")
        print(f"machine      {os.cpu_count()} cores, Python {sys.version.split()[0]}, {rules} rules")
        checks = {
            "cold start ≤ 5": cold_start(one, args.repeat * 10) <= 5,
            "engine ≥ 10× straightforward": engine_versus_straightforward(paths[small], min(small, 300), args.repeat) >= 10,
        }
        jobs_ratio, memory_ratio = bulk(paths, rules, args.repeat)
        checks["2 jobs ≤ 60% of 1 job"] = jobs_ratio <= 0.60
        checks["peak RSS within 10%"] = memory_ratio <= 1.10
    for name, ok in checks.items():
        print(f"{'met ' if ok else 'MISSED'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
