"""The console entry point: start-up runs with the cyclic garbage collector paused.

Start-up creates tens of thousands of objects (modules, classes, the unpickled rule set) and none of
them is garbage, yet allocation counts trigger collections that cost a one-file run about a tenth of its
time. Commands resume the collector (facepolicy.cli.resume_gc) once their rule set is loaded, before any
deployment is read, so bulk runs collect as usual.
"""

import gc
import sys


def main() -> None:
    gc.disable()
    from facepolicy.cli import run

    sys.exit(run())
