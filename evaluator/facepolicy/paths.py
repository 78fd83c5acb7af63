"""Where the bundled rules and schemas are: inside the wheel, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    inside_wheel = _HERE / "_bundled" / name
    if inside_wheel.is_dir():
        return inside_wheel
    return _HERE.parent.parent / name


POLICIES = _bundled("policies")
BUNDLED_PACK = POLICIES.parent  # the bundled rules are the first pack: pack.toml beside policies/
SCHEMAS = _bundled("schemas")
FIXTURES = _bundled("fixtures")
WAIVERS_FILE = ".facepolicy-waivers.toml"  # found in the working folder when --waivers is not given


def shown(path: Path) -> str:
    """A path as users read it: relative to the working folder when below it, so reports do not
    depend on the checkout's place."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
