"""A cache of loaded rule sets, keyed by a SHA-256 of every file that shapes them: safe to delete,
never stale, and never a way for another user to run code as you.

Parsing a hundred TOML files and compiling their expressions costs more than the rest of a one-file
run, so a rule set once loaded is pickled under a key made of facepolicy's version, the Python
version, the working folder (reports show paths relative to it) and the name and bytes of every
rule, catalog and schema file. A changed byte is a new key; a cache file that cannot be read is
ignored and rebuilt. FACEPOLICY_CACHE_DIR moves the cache; FACEPOLICY_NO_CACHE=1 turns it off.

Unpickling runs code, so an entry is read only when nobody else could have written it: the folder
and the entry belong to the user running facepolicy and neither is writable by group or others (a
folder that fails this is not used at all, with one warning). The entry carries the BLAKE2b digest
of its key and the CRC-32 of its payload, both checked before anything is unpickled: the key's
digest so that no entry serves another key, the CRC so that bytes changed on disk are never loaded
(what the ownership check already keeps out cannot be forged past a checksum anyway, so a
cryptographic digest of the 1.8 MB payload would buy nothing for its extra millisecond).

Entries are written to a temporary file created exclusively (O_EXCL|O_NOFOLLOW: a planted symlink is
never followed) and renamed into place; pruning removes only files named as facepolicy's own
entries (fp-<64 hex>.pickle, and .code for compiled programs) that belong to the user.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
from zlib import crc32

try:  # hashlib's own BLAKE2b, without the OpenSSL that importing hashlib loads (about 2 ms)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover — a Python built without it
    from hashlib import blake2b

from facepolicy import __version__
from facepolicy.errors import LazyPattern
from facepolicy.paths import pure
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

KEEP = 16  # cache entries kept; older ones are removed when a new one is written
MAGIC = b"facepolicy-cache-3\n"
KEY_DIGEST = 32  # bytes of the key's digest after MAGIC, then 4 of the payload's CRC-32
HEAD = len(MAGIC) + KEY_DIGEST + 4
ENTRY = LazyPattern(r"fp-[0-9a-f]{64}\.(?:pickle|code)")  # the only names pruning may ever remove
# pickling a deep expression tree needs more than the default 1000 frames; 5000 stays far from the C
# stack
RECURSION_HEADROOM = 5000

_warned: set[str] = set()


def _warn(where: str, why: str, once_for: str | None = None) -> None:
    """One warning per folder and run (`once_for`: the folder of an entry): the cache is an
    optimisation, its refusal is not an error."""
    if (once_for or where) in _warned:
        return
    _warned.add(once_for or where)
    from facepolicy.errors import printable

    print(
        f"facepolicy: warning: {printable(where)}: {why}; running without the rule-set "
        "cache / "
        "不使用规则集缓存",
        file=sys.stderr,
    )


def _requested() -> tuple[str, bool] | None:
    """The cache folder asked for, and whether it is the default one (which facepolicy may
    create)."""
    if os.environ.get("FACEPOLICY_NO_CACHE"):
        return None
    if os.environ.get("FACEPOLICY_CACHE_DIR"):
        return pure(os.environ["FACEPOLICY_CACHE_DIR"]), False
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(pure(base), "facepolicy"), True


def _unsafe(info: os.stat_result) -> str | None:
    """Why a folder or entry with this status could hold what another user wrote, or None when it
    cannot."""
    if info.st_uid != os.geteuid():
        return f"owned by uid {info.st_uid}, not by you (uid {os.geteuid()})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"writable by group or others (mode {stat.S_IMODE(info.st_mode):04o})"
    return None


def folder(create: bool = False) -> str | None:
    """The cache folder, when it exists (or, with `create`, once made 0700) and only its owner can
    write to it."""
    requested = _requested()
    if requested is None:
        return None
    where, _ = requested
    try:
        info = os.stat(where)
    except FileNotFoundError:
        if not create:
            return None
        try:
            os.makedirs(os.path.dirname(where) or ".", exist_ok=True)
            os.mkdir(where, 0o700)
            info = os.stat(where)
        except OSError:
            return None  # a read-only home only costs the next run the time to rebuild
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        _warn(where, "not a folder")
        return None
    why = _unsafe(info)
    if why is not None:
        _warn(where, why)
        return None
    return where


def _hash(data: bytes) -> Any:
    return blake2b(data, digest_size=KEY_DIGEST)


def key_digest(cache_key: str) -> bytes:
    return _hash(cache_key.encode()).digest()


def framed(digest_of_key: bytes, payload: bytes) -> bytes:
    """An entry's bytes: MAGIC, its key's digest, its payload's CRC-32, the payload."""
    return MAGIC + digest_of_key + crc32(payload).to_bytes(4, "big") + payload


