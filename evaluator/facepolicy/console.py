"""The console entry point: start-up runs with the cyclic garbage collector paused.

Start-up creates tens of thousands of objects (modules, classes, the compiled rules) and none of
them is garbage, yet allocation counts trigger collections that cost a one-file run about a tenth of
its time. Commands resume the collector (resume_gc) once their rule set is loaded, before any
deployment is read, so bulk runs collect as usual.

A plain `eval` command line runs without click (facepolicy.evalrun); everything else goes through
it. Both run inside `guarded`, which turns every failure into its exit code and one line.
"""

import gc
import os
import sys

INTERRUPTED = 130  # 128 + SIGINT; model.EXIT_CODES[Outcome.interrupted]
BROKEN_PIPE = 141  # 128 + SIGPIPE; model.EXIT_CODES[Outcome.closed_output]


def resume_gc() -> None:
    """Start-up is over: keep what was loaded out of later collections, and collect again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _quiet_stdout() -> None:
    """The reader of standard output is gone: point it at /dev/null so that the interpreter's last
    flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def guarded(body) -> int:
    """Run a command and return its exit code: bad input 2 with one line, a bug 3 that says so,
    Ctrl-C 130 with one line, a closed standard output 141 and silence."""
    from facepolicy.errors import FacepolicyError, bilingual, printable

    # a file name that is not UTF-8 (kept as surrogates by the OS layer) is written escaped, not a
    # crash
    try:
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass
    try:
        try:
            code = body()
            sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        except (
            RecursionError
        ) as exc:  # before OSError and the rest: nothing deeper is caught by accident
            raise FacepolicyError("", f"input nested too deeply / 输入嵌套过深: {exc}") from None
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_stdout()
            return BROKEN_PIPE
        return code
    except FacepolicyError as exc:
        _say(f"facepolicy: {printable(str(exc))}")
        return 2
    except BrokenPipeError:
        _quiet_stdout()
        return BROKEN_PIPE
    except KeyboardInterrupt:
        _say("facepolicy: interrupted / 已中断")
        return INTERRUPTED
    # a full disk, a read-only file system, a permission refused: the input or the place, not a bug
    except OSError as exc:
        where = printable(str(exc.filename)) + ": " if exc.filename else ""
        _say(f"facepolicy: {where}{bilingual('输入输出错误', 'I/O error')}: {exc.strerror or exc}")
        return 2
    except Exception as exc:  # noqa: BLE001 — the last resort: never a traceback
        _say(
            "facepolicy: internal error, a bug in facepolicy (please report it) / 内部错误: "
            f"{type(exc).__name__}: "
            f"{printable(str(exc))}"
        )
        return 3
    return code if isinstance(code, int) else 0


def main() -> None:
    gc.disable()
    from facepolicy.evalrun import fast_main

    code = fast_main(sys.argv[1:])
    if code is None:
        from facepolicy.cli import run

        code = run()
    if code == INTERRUPTED:
        # Interrupted: the temporary output is already removed and the workers stopped; leave now,
        # without the interpreter's exit handlers, which would wait on a worker pool that is being
        # torn down.
        if "multiprocessing" in sys.modules:
            for child in sys.modules["multiprocessing"].active_children():
                child.kill()  # a worker started in the instant of the interrupt
        sys.stderr.flush()
        try:
            sys.stdout.flush()
        except OSError:
            pass
        os._exit(code)
    sys.exit(code)
