"""JMESPath expressions parsed once by jmespath, then compiled into Python closures that evaluate in
three-valued (Kleene) logic over what a deployment states.

On fully stated values every closure gives jmespath's own answer (its equality, ordering,
truthiness; tests/test_expressions.py holds every rule expression to `jmespath.search`). Where a
value is `Unknown` or a `Partial` list (see facts.py), each construct gives a definite answer only
when every completion of the unknowns would give it: `false && unknown` is false, `true || unknown`
is true, a comparison with an unknown is unknown, `length` of a list that may hold more is a range.
Closures cannot be pickled, so a cached rule set carries the parse tree and each process compiles an
expression on its first search.
"""

from __future__ import annotations

from facepolicy.facts import (
    NOTHING,
    Facts,
    Partial,
    Range,
    Unknown,
    facts_of,
    members,
    partial,
    unstated,
)
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Callable


if TYPE_CHECKING:
    Run = Callable[[Any, Any], Any]  # (value, functions) → result


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def _equals(x: Any, y: Any) -> bool:
    # jmespath's equality: 0 and 1 never equal false and true
    if (_is_number(x) and x in (0, 1) and type(y) is bool) or (
        _is_number(y) and y in (0, 1) and type(x) is bool
    ):
        return False
    return x == y


def _is_comparable(value: Any) -> bool:
    return _is_number(value) or type(value) is str


_VAGUE = (Unknown, Partial, Range, Facts)


def truth(value: Any) -> bool | None:
    """JMESPath truthiness in three values: None when the stated facts do not settle it."""
    kind = type(value)
    if kind is bool:
        return value
    if value is None:
        return False
    if kind is Unknown:
        return value.truth
    if kind is Partial:
        return True if any(m is None for m in value.maybe) else None
    if kind is Facts:
        return True if value else None  # an object stated empty may still have members unstated
    if kind is str or kind is list or kind is dict:
        return len(value) > 0
    return True  # numbers (0 included) and ranges of numbers


def undecided(*values: Any) -> Unknown:
    found: set[str] = set()
    for value in values:
        found.update(facts_of(value))
    return Unknown(frozenset(found))


_SCALARS = {str, int, float, bool, type(None)}


def equal(x: Any, y: Any) -> Any:
    """jmespath's `==` in three values: True, False or an Unknown."""
    if type(x) in _SCALARS and type(y) in _SCALARS:
        return _equals(x, y)
    if type(x) is Unknown or type(y) is Unknown:
        return undecided(x, y)
    if type(x) is Range or type(y) is Range:
        r, other = (x, y) if type(x) is Range else (y, x)
        if type(other) is Range:
            return undecided(x, y) if _overlap(r, other) else False
        if not _is_number(other):
            return False
        return undecided(r) if r.lo <= other and (r.hi is None or other <= r.hi) else False
    if isinstance(x, (list, Partial)) and isinstance(y, (list, Partial)):
        return _lists_equal(x, y)  # a list and anything else: unequal, as _equals says below
    if isinstance(x, dict) and isinstance(y, dict):
        return _objects_equal(x, y)
    return _equals(x, y)


def _overlap(a: Range, b: Range) -> bool:
    return (a.hi is None or b.lo <= a.hi) and (b.hi is None or a.lo <= b.hi)


def _lists_equal(x: Any, y: Any) -> Any:
    if type(x) is list and type(y) is list:
        if len(x) != len(y):
            return False
        pending = []
        for a, b in zip(x, y, strict=True):
            same = equal(a, b)
            if same is False:
                return False
            if same is not True:
                pending.append(same)
        return undecided(*pending) if pending else True
    bx = x.bounds() if type(x) is Partial else (len(x), len(x))
    by = y.bounds() if type(y) is Partial else (len(y), len(y))
    if (bx[1] is not None and bx[1] < by[0]) or (by[1] is not None and by[1] < bx[0]):
        return False
    return undecided(x, y)


def _objects_equal(x: dict, y: dict) -> Any:
    pending = []
    for key in set(x) | set(y):
        if key not in x or key not in y:
            lacking = x if key not in x else y
            if (
                type(lacking) is Facts
            ):  # a member the object does not state: it may be there, or not
                pending.append(unstated(f"{lacking.at}/{_escape(key)}"))
                continue
            return False  # a stated whole object without the member: they differ
        same = equal(x[key], y[key])
        if same is False:
            return False
        if same is not True:
            pending.append(same)
    return undecided(*pending) if pending else True


def _interval(value: Any) -> tuple[Any, Any] | None:
    if type(value) is Range:
        return value.lo, value.hi
    if _is_number(value):
        return value, value
    return None


def _greater(a: Any, b: Any, strict: bool) -> Any:
    """a > b (or a >= b) where either may be a range."""
    ia, ib = _interval(a), _interval(b)
    if ia is None or ib is None:
        return None  # ordering a range against a string: null, as for any number
    (alo, ahi), (blo, bhi) = ia, ib
    if bhi is not None and (alo > bhi if strict else alo >= bhi):
        return True
    if ahi is not None and (ahi <= blo if strict else ahi < blo):
        return False
    return undecided(a, b)


