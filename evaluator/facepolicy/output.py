"""Writing a report file: never a partial file under the final name, never over one of the run's own
inputs.

The report is written to a temporary file beside the final one (created exclusively, so a planted
symlink is never followed) and renamed over it only when the run is over; a run that fails or is
interrupted removes the temporary file and leaves whatever was there before. A device (/dev/null,
/dev/stdout) is written directly, since it cannot be renamed over.
"""

from __future__ import annotations

import os
import stat
import sys

from facepolicy.errors import FacepolicyError, bilingual, printable
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import IO, Iterable


def _within(path: str, folder: str) -> bool:
    """Whether a resolved path is a resolved folder or lies below it."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def refuse_overlap(output: str | None, inputs: Iterable[str]) -> None:
    """A FacepolicyError when the output file is one of the inputs or lies inside a folder being
    scanned: the report would truncate a deployment before it is read, or be read back as one."""
    if not output:
        return
    target = os.path.realpath(output)
    for name in inputs:
        if name == "-":
            continue
        source = os.path.realpath(name)
        if os.path.isdir(source) and _within(target, source):
            raise FacepolicyError(
                printable(output),
                bilingual(
                    "输出文件位于被扫描的目录中", "the output file is inside a folder being scanned"
                )
                + f": {printable(name)}",
            )
        if target == source or (
            os.path.exists(target) and os.path.exists(source) and os.path.samefile(target, source)
        ):
            raise FacepolicyError(
                printable(output), bilingual("输出文件也是输入", "the output file is also an input")
            )


class AtomicOutput:
    """`with AtomicOutput(path) as out:` a text stream that becomes `path` when the block ends
    without an error."""

    def __init__(self, path: str | None):
        self.path = path
        self.partial: str | None = None
        self.stream: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if not self.path:
            return sys.stdout
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            info = None
        except OSError as exc:
            raise FacepolicyError(
                printable(self.path), bilingual("无法写入", "cannot write") + f": {exc.strerror}"
            ) from None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise FacepolicyError(printable(self.path), bilingual("是目录", "is a folder"))
        if info is not None and not stat.S_ISREG(info.st_mode):
            self.stream = self._open(
                self.path, os.O_WRONLY | os.O_TRUNC
            )  # a device or a pipe: written as it is
            return self.stream
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise FacepolicyError(
                printable(self.path), bilingual("所在目录不存在", "its folder does not exist")
            )
        partial = os.path.join(
            folder, f".{os.path.basename(self.path)}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        )
        self.stream = self._open(
            partial,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
            shown=self.path,
            made=self,
        )
        return self.stream

    @staticmethod
    def _open(
        path: str, flags: int, shown: str | None = None, made: "AtomicOutput | None" = None
    ) -> IO[str]:
        try:
            if made is not None:
                made.partial = (
                    path  # before the file exists: an interrupt between the two still removes it
                )
            handle = os.open(
                path, flags, 0o666
            )  # the umask applies, as for any file the user writes
        except OSError as exc:
            if made is not None:
                made.partial = None
            raise FacepolicyError(
                printable(shown or path),
                bilingual("无法写入", "cannot write") + f": {exc.strerror}",
            ) from None
        return os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace")

    def __exit__(self, kind, value, traceback) -> None:
        if self.stream is None:
            self._discard()
            return
        try:
            self.stream.close()
        except OSError:
            if kind is None:
                self._discard()
                raise
        if self.partial is None:
            return
        if kind is not None:
            self._discard()
            return
        try:
            os.replace(self.partial, self.path or "")  # a partial file exists only for a path
        except OSError:
            self._discard()
            raise

    def _discard(self) -> None:
        if self.partial is not None:
            try:
                os.unlink(self.partial)
            except OSError:
                pass


def write_text(path: str, text: str) -> None:
    """A whole text to a file, atomically."""
    with AtomicOutput(path) as out:
        out.write(text)


def replace_text(path: str, text: str) -> None:
    """Rewrite a file in place (migrate, fmt, ask -i) the way reports are written: whole or not at
    all."""
    with AtomicOutput(path) as out:
        out.write(text)
