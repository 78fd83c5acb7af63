"""JMESPath functions in three values (versions, dates, sets, root and jmespath's own).

`Functions.call` is what compiled expressions call. contains, length, difference and intersection
reason over partial lists; the duration functions over durations stated in part (a value without
its unit); every other function (join among them) gives jmespath's own answer
(facepolicy.reference) when its arguments are fully stated, and an unknown otherwise.
"""

from __future__ import annotations

from facepolicy import durations
from facepolicy.facts import (
    NOTHING,
    Facts,
    Partial,
    Range,
    Unknown,
    facts_of,
    is_known,
    length,
    members,
    partial,
)
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from typing import Any, Callable


class FunctionError(ValueError):
    """A function called with arguments of the wrong type (a broken rule, reported as `error`)."""


def _plain(value: Any) -> Any:
    """A fully stated value as jmespath's functions expect it (their type checks know plain dicts
    only)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _members(
    value: Any, name: str
) -> tuple[list[tuple[Any, frozenset[str] | None]], frozenset[str] | None]:
    found = members(value)
    if found is None:
        raise FunctionError(f"{name}() expects an array, got {_type_name(value)}")
    return found


def stated_strings(value: Any) -> tuple[list[Any], frozenset[str] | None] | None:
    """The items and unknown tail of a list of strings each certainly in it ("these, and maybe
    more" for an open list), or None for any other value: the case the fast paths of contains and
    the set operations answer with `in` alone."""
    kind = type(value)
    if kind is list:
        items, tail = value, None
    elif kind is Partial and value.maybe.count(None) == len(value.maybe):
        items, tail = value.items, value.tail
    else:
        return None
    for item in items:
        if type(item) is not str:
            return None
    return items, tail


def contains_string(subject: Any, search: str) -> Any:
    """contains(subject, search) for a name in a list of strings stated in full or in part: true,
    false, or unknown on the list's tail; None where the list is not such a list."""
    strings = stated_strings(subject)
    if strings is None:
        return None
    items, tail = strings
    if search in items:
        return True
    return False if tail is None else Unknown(tail)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float, Range)):  # a Range is the length of a list that may hold more
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if value is None:
        return "null"
    return "array"


_UNITS = durations.UNITS  # the deployment schema's


def _readings(value: Any) -> tuple[list[Any] | None, frozenset[str]]:
    """The durations a stated-in-part duration object may be (None: too many to try) and the facts
    that say which; a value not stated in part is its own one reading."""
    if type(value) is not Facts or ("value" in value and "unit" in value):
        return [value], NOTHING
    missing = frozenset(f"{value.at}/{key}" for key in ("value", "unit") if key not in value)
    if "value" not in value:
        return None, missing
    return [{"value": value["value"], "unit": unit} for unit in _UNITS], missing


