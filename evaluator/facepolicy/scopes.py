"""A rule's scope (a JSON Schema the deployment must match) compiled to a three-valued test.

Each keyword answers True, False or an Unknown naming the unstated facts that would decide it: a
property the scope requires but the deployment does not state is unknown, not absent; `contains`
over a list that may hold more is unknown until a stated member matches; `not`, `anyOf`, `allOf`,
`oneOf` and `if`/`then`/`else` combine in Kleene logic. Only the keywords listed in KEYWORDS are
understood; any other is refused when the rule is compiled, so a scope can never silently mean
something else.
"""

from __future__ import annotations

from facepolicy.expressions import equal, undecided
from facepolicy.facts import Facts, Partial, Unknown, members, unstated
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Callable


if TYPE_CHECKING:
    Test = Callable[[Any], Any]  # value → True | False | Unknown

ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "examples", "default", "$defs"}
KEYWORDS = {
    "$ref",
    "required",
    "properties",
    "contains",
    "items",
    "const",
    "enum",
    "type",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "minItems",
    "anyOf",
    "allOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
}


class ScopeError(ValueError):
    """A scope that uses a keyword or a reference facepolicy cannot evaluate."""


def kleene_and(results: list[Any]) -> Any:
    pending = []
    for result in results:
        if result is False:
            return False
        if result is not True:
            pending.append(result)
    return undecided(*pending) if pending else True


def kleene_or(results: list[Any]) -> Any:
    pending = []
    for result in results:
        if result is True:
            return True
        if result is not False:
            pending.append(result)
    return undecided(*pending) if pending else False


def _not(result: Any) -> Any:
    return (not result) if type(result) is bool else Unknown(result.facts)


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, (list, Partial)),
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
    "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
    "number": lambda v: type(v) in (int, float),
}


# Each keyword's test over a value, given its argument (the compiled sub-schemas' tests for those
# that have sub-schemas): what the scope closures below call, and the compiled rules too.


def required(value: Any, names: tuple[str, ...]) -> Any:
    if type(value) is Unknown:
        return (
            Unknown(value.facts)
            if value.at is None
            else undecided(*(unstated(f"{value.at}/{n}") for n in names))
        )
    if not isinstance(value, dict):
        return True
    missing = [n for n in names if n not in value]
    if not missing:
        return True
    if type(value) is Facts:
        return undecided(*(unstated(f"{value.at}/{n}") for n in missing))
    return False


def properties(value: Any, named: tuple[tuple[str, Test], ...]) -> Any:
    if type(value) is Unknown:
        if value.at is None:
            return kleene_and([test(Unknown(value.facts)) for _, test in named])
        return kleene_and([test(unstated(f"{value.at}/{name}")) for name, test in named])
    if not isinstance(value, dict):
        return True
    results = []
    for name, test in named:
        if name in value:
            results.append(test(value[name]))
        elif type(value) is Facts:
            results.append(test(unstated(f"{value.at}/{name}")))
    return kleene_and(results)


def contains(value: Any, test: Test) -> Any:
    if type(value) is Unknown:  # a list not stated at all
        return False if test(Unknown(value.facts)) is False else Unknown(value.facts)
    found = members(value)
    if found is None:
        return True
    entries, tail = found
    pending = []
    for item, membership in entries:
        result = test(item)
        if result is True and membership is None:
            return True
        if result is not False:  # a match, or maybe one, by a possible member
            pending.append(undecided(result, Unknown(membership or frozenset())))
    # an unlisted member might match
    if tail is not None and test(Unknown(tail)) is not False:
        pending.append(Unknown(tail))
    return undecided(*pending) if pending else False


def items(value: Any, test: Test) -> Any:
    if type(value) is Unknown:
        return Unknown(value.facts) if test(Unknown(value.facts)) is not True else True
    found = members(value)
    if found is None:
        return True
    entries, tail = found
    pending = []
    for item, membership in entries:
        result = test(item)
        if result is False and membership is None:
            return False
        if result is not True:  # a mismatch, or maybe one, by a possible member
            pending.append(undecided(result, Unknown(membership or frozenset())))
    if tail is not None and test(Unknown(tail)) is not True:
        pending.append(Unknown(tail))
    return undecided(*pending) if pending else True


def min_items(value: Any, arg: Any) -> Any:
    if type(value) is Unknown:
        return Unknown(value.facts)
    if type(value) is list:
        return len(value) >= arg
    if type(value) is Partial:
        lo, hi = value.bounds()
        if lo >= arg:
            return True
        if hi is not None and hi < arg:
            return False
        return Unknown(value.facts())
    return True


def one_of(results: list[Any]) -> Any:
    hits = sum(1 for r in results if r is True)
    open_ = [r for r in results if type(r) is Unknown]
    if hits > 1:
        return False
    if not open_:
        return hits == 1
    return undecided(*open_)


