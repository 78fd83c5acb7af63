"""Dates and durations: the calendar (months counted as the Civil Code counts them), the functions
rules call, their answers in three values, their agreement with jmespath's reference, and dates the
schema refuses."""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import json

import jmespath
import pytest
from conftest import ROOT, deployment, run_line
from hypothesis import given, settings
from hypothesis import strategies as st

from facepolicy import durations, reference
from facepolicy.compiler import compile_expression
from facepolicy.errors import FacepolicyError
from facepolicy.facts import Range, Unknown, read
from facepolicy.functions import FunctionError, Functions
from facepolicy.reference import FacepolicyFunctions

TODAY = dt.date(2026, 1, 1)
UNITS = ["hours", "days", "weeks", "months", "years"]


def ours(expression: str, document=None, today: dt.date = TODAY):
    functions = Functions(today)
    facts = read(document if document is not None else {})
    functions.document = facts
    return compile_expression(expression, "test").search(facts, functions)


def theirs(expression: str, document=None, today: dt.date = TODAY):
    options = jmespath.Options(custom_functions=FacepolicyFunctions(today))
    return jmespath.search(expression, document if document is not None else {}, options=options)


# --- the calendar
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, length, end",
    [
        (
            "2026-01-31",
            "1 months",
            "2026-02-28",
        ),  # no 31 February: the month's last day (民法典 art. 202)
        ("2024-01-31", "1 month", "2024-02-29"),
        ("2024-02-29", "1 year", "2025-02-28"),
        ("2026-03-31", "1 months", "2026-04-30"),
        ("2026-01-15", "6 months", "2026-07-15"),
        ("2026-08-31", "6 months", "2027-02-28"),
        ("2026-12-31", "0.5 years", "2027-06-30"),
        (
            "2026-01-01",
            "30 days",
            "2026-01-31",
        ),  # the start day is not counted (民法典 art. 201): day 30 is 31 Jan
        ("2026-02-26", "1 weeks", "2026-03-05"),
        ("2026-01-01", "72 hours", "2026-01-04"),
        ("2026-01-01", "0 days", "2026-01-01"),
    ],
)
def test_date_add_ends_a_period_on_the_day_the_civil_code_says(start, length, end):
    assert (
        ours(f"date_add('{start}', '{length}')")
        == theirs(f"date_add('{start}', '{length}')")
        == end
    )
    value, unit = length.split()
    document = {
        "d": start,
        "p": {
            "value": float(value) if "." in value else int(value),
            "unit": unit.rstrip("s") + "s",
        },
    }
    assert ours("date_add(d, p)", document) == end


@pytest.mark.parametrize(
    "length, why",
    [("1.5 months", "whole months"), ("36 hours", "whole days"), ("0.5 days", "whole days")],
)
def test_date_add_refuses_a_move_the_calendar_cannot_make(length, why):
    with pytest.raises(FunctionError, match=why):
        ours(f"date_add('2026-01-01', '{length}')")
    with pytest.raises(jmespath.exceptions.JMESPathError, match=why):
        theirs(f"date_add('2026-01-01', '{length}')")


def test_date_add_past_the_year_9999_is_an_error_not_a_crash():
    with pytest.raises(FunctionError, match="9999"):
        ours("date_add('9999-12-01', '1 months')")
    with pytest.raises(FunctionError, match="9999"):
        ours("date_add('9999-12-31', '1 days')")


def _spans(months: int, years=range(1999, 2031)) -> set[int]:
    """Every length `months` calendar months have, started on every day of 32 years (the slow, plain
    way)."""
    day, last, found = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31), set()
    while day <= last:
        found.add((reference.add_months(day, months) - day).days)
        day += dt.timedelta(days=1)
    return found


@pytest.mark.parametrize("months", [1, 2, 5, 6, 11, 12, 13, 24])
def test_month_span_is_the_shortest_and_longest_run_of_calendar_months(months):
    spans = _spans(months)
    assert reference.month_span(months) == (min(spans), max(spans))


def _month_span_by_dates(months: int) -> tuple[int, int]:
    """month_span the slow way: every start day of the 400-year cycle that can differ, as dates."""
    cycles, months = divmod(months, 4800)
    spans = set()
    for year in range(2000, 2400):
        for month in range(1, 13):
            for day in (1, 29, 30, 31):
                if day <= calendar.monthrange(year, month)[1]:
                    start = dt.date(year, month, day)
                    spans.add((reference.add_months(start, months) - start).days)
    return cycles * 146097 + min(spans), cycles * 146097 + max(spans)