class Functions:
    """The functions a compiled expression calls, for one evaluation date; `document` is set per
    deployment."""

    def __init__(self, today: "dt.date | durations.Day | None" = None):
        self.today = durations.Day("2026-01-01") if today is None else today
        self.document: Any = None
        # what compiled rules computed of the document alone (codegen._kept), by parse tree:
        # emptied whenever `document` changes (runtime.judge_rule)
        self.memo: dict[str, Any] = {}
        self._reference: Any = None  # jmespath's functions, built the first time a call needs them

    def call(self, name: str, args: list[Any]) -> Any:
        special = _THREE_VALUED.get(name)
        if special is not None:
            return special(self, *args) if len(args) == _ARITY[name] else self._fallback(name, args)
        return self._fallback(name, args)

    def _fallback(self, name: str, args: list[Any]) -> Any:
        if not all(is_known(arg) for arg in args):
            found: set[str] = set()
            for arg in args:
                found.update(facts_of(arg))
            return Unknown(frozenset(found))
        calendar = durations.CALENDAR.get(name)
        if (
            calendar is not None
        ):  # computed here, without jmespath, where its type checks would pass
            function, dated, kinds = calendar
            plain = [_plain(arg) for arg in args]
            if len(plain) == len(kinds) and all(
                type(arg) in kind for arg, kind in zip(plain, kinds, strict=True)
            ):
                try:
                    return (
                        function(durations.as_date(self.today), *plain)
                        if dated
                        else function(*plain)
                    )
                except durations.DateError as exc:
                    raise FunctionError(str(exc)) from None
        from jmespath import exceptions as jmespath_errors

        if self._reference is None:
            from facepolicy.reference import FacepolicyFunctions

            self._reference = FacepolicyFunctions(durations.as_date(self.today))
        try:
            return self._reference.call_function(name, [_plain(arg) for arg in args])
        except jmespath_errors.JMESPathError as exc:
            raise FunctionError(str(exc)) from None

    def root(self) -> Any:
        return self.document

    def contains(self, subject: Any, search: Any) -> Any:
        from facepolicy.expressions import equal, undecided

        if type(subject) is Unknown:
            return Unknown(subject.facts | facts_of(search))
        if type(subject) is str:
            if not is_known(search):
                return undecided(search)
            return isinstance(search, str) and search in subject
        # A shortcut for the common case, a stated list and a stated name: the loop below gives
        # the same answers, so a mutant that skips it cannot be told apart (hence not mutated).
        if type(search) is str:  # pragma: no mutate
            found = contains_string(subject, search)
            if found is not None:
                return found
        entries, tail = _members(subject, "contains")
        pending: set[str] = set(tail or ())
        search_known = is_known(search)
        for item, membership in entries:
            # jmespath's contains() uses Python's `in` (1 equals true there); keep its answer on
            # stated values
            same = (item == search) if search_known and is_known(item) else equal(item, search)
            if same is True:
                if membership is None:
                    return True
                pending.update(membership)
            elif same is not False:
                pending.update(same.facts)
        return Unknown(frozenset(pending)) if pending or tail is not None else False

    def length(self, subject: Any) -> Any:
        kind = type(subject)
        if kind is Partial:
            return length(subject)
        if kind is Unknown:
            return Unknown(subject.facts)
        if kind is Facts:
            return Unknown(
                frozenset((subject.at + "/*",))
            )  # the members an object may leave unstated
        if kind in (str, list, dict):
            return len(subject)
        raise FunctionError(
            f"length() expects a string, array or object, got {_type_name(subject)}"
        )

    def _set_operation(self, name: str, left: Any, right: Any, keep_when_in_right: bool) -> Any:
        if type(left) is Unknown:
            return Unknown(left.facts | facts_of(right))
        if type(right) is not Unknown and (
            type(left) is not Partial or left.maybe.count(None) == len(left.maybe)
        ):
            # the common case, strings each certainly in both lists, answered with `in` alone (the
            # loop below gives the same, so a mutant that skips it cannot be told apart); both are
            # lists then, so neither check below could have refused them
            strings = stated_strings(right)  # pragma: no mutate
            if strings is not None and stated_strings(left) is not None:  # pragma: no mutate
                return _strings_operation(left, strings, keep_when_in_right)
        entries, tail = _members(left, name)
        if type(right) is Unknown:
            if not entries and tail is None:
                return []
            maybe: list[frozenset[str] | None] = [(m or NOTHING) | right.facts for _, m in entries]
            return Partial([item for item, _ in entries], maybe, tail)
        _members(right, name)
        kept: list[Any] = []
        maybe = []
        for item, membership in entries:
            inside = self.contains(right, item)
            if inside is (not keep_when_in_right):
                continue
            if inside is not keep_when_in_right:
                membership = (membership or NOTHING) | inside.facts
            kept.append(item)
            maybe.append(membership)
        return partial(kept, maybe, tail)

    def difference(self, left: Any, right: Any) -> Any:
        """Items of `left` not in `right`, in `left`'s order."""
        return self._set_operation("difference", left, right, keep_when_in_right=False)

    def intersection(self, left: Any, right: Any) -> Any:
        """Items of `left` also in `right`, in `left`'s order."""
        return self._set_operation("intersection", left, right, keep_when_in_right=True)

    def _durations(self, name: str, args: list[Any], unbounded: Any) -> Any:
        """A duration function where a duration is stated in part: its answer when every reading
        gives the same, else unknown (`unbounded`, given the facts, for a value not stated: what is
        known of the answer then)."""
        if not any(type(arg) is Facts for arg in args):
            return self._fallback(name, args)
        readings: list[Any] = []
        facts: set[str] = set()
        open_ended = False
        for arg in args:
            found, missing = _readings(arg)
            facts.update(missing | facts_of(arg))
            open_ended = (
                open_ended or found is None or (type(arg) is not Facts and not is_known(arg))
            )
            readings.append(found)
        if not facts:  # every duration object stated whole
            return self._fallback(name, args)
        if open_ended:
            return unbounded(frozenset(facts))
        answers, refused = set(), []
        for combination in _product(readings):
            try:
                answers.add(self._fallback(name, list(combination)))
            except (
                FunctionError
            ) as exc:  # an error for one reading is no error until the facts say it is that one
                refused.append(exc)
        if not answers:
            raise refused[0]
        if len(answers) == 1 and not refused:
            return answers.pop()
        if not refused and all(type(answer) in (int, float) for answer in answers):
            return Range(min(answers), max(answers), frozenset(facts))
        return Unknown(frozenset(facts))

    def min_days(self, length: Any) -> Any:
        """The fewest days a duration lasts; a value not stated lasts 0 days or more."""
        return self._durations("min_days", [length], lambda facts: Range(0, None, facts))

    def max_days(self, length: Any) -> Any:
        return self._durations("max_days", [length], lambda facts: Range(0, None, facts))

    def shorter_than(self, left: Any, right: Any) -> Any:
        return self._durations("shorter_than", [left, right], Unknown)

    def longer_than(self, left: Any, right: Any) -> Any:
        return self._durations("longer_than", [left, right], Unknown)

    def date_add(self, when: Any, length: Any) -> Any:
        return self._durations("date_add", [when, length], Unknown)


