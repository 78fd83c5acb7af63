"""Dates and durations as the rules' calendar functions read them (days_since, date_add,
shorter_than …): plain Python, so that the compiled rules compute them without importing jmespath,
and the same code answers for jmespath itself (reference.py)."""

from __future__ import annotations

import functools
import json
import math
import re

from facepolicy.errors import LazyPattern
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from typing import Any, Callable


def _datetime() -> Any:
    """The datetime module, imported by the first computation with dates: a run that never
    computes one (most one-file runs) does without it, about 1 ms."""
    import datetime

    return datetime


class DateError(ValueError):
    """A date or a duration a function cannot read, or a move a calendar cannot make."""


# Durations: {"value": number, "unit": …} as the deployment schema has them, or the same as text ('6
# months').
UNITS = ("hours", "days", "weeks", "months", "years")
_UNIT_NAMES = {**{unit: unit for unit in UNITS}, **{unit[:-1]: unit for unit in UNITS}}
_HOURS = {"hours": 1, "days": 24, "weeks": 168}  # the units of fixed length, in hours
_MONTHS = {"months": 1, "years": 12}  # the calendar units, in months
_TEXT = LazyPattern(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)\s*")


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


_ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # not the week dates and basic forms fromisoformat takes


def date(value) -> dt.date:
    """An ISO 8601 calendar date, YYYY-MM-DD (the only form the deployment schema lets through)."""
    if isinstance(value, str) and re.fullmatch(_ISO_DATE, value):
        try:
            return _datetime().date.fromisoformat(value)
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
    return _datetime().date(year, month + 1, min(start.day, _month_length(year, month + 1)))


def _month_length(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


class Day:
    """An evaluation date by its ISO text (YYYY-MM-DD), checked to be a real date as
    date.fromisoformat would: a run names its day without importing datetime, and the date itself
    (`date()`) is made when a calendar function or a waiver first needs it."""

    __slots__ = ("text", "_date")

    def __init__(self, text: str):
        if not _is_calendar_date(text):
            raise ValueError(f"not a date (YYYY-MM-DD): {text!r}")
        self.text = text
        self._date: dt.date | None = None

    def isoformat(self) -> str:
        return self.text

    def date(self) -> dt.date:
        if self._date is None:
            self._date = _datetime().date.fromisoformat(self.text)
        return self._date

    def __eq__(self, other: object) -> bool:
        return type(other) is Day and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"Day({self.text!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return Day, (self.text,)


def _is_calendar_date(text: object) -> bool:
    if not isinstance(text, str) or not re.fullmatch(_ISO_DATE, text):
        return False
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
    return year >= 1 and 1 <= month <= 12 and 1 <= day <= _month_length(year, month)


def current_day() -> Day:
    """Today, as date.today() gives it (the local date), without datetime."""
    import time

    return Day(time.strftime("%Y-%m-%d"))


def as_date(day: "Day | dt.date") -> dt.date:
    """The date itself, of a Day or of a date."""
    return day.date() if type(day) is Day else day  # type: ignore[return-value]


_CYCLE_MONTHS, _CYCLE_DAYS = 4800, 146097  # the Gregorian calendar repeats every 400 years


@functools.lru_cache(maxsize=1)
def _cycle() -> tuple[list[int], list[int]]:
    """The length of each month of one 400-year cycle, twice over (a run of months may wrap), and
    their running sums: days from the cycle's start to the first of each month."""
    lengths = [_month_length(2000 + i // 12, i % 12 + 1) for i in range(_CYCLE_MONTHS)] * 2
    starts = [0]
    for length in lengths:
        starts.append(starts[-1] + length)
    return lengths, starts


@functools.lru_cache(maxsize=256)
def month_span(months: int) -> tuple[int, int]:
    """The fewest and the most days that `months` calendar months last, over every day they can
    start on. Started on day d of month i, they end on day min(d, length of month i + months) of
    month i + months: the days between the two firsts, plus that end day, less d (days 1 to 28 all
    give the same span, so only the last days need trying)."""
    cycles, months = divmod(months, _CYCLE_MONTHS)
    lengths, starts = _cycle()
    spans = set()
    for i in range(_CYCLE_MONTHS):
        between, last = starts[i + months] - starts[i], lengths[i + months]
        for day in (1, 29, 30, 31):
            if day <= lengths[i]:
                spans.add(between + min(day, last) - day)
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
        return start + _datetime().timedelta(days=int(days))
    except OverflowError:
        raise DateError(f"{start.isoformat()} + {number:g} {unit} is past the year 9999") from None


def days_between(start, end) -> int:
    """Days from ISO date `start` to ISO date `end` (negative when end is earlier)."""
    return (date(end) - date(start)).days


def days_since(today: dt.date, when) -> int:
    """Days from ISO date `when` to `today` (negative when `when` is later)."""
    return (today - date(when)).days


def days_until(today: dt.date, when) -> int:
    """Days from `today` to ISO date `when` (negative when `when` is past)."""
    return (date(when) - today).days


def date_add(when, length) -> str:
    """ISO date `when` moved on by a duration: whole days (weeks of 7, hours in whole days), or
    whole months or years ending on the same day of the month, or its last day where there is
    none."""
    return moved(date(when), length).isoformat()


def min_days(length) -> float:
    """The fewest days a duration lasts, whatever day it starts on (6 months: 181)."""
    return day_bounds(length)[0]


def max_days(length) -> float:
    """The most days a duration lasts, whatever day it starts on (6 months: 184)."""
    return day_bounds(length)[1]


def shorter_than(left, right) -> bool:
    """Whether duration `left` ends before duration `right`, whatever day both start on."""
    return shorter(left, right)


def longer_than(left, right) -> bool:
    """Whether duration `left` ends after duration `right`, whatever day both start on."""
    return shorter(right, left)


_DATE, _DURATION = (str,), (dict, str)  # a date is a text; a duration an object or a text

# name → (function, whether it takes the evaluation date first, the Python types of its arguments
# as jmespath's signature admits them: "string", or "object"/"string")
CALENDAR: dict[str, tuple[Callable[..., Any], bool, tuple[tuple[type, ...], ...]]] = {
    "days_between": (days_between, False, (_DATE, _DATE)),
    "days_since": (days_since, True, (_DATE,)),
    "days_until": (days_until, True, (_DATE,)),
    "date_add": (date_add, False, (_DATE, _DURATION)),
    "min_days": (min_days, False, (_DURATION,)),
    "max_days": (max_days, False, (_DURATION,)),
    "shorter_than": (shorter_than, False, (_DURATION, _DURATION)),
    "longer_than": (longer_than, False, (_DURATION, _DURATION)),
}
