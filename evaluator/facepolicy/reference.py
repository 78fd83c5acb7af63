"""The reference: facepolicy's custom functions for jmespath itself, which compiled expressions are
tested against and fall back on for functions they do not reason about in three values. Imported
only then: jmespath costs a one-file run a few milliseconds."""

from __future__ import annotations

import datetime as dt

from jmespath import exceptions, functions

from facepolicy import durations
from facepolicy.durations import (  # noqa: F401 — also read from here by tests
    UNITS,
    add_months,
    date,
    day_bounds,
    duration,
    month_span,
    moved,
    shorter,
)


def _version_key(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in str(text).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


_ALLOWED_TYPES: dict[tuple[str, ...], tuple[list, list]] = {}


class DateError(exceptions.JMESPathError):
    """A date or a duration a function cannot read, or a move a calendar cannot make (jmespath's
    kind of error: durations.DateError as the reference raises it)."""


class FacepolicyFunctions(functions.Functions):
    """facepolicy's functions (versions, dates and durations, sets, root) for jmespath. `today` is
    fixed."""

    def __init__(self, today: "dt.date | durations.Day" = dt.date(2026, 1, 1)):
        super().__init__()
        self._today = durations.as_date(today)
        self.document = None  # the deployment being evaluated

    def call_function(self, function_name, resolved_args):
        try:
            return super().call_function(function_name, resolved_args)
        except durations.DateError as exc:
            raise DateError(str(exc)) from None

    def _get_allowed_pytypes(self, types):
        # jmespath rebuilds these lists on every function call; they depend only on the signature.
        key = tuple(types)
        if key not in _ALLOWED_TYPES:
            _ALLOWED_TYPES[key] = super()._get_allowed_pytypes(types)
        return _ALLOWED_TYPES[key]

    @functions.signature()
    def _func_root(self):
        """The whole deployment, so that an assertion over list items can read facts outside the
        item."""
        return self.document

    @functions.signature({"types": ["string", "number"]}, {"types": ["string", "number"]})
    def _func_version_compare(self, left, right):
        """-1, 0 or 1 as dotted version `left` is below, equal to or above `right` ('9' < '10',
        '10.0' == '10')."""
        a, b = _version_key(left), _version_key(right)
        return (a > b) - (a < b)

    @functions.signature()
    def _func_today(self):
        """The evaluation date (--today / FACEPOLICY_TODAY), as YYYY-MM-DD."""
        return self._today.isoformat()

    @functions.signature({"types": ["string"]}, {"types": ["string"]})
    def _func_days_between(self, start, end):
        """Days from ISO date `start` to ISO date `end` (negative when end is earlier)."""
        return durations.days_between(start, end)

    @functions.signature({"types": ["string"]})
    def _func_days_since(self, when):
        """Days from ISO date `when` to the evaluation date (negative when `when` is later)."""
        return durations.days_since(self._today, when)

    @functions.signature({"types": ["string"]})
    def _func_days_until(self, when):
        """Days from the evaluation date to ISO date `when` (negative when `when` is past)."""
        return durations.days_until(self._today, when)

    @functions.signature({"types": ["string"]}, {"types": ["object", "string"]})
    def _func_date_add(self, when, length):
        """ISO date `when` moved on by a duration: whole days (weeks of 7, hours in whole days), or
        whole months or years ending on the same day of the month, or its last day where there is
        none."""
        return durations.date_add(when, length)

    @functions.signature({"types": ["object", "string"]})
    def _func_min_days(self, length):
        """The fewest days a duration lasts, whatever day it starts on (6 months: 181)."""
        return durations.min_days(length)

    @functions.signature({"types": ["object", "string"]})
    def _func_max_days(self, length):
        """The most days a duration lasts, whatever day it starts on (6 months: 184)."""
        return durations.max_days(length)

    @functions.signature({"types": ["object", "string"]}, {"types": ["object", "string"]})
    def _func_shorter_than(self, left, right):
        """Whether duration `left` ends before duration `right`, whatever day both start on."""
        return durations.shorter_than(left, right)

    @functions.signature({"types": ["object", "string"]}, {"types": ["object", "string"]})
    def _func_longer_than(self, left, right):
        """Whether duration `left` ends after duration `right`, whatever day both start on."""
        return durations.longer_than(left, right)

    @functions.signature({"types": ["array"]}, {"types": ["array"]})
    def _func_difference(self, left, right):
        """Items of `left` that are not in `right`, in `left`'s order."""
        return [item for item in left if item not in right]

    @functions.signature({"types": ["array"]}, {"types": ["array"]})
    def _func_intersection(self, left, right):
        """Items of `left` that are also in `right`, in `left`'s order."""
        return [item for item in left if item in right]


NAMES = sorted(
    name[len("_func_") :] for name in vars(FacepolicyFunctions) if name.startswith("_func_")
)
