"""A progress line on stderr for long runs, drawn only where a person watches: stderr a terminal,
not CI.

A carriage-return counter rather than a bar: deployments stream in (NDJSON, stdin) and their number
is not known in advance. Nothing is drawn for a short run, nor into a file, a pipe or a CI log.
"""

from __future__ import annotations

import os
import sys
import time

from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import IO, Any


AFTER_SECONDS = 2.0  # a run this long is long enough to wonder whether it is still going
AFTER_DEPLOYMENTS = 200  # a bulk run: shown even when each deployment is quick
EVERY_SECONDS = 0.1  # redraw at most ten times a second

WORDS = {
    "en": "facepolicy: {n} deployment{s} judged ({t:.0f} s)",
    "zh": "facepolicy：已评估 {n} 个部署（{t:.0f} 秒）",
}


def wanted(stream: IO[str]) -> bool:
    """A person is watching: the stream is a terminal and this is not a CI job (CI=true, or any CI
    value but false)."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """`tick()` once per deployment; `clear()` before other output shares the terminal; `close()` at
    the end."""

    def __init__(self, lang: str = "en", stream: IO[str] | None = None, clock=time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(self.stream)
        self.lang = lang
        self.clock = clock
        self.start = clock()
        self.count = 0
        self.drawn = False
        self.last = float("-inf")  # the first draw is never held back

    def tick(self, deployments: int = 1) -> None:
        self.count += deployments
        if not self.enabled:
            return
        now = self.clock()
        if now - self.last < EVERY_SECONDS or (
            now - self.start < AFTER_SECONDS and self.count < AFTER_DEPLOYMENTS
        ):
            return
        self.last = now
        text = WORDS[self.lang].format(
            n=self.count, s="" if self.count == 1 else "s", t=now - self.start
        )
        self._write("\r\x1b[K" + text)
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.drawn = False
            self._write("\r\x1b[K")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: progress is not worth an error
            self.enabled = False

    close = clear


class Guarded:
    """An output stream that shares the terminal with a progress line: the line is wiped before each
    write."""

    def __init__(self, out: IO[str], progress: Progress):
        self._out = out
        self._progress = progress

    def write(self, text: str) -> int:
        self._progress.clear()
        return self._out.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)


def guard(out: IO[str], progress: Progress) -> IO[str]:
    """`out` itself, unless the progress line is drawn on the terminal that `out` also writes to."""
    if not progress.enabled:
        return out
    try:
        same = out.isatty()
    except (AttributeError, ValueError):
        same = False
    return Guarded(out, progress) if same else out  # type: ignore[return-value]