@pytest.mark.parametrize(
    "months", [0, 1, 2, 3, 6, 11, 12, 23, 47, 48, 49, 97, 1199, 1200, 4799, 4800, 4801, 9650]
)
def test_month_span_by_running_sums_is_month_span_by_dates(months):
    assert durations.month_span(months) == _month_span_by_dates(months)


def test_month_bounds_stated_for_the_documentation():
    assert reference.month_span(1) == (28, 31)
    assert reference.month_span(6) == (181, 184)
    assert reference.month_span(12) == (365, 366)
    assert reference.month_span(4806) == (
        146097 + 181,
        146097 + 184,
    )  # the calendar repeats every 400 years
    assert reference.day_bounds("0.5 years") == (181, 184)
    assert reference.day_bounds("1.5 months") == (28 + 0.5 * 28, 31 + 0.5 * 31)
    assert reference.day_bounds({"value": 36, "unit": "hours"}) == (1.5, 1.5)


DURATIONS = [
    f"{n} {unit}"
    for n, unit in itertools.product([0, 1, 2, 6, 7, 28, 29, 30, 31, 181, 184, 365], UNITS)
]


def _always_shorter(left: str, right: str) -> bool:
    """left < right from every start day of 32 years, counting each on the calendar (the slow, plain
    way)."""

    def length(text: str, start: dt.date) -> float:
        number, unit = reference.duration(text)
        if unit in ("months", "years"):
            return (
                reference.add_months(start, int(number * (12 if unit == "years" else 1))) - start
            ).days
        return number * {"hours": 1 / 24, "days": 1, "weeks": 7}[unit]

    starts = [dt.date(1999, 1, 1) + dt.timedelta(days=n) for n in range(0, 366 * 32, 1)]
    return all(length(left, s) < length(right, s) for s in starts)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(st.sampled_from(DURATIONS), st.sampled_from(DURATIONS))
def test_shorter_than_holds_exactly_when_it_holds_from_every_start_day(left, right):
    assert reference.shorter(left, right) == _always_shorter(left, right)


@pytest.mark.parametrize(
    "left, right, shorter, longer",
    [
        ("180 days", "6 months", True, False),
        ("181 days", "6 months", False, False),
        ("184 days", "6 months", False, False),
        ("185 days", "6 months", False, True),
        ("5.99 months", "6 months", True, False),
        ("0.5 years", "6 months", False, False),
        ("4343 hours", "6 months", True, False),
        ("25 weeks", "6 months", True, False),
        ("27 weeks", "6 months", False, True),
        ("1 months", "31 days", False, False),
        ("1 months", "32 days", True, False),
        ("1 months", "27 days", False, True),
    ],
)
def test_shorter_and_longer_than(left, right, shorter, longer):
    assert ours(f"shorter_than('{left}', '{right}')") is shorter
    assert ours(f"longer_than('{left}', '{right}')") is longer


# --- the day counts against --today
# ----------------------------------------------------------------------------


def test_days_since_and_until_count_from_the_evaluation_date():
    assert ours("days_since('2025-12-01')") == theirs("days_since('2025-12-01')") == 31
    assert ours("days_until('2025-12-01')") == -31
    assert ours("days_since('2026-01-01')") == 0
    assert ours("days_until('2027-01-01')", today=dt.date(2026, 1, 1)) == 365
    assert (
        ours("days_since('2024-03-01')", today=dt.date(2025, 3, 1)) == 365
    )  # 2024-02-29 lies before
    assert ours("days_between('2024-02-28', '2024-03-01')") == 2


@pytest.mark.parametrize("text", ["2026-02-30", "2026-1-01", "20260101", "2026-W01-1", "yesterday"])
def test_a_date_that_is_no_yyyy_mm_dd_date_is_a_function_error_naming_it(text):
    with pytest.raises(FunctionError, match=f'not a date \\(YYYY-MM-DD\\): "{text}"'):
        ours("days_since(d)", {"d": text})