class Compiler:
    """Builds tests for one scope; `resolve` finds what a `$ref` points at (shared scopes or the
    scope itself)."""

    def __init__(self, resolve: Callable[[str], Any]):
        self.resolve = resolve
        self.refs: dict[str, Test] = {}

    def compile(self, schema: Any, where: str = "scope") -> Test:
        if schema is True or schema == {}:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise ScopeError(f"{where}: a schema must be an object or a boolean")
        unknown = sorted(set(schema) - KEYWORDS - ANNOTATIONS)
        if unknown:
            from facepolicy.messages import did_you_mean, show

            raise ScopeError(
                f"{where}: keyword {show(unknown[0])} is not understood in a "
                f"scope{did_you_mean(unknown[0], KEYWORDS)} "
                f"(understood: {', '.join(sorted(KEYWORDS))})"
            )
        tests = [
            self._keyword(key, schema, f"{where}.{key}")
            for key in sorted(schema)
            if key in KEYWORDS - {"then", "else"}
        ]
        kept = [t for t in tests if t is not None]
        if len(kept) == 1:
            return kept[0]
        return lambda value: kleene_and([test(value) for test in kept])

    def _ref(self, target: str, where: str) -> Test:
        if target not in self.refs:
            self.refs[target] = lambda value: self.refs[f"#built:{target}"](
                value
            )  # recursion-safe placeholder
            self.refs[f"#built:{target}"] = self.compile(
                self.resolve(target), f"{where} → {target}"
            )
        # while the target is still being compiled (a scope that refers to itself), the placeholder
        # stands in (the placeholder gives the same answers, only through one more call: not
        # mutated)
        return self.refs.get(f"#built:{target}", self.refs[target])  # pragma: no mutate

    def _keyword(self, key: str, schema: dict[str, Any], where: str) -> Test | None:
        arg = schema[key]
        builder = _KEYWORD_BUILDERS.get(key)
        if builder is None:
            # compile() passes KEYWORDS only, each in _KEYWORD_BUILDERS: no input reaches this (not
            # mutated)
            raise ScopeError(f"{where}: keyword not understood")  # pragma: no mutate
        return builder(self, arg, schema, where)

    # One builder per keyword: (its argument, the whole schema, where) → the keyword's test.

    def _reference(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        return self._ref(arg, where)

    def _required(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        names = tuple(arg)
        return lambda value: required(value, names)

    def _properties(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        named = tuple(
            (name, self.compile(sub, f"{where}.{name}")) for name, sub in sorted(arg.items())
        )
        return lambda value: properties(value, named)

    def _contains(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        test = self.compile(arg, where)
        return lambda value: contains(value, test)

    def _items(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        test = self.compile(arg, where)
        return lambda value: items(value, test)

    def _const(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        return lambda value: equal(value, arg)

    def _enum(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        options = list(arg)
        return lambda value: kleene_or([equal(value, option) for option in options])

    def _type(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        kinds = [arg] if isinstance(arg, str) else list(arg)

        def typed(value):
            if type(value) is Unknown:
                return Unknown(value.facts)
            return any(_TYPES[k](value) for k in kinds)

        return typed

    @staticmethod
    def _bound(compare: Test) -> Test:
        def bound(value):
            if type(value) is Unknown:
                return Unknown(value.facts)
            if type(value) not in (int, float):
                return True
            return compare(value)

        return bound

    def _maximum(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        return self._bound(lambda v: v <= arg)

    def _minimum(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        return self._bound(lambda v: v >= arg)

    def _exclusive_maximum(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        return self._bound(lambda v: v < arg)

    def _exclusive_minimum(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        return self._bound(lambda v: v > arg)

    def _min_items(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        return lambda value: min_items(value, arg)

    def _subschemas(self, arg: Any, where: str) -> list[Test]:
        return [self.compile(sub, f"{where}[{i}]") for i, sub in enumerate(arg)]

    def _any_of(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        tests = self._subschemas(arg, where)
        return lambda value: kleene_or([test(value) for test in tests])

    def _all_of(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        tests = self._subschemas(arg, where)
        return lambda value: kleene_and([test(value) for test in tests])

    def _one_of(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        tests = self._subschemas(arg, where)
        return lambda value: one_of([test(value) for test in tests])

    def _negation(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        test = self.compile(arg, where)
        return lambda value: _not(test(value))

    def _conditional(self, arg: Any, schema: dict[str, Any], where: str) -> Test:
        condition = self.compile(arg, where)
        then = self.compile(schema.get("then", True), where.replace(".if", ".then"))
        otherwise = self.compile(schema.get("else", True), where.replace(".if", ".else"))

        def conditional(value):
            held = condition(value)
            if held is True:
                return then(value)
            if held is False:
                return otherwise(value)
            a, b = then(value), otherwise(value)
            if a is True and b is True:
                return True
            if a is False and b is False:
                return False
            return undecided(held, a, b)  # a decided branch adds no fact

        return conditional


# `then` and `else` have no builder: `if` reads them.
_KEYWORD_BUILDERS: dict[str, Callable[[Compiler, Any, dict[str, Any], str], Test]] = {
    "$ref": Compiler._reference,
    "required": Compiler._required,
    "properties": Compiler._properties,
    "contains": Compiler._contains,
    "items": Compiler._items,
    "const": Compiler._const,
    "enum": Compiler._enum,
    "type": Compiler._type,
    "maximum": Compiler._maximum,
    "minimum": Compiler._minimum,
    "exclusiveMaximum": Compiler._exclusive_maximum,
    "exclusiveMinimum": Compiler._exclusive_minimum,
    "minItems": Compiler._min_items,
    "anyOf": Compiler._any_of,
    "allOf": Compiler._all_of,
    "oneOf": Compiler._one_of,
    "not": Compiler._negation,
    "if": Compiler._conditional,
}
