"""Custom JMESPath functions."""

from __future__ import annotations

import datetime as dt

import jmespath
import pytest

from facepolicy.reference import FacepolicyFunctions

OPTIONS = jmespath.Options(custom_functions=FacepolicyFunctions(dt.date(2026, 3, 1)))


def search(expression, data=None):
    return jmespath.search(expression, data or {}, options=OPTIONS)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("9", "10", -1),
        ("10", "10.0", 0),
        ("10.1", "10", 1),
        ("4.4.2", "10", -1),
        ("12", "9.9.9", 1),
    ],
)
def test_version_compare_orders_dotted_versions_numerically(a, b, expected):
    assert search(f"version_compare('{a}', '{b}')") == expected


def test_today_is_the_evaluation_date_not_the_clock():
    assert search("today()") == "2026-03-01"


def test_days_between_counts_calendar_days():
    assert search("days_between('2026-01-01', today())") == 59
    assert search("days_between(today(), '2026-02-28')") == -1


def test_difference_and_intersection_keep_the_left_order():
    data = {"have": ["c", "a"], "need": ["a", "b", "c"]}
    assert search("difference(need, have)", data) == ["b"]
    assert search("intersection(need, have)", data) == ["a", "c"]


def test_wrong_argument_types_are_refused():
    with pytest.raises(jmespath.exceptions.JMESPathTypeError):
        search("difference('a', `[]`)")
