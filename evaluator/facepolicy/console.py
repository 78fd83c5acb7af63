"""The console entry point: start-up runs with the cyclic garbage collector paused.

Start-up creates tens of thousands of objects (modules, classes, the unpickled rule set) and none of
them is garbage, yet allocation counts trigger collections that cost a one-file run about a tenth of its
time. Commands resume the collector (facepolicy.cli.resume_gc) once their rule set is loaded, before any
deployment is read, so bulk runs collect as usual.
"""

import gc
import os
import sys


def main() -> None:
    gc.disable()
    from facepolicy.cli import INTERRUPTED, run

    code = run()
    if code == INTERRUPTED:
        # Interrupted: the temporary output is already removed and the workers stopped; leave now, without the
        # interpreter's exit handlers, which would wait on a worker pool that is being torn down.
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
