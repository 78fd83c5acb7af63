"""The reference: facepolicy's custom functions for jmespath itself, which compiled expressions are
tested against and fall back on for functions they do not reason about in three values. Imported
only then: jmespath costs a one-file run a few milliseconds."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import json
import math
import re

from jmespath import exceptions, functions


def _version_key(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in str(text).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


_ALLOWED_TYPES: dict[tuple[str, ...], tuple[list, list]] = {}


class DateError(exceptions.JMESPathError):
    """A date or a duration a function cannot read, or a move a calendar cannot make."""


# Durations: {"value": number, "unit": …} as the deployment schema has them, or the same as text ('6
# months').
UNITS = ("hours", "days", "weeks", "months", "years")
_UNIT_NAMES = {**{unit: unit for unit in UNITS}, **{unit[:-1]: unit for unit in UNITS}}
_HOURS = {"hours": 1, "days": 24, "weeks": 168}  # the units of fixed length, in hours
_MONTHS = {"months": 1, "years": 12}  # the calendar units, in months
_TEXT = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)\s*")


def _suggestion(name: str, choices: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean {_shown(close[0])}?)" if close else ""


def _shown(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def duration(value) -> tuple[float, str]:
    """(number, unit) of a duration: an object {value, unit} or a text such as '6 months' or '1
    year'."""
    if isinstance(value, str):
        match = _TEXT.fullmatch(value)
        if match is None:
            raise DateError(
                f"not a duration: {_shown(value)}; write a number and a unit, as '30 "
                "days' or '6 months'"
            )
        number, unit = float(match.group(1)), match.group(2)
        if unit not in _UNIT_NAMES:
            raise DateError(
                f"unknown unit {_shown(unit)} in duration "
                f"{_shown(value)}{_suggestion(unit, tuple(_UNIT_NAMES))}; "
                f"units: {', '.join(UNITS)}"
            )
        return number, _UNIT_NAMES[unit]
    if isinstance(value, dict) and set(value) == {"value", "unit"}:
        number, unit = value["value"], value["unit"]
        if type(number) in (int, float) and number >= 0 and unit in UNITS:
            return float(number), unit
    raise DateError(
        'a duration is {"value": number ≥ 0, "unit": ' + "|".join(UNITS) + "} or a text as '30 "
        "days'"
    )


def date(value) -> dt.date:
    """An ISO 8601 calendar date, YYYY-MM-DD (the only form the deployment schema lets through)."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise DateError(f"not a date (YYYY-MM-DD): {_shown(value)}")


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day where it has no such day (2026-01-31 + 1
    month is 2026-02-28): how the Civil Code (民法典, art. 202) ends a period counted in months or
    years."""
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    if not 1 <= year <= 9999:
        raise DateError(f"{start.isoformat()} + {months} months is outside the years 1–9999")
    return dt.date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


_CYCLE_MONTHS, _CYCLE_DAYS = 4800, 146097  # the Gregorian calendar repeats every 400 years


@functools.lru_cache(maxsize=256)
def month_span(months: int) -> tuple[int, int]:
    """The fewest and the most days that `months` calendar months last, over every day they can
    start on (in a month, days 1 to 28 all give the same span, so only the last days need
    trying)."""
    cycles, months = divmod(months, _CYCLE_MONTHS)
    spans = set()
    for year in range(2000, 2400):
        for month in range(1, 13):
            for day in (1, 29, 30, 31):
                if day <= calendar.monthrange(year, month)[1]:
                    start = dt.date(year, month, day)
                    spans.add((add_months(start, months) - start).days)
    return cycles * _CYCLE_DAYS + min(spans), cycles * _CYCLE_DAYS + max(spans)


def day_bounds(value) -> tuple[float, float]:
    """The fewest and the most days a duration lasts, whatever day it starts on. Hours, days and
    weeks have one length (24 hours a day); n months last as few days as the shortest n consecutive
    calendar months and as many as the longest (1 month: 28–31, 6 months: 181–184, 12 months:
    365–366), a fraction of a month 28–31 days times the fraction; a year is 12 months."""
    number, unit = duration(value)
    if unit in _HOURS:
        days = number * _HOURS[unit] / 24
        return days, days
    months = number * _MONTHS[unit]
    if not math.isfinite(months):
        raise DateError(f"{number:g} {unit} is too long to count")
    whole = math.floor(months)
    fewest, most = month_span(whole)
    return fewest + (months - whole) * 28, most + (months - whole) * 31


def shorter(left, right) -> bool:
    """Whether duration `left` ends before duration `right` whatever day both start on: exact
    between units of one kind (hours, days, weeks; or months, years), else decided by their bounds
    in days."""
    (a, unit_a), (b, unit_b) = duration(left), duration(right)
    if unit_a in _HOURS and unit_b in _HOURS:
        return a * _HOURS[unit_a] < b * _HOURS[unit_b]
    if unit_a in _MONTHS and unit_b in _MONTHS:
        return a * _MONTHS[unit_a] < b * _MONTHS[unit_b]
    return day_bounds(left)[1] < day_bounds(right)[0]


def moved(start: dt.date, value) -> dt.date:
    """`start` moved on by a duration of whole days (or hours in whole days), or of whole months or
    years."""
    number, unit = duration(value)
    try:
        if unit in _MONTHS:
            months = number * _MONTHS[unit]
            if months != int(months):
                raise DateError(f"a date moves by whole months: {number:g} {unit} is not")
            return add_months(start, int(months))
        days = number * _HOURS[unit] / 24
        if days != int(days):
            raise DateError(f"a date moves by whole days: {number:g} {unit} is not")
        return start + dt.timedelta(days=int(days))
    except OverflowError:
        raise DateError(f"{start.isoformat()} + {number:g} {unit} is past the year 9999") from None


class FacepolicyFunctions(functions.Functions):
    """facepolicy's functions (versions, dates and durations, sets, root) for jmespath. `today` is
    fixed."""

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
        return (date(end) - date(start)).days

    @functions.signature({"types": ["string"]})
    def _func_days_since(self, when):
        """Days from ISO date `when` to the evaluation date (negative when `when` is later)."""
        return (self._today - date(when)).days

    @functions.signature({"types": ["string"]})
    def _func_days_until(self, when):
        """Days from the evaluation date to ISO date `when` (negative when `when` is past)."""
        return (date(when) - self._today).days

    @functions.signature({"types": ["string"]}, {"types": ["object", "string"]})
    def _func_date_add(self, when, length):
        """ISO date `when` moved on by a duration: whole days (weeks of 7, hours in whole days), or
        whole months or years ending on the same day of the month, or its last day where there is
        none."""
        return moved(date(when), length).isoformat()

    @functions.signature({"types": ["object", "string"]})
    def _func_min_days(self, length):
        """The fewest days a duration lasts, whatever day it starts on (6 months: 181)."""
        return day_bounds(length)[0]

    @functions.signature({"types": ["object", "string"]})
    def _func_max_days(self, length):
        """The most days a duration lasts, whatever day it starts on (6 months: 184)."""
        return day_bounds(length)[1]

    @functions.signature({"types": ["object", "string"]}, {"types": ["object", "string"]})
    def _func_shorter_than(self, left, right):
        """Whether duration `left` ends before duration `right`, whatever day both start on."""
        return shorter(left, right)

    @functions.signature({"types": ["object", "string"]}, {"types": ["object", "string"]})
    def _func_longer_than(self, left, right):
        """Whether duration `left` ends after duration `right`, whatever day both start on."""
        return shorter(right, left)

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
