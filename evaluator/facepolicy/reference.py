"""The reference: facepolicy's custom functions for jmespath itself, which compiled expressions are tested
against and fall back on for functions they do not reason about in three values. Imported only then:
jmespath costs a one-file run a few milliseconds."""

from __future__ import annotations

import datetime as dt

from jmespath import functions


def _version_key(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in str(text).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


_ALLOWED_TYPES: dict[tuple[str, ...], tuple[list, list]] = {}


class FacepolicyFunctions(functions.Functions):
    """version_compare, today, days_between, difference, intersection, root, for jmespath. `today` is fixed."""

    def __init__(self, today: dt.date = dt.date(2026, 1, 1)):
        super().__init__()
        self._today = today
        self.document = None  # the deployment being evaluated

    def _get_allowed_pytypes(self, types):
        # jmespath rebuilds these lists on every function call; they depend only on the signature.
        key = tuple(types)
        if key not in _ALLOWED_TYPES:
            _ALLOWED_TYPES[key] = super()._get_allowed_pytypes(types)
        return _ALLOWED_TYPES[key]

    @functions.signature()
    def _func_root(self):
        """The whole deployment, so that an assertion over list items can read facts outside the item."""
        return self.document

    @functions.signature({"types": ["string", "number"]}, {"types": ["string", "number"]})
    def _func_version_compare(self, left, right):
        """-1, 0 or 1 as dotted version `left` is below, equal to or above `right` ('9' < '10', '10.0' == '10')."""
        a, b = _version_key(left), _version_key(right)
        return (a > b) - (a < b)

    @functions.signature()
    def _func_today(self):
        """The evaluation date (--today / FACEPOLICY_TODAY), as YYYY-MM-DD."""
        return self._today.isoformat()

    @functions.signature({"types": ["string"]}, {"types": ["string"]})
    def _func_days_between(self, start, end):
        """Days from ISO date `start` to ISO date `end` (negative when end is earlier)."""
        return (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days

    @functions.signature({"types": ["array"]}, {"types": ["array"]})
    def _func_difference(self, left, right):
        """Items of `left` that are not in `right`, in `left`'s order."""
        return [item for item in left if item not in right]

    @functions.signature({"types": ["array"]}, {"types": ["array"]})
    def _func_intersection(self, left, right):
        """Items of `left` that are also in `right`, in `left`'s order."""
        return [item for item in left if item in right]


NAMES = sorted(name[len("_func_"):] for name in vars(FacepolicyFunctions) if name.startswith("_func_"))