@pytest.mark.parametrize(
    "length, message",
    [
        ("6 monhts", 'unknown unit "monhts" in duration "6 monhts" (did you mean "months"?)'),
        ("six months", "not a duration"),
        ("-1 days", "not a duration"),
    ],
)
def test_an_unreadable_duration_is_an_error_that_says_how_to_write_one(length, message):
    with pytest.raises(FunctionError) as caught:
        ours("min_days(p)", {"p": length})
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "value",
    [
        {"value": -1, "unit": "days"},
        {"value": 1, "unit": "fortnights"},
        {"value": "1", "unit": "days"},
        {"value": True, "unit": "days"},
        {"value": 1, "unit": "days", "extra": 1},
    ],
)
def test_a_malformed_duration_object_is_an_error(value):
    with pytest.raises(FunctionError, match="a duration is"):
        ours("min_days(p)", {"p": value})


# --- three values
# ---------------------------------------------------------------------------------------------


def test_an_unstated_date_or_duration_is_unknown_naming_its_pointer():
    for expression, pointer in (
        ("days_since(d)", "/d"),
        ("days_until(d)", "/d"),
        ("date_add(d, '1 days')", "/d"),
        ("min_days(p)", "/p"),
        ("max_days(p)", "/p"),
        ("shorter_than(p, '1 days')", "/p"),
        ("longer_than('1 days', p)", "/p"),
        ("date_add('2026-01-01', p)", "/p"),
    ):
        result = ours(expression, {})
        assert type(result) is Unknown and result.facts == {pointer}, expression


def test_a_duration_without_its_unit_is_a_range_over_the_units():
    result = ours("min_days(p)", {"p": {"value": 6}})
    assert (
        type(result) is Range
        and (result.lo, result.hi) == (0.25, 6 * 365)
        and result.facts == {"/p/unit"}
    )
    result = ours("max_days(p)", {"p": {"value": 6}})
    assert (result.lo, result.hi) == (0.25, 6 * 365 + 2)  # six years hold two leap days at most


def test_a_duration_without_its_value_is_at_least_nothing():
    result = ours("min_days(p)", {"p": {"unit": "months"}})
    assert (
        type(result) is Range
        and (result.lo, result.hi) == (0, None)
        and result.facts == {"/p/value"}
    )
    assert ours("min_days(p) >= `0`", {"p": {"unit": "months"}}) is True
    assert type(ours("min_days(p) >= `1`", {"p": {"unit": "months"}})) is Unknown


def test_a_comparison_every_unit_would_give_alike_is_decided_without_the_unit():
    assert ours("shorter_than(p, '1 hours')", {"p": {"value": 0}}) is True
    assert ours("longer_than(p, '6 months')", {"p": {"value": 100000}}) is True
    undecided = ours("shorter_than(p, '6 months')", {"p": {"value": 200}})
    assert type(undecided) is Unknown and undecided.facts == {"/p/unit"}


def test_an_error_for_one_reading_only_is_no_error_until_the_facts_say_so():
    result = ours(
        "date_add('2026-01-01', p)", {"p": {"value": 6}}
    )  # 6 hours cannot move a date; 6 days can
    assert type(result) is Unknown and result.facts == {"/p/unit"}
    with pytest.raises(FunctionError):
        ours(
            "date_add('2026-01-01', p)", {"p": {"value": 0.1}}
        )  # no unit moves a date by a tenth of it


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.sampled_from([0, 0.5, 1, 6, 25.857142857142858, 181, 4344]),
    st.sampled_from(UNITS),
    st.sampled_from(
        [
            "min_days(p)",
            "max_days(p)",
            "shorter_than(p, '6 months')",
            "longer_than('30 days', p)",
            "date_add('2026-01-31', p)",
            "!shorter_than(p, '6 months') || p == 'indefinite'",
        ]
    ),
    st.sampled_from(["value", "unit"]),
)
def test_removing_part_of_a_duration_never_changes_a_decided_answer(
    value, unit, expression, removed
):
    whole = {"value": value, "unit": unit}
    try:
        stated = ours(expression, {"p": whole})
    except FunctionError:
        stated = "error"
    part = {k: v for k, v in whole.items() if k != removed}
    try:
        partial = ours(expression, {"p": part})
    except FunctionError:
        assert stated == "error"  # an error with less stated is an error with everything stated
        return
    if type(partial) is Unknown:
        assert partial.facts == {f"/p/{removed}"}
    elif type(partial) is Range:
        assert partial.lo <= stated and (partial.hi is None or stated <= partial.hi)
    else:
        assert partial == stated


