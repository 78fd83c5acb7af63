"""The runner: deployments streamed through the pipeline (pipeline.judge) one at a time, in this
process or in a pool of worker processes that keeps the input order and a bounded backlog."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, NamedTuple

from facepolicy.loader import Chunk, Loaded, Raw, empty_document, iter_chunks, iter_raw, read_chunk
from facepolicy.model import DeploymentResult, Problem, Tally, tally
from facepolicy.pipeline import judge

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
    """A deployment judged and already written out by a worker process: its output and its tally."""

    source: str
    deployment_id: str
    text: str
    tally: Tally


_WORKER: dict[str, Any] = {}


def _start_worker(
    rules: "dict[str, Rule] | Program",
    today: dt.date,
    render: Callable[[DeploymentResult], str | None] | None,
    extensions: tuple[tuple[str, str], ...] = (),
    max_size: int = 0,
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
        rules=rules, today=today, render=render, severity_of=severity_of, max_size=max_size
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
    return [_judge_in_worker(item) for item in batch]


def _judge_chunk(chunk: Chunk) -> tuple[list[DeploymentResult | Rendered | Problem], bool]:
    """The results of one part of a file, read by this worker, and whether it held any line."""
    items = read_chunk(chunk, _WORKER["max_size"])
    return [_judge_in_worker(item) for item in items], bool(items)


def _abandon(pool: Any) -> None:
    """Stop a pool at once, interrupted (Ctrl-C) or left by a consumer that failed: kill its workers
    and forget it. Pool.terminate() is not used: a worker killed while it held the result queue's
    lock makes it wait forever, and its worker handler would start new workers in place of the
    killed ones."""
    from multiprocessing import pool as pools

    handler = getattr(pool, "_worker_handler", None)
    if handler is not None:
        handler._state = pools.TERMINATE  # no replacement workers: its loop ends within 0.1 s
        try:
            handler.join(0.5)
        except RuntimeError:
            pass
    workers = list(getattr(pool, "_pool", ()))
    for process in workers:
        try:
            process.kill()
        except (OSError, AttributeError, ValueError):
            pass
    for process in workers:
        try:
            process.join(1)
        except (OSError, AttributeError, ValueError, AssertionError):
            pass
    finalizer = getattr(pool, "_terminate", None)
    if finalizer is not None:
        # nor Pool.terminate() at exit; the pool's threads are daemons and end with the process
        finalizer.cancel()


def _pool(
    rules: "dict[str, Rule] | Program",
    today: dt.date,
    jobs: int,
    render: Callable[[DeploymentResult], str | None] | None,
    max_size: int = 0,
) -> Any:
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method != "fork":
        render = (
            None  # a reporter holds its output stream, which cannot be sent to a spawned process
        )
    from facepolicy import schemas

    start = (rules, today, render, schemas.extensions(), max_size)
    return multiprocessing.get_context(method).Pool(jobs, _start_worker, start)


def _in_pool(
    rules: "dict[str, Rule] | Program",
    today: dt.date,
    items: Iterable[Raw | Loaded],
    jobs: int,
    render: Callable[[DeploymentResult], str | None] | None,
) -> Iterator[DeploymentResult | Rendered | Problem]:
    pool = _pool(rules, today, jobs, render)
    try:
        in_flight: deque = deque()
        iterator = iter(items)
        while batch := list(itertools.islice(iterator, BATCH)):
            in_flight.append(pool.apply_async(_judge_batch, (batch,)))
            if len(in_flight) >= jobs * BACKLOG:
                yield from in_flight.popleft().get()
        while in_flight:
            yield from in_flight.popleft().get()
    except BaseException:
        _abandon(pool)
        raise
    else:
        pool.close()
        pool.join()


def _chunks_in_pool(
    rules: "dict[str, Rule] | Program",
    today: dt.date,
    chunks: Iterable[Chunk | Problem],
    jobs: int,
    render: Callable[[DeploymentResult], str | None] | None,
    max_size: int,
) -> Iterator[DeploymentResult | Rendered | Problem]:
    """As _in_pool, for files the workers read themselves, a part each (loader.iter_chunks)."""
    pool = _pool(rules, today, jobs, render, max_size)
    held: list[bool] = [False]  # whether a part of the current file held a line

    def results(chunk: Chunk | Problem, pending: Any) -> Iterator[Any]:
        if pending is None:
            yield chunk
            return
        judged, any_line = pending.get()
        yield from judged
        held[0] = held[0] or any_line
        if chunk.last:  # type: ignore[union-attr]
            if not held[0]:
                yield empty_document(chunk.source)
            held[0] = False

    try:
        in_flight: deque = deque()
        for chunk in chunks:
            pending = (
                None if isinstance(chunk, Problem) else pool.apply_async(_judge_chunk, (chunk,))
            )
            in_flight.append((chunk, pending))
            if len(in_flight) >= jobs * BACKLOG:
                yield from results(*in_flight.popleft())
        while in_flight:
            yield from results(*in_flight.popleft())
    except BaseException:
        _abandon(pool)
        raise
    else:
        pool.close()
        pool.join()


class Run(
    NamedTuple
):  # a NamedTuple: defining a dataclass would cost a one-file run the dataclasses import
    rule_set: "RuleSet | Program | dict[str, Rule]"  # a rule set is judged by its compiled program
    today: dt.date
    waivers: "WaiverBook | None" = None
    jobs: int = 1
    render: Callable[[DeploymentResult], str | None] | None = (
        None  # lets workers write each deployment's output
    )

    def results(
        self, items: Iterable[Raw | Loaded]
    ) -> Iterator[DeploymentResult | Rendered | Problem]:
        """Each deployment's result, in input order. With jobs > 1 and a `render`, workers also
        write the output (a Rendered); waivers change verdicts after judging, so with waivers
        results come back whole."""
        rules = self._program()
        if self.jobs > 1:
            judged = _in_pool(rules, self.today, items, self.jobs, self._render())
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
            self._program(), self.today, iter_chunks(paths), self.jobs, self._render(), max_size
        )
        return self._waived(judged)

    def _program(self) -> Any:
        from facepolicy.program import Program

        rules: Any = self.rule_set
        if not isinstance(rules, (Program, dict)):
            from facepolicy.rulecache import program_of

            rules = program_of(rules)
        return rules

    def _render(self) -> Callable[[DeploymentResult], str | None] | None:
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