_ORDER = {
    "lt": lambda a, b: a < b,
    "gt": lambda a, b: a > b,
    "lte": lambda a, b: a <= b,
    "gte": lambda a, b: a >= b,
}


def _comparator(op: str, left: Run, right: Run) -> Run:
    if op == "eq":
        return lambda value, functions: equal(left(value, functions), right(value, functions))
    if op == "ne":
        return lambda value, functions: _negate(
            equal(left(value, functions), right(value, functions))
        )
    compare = _ORDER[op]

    def run(value, functions):
        a, b = left(value, functions), right(value, functions)
        if type(a) is Unknown or type(b) is Unknown:
            return undecided(a, b)
        if type(a) is Range or type(b) is Range:
            if op == "gt":
                return _greater(a, b, True)
            if op == "gte":  # strict=None would read as False: not mutated
                return _greater(a, b, False)  # pragma: no mutate
            if op == "lt":
                return _greater(b, a, True)
            return _greater(b, a, False)  # pragma: no mutate
        if not (_is_comparable(a) and _is_comparable(b)) or (type(a) is str) != (type(b) is str):
            # ordering is defined for two numbers (or two strings) only; the JMESPath spec says null
            return None
        return compare(a, b)

    return run


def _negate(result: Any) -> Any:
    if type(result) is bool:
        return not result
    return Unknown(result.facts)


def _chain(steps: list[Run]) -> Run:
    def run(value, functions):
        for step in steps:
            value = step(value, functions)
        return value

    return run


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _field(key: str) -> Run:
    member = "/" + _escape(key)

    def run(value, functions):
        kind = type(value)
        if kind is Facts:
            try:
                return value[key]
            except KeyError:
                return unstated(value.at + member)
        if kind is dict:
            return value.get(key)
        if kind is Unknown:
            return unstated(value.at + member) if value.at is not None else Unknown(value.facts)
        return None

    return run


def _union(a: frozenset[str] | None, b: frozenset[str]) -> frozenset[str]:
    return b if a is None else a | b


def _projection(base: Run, each: Run, condition: Run | None = None) -> Run:
    """A projection over a list, keeping the items `condition` holds for; items it may hold for are
    kept as possible members, and a list that may hold more keeps an unknown tail unless no item
    could pass."""

    def run(value, functions):
        items = base(value, functions)
        if type(items) is Unknown:
            return Unknown(items.facts)
        found = members(items)
        if found is None:
            return None
        entries, tail = found
        collected, maybe = [], []
        for item, membership in entries:
            if condition is not None:
                held = condition(item, functions)
                passes = truth(held)
                if passes is False:
                    continue
                if passes is None:
                    membership = _union(membership, facts_of(held))
            result = each(item, functions)
            if result is None:
                continue
            if type(result) is Unknown and result.truth is None and result.at is None:
                membership = _union(
                    membership, result.facts
                )  # a computed unknown might be null, and dropped
            collected.append(result)
            maybe.append(membership)
        if (
            tail is not None
            and condition is not None
            and truth(condition(Unknown(tail), functions)) is False
        ):
            tail = None  # no item whatever could pass the filter
        return partial(collected, maybe, tail)

    return run


def flatten(items: Any) -> Any:
    """`items[]` over a value: the items of its lists, the members it may hold beside them."""
    if type(items) is Unknown:
        return Unknown(items.facts)
    found = members(items)
    if found is None:
        return None
    entries, tail = found
    merged, maybe = [], []
    for item, membership in entries:
        kind = type(item)
        if kind is list:
            merged.extend(item)
            maybe.extend([membership] * len(item))
        elif kind is Partial:
            for inner, inner_membership in item.entries():
                merged.append(inner)
                maybe.append(
                    membership if inner_membership is None else _union(membership, inner_membership)
                )
            if item.tail is not None:
                tail = _union(tail, item.tail)
        elif kind is Unknown:
            # a list of unknown length, or one item: the flattened list may hold more
            tail = _union(tail, item.facts | (membership or NOTHING))
        else:
            merged.append(item)
            maybe.append(membership)
    return partial(merged, maybe, tail)


def _flatten(base: Run) -> Run:
    def run(value, functions):
        return flatten(base(value, functions))

    return run


def index(value: Any, position: int) -> Any:
    """`value[position]` in three values: an item of an open list only where every item up to it
    is certainly in the list."""
    if type(value) is list:
        try:
            return value[position]
        except IndexError:
            return None
    if type(value) is Partial:
        if (
            position >= 0
            and all(m is None for m in value.maybe[: position + 1])
            and position < len(value.items)
        ):
            return value.items[position]
        return undecided(value)
    if type(value) is Unknown:
        return Unknown(value.facts)
    return None


