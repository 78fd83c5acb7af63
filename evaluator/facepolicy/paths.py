"""Where the bundled rules and schemas are: inside the wheel, or at the top of a source checkout.

Plain strings (the *_DIR names), so that a cached `eval` never imports pathlib, which brings
urllib.parse and ipaddress with it (about 2.5 ms of a one-file run); POLICIES, BUNDLED_PACK, SCHEMAS
and FIXTURES are the same folders as Paths, made when first asked for.
"""

from __future__ import annotations

import os

from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

_HERE = os.path.dirname(os.path.realpath(__file__))


def _bundled(name: str) -> str:
    inside_wheel = os.path.join(_HERE, "_bundled", name)
    if os.path.isdir(inside_wheel):
        return inside_wheel
    return os.path.join(os.path.dirname(os.path.dirname(_HERE)), name)


POLICIES_DIR = _bundled("policies")
BUNDLED_PACK_DIR = os.path.dirname(POLICIES_DIR)  # the first pack: pack.toml beside policies/
SCHEMAS_DIR = _bundled("schemas")
FIXTURES_DIR = _bundled("fixtures")
WAIVERS_FILE = ".facepolicy-waivers.toml"  # found in the working folder when --waivers is not given

_AS_PATHS = ("POLICIES", "BUNDLED_PACK", "SCHEMAS", "FIXTURES")

if TYPE_CHECKING:
    POLICIES: Path
    BUNDLED_PACK: Path
    SCHEMAS: Path
    FIXTURES: Path


def __getattr__(name: str) -> Any:
    if name in _AS_PATHS:
        from pathlib import Path

        return Path(globals()[f"{name}_DIR"])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pure(path: str | os.PathLike[str]) -> str:
    """str(Path(path)) without pathlib: empty and "." parts dropped, ".." kept."""
    text = os.fspath(path)
    if os.sep != "/":  # pragma: no cover — Windows paths: pathlib knows them
        from pathlib import Path

        return str(Path(text))
    if text.startswith("//") and not text.startswith("///"):
        head = "//"  # POSIX leaves a leading // to the system; three or more mean /
    else:
        head = "/" if text.startswith("/") else ""
    return head + "/".join(part for part in text.split("/") if part and part != ".") or "."


def shown(path: str | os.PathLike[str]) -> str:
    """A path as users read it: relative to the working folder when below it, so reports do not
    depend on the checkout's place."""
    real = os.path.realpath(path)
    here = os.path.realpath(os.getcwd())
    if real == here:
        return "."
    prefix = here.rstrip("/") + "/"
    if real.startswith(prefix):
        return real[len(prefix) :]
    return pure(path)
