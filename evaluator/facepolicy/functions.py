"""JMESPath functions in three values (versions, dates, sets, root and jmespath's own).

`Functions.call` is what compiled expressions call. contains, length, difference and intersection
reason over partial lists; every other function (join among them) gives jmespath's own answer
(facepolicy.reference) when its arguments are fully stated, and an unknown otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from facepolicy.facts import (NOTHING, Facts, Partial, Range, Unknown, facts_of, is_known, length, members,
                              partial)


class FunctionError(ValueError):
    """A function called with arguments of the wrong type (a broken rule, reported as `error`)."""


def _plain(value: Any) -> Any:
    """A fully stated value as jmespath's functions expect it (their type checks know plain dicts only)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _members(value: Any, name: str) -> tuple[list[tuple[Any, frozenset[str] | None]], frozenset[str] | None]:
    found = members(value)
    if found is None:
        raise FunctionError(f"{name}() expects an array, got {_type_name(value)}")
    return found


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


class Functions:
    """The functions a compiled expression calls, for one evaluation date; `document` is set per deployment."""

    def __init__(self, today: dt.date = dt.date(2026, 1, 1)):
        self.today = today
        self.document: Any = None
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
        from jmespath import exceptions as jmespath_errors

        if self._reference is None:
            from facepolicy.reference import FacepolicyFunctions

            self._reference = FacepolicyFunctions(self.today)
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
        # A shortcut for the common case, a stated list and a stated name: the loop below gives the same
        # answers, so a mutant that skips it cannot be told apart (hence not mutated).
        if type(subject) is list and type(search) is str:  # pragma: no mutate
            if search in subject:
                return True
            if all(type(item) is str for item in subject):  # pragma: no mutate
                return False
        entries, tail = _members(subject, "contains")
        pending: set[str] = set(tail or ())
        search_known = is_known(search)
        for item, membership in entries:
            # jmespath's contains() uses Python's `in` (1 equals true there); keep its answer on stated values
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
            return Unknown(frozenset((subject.at + "/*",)))  # the members an object may leave unstated
        if kind in (str, list, dict):
            return len(subject)
        raise FunctionError(f"length() expects a string, array or object, got {_type_name(subject)}")

    def _set_operation(self, name: str, left: Any, right: Any, keep_when_in_right: bool) -> Any:
        if type(left) is Unknown:
            return Unknown(left.facts | facts_of(right))
        entries, tail = _members(left, name)
        if type(right) is Unknown:
            if not entries and tail is None:
                return []
            return Partial([item for item, _ in entries], [(m or NOTHING) | right.facts for _, m in entries], tail)
        _members(right, name)
        kept, maybe = [], []
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


_THREE_VALUED = {
    "root": Functions.root,
    "contains": Functions.contains,
    "length": Functions.length,
    "difference": Functions.difference,
    "intersection": Functions.intersection,
}
_ARITY = {"root": 0, "contains": 2, "length": 1, "difference": 2, "intersection": 2}