def slice_of(value: Any, part: slice) -> Any:
    """`value[a:b:c]` in three values."""
    if type(value) is list:
        return value[part]
    if type(value) in (Partial, Unknown):
        return undecided(value)
    return None


def _index(position: int) -> Run:
    return lambda value, functions: index(value, position)


def _slice(bounds: list[Any]) -> Run:
    part = slice(*bounds)
    return lambda value, functions: slice_of(value, part)


def _function(name: str, arguments: list[Run]) -> Run:
    return lambda value, functions: functions.call(
        name, [argument(value, functions) for argument in arguments]
    )


def _not(child: Run) -> Run:
    def run(value, functions):
        result = child(value, functions)
        held = truth(result)
        if held is None:
            return Unknown(facts_of(result))
        return not held  # !0 is false in JMESPath: 0 is not a false value

    return run


def _or(left: Run, right: Run) -> Run:
    def run(value, functions):
        first = left(value, functions)
        held = truth(first)
        if held is True:
            return first
        second = right(value, functions)
        if held is False:
            return second
        other = truth(second)
        if other is True:
            return Unknown(facts_of(first), truth=True)
        return Unknown(facts_of(first) | facts_of(second))

    return run


def _and(left: Run, right: Run) -> Run:
    def run(value, functions):
        first = left(value, functions)
        held = truth(first)
        if held is False:
            return first
        second = right(value, functions)
        if held is True:
            return second
        other = truth(second)
        if other is False:
            return Unknown(facts_of(first), truth=False)
        return Unknown(facts_of(first) | facts_of(second))

    return run


def _multi_list(children: list[Run]) -> Run:
    # An unstated member is never null (the deployment schema has no nulls), so a multi-select on it
    # is built.
    return lambda value, functions: (
        None if value is None else [child(value, functions) for child in children]
    )


def _multi_dict(pairs: list[tuple[str, Run]]) -> Run:
    return lambda value, functions: (
        None if value is None else {key: child(value, functions) for key, child in pairs}
    )


class Unsupported(ValueError):
    """A JMESPath construct facepolicy does not evaluate in three values."""


# Node kinds whose closure combines the closures of their children, and only those.
_OVER_CHILDREN: dict[str, Callable[[list[dict[str, Any]]], Run]] = {
    "projection": lambda children: _projection(build(children[0]), build(children[1])),
    "filter_projection": lambda children: _projection(
        build(children[0]), build(children[1]), condition=build(children[2])
    ),
    "flatten": lambda children: _flatten(build(children[0])),
    "not_expression": lambda children: _not(build(children[0])),
    "or_expression": lambda children: _or(build(children[0]), build(children[1])),
    "and_expression": lambda children: _and(build(children[0]), build(children[1])),
}


def build(node: dict[str, Any]) -> Run:
    """The closure for one node of jmespath's parse tree."""
    kind = node["type"]
    children = node["children"]  # jmespath gives every node its children, if only []
    if kind == "field":
        return _field(node["value"])
    if kind in ("subexpression", "index_expression", "pipe"):
        return _chain([build(child) for child in children])
    if kind == "comparator":
        return _comparator(node["value"], build(children[0]), build(children[1]))
    if kind in ("current", "identity"):
        return lambda value, functions: value
    if kind == "literal":
        constant = node["value"]
        return lambda value, functions: constant
    if kind == "function_expression":
        return _function(node["value"], [build(child) for child in children])
    if kind in _OVER_CHILDREN:
        return _OVER_CHILDREN[kind](children)
    if kind == "index":
        return _index(node["value"])
    if kind == "slice":
        return _slice(children)
    if kind == "key_val_pair":
        return build(children[0])
    if kind == "multi_select_list":
        return _multi_list([build(child) for child in children])
    if kind == "multi_select_dict":
        return _multi_dict([(child["value"], build(child)) for child in children])
    raise Unsupported(
        f"{kind.replace('_', ' ')} ('*' over an object's values, or '&' expression "
        "references) "
        "cannot be evaluated in three-valued logic"
    )


class Expression:
    """A JMESPath expression: its text, jmespath's parse tree, and (once searched) its closure."""

    __slots__ = ("expression", "parsed", "_run")

    def __init__(self, expression: str, parsed: dict[str, Any]):
        self.expression = expression
        self.parsed = parsed
        self._run: Run | None = None

    def search(self, value: Any, functions: Any = None) -> Any:
        if self._run is None:
            self._run = build(self.parsed)
        if functions is None:
            from facepolicy.functions import Functions

            functions = Functions()
        return self._run(value, functions)

    def __getstate__(self) -> tuple[str, dict[str, Any]]:
        return self.expression, self.parsed

    def __setstate__(self, state: tuple[str, dict[str, Any]]) -> None:
        self.expression, self.parsed = state
        self._run = None


def parse(text: str) -> Expression:
    import jmespath

    return Expression(text, jmespath.compile(text).parsed)
