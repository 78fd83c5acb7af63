"""eval --jobs: worker processes read their parts of the deployment files themselves
(loader.iter_chunks / read_chunk). Read part by part, a file gives exactly what reading it whole
gives: the same deployments with the same sources and line numbers, and the same problems."""

from __future__ import annotations

import json
import random

import pytest
from conftest import ROOT, run_line
from hypothesis import given, settings
from hypothesis import strategies as st

from facepolicy import loader
from facepolicy.model import Problem

LINE = st.one_of(
    st.just(b""),
    st.just(b"   \t"),
    st.just(b'{"a": 1}'),
    st.just(b'{"id": "\xe4\xba\xba\xe8\x84\xb8"}'),  # UTF-8 text
    st.just(b'{"bad": "\xff"}'),  # not UTF-8
    st.binary(min_size=0, max_size=40).filter(lambda b: b"\n" not in b),
    st.integers(50, 120).map(lambda n: b"x" * n),  # longer than the size limit below
)


def _by_parts(paths: list[str], size: int, max_size: int) -> list:
    found: list = []
    held = False
    for chunk in loader.iter_chunks(paths, size):
        if isinstance(chunk, Problem):
            found.append(chunk)
            continue
        items = loader.read_chunk(chunk, max_size)
        found.extend(items)
        held = held or bool(items)
        if chunk.last:
            if not held:
                found.append(loader.empty_document(chunk.source))
            held = False
    return found


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(LINE, max_size=30),
    st.sampled_from([b"\n", b"\r\n"]),
    st.booleans(),
    st.integers(1, 200),
)
def test_a_file_read_part_by_part_gives_what_reading_it_whole_gives(
    tmp_path_factory, lines, end, trailing, size
):
    path = tmp_path_factory.mktemp("chunks") / "fleet.ndjson"
    path.write_bytes(end.join(lines) + (end if trailing and lines else b""))
    whole = list(loader.iter_raw([str(path)], 64))
    assert _by_parts([str(path)], size, 64) == whole


def test_parts_end_at_line_ends_and_number_their_first_line(tmp_path):
    path = tmp_path / "fleet.ndjson"
    lines = [json.dumps({"n": n, "pad": "x" * random.Random(n).randrange(300)}) for n in range(400)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    chunks = list(loader.iter_chunks([str(path)], 4096))
    assert len(chunks) > 10 and [c.last for c in chunks].count(True) == 1
    data = path.read_bytes()
    for chunk in chunks:
        assert chunk.start == 0 or data[chunk.start - 1 : chunk.start] == b"\n"
        assert chunk.line == data.count(b"\n", 0, chunk.start) + 1
        assert chunk.last or chunk.end - chunk.start >= 4096
    assert chunks[-1].end == len(data)


def test_folders_missing_files_and_plain_json_files_keep_their_order(tmp_path):
    folder = tmp_path / "fleet"
    folder.mkdir()
    (folder / "a.json").write_text('{"id": "a"}', encoding="utf-8")
    (folder / "b.ndjson").write_text('{"id": "b1"}\n\n{"id": "b2"}\n', encoding="utf-8")
    (folder / "c.ndjson").write_text("\n  \n", encoding="utf-8")  # no line: an empty document
    paths = [str(folder), str(tmp_path / "missing.json"), str(folder / "a.json")]
    assert _by_parts(paths, 5, 1000) == list(loader.iter_raw(paths, 1000))


@pytest.mark.parametrize("fmt", ["ndjson", "text", "json"])
def test_two_jobs_reading_their_own_parts_write_what_one_job_writes(tmp_path, fmt):
    sources = sorted((ROOT / "fixtures" / "scenarios").glob("*/deployment.json"))
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sources]
    lines = [json.dumps(documents[n % len(documents)], ensure_ascii=False) for n in range(600)]
    lines[40] = '{"broken": '
    path = tmp_path / "fleet.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["facepolicy", "eval", "--format", fmt, str(path), str(tmp_path / "nowhere.json")]
    one = run_line(args)
    assert path.stat().st_size > 2 * loader.CHUNK  # read in several parts
    two = run_line([*args[:2], "--jobs", "2", *args[2:]])
    assert one.code == two.code == 2 and one.out == two.out and one.err == two.err
    # to a file: workers hand over their output encoded, written as bytes between the text
    written = tmp_path / f"report.{fmt}"
    three = run_line([*args[:2], "--jobs", "2", "--output", str(written), *args[2:]])
    assert three.code == 2 and written.read_text(encoding="utf-8") == one.out


# The worker processes themselves (engine._Workers): results in order whatever order they finish
# in, a worker's error raised in the main process, a worker that dies named, never a hang.


def _slow_echo(value):
    import time

    time.sleep(0.05 if value % 3 == 0 else 0)
    return value


def _fails(value):
    if value == 5:
        raise ValueError("five")
    return value


def _dies(value):
    if value == 3:
        import os

        os._exit(9)
    return value


def _big(value):
    return "x" * 300_000  # more than a pipe holds: the worker waits while it is read


