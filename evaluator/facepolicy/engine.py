"""The runner: deployments streamed through the pipeline (pipeline.judge) one at a time, in this
process or in a pool of worker processes that keeps the input order and a bounded backlog."""

from __future__ import annotations

import itertools
from collections import deque

from facepolicy.loader import Chunk, Loaded, Raw, empty_document, iter_chunks, iter_raw, read_chunk
from facepolicy.model import DeploymentResult, Problem, Summary, Tally, tally
from facepolicy.pipeline import judge
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from typing import Any, Callable, Iterable, Iterator, NamedTuple

    from facepolicy.durations import Day
else:
    from facepolicy.records import NamedTuple


if TYPE_CHECKING:
    from facepolicy.compiler import Rule
    from facepolicy.program import Program
    from facepolicy.ruleset import RuleSet
    from facepolicy.waivers import WaiverBook

BATCH = 32  # deployments sent to a worker at a time
BACKLOG = (
    4  # batches in flight per worker: enough to keep workers busy, few enough to keep memory flat
)


class Rendered(NamedTuple):
    """Deployments judged and already written out by a worker process: their output and their
    tally (one deployment, or a run of them a worker joined: see _joined)."""

    source: str
    deployment_id: str  # of the last deployment it holds
    text: str | bytes  # bytes: encoded for the output stream (evalrun.encoded_output)
    tally: Tally
    deployments: int = 1  # how many it holds: a worker joins each run of them (_joined)


_WORKER: dict[str, Any] = {}


def _start_worker(
    rules: "dict[str, Rule] | Program",
    today: dt.date | Day,
    render: Callable[[DeploymentResult], str | bytes | None] | None,
    extensions: tuple[tuple[str, str], ...] = (),
    max_size: int = 0,
    between: str = "",
) -> None:
    import signal

    from facepolicy import schemas

    schemas.use_extensions(extensions)  # a spawned worker starts with the core schema alone

    # Ctrl-C reaches the whole process group: the main process alone answers it (and stops the
    # workers), so a worker never prints a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    severity_of = (
        {rid: rule.severity for rid, rule in rules.items()}
        if isinstance(rules, dict)
        else {rid: rules.severity(rid) for rid in rules.rules}
    )
    _WORKER.update(
        rules=rules,
        today=today,
        render=render,
        severity_of=severity_of,
        max_size=max_size,
        between=between,
    )


def _judge_in_worker(item: Raw | Loaded) -> DeploymentResult | Rendered | Problem:
    result = judge(_WORKER["rules"], item, today=_WORKER["today"])
    if _WORKER["render"] is None or not isinstance(result, DeploymentResult):
        return result
    text = _WORKER["render"](result)
    if text is None:
        return result
    return Rendered(
        result.source, result.deployment_id, text, tally(result, _WORKER["severity_of"])
    )


def _judge_batch(batch: list[Raw | Loaded]) -> list[DeploymentResult | Rendered | Problem]:
    return _joined([_judge_in_worker(item) for item in batch])


def _judge_chunk(chunk: Chunk) -> tuple[list[DeploymentResult | Rendered | Problem], bool]:
    """The results of one part of a file, read by this worker, and whether it held any line."""
    items = read_chunk(chunk, _WORKER["max_size"])
    return _joined([_judge_in_worker(item) for item in items]), bool(items)


def _joined(
    results: list[DeploymentResult | Rendered | Problem],
) -> list[DeploymentResult | Rendered | Problem]:
    """Each run of deployments written out as one Rendered, their outputs joined as the reporter
    joins them (`between`) and their tallies added: the main process then takes a part of a file in
    a few steps rather than one per deployment (with two jobs on two cores, its time is theirs)."""
    joined: list[DeploymentResult | Rendered | Problem] = []
    for written, group in itertools.groupby(results, key=lambda result: type(result) is Rendered):
        run: list[Any] = list(group)
        if not written or len(run) == 1:
            joined.extend(run)
            continue
        texts = [rendered.text for rendered in run]
        between = _WORKER["between"]
        text = (between.encode("utf-8") if type(texts[0]) is bytes else between).join(texts)
        counted = Summary()
        for rendered in run:
            counted.add_tally(rendered.tally)
        tallied = (counted.counts, counted.worst_failure, counted.worst_incomplete)
        joined.append(Rendered(run[0].source, run[-1].deployment_id, text, tallied, len(run)))
    return joined