def _strings_operation(
    left: Any, right: tuple[list[Any], frozenset[str] | None], keep_when_in_right: bool
) -> Any:
    """difference or intersection of lists of strings each certainly in its list; an item that is
    not in `right`'s stated items is in it or not as `right`'s unknown tail says."""
    items, right_tail = right
    left_items, left_tail = (left, None) if type(left) is list else (left.items, left.tail)
    if right_tail is None:
        kept: list[Any] = [item for item in left_items if (item in items) is keep_when_in_right]
        return kept if left_tail is None else Partial(kept, [None] * len(kept), left_tail)
    kept = []
    maybe: list[frozenset[str] | None] = []
    for item in left_items:
        if item in items:
            if keep_when_in_right:
                kept.append(item)
                maybe.append(None)
        else:
            kept.append(item)
            maybe.append(right_tail)
    return partial(kept, maybe, left_tail)


def _product(readings: list[list[Any]]) -> list[tuple[Any, ...]]:
    import itertools

    return list(itertools.product(*readings))


_THREE_VALUED: dict[str, Callable[..., Any]] = {
    "root": Functions.root,
    "contains": Functions.contains,
    "length": Functions.length,
    "difference": Functions.difference,
    "intersection": Functions.intersection,
    "min_days": Functions.min_days,
    "max_days": Functions.max_days,
    "shorter_than": Functions.shorter_than,
    "longer_than": Functions.longer_than,
    "date_add": Functions.date_add,
}
_ARITY = {
    "root": 0,
    "contains": 2,
    "length": 1,
    "difference": 2,
    "intersection": 2,
    "min_days": 1,
    "max_days": 1,
    "shorter_than": 2,
    "longer_than": 2,
    "date_add": 2,
}