def _workers(jobs=2):
    import datetime as dt

    from facepolicy import engine

    return engine._Workers(jobs, ({}, dt.date(2026, 1, 1), None, (), 0))


def test_workers_give_results_in_order_whatever_order_they_finish_in():
    workers = _workers()
    tasks = [(_slow_echo, n) if n % 4 else (None, -n) for n in range(40)]
    assert list(workers.ordered(tasks, 6)) == [n if n % 4 else -n for n in range(40)]
    workers.close()


def test_large_tasks_and_large_answers_cross_without_waiting_on_each_other():
    workers = _workers()
    tasks = [(_big, "y" * 300_000) for _ in range(12)]  # both ways larger than a pipe holds
    assert [len(r) for r in workers.ordered(tasks, 8)] == [300_000] * 12
    workers.close()


def test_an_error_in_a_worker_is_raised_in_the_main_process():
    from facepolicy import engine

    workers = _workers()
    with pytest.raises(ValueError, match="five"):
        list(engine._run(workers, workers.ordered([(_fails, n) for n in range(10)], 4)))
    assert all(not process.is_alive() for process in workers.processes)


def test_a_worker_that_dies_is_named_not_waited_for():
    from facepolicy import engine

    workers = _workers()
    with pytest.raises(engine.WorkerDied):
        list(engine._run(workers, workers.ordered([(_dies, n) for n in range(10)], 4)))
    assert all(not process.is_alive() for process in workers.processes)


def test_workers_started_by_spawn_where_fork_is_missing(monkeypatch):
    """macOS and Windows start workers by spawn: the same answers, in order."""
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    workers = _workers()
    assert list(workers.ordered([(_slow_echo, n) for n in range(9)], 4)) == list(range(9))
    workers.close()
    assert all(process.exitcode == 0 for process in workers.processes)


def test_an_eval_with_spawned_workers_writes_what_one_job_writes(tmp_path):
    sources = sorted((ROOT / "fixtures" / "scenarios").glob("*/deployment.json"))
    lines = [json.dumps(json.loads(p.read_text(encoding="utf-8"))) for p in sources] * 3
    path = tmp_path / "fleet.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spawned = (
        "import multiprocessing, sys; multiprocessing.get_all_start_methods = lambda: ['spawn']; "
        "from facepolicy.console import main; sys.argv = ['facepolicy'] + sys.argv[1:]; main()"
    )
    import os
    import subprocess
    import sys

    env = {**os.environ, "FACEPOLICY_TODAY": "2026-01-01"}
    args = ["eval", "--format", "ndjson", str(path)]
    one = subprocess.run([sys.executable, "-m", "facepolicy", *args], capture_output=True, env=env)
    two = subprocess.run(
        [sys.executable, "-c", spawned, *args[:1], "--jobs", "2", *args[1:]],
        capture_output=True,
        env=env,
        cwd=ROOT,
    )
    assert one.returncode == two.returncode == 1 and one.stdout.count(b"\n") == len(lines) + 1
    assert one.stdout == two.stdout, two.stderr[-2000:]


def test_a_file_gone_before_a_worker_reads_its_part_is_a_problem_naming_it(tmp_path):
    path = tmp_path / "fleet.ndjson"
    path.write_text('{"id": "a"}\n' * 10, encoding="utf-8")
    chunks = list(loader.iter_chunks([str(path)], 30))
    path.unlink()
    found = loader.read_chunk(chunks[1])
    assert len(found) == 1 and isinstance(found[0], Problem)
    assert found[0].source == str(path) and "cannot read" in found[0].message


def test_a_worker_joins_each_run_of_written_deployments_and_keeps_problems_between(monkeypatch):
    """engine._joined: the main process takes a run of deployments as one Rendered, joined as the
    reporter joins them, and counts them as it would have one by one."""
    from facepolicy import engine
    from facepolicy.model import Severity, Summary

    monkeypatch.setitem(engine._WORKER, "between", ", ")
    tallies = [
        ({"pass": 3, "fail": 1}, Severity.high, None),
        ({"pass": 4}, None, Severity.low),
        ({"fail": 2}, Severity.critical, None),
        ({"incomplete": 1}, None, Severity.medium),
    ]
    made = [engine.Rendered("f", f"d{n}", f"[{n}]".encode(), t) for n, t in enumerate(tallies)]
    problem = Problem("f:3", "bad line")
    joined = engine._joined([made[0], made[1], problem, made[2], made[3]])
    assert [type(r).__name__ for r in joined] == ["Rendered", "Problem", "Rendered"]
    assert [r.text for r in joined if r is not problem] == [b"[0], [1]", b"[2], [3]"]
    assert [r.deployments for r in joined if r is not problem] == [2, 2]
    assert engine._joined([made[0]]) == [made[0]] and engine._joined([]) == []
    one_by_one, joined_up = Summary(), Summary()
    for tally in tallies:
        one_by_one.add_tally(tally)
    for rendered in joined:
        if rendered is not problem:
            joined_up.add_tally(rendered.tally, rendered.deployments)
    assert vars(one_by_one) == vars(joined_up)
    assert joined_up.deployments == 4 and joined_up.worst_failure is Severity.critical