def _serve(tasks: Any, answers: Any, start: tuple[Any, ...]) -> None:
    """A worker process: run each task the main process sends, answer with its result (or the
    error it raised), until told to stop. A thread takes tasks off the pipe as they come, so that
    the main process never waits to hand one over while this process waits to hand back a result
    (a batch of standard input's deployments is larger than a pipe holds)."""
    import queue
    import threading

    _start_worker(*start)
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def take() -> None:
        while True:
            try:
                task = tasks.recv()
            except (EOFError, OSError):
                task = None
            inbox.put(task)
            if task is None:
                return

    threading.Thread(target=take, daemon=True).start()
    while (task := inbox.get()) is not None:
        function, argument = task
        try:
            answer: tuple[bool, Any] = (True, function(argument))
        except Exception as exc:  # noqa: BLE001 — handed to the main process, which raises it
            answer = (False, exc)
        try:
            answers.send(answer)
        except Exception:  # noqa: BLE001 — an error that cannot be pickled: its words still can
            answers.send((False, RuntimeError(repr(answer[1]))))


class WorkerDied(RuntimeError):
    """A worker process ended without answering (killed, or out of memory)."""


class _Workers:
    """Worker processes, each with a pipe of its own. Tasks go to the worker with the fewest in
    hand; results are read as they arrive, so that no worker waits for another's turn, and given
    back in order. No helper threads: multiprocessing.Pool's three cost the main process about
    0.1 ms of CPU per deployment, which two jobs on two cores pay in full."""

    def __init__(self, jobs: int, start: tuple[Any, ...]):
        import multiprocessing

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        context: Any = multiprocessing.get_context(method)
        self.senders: list[Any] = []
        self.connections: list[Any] = []  # where each worker's answers come in
        self.processes: list[Any] = []
        for _ in range(jobs):
            task_reader, task_writer = context.Pipe(duplex=False)
            answer_reader, answer_writer = context.Pipe(duplex=False)
            process = context.Process(
                target=_serve, args=(task_reader, answer_writer, start), daemon=True
            )
            process.start()
            task_reader.close()
            answer_writer.close()
            self.senders.append(task_writer)
            self.connections.append(answer_reader)
            self.processes.append(process)

    def ordered(self, tasks: Iterable[tuple[Any, Any]], backlog: int) -> Iterator[Any]:
        """The result of each task, in order: (function, argument) runs in a worker, (None, value)
        is its own result. At most `backlog` results are held or awaited at a time."""
        from multiprocessing.connection import wait

        waiting: list[deque[int]] = [deque() for _ in self.connections]
        done: dict[int, Any] = {}
        given = sent = 0
        pending = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and sent - given < backlog:
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                function, argument = task
                if function is None:
                    done[sent] = argument
                else:
                    worker = min(range(len(waiting)), key=lambda w: len(waiting[w]))
                    self.senders[worker].send((function, argument))
                    waiting[worker].append(sent)
                sent += 1
            while given in done:
                yield done.pop(given)
                given += 1
            if exhausted and given == sent:
                return
            busy = [c for c, w in zip(self.connections, waiting, strict=True) if w]
            ready: list[Any] = wait(busy)
            for connection in ready:
                worker = self.connections.index(connection)
                try:
                    answer: Any = connection.recv()
                except (EOFError, OSError):
                    raise WorkerDied(
                        "a worker process ended without answering / 工作进程意外退出"
                    ) from None
                ok, result = answer
                if not ok:
                    raise result
                done[waiting[worker].popleft()] = result

    def close(self) -> None:
        for sender in self.senders:
            try:
                sender.send(None)
            except OSError:
                pass
        for process in self.processes:
            process.join()

    def abandon(self) -> None:
        """Stop at once (interrupted, or left by a consumer that failed): kill the workers."""
        for process in self.processes:
            try:
                process.kill()
            except (OSError, AttributeError, ValueError):
                pass
        for process in self.processes:
            try:
                process.join(1)
            except (OSError, AttributeError, ValueError, AssertionError):
                pass


def _workers(
    rules: "dict[str, Rule] | Program",
    today: dt.date | Day,
    jobs: int,
    render: Callable[[DeploymentResult], str | bytes | None] | None,
    max_size: int = 0,
    between: str = "",
) -> _Workers:
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        render = (
            None  # a reporter holds its output stream, which cannot be sent to a spawned process
        )
    from facepolicy import schemas

    return _Workers(jobs, (rules, today, render, schemas.extensions(), max_size, between))


