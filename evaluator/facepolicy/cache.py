"""A cache of loaded rule sets, keyed by the content of every file that shapes them: safe to delete, never stale.

Parsing a hundred TOML files and compiling their expressions costs more than the rest of a one-file run, so
a rule set once loaded is pickled under a key made of facepolicy's version, the Python version, the working
folder (reports show paths relative to it) and the name and bytes of every rule, catalog and schema file.
A changed byte is a new key; a cache file that cannot be read is ignored and rebuilt.
FACEPOLICY_CACHE_DIR moves the cache; FACEPOLICY_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import os
import pickle
import sys
import zlib
from pathlib import Path
from typing import Any

from facepolicy import __version__

KEEP = 16  # cache files kept; older ones are removed when a new one is written


def folder() -> Path | None:
    if os.environ.get("FACEPOLICY_NO_CACHE"):
        return None
    if os.environ.get("FACEPOLICY_CACHE_DIR"):
        return Path(os.environ["FACEPOLICY_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "facepolicy"


def _code_signature() -> str:
    """facepolicy's own modules as they are on disk: a pickle made by other code is never read back."""
    package = os.path.dirname(os.path.abspath(__file__))
    signature = []
    for folder, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(folder, name))
                signature.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(signature)


def key(named_contents: list[tuple[str, bytes]]) -> str:
    """Two checksums of every file with its name and length: a changed file changes the key. (zlib rather
    than hashlib: loading OpenSSL costs a one-file run more than checksumming every rule.)"""
    header = f"{__version__}\0{sys.version}\0{os.getcwd()}\0{_code_signature()}\0".encode()
    crc, adler = zlib.crc32(header), zlib.adler32(header)
    for name, data in named_contents:
        label = f"{name}\0{len(data)}\0".encode()
        crc, adler = zlib.crc32(data, zlib.crc32(label, crc)), zlib.adler32(data, zlib.adler32(label, adler))
    return f"{crc:08x}{adler:08x}{len(named_contents):04x}"


def load(cache_key: str) -> Any | None:
    where = folder()
    if where is None:
        return None
    try:
        with open(where / f"{cache_key}.pickle", "rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 — a missing, truncated or foreign cache file only means a rebuild
        return None


def store(cache_key: str, value: Any) -> None:
    where = folder()
    if where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        partial = where / f"{cache_key}.{os.getpid()}.tmp"
        with open(partial, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, where / f"{cache_key}.pickle")
        for old in sorted(where.glob("*.pickle"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        pass  # a read-only or full disk only costs the next run the time to rebuild