@functools.lru_cache(maxsize=1)  # once a run: one key per rule set, part table and schema check
def _code_signature() -> str:
    """facepolicy's own modules as they are on disk: a pickle made by other code is never read
    back."""
    package = os.path.dirname(os.path.abspath(__file__))
    signature = []
    for place, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith(".py"):
                info = os.stat(os.path.join(place, name))
                signature.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    return ";".join(signature)


def key(named_contents: list[tuple[str, bytes]]) -> str:
    """BLAKE2b (256 bits) over facepolicy's version and code, Python's version, the working folder,
    and the name, length and bytes of every file: no edit can keep the key (CRC-style checksums
    could be steered; a cryptographic hash cannot)."""
    digest = _hash(f"{__version__}\0{sys.version}\0{os.getcwd()}\0{_code_signature()}\0".encode())
    for name, data in named_contents:
        label = name.encode("utf-8", "surrogateescape")
        digest.update(len(label).to_bytes(8, "big") + label + len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def entry_name(cache_key: str, kind: str = "pickle") -> str:
    return f"fp-{key_digest(cache_key).hex()}.{kind}"


def load(cache_key: str) -> Any | None:
    """The value pickled under a key, or None (missing, unsafe, changed or unreadable: rebuilt by
    the caller)."""
    data = load_bytes(cache_key)
    if data is None:
        return None
    import pickle

    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, RECURSION_HEADROOM))
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 — a truncated or foreign payload only means a rebuild
        return None
    finally:
        sys.setrecursionlimit(limit)


def load_bytes(cache_key: str, kind: str = "pickle") -> bytes | None:
    """The payload stored under a key, once the folder, the entry, its key's digest and its
    payload's CRC-32 check out."""
    where = folder()
    if where is None:
        return None
    path = os.path.join(where, entry_name(cache_key, kind))
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None  # missing, or a symlink planted in its place
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            return None
        why = _unsafe(info)
        if why is not None:
            _warn(path, why, once_for=where)
            return None
        with os.fdopen(handle, "rb") as stream:
            handle = -1
            data = stream.read()
    except OSError:
        return None
    finally:
        if handle >= 0:
            os.close(handle)
    if not data.startswith(MAGIC) or len(data) < HEAD:
        return None
    payload = data[HEAD:]
    if data[len(MAGIC) : HEAD - 4] != key_digest(cache_key) or int.from_bytes(
        data[HEAD - 4 : HEAD], "big"
    ) != crc32(payload):
        return None  # another key's entry, or bytes changed after writing: rebuilt, never trusted
    return payload


def store(cache_key: str, value: Any) -> None:
    import pickle

    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(limit, RECURSION_HEADROOM))
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
        return  # what cannot be pickled is rebuilt next time
    finally:
        sys.setrecursionlimit(limit)
    store_bytes(cache_key, payload)


def store_bytes(cache_key: str, payload: bytes, kind: str = "pickle") -> None:
    """Write a payload under a key: a temporary file created exclusively, renamed into place."""
    where = folder(create=True)
    if where is None:
        return
    final = os.path.join(where, entry_name(cache_key, kind))
    partial = f"{final}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
    try:
        handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError:
        # a read-only or full disk, or a name already taken: only costs the next run the time to
        # rebuild
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(framed(key_digest(cache_key), payload))
        os.replace(partial, final)
    except OSError:
        try:
            os.unlink(partial)
        except OSError:
            pass
        return
    _prune(where)


def _prune(where: str) -> None:
    """Remove the oldest of facepolicy's own entries beyond KEEP: nothing else in the folder is ever
    touched."""
    try:
        names = [name for name in os.listdir(where) if ENTRY.fullmatch(name)]
    except OSError:
        return
    entries = []
    for name in names:
        try:
            info = os.lstat(os.path.join(where, name))
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid():
            entries.append((info.st_mtime_ns, name))
    for _, name in sorted(entries)[:-KEEP]:
        try:
            os.unlink(os.path.join(where, name))
        except OSError:
            pass