def _run(workers: _Workers, results: Iterator[Any]) -> Iterator[Any]:
    """Results as they come, the workers stopped once they are all given, or killed when the
    consumer stops early (interrupted, or failed)."""
    try:
        yield from results
    except BaseException:
        workers.abandon()
        raise
    else:
        workers.close()


def _in_pool(
    rules: "dict[str, Rule] | Program",
    today: dt.date | Day,
    items: Iterable[Raw | Loaded],
    jobs: int,
    render: Callable[[DeploymentResult], str | bytes | None] | None,
    between: str = "",
) -> Iterator[DeploymentResult | Rendered | Problem]:
    workers = _workers(rules, today, jobs, render, between=between)
    iterator = iter(items)
    batches = iter(lambda: list(itertools.islice(iterator, BATCH)), [])
    judged = workers.ordered(((_judge_batch, batch) for batch in batches), jobs * BACKLOG)
    return _run(workers, (result for results in judged for result in results))


def _chunks_in_pool(
    rules: "dict[str, Rule] | Program",
    today: dt.date | Day,
    chunks: Iterable[Chunk | Problem],
    jobs: int,
    render: Callable[[DeploymentResult], str | bytes | None] | None,
    max_size: int,
    between: str = "",
) -> Iterator[DeploymentResult | Rendered | Problem]:
    """As _in_pool, for files the workers read themselves, a part each (loader.iter_chunks)."""
    workers = _workers(rules, today, jobs, render, max_size, between)
    parts: deque[Chunk | Problem] = deque()

    def tasks() -> Iterator[tuple[Any, Any]]:
        for chunk in chunks:
            parts.append(chunk)
            yield (None, None) if isinstance(chunk, Problem) else (_judge_chunk, chunk)

    def results() -> Iterator[DeploymentResult | Rendered | Problem]:
        held = False  # whether a part of the current file held a line
        for answer in workers.ordered(tasks(), jobs * BACKLOG):
            chunk = parts.popleft()
            if isinstance(chunk, Problem):
                yield chunk
                continue
            judged, any_line = answer
            yield from judged
            held = held or any_line
            if chunk.last:
                if not held:
                    yield empty_document(chunk.source)
                held = False

    return _run(workers, results())


class Run(
    NamedTuple
):  # a NamedTuple: defining a dataclass would cost a one-file run the dataclasses import
    rule_set: "RuleSet | Program | dict[str, Rule]"  # a rule set is judged by its compiled program
    today: dt.date | Day
    waivers: "WaiverBook | None" = None
    jobs: int = 1
    render: Callable[[DeploymentResult], str | bytes | None] | None = (
        None  # lets workers write each deployment's output
    )
    between: str = ""  # what the reporter writes between two deployments' outputs

    def results(
        self, items: Iterable[Raw | Loaded]
    ) -> Iterator[DeploymentResult | Rendered | Problem]:
        """Each deployment's result, in input order. With jobs > 1 and a `render`, workers also
        write the output (a Rendered); waivers change verdicts after judging, so with waivers
        results come back whole."""
        rules = self._program()
        if self.jobs > 1:
            judged = _in_pool(rules, self.today, items, self.jobs, self._render(), self.between)
        else:
            judged = (judge(rules, item, today=self.today) for item in items)
        return self._waived(judged)

    def results_of_files(
        self, paths: list[str], max_size: int
    ) -> Iterator[DeploymentResult | Rendered | Problem]:
        """The results of the deployments in the files named ('-': standard input), in order: as
        results(iter_raw(paths)), but with jobs > 1 and no standard input, the workers read their
        parts of the files themselves."""
        if self.jobs == 1 or "-" in paths:
            return self.results(iter_raw(paths, max_size))
        judged = _chunks_in_pool(
            self._program(),
            self.today,
            iter_chunks(paths),
            self.jobs,
            self._render(),
            max_size,
            self.between,
        )
        return self._waived(judged)

    def _program(self) -> Any:
        from facepolicy.program import Program

        rules: Any = self.rule_set
        if not isinstance(rules, (Program, dict)):
            from facepolicy.rulecache import program_of

            rules = program_of(rules)
        return rules

    def _render(self) -> Callable[[DeploymentResult], str | bytes | None] | None:
        return self.render if self.waivers is None else None

    def _waived(
        self, judged: Iterable[DeploymentResult | Rendered | Problem]
    ) -> Iterator[DeploymentResult | Rendered | Problem]:
        for result in judged:
            if self.waivers is not None and isinstance(result, DeploymentResult):
                result.verdicts = [
                    self.waivers.apply(result.deployment_id, v) for v in result.verdicts
                ]
            yield result
