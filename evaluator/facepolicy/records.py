"""typing.NamedTuple's class syntax without importing typing, for the modules a cached eval loads:
typing (with contextlib and warnings) costs that run about 3 ms, and nothing else there needs it.
Type checkers read typing's own NamedTuple instead:

    from facepolicy.records import TYPE_CHECKING
    if TYPE_CHECKING:
        from typing import NamedTuple
    else:
        from facepolicy.records import NamedTuple

mypy takes any `if TYPE_CHECKING:` as true; at run time it is False.
"""

from __future__ import annotations

import collections

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# what typing.NamedTuple refuses, and what it does not copy onto the class it makes
_PROHIBITED = frozenset(
    {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make"}
    | {"_replace", "_asdict", "_source"}
)
_SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})


class _Maker(type):
    def __new__(cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> Any:
        if not bases:  # NamedTuple itself
            return super().__new__(cls, name, bases, namespace)
        annotations: Any = namespace.get("__annotations__", {})
        fields = list(annotations)
        defaults = [namespace[field] for field in fields if field in namespace]
        if any(field not in namespace for field in fields[len(fields) - len(defaults) :]):
            raise TypeError(f"{name}: a field without a default follows one with a default")
        make: Any = collections.namedtuple  # called with names known only at run time
        made = make(name, fields, defaults=defaults, module=namespace["__module__"])
        made.__annotations__ = dict(annotations)
        for key, value in namespace.items():
            if key in _PROHIBITED:
                raise AttributeError(f"{name}: cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in fields:
                setattr(made, key, value)
        return made


class NamedTuple(metaclass=_Maker):
    """Subclass with annotated fields, as typing.NamedTuple."""