# --- agreement with jmespath's reference on stated values
# ------------------------------------------------------

DATES = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)).map(
    dt.date.isoformat
)
OBJECTS = st.builds(
    lambda v, u: {"value": v, "unit": u},
    st.sampled_from([0, 1, 2, 6, 7, 12, 30, 31, 181, 365, 0.5]),
    st.sampled_from(UNITS),
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    DATES,
    DATES,
    OBJECTS,
    OBJECTS,
    st.sampled_from(
        [
            "days_between(a, b)",
            "days_since(a)",
            "days_until(b)",
            "date_add(a, p)",
            "min_days(p)",
            "max_days(q)",
            "shorter_than(p, q)",
            "longer_than(p, q)",
            "days_since(date_add(a, p)) > `0`",
            "date_add(a, p) <= b",
        ]
    ),
)
def test_every_date_function_gives_jmespaths_answer_on_stated_values(a, b, p, q, expression):
    document = {"a": a, "b": b, "p": p, "q": q}

    def outcome(search):
        try:
            return "value", search()
        except Exception:  # noqa: BLE001 — both sides must fail alike
            return "error", None

    assert outcome(lambda: ours(expression, document)) == outcome(
        lambda: theirs(expression, document)
    )


# --- rules that use them
# --------------------------------------------------------------------------------------

# vendor-logs-six-months before it used shorter_than: the same verdicts, unit by unit
OLD_SIX_MONTHS = (
    "period == 'indefinite' || (period.unit == 'months' && period.value >= `6`) || (period.unit == "
    "'years' && "
    "period.value >= `0.5`) || (period.unit == 'days' && period.value >= `181`) || (period.unit == "
    "'weeks' && "
    "period.value >= `25.857142857142858`) || (period.unit == 'hours' && period.value >= `4344`)"
)


def test_the_six_months_rule_keeps_its_verdicts_on_every_unit():
    from facepolicy.ruleset import load_rule_set

    [assertion] = load_rule_set().rules["faceid-privacy-policy.vendor-logs-six-months"].assertions
    assert "shorter_than(period, '6 months')" in assertion.expect.expression
    values = [
        0,
        0.49,
        0.5,
        1,
        5,
        5.99,
        6,
        25,
        25.857,
        25.857142857142858,
        26,
        180,
        180.999,
        181,
        184,
        4343,
        4344,
        1e6,
    ]
    for value, unit in itertools.product(values, UNITS):
        document = {"period": {"value": value, "unit": unit}}
        assert ours(assertion.expect.expression, document) == ours(OLD_SIX_MONTHS, document), (
            value,
            unit,
        )
    assert ours(assertion.expect.expression, {"period": "indefinite"}) is True


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "days_sinse(reviewed_on)",
            'unknown function days_sinse() — 是否应为 / did you mean "days_since"?',
        ),
        ("days_since(reviewed_on, '2026-01-01')", "days_since() takes 1, not 2"),
        (
            "date_add(reviewed_on, '1 yaers')",
            'unknown unit "yaers" in duration "1 yaers" (did you mean "years"?)',
        ),
        ("days_between('2026-02-30', reviewed_on)", 'not a date (YYYY-MM-DD): "2026-02-30"'),
    ],
)
def test_a_rule_calling_a_function_wrongly_is_refused_when_it_compiles(text, message):
    with pytest.raises(FacepolicyError) as caught:
        compile_expression(text, "r.toml: assertions[0].expect")
    assert caught.value.where == "r.toml: assertions[0].expect" and message in caught.value.message


def test_a_deployment_with_an_impossible_date_is_refused_in_one_line(tmp_path):
    path = tmp_path / "d.json"
    site = {"id": "gate", "impact_assessment": {"done": True, "reviewed_on": "2026-02-30"}}
    path.write_text(json.dumps(deployment(sites=[site])), encoding="utf-8")
    result = run_line(["facepolicy", "eval", str(path)])
    assert result.code == 2
    [line] = [text for text in result.err.splitlines() if "reviewed_on" in text]
    assert (
        "/sites/0/impact_assessment/reviewed_on: 不是有效日期 / not a valid date (YYYY-MM-DD): "
        '"2026-02-30"' in line
    )


