"""What a deployment states, and what it leaves unknown: the values three-valued evaluation works
on.

A deployment description is partial. An unstated member reads as `Unknown` (naming the JSON Pointer
of the fact that would decide it), never as null or false. A list states its members; unless its
object names it in `complete`, more members may exist, so it reads as a `Partial` list whose tail is
unknown (the fact `/sites/-`: "are there other sites?"). Every operation over these values is
monotone: it gives a definite result only when every completion of the unknowns would give that same
result.
"""

from __future__ import annotations

from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Iterable


SCHEMA_VERSION = 2
NOTHING: frozenset[str] = frozenset()


class Unknown:
    """A value the deployment does not state. `facts`: the pointers that would decide it; `at`: the
    pointer of the unstated member itself, when it is one (reading a field below it names the deeper
    fact); `truth`: its JMESPath truthiness where that is known although the value is not."""

    __slots__ = ("facts", "at", "truth")

    def __init__(self, facts: frozenset[str], at: str | None = None, truth: bool | None = None):
        self.facts = facts
        self.at = at
        self.truth = truth

    def __repr__(self) -> str:
        return f"Unknown({sorted(self.facts)}, truth={self.truth})"


def unstated(pointer: str) -> Unknown:
    return Unknown(frozenset((pointer,)), pointer)


class Partial:
    """A list known only in part: `items` certainly or possibly in it (`maybe[i]` is None when
    certain, else the facts that would decide membership), and `tail`: None when nothing else can be
    in it, else the facts that would say what else is."""

    __slots__ = ("items", "maybe", "tail")

    def __init__(
        self, items: list[Any], maybe: list[frozenset[str] | None], tail: frozenset[str] | None
    ):
        self.items = items
        self.maybe = maybe
        self.tail = tail

    def __repr__(self) -> str:
        return f"Partial({self.items!r}, maybe={self.maybe!r}, tail={self.tail!r})"

    def entries(self) -> Iterable[tuple[Any, frozenset[str] | None]]:
        return zip(self.items, self.maybe, strict=True)

    def bounds(self) -> tuple[int, int | None]:
        certain = sum(1 for m in self.maybe if m is None)
        return certain, None if self.tail is not None else len(self.items)

    def facts(self) -> frozenset[str]:
        found = set(self.tail or ())
        for m in self.maybe:
            if m:
                found.update(m)
        return frozenset(found)


def members(
    value: Any,
) -> tuple[list[tuple[Any, frozenset[str] | None]], frozenset[str] | None] | None:
    """A list's (item, membership) pairs (membership None: certainly in it) and its unknown tail;
    None for anything that is not a list."""
    if type(value) is list:
        return list(zip(value, [None] * len(value), strict=True)), None  # pairs made in C
    if type(value) is Partial:
        return list(value.entries()), value.tail
    return None


def partial(
    items: list[Any], maybe: list[frozenset[str] | None], tail: frozenset[str] | None
) -> Any:
    """A Partial, or the plain list it is when every member is certain and nothing else can
    belong."""
    if tail is None and all(m is None for m in maybe):
        return items
    return Partial(items, maybe, tail)


class Range:
    """A number known to lie in [lo, hi] (hi None: no upper bound): the length of a partial list."""

    __slots__ = ("lo", "hi", "facts")

    def __init__(self, lo: int, hi: int | None, facts: frozenset[str]):
        self.lo, self.hi, self.facts = lo, hi, facts

    def __repr__(self) -> str:
        return f"Range({self.lo}, {self.hi})"


def length(items: Partial) -> Any:
    lo, hi = items.bounds()
    return lo if lo == hi else Range(lo, hi, items.facts())


class Facts(dict):
    """A stated JSON object that knows its own pointer: a member it does not state reads as
    Unknown."""

    __slots__ = ("at",)
    at: str


def facts_of(value: Any) -> frozenset[str]:
    """The unstated facts a value depends on (nothing for a value fully stated)."""
    if isinstance(value, Unknown):
        return value.facts
    if isinstance(value, Partial):
        found = set(value.facts())
        for item in value.items:
            found.update(facts_of(item))
        return frozenset(found)
    if isinstance(value, Range):
        return value.facts
    if isinstance(value, list):
        found = set()
        for item in value:
            found.update(facts_of(item))
        return frozenset(found)
    return NOTHING


def is_known(value: Any) -> bool:
    """Whether a value holds no unknown anywhere inside it (objects may still leave members
    unstated)."""
    if isinstance(value, (Unknown, Partial, Range)):
        return False
    if isinstance(value, list):
        return all(is_known(item) for item in value)
    if isinstance(value, dict):
        return all(is_known(item) for item in value.values())
    return True


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


# Facts of a component that may hold several values at once (an SDK that is also an API; an app
# built for Android and iOS). A rule applies to each: the component is read once per combination of
# its values, every reading at the component's own pointer; where the list is not stated complete,
# one more reading stands for the values not listed.
SEVERAL = ("integration", "runs_on")


def _alternatives(component: "Facts", key: str) -> list[Any]:
    value = component[key]
    if not isinstance(value, Partial):
        return value if isinstance(value, list) else [value]
    choices = list(value.items)
    if value.tail is not None:
        choices.append(Unknown(value.tail))  # a value the list does not name
    return choices


