"""JMESPath expressions parsed once by jmespath, then compiled into Python closures.

jmespath's TreeInterpreter dispatches on the node type for every node of every search; with a hundred
rules checking every site, SDK and consent of a deployment that is most of an evaluation. Each node here
becomes a closure once, with jmespath's own semantics (its equality, ordering, truthiness and function
type checks, which are called, not copied). tests/test_expressions.py holds every rule expression to
jmespath's answer on every fixture. Closures cannot be pickled, so a cached rule set carries the parsed
tree and each process compiles an expression the first time it searches with it.
"""

from __future__ import annotations

from typing import Any, Callable

import jmespath
from jmespath.visitor import Options, TreeInterpreter, _Expression

Run = Callable[[Any, Any], Any]  # (value, functions) → result


# jmespath's rules for equality and ordering, for the values JSON and JMESPath literals hold (numbers are
# int or float): 0 and 1 never equal false and true; only numbers and strings are ordered.
def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def _equals(x: Any, y: Any) -> bool:
    if (_is_number(x) and x in (0, 1) and type(y) is bool) or (_is_number(y) and y in (0, 1) and type(x) is bool):
        return False
    return x == y


def _is_comparable(value: Any) -> bool:
    return _is_number(value) or type(value) is str


def _is_false(value: Any) -> bool:
    return value == "" or value == [] or value == {} or value is None or value is False


def _chain(steps: list[Run]) -> Run:
    def run(value, functions):
        for step in steps:
            value = step(value, functions)
        return value

    return run


def _field(key: str) -> Run:
    def run(value, functions):
        try:
            return value.get(key)
        except AttributeError:
            return None

    return run


def _comparator(op: str, left: Run, right: Run) -> Run:
    if op == "eq":
        return lambda value, functions: _equals(left(value, functions), right(value, functions))
    if op == "ne":
        return lambda value, functions: not _equals(left(value, functions), right(value, functions))
    compare = {"lt": lambda a, b: a < b, "gt": lambda a, b: a > b, "lte": lambda a, b: a <= b, "gte": lambda a, b: a >= b}[op]

    def run(value, functions):
        a, b = left(value, functions), right(value, functions)
        if not (_is_comparable(a) and _is_comparable(b)):
            return None  # ordering is defined for numbers (and strings) only
        return compare(a, b)

    return run


def _projection(base: Run, each: Run, values: bool = False, condition: Run | None = None) -> Run:
    """A projection over a list (or over an object's values), keeping the items `condition` holds for."""

    def run(value, functions):
        items = base(value, functions)
        if values:
            try:
                items = items.values()
            except AttributeError:
                return None
        elif not isinstance(items, list):
            return None
        collected = []
        for item in items:
            if condition is not None and _is_false(condition(item, functions)):
                continue
            result = each(item, functions)
            if result is not None:
                collected.append(result)
        return collected

    return run


def _flatten(base: Run) -> Run:
    def run(value, functions):
        items = base(value, functions)
        if not isinstance(items, list):
            return None
        merged = []
        for item in items:
            if isinstance(item, list):
                merged.extend(item)
            else:
                merged.append(item)
        return merged

    return run


def _index(position: int) -> Run:
    def run(value, functions):
        if not isinstance(value, list):
            return None
        try:
            return value[position]
        except IndexError:
            return None

    return run


def _slice(bounds: list[Any]) -> Run:
    part = slice(*bounds)
    return lambda value, functions: value[part] if isinstance(value, list) else None


def _function(name: str, arguments: list[Run]) -> Run:
    return lambda value, functions: functions.call_function(name, [argument(value, functions) for argument in arguments])


def _expref(node: dict[str, Any]) -> Run:
    # An expression passed to sort_by, max_by …: those functions walk it with jmespath's own interpreter.
    return lambda value, functions: _Expression(node, TreeInterpreter(Options(custom_functions=functions)))


def _not(child: Run) -> Run:
    def run(value, functions):
        result = child(value, functions)
        if _is_number(result) and result == 0:
            return False  # !0 is false in JMESPath: 0 is not a false value
        return not result

    return run


def _or(left: Run, right: Run) -> Run:
    def run(value, functions):
        result = left(value, functions)
        return right(value, functions) if _is_false(result) else result

    return run


def _and(left: Run, right: Run) -> Run:
    def run(value, functions):
        result = left(value, functions)
        return result if _is_false(result) else right(value, functions)

    return run


def _multi_list(children: list[Run]) -> Run:
    return lambda value, functions: None if value is None else [child(value, functions) for child in children]


def _multi_dict(pairs: list[tuple[str, Run]]) -> Run:
    return lambda value, functions: None if value is None else {key: child(value, functions) for key, child in pairs}


def build(node: dict[str, Any]) -> Run:
    """The closure for one node of jmespath's parse tree."""
    kind = node["type"]
    children = node.get("children", [])
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
    if kind == "expref":
        return _expref(children[0])
    if kind == "projection":
        return _projection(build(children[0]), build(children[1]))
    if kind == "value_projection":
        return _projection(build(children[0]), build(children[1]), values=True)
    if kind == "filter_projection":
        return _projection(build(children[0]), build(children[1]), condition=build(children[2]))
    if kind == "flatten":
        return _flatten(build(children[0]))
    if kind == "index":
        return _index(node["value"])
    if kind == "slice":
        return _slice(children)
    if kind == "key_val_pair":
        return build(children[0])
    if kind == "not_expression":
        return _not(build(children[0]))
    if kind == "or_expression":
        return _or(build(children[0]), build(children[1]))
    if kind == "and_expression":
        return _and(build(children[0]), build(children[1]))
    if kind == "multi_select_list":
        return _multi_list([build(child) for child in children])
    if kind == "multi_select_dict":
        return _multi_dict([(child["value"], build(child)) for child in children])
    raise ValueError(f"unknown JMESPath node type {kind!r}")


class Expression:
    """A JMESPath expression: its text, jmespath's parse tree, and (once searched) its closure."""

    __slots__ = ("expression", "parsed", "_run")

    def __init__(self, expression: str, parsed: dict[str, Any]):
        self.expression = expression
        self.parsed = parsed
        self._run: Run | None = None

    def search(self, value: Any, options: jmespath.Options | None = None) -> Any:
        if self._run is None:
            self._run = build(self.parsed)
        functions = options.custom_functions if options is not None and options.custom_functions is not None else _DEFAULT_FUNCTIONS
        return self._run(value, functions)

    def __getstate__(self) -> tuple[str, dict[str, Any]]:
        return self.expression, self.parsed

    def __setstate__(self, state: tuple[str, dict[str, Any]]) -> None:
        self.expression, self.parsed = state
        self._run = None


_DEFAULT_FUNCTIONS = jmespath.functions.Functions()