def test_the_documented_functions_are_the_ones_there_are():
    text = (ROOT / "policies" / "README.md").read_text(encoding="utf-8")
    for name in (
        "days_since",
        "days_until",
        "days_between",
        "date_add",
        "min_days",
        "max_days",
        "shorter_than",
        "longer_than",
        "today",
    ):
        assert f"`{name}(" in text, name


# --- computed without jmespath
# -------------------------------------------------------------------------------

CALENDAR_ARGUMENTS = [
    "2026-01-31",
    "2026-02-30",
    "2026-1-5",
    "yesterday",
    "6 months",
    "1 year",
    "0.5 years",
    "3 fortnights",
    "1.5 weeks",
    "72 hours",
    {"value": 6, "unit": "months"},
    {"value": -1, "unit": "days"},
    {"value": 1, "unit": "fortnights"},
    {"value": 1},
    {"value": 1e300, "unit": "years"},
    7,
    True,
    None,
    ["2026-01-01"],
]


@pytest.mark.parametrize("name", sorted(durations.CALENDAR))
def test_a_calendar_function_computed_without_jmespath_gives_jmespaths_answer_and_words(name):
    """Functions computes the calendar functions itself where jmespath's type checks would let the
    arguments through, and leaves the rest to jmespath: answers and error messages are the same."""
    kinds = durations.CALENDAR[name][2]
    arity = len(kinds)
    taken_here = admitted = 0
    for args in itertools.product(CALENDAR_ARGUMENTS, repeat=arity):
        functions = Functions(TODAY)
        reference_functions = FacepolicyFunctions(TODAY)

        def outcome(call):
            try:
                return "value", call()
            except (FunctionError, jmespath.exceptions.JMESPathError) as exc:
                return "error", str(exc)

        ours_ = outcome(lambda: functions.call(name, list(args)))
        theirs_ = outcome(lambda: reference_functions.call_function(name, list(args)))
        assert ours_ == theirs_, (name, args)
        taken_here += functions._reference is None  # jmespath never consulted
        admitted += all(type(a) in kind for a, kind in zip(args, kinds, strict=True))
    assert taken_here == admitted > 0


def test_month_lengths_are_the_gregorian_calendars():
    for year in range(1, 10000, 7):
        for month in range(1, 13):
            assert durations._month_length(year, month) == calendar.monthrange(year, month)[1]
    for year in (1600, 1700, 1900, 2000, 2024, 2100, 2400):
        assert durations._month_length(year, 2) == calendar.monthrange(year, 2)[1]


# The evaluation date of a run (durations.Day): its ISO text, a date only when one is computed with.

DAY_TEXTS = [
    *(f"{year:04d}-{month:02d}-{day:02d}" for year in (1, 1900, 2000, 2024, 2026, 9999)
      for month in range(0, 14) for day in (0, 1, 28, 29, 30, 31, 32)),
    "0000-01-01", "2026-W01-1", "20260101", "2026-1-01", "2026-01-01T00:00", " 2026-01-01", "",
    "２０２６-01-01",
]  # fmt: skip


@pytest.mark.parametrize("text", DAY_TEXTS)
def test_a_day_is_what_date_fromisoformat_reads_of_yyyy_mm_dd(text):
    try:
        expected = durations.date(text)
    except durations.DateError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError):
            durations.Day(text)
        return
    day = durations.Day(text)
    assert day.date() == expected and day.isoformat() == expected.isoformat() == text
    assert durations.as_date(day) == expected and durations.as_date(expected) is expected


def test_a_day_judges_as_its_date_does_and_travels_to_workers():
    import pickle

    day = durations.Day("2026-03-31")
    for expression in ("today()", "days_since('2025-12-31')", "days_until('2026-04-30')"):
        assert ours(expression, today=day) == ours(expression, today=day.date())
        assert ours(expression, today=day) == theirs(expression, today=day)
    assert pickle.loads(pickle.dumps(day)) == day and hash(day) == hash(durations.Day(day.text))
    assert durations.current_day().date() == dt.date.today()
    assert repr(day) == "Day('2026-03-31')" and day != day.date()