def _readings(component: "Facts") -> list["Facts"]:
    """The component once per combination of the values of its SEVERAL facts (itself where each has
    one)."""
    keys = [
        key for key in SEVERAL if key in component and isinstance(component[key], (list, Partial))
    ]
    if not keys:
        return [component]
    readings = [component]
    for key in keys:
        following = []
        for reading in readings:
            for choice in _alternatives(component, key):
                copy = Facts(reading)
                copy.at = component.at
                copy[key] = choice
                following.append(copy)
        readings = following
    return readings


_CONTAINERS = frozenset((dict, list))


def read(document: Any, open_lists: bool = True) -> Any:
    """The deployment as facts: objects that know their pointers, and lists not named `complete` by
    their object read as open (`open_lists` False reads every stated list as complete:
    schema_version 1)."""

    def wrap(value: Any, at: str) -> Any:
        kind = type(value)
        if kind is dict:
            complete = value.get("complete", ()) if open_lists else None
            wrapped = Facts(
                value
            )  # every member copied at C speed; lists and objects replaced below, in place
            wrapped.at = at
            for key, item in value.items():
                kind = type(item)
                if kind is list:
                    if key == "complete" and open_lists:
                        del wrapped[key]
                        continue
                    # (escaping only where needed, and wrapping only what can hold more, are
                    # shortcuts: doing either always gives the same facts, so neither is mutated)
                    here = (
                        at + "/" + (_escape(key) if "~" in key or "/" in key else key)
                    )  # pragma: no mutate
                    items = item.copy()  # at C speed; lists and objects replaced in place
                    if not _CONTAINERS.isdisjoint(map(type, item)):  # most lists hold neither
                        for i, x in enumerate(item):
                            if type(x) in _CONTAINERS:  # pragma: no mutate
                                items[i] = wrap(x, f"{here}/{i}")
                    if complete is None or key in complete:
                        wrapped[key] = items
                    else:
                        wrapped[key] = Partial(
                            items, [None] * len(items), frozenset((here + "/-",))
                        )
                elif kind is dict:
                    wrapped[key] = wrap(
                        item, at + "/" + (_escape(key) if "~" in key or "/" in key else key)
                    )  # pragma: no mutate
            return wrapped
        if kind is list:  # a list inside a list: stated as written
            return [wrap(x, f"{at}/{i}") for i, x in enumerate(value)]
        return value

    facts = wrap(document, "")
    components = facts.get("components") if isinstance(facts, Facts) else None
    items = components.items if isinstance(components, Partial) else components
    if isinstance(items, list) and any(
        isinstance(c, Facts) and any(isinstance(c.get(k), (list, Partial)) for k in SEVERAL)
        for c in items
    ):
        expanded = [
            reading for c in items for reading in (_readings(c) if isinstance(c, Facts) else [c])
        ]
        facts["components"] = (
            Partial(expanded, [None] * len(expanded), components.tail)
            if isinstance(components, Partial)
            else expanded
        )
    return facts


def closed_world(document: Any) -> bool:
    """Whether a deployment is read as version 1 was: every stated list complete."""
    return isinstance(document, dict) and document.get("schema_version") == 1


def listed_items(here: str, value: Any) -> list[tuple[str | None, Any]]:
    """(JSON Pointer, item) of each stated item of the list at `here`, then (None, an Unknown)
    standing for the items an open list may have without listing them; nothing for a value that
    is not a list. An item that knows its pointer is placed by it: a component read once per
    platform keeps its own."""
    if type(value) is list:
        return [
            (item.at if type(item) is Facts else f"{here}/{i}", item)
            for i, item in enumerate(value)
        ]
    if type(value) is Partial:
        found: list[tuple[str | None, Any]] = [
            (item.at if type(item) is Facts else f"{here}/{i}", item)
            for i, item in enumerate(value.items)
        ]
        if value.tail is not None:
            found.append((None, Unknown(value.tail)))
        return found
    return []


def items_at(document: Any, steps: Any) -> list[tuple[str | None, Any]]:
    """(JSON Pointer, item) for every stated item of the list the steps (each a name, and whether
    to go into every item) lead to; then (None, an Unknown) for the items the deployment may have
    without listing them, where it may."""
    nodes: list[tuple[str | None, Any]] = [("", document)]
    for number, step in enumerate(steps):
        last = number == len(steps) - 1
        following: list[tuple[str | None, Any]] = []
        for base, node in nodes:
            if base is None:  # an unlisted item: whatever lies below it is unknown too
                following.append((None, node))
                continue
            if not isinstance(node, dict):
                continue
            here = f"{base}/{_escape(step.name)}"
            value = node.get(step.name)
            if value is None and step.name not in node:
                value = Unknown(frozenset((here,))) if type(node) is Facts else None
            if step.each or last:
                if type(value) is Unknown:
                    following.append((None, Unknown(value.facts)))
                else:
                    following.extend(listed_items(here, value))
            else:
                following.append((here, value))
        nodes = following
    return nodes
