"""facepolicy.records.NamedTuple: typing.NamedTuple's class syntax without importing typing. The
classes it makes behave as typing's do."""

from __future__ import annotations

import pickle
import subprocess
import sys
import typing

import pytest

from facepolicy import records


class Light(records.NamedTuple):
    """A point."""

    x: int
    y: str = "a"
    z: tuple[int, ...] = ()

    def twice(self) -> int:
        return self.x * 2

    @property
    def label(self) -> str:
        return f"{self.y}{self.x}"

    LIMIT = 3  # a class attribute, not a field


class Heavy(typing.NamedTuple):
    """A point."""

    x: int
    y: str = "a"
    z: tuple[int, ...] = ()

    def twice(self) -> int:
        return self.x * 2

    @property
    def label(self) -> str:
        return f"{self.y}{self.x}"

    LIMIT = 3


@pytest.mark.parametrize("made", [Light, Heavy])
def test_a_light_named_tuple_behaves_as_typings(made):
    point = made(2)
    assert tuple(point) == (2, "a", ()) and point.twice() == 4 and point.label == "a2"
    assert made(1, "b", (3,)) == (1, "b", (3,)) and point._replace(y="c").y == "c"
    assert made._fields == ("x", "y", "z") and made._field_defaults == {"y": "a", "z": ()}
    assert made.LIMIT == 3 and made.__doc__ == "A point." and made.__module__ == __name__
    assert repr(point) == f"{made.__name__}(x=2, y='a', z=())"
    assert pickle.loads(pickle.dumps(point)) == point
    assert isinstance(point, tuple) and point._asdict() == {"x": 2, "y": "a", "z": ()}


def test_a_field_without_a_default_after_one_with_is_refused():
    with pytest.raises(TypeError):

        class Bad(records.NamedTuple):
            a: int = 1
            b: int


def test_a_cached_eval_imports_no_typing():
    probe = (
        "import sys; from facepolicy import evalrun; "
        "evalrun.fast_main(['eval', 'fixtures/rules/megvii-fr-guideline.private-spaces/"
        "fail-hotel-room.json']); print(sorted(m for m in ('typing', 'dataclasses') "
        "if m in sys.modules), file=sys.stderr)"
    )
    from conftest import ROOT

    for _ in range(2):  # the first run fills the cache
        found = (
            subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
            .stderr.strip()
            .splitlines()[-1]
        )
    assert found == "[]"
