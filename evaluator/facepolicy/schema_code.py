"""A JSON Schema compiled to a plain Python `is_valid`: the deployment schema check without
importing a validator on every run.

Only the keywords the deployment schema uses are translated (KEYWORDS); a schema with any other
keyword is not compiled, and the caller keeps jsonschema-rs. The answer is jsonschema-rs's
(tests/test_compiled.py compares them): types as JSON Schema defines them (1.0 is an integer, true
is not a number), equality as JSON defines it (1 == 1.0, true != 1), the format "date" as
jsonschema-rs checks it. Where Python could answer otherwise than jsonschema-rs (a string holding a
line break: Python's `$` matches before a final one; a format other than "date"; a date written
oddly), the function raises Undecided and the caller asks jsonschema-rs.
"""

from __future__ import annotations

import json
from typing import Any

ANNOTATIONS = {
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "examples",
    "default",
    "$defs",
    "deprecated",
    "readOnly",
    "writeOnly",
}
KEYWORDS = {
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "anyOf",
    "allOf",
    "oneOf",
    "not",
    "$ref",
    "format",
}

RUNTIME = '''

class Undecided(Exception):
    """A value this compiled check cannot judge as jsonschema-rs would: ask jsonschema-rs."""


def _same(a, b):
    """JSON equality: 1 == 1.0, but true is not 1; arrays and objects member by member."""
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if ta in (int, float) and tb in (int, float):
        return a == b
    if ta is not tb:
        return False
    if ta is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if ta is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _unique(items):
    if all(type(item) is str for item in items):
        return len(set(items)) == len(items)
    return not any(_same(items[i], items[j]) for i in range(len(items)) for j in range(i))


def _date(text):
    """RFC 3339 full-date, as jsonschema-rs checks the format "date"; anything odd goes to it."""
    if len(text) != 10 or not text.isascii() or text[4] != "-" or text[7] != "-":
        raise Undecided(text)
    digits = text[:4] + text[5:7] + text[8:]
    if not digits.isdigit() or digits[:4] == "0000":
        raise Undecided(text)
    try:
        __import__("datetime").date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        return False
    return True


def _format(name, text):
    if name == "date":
        return _date(text)
    raise Undecided(text)  # a format not checked here


def _matches(pattern, text):
    if "\\n" in text or "\\r" in text:
        raise Undecided(text)
    return pattern.search(text) is not None
'''

_TYPES = {
    "object": "type({x}) is dict",
    "array": "type({x}) is list",
    "string": "type({x}) is str",
    "boolean": "type({x}) is bool",
    "null": "{x} is None",
    "number": "type({x}) is int or type({x}) is float",
    "integer": "type({x}) is int or (type({x}) is float and {x}.is_integer())",
}


class NotCompiled(ValueError):
    """A schema using a keyword this module does not translate."""


class _Writer:
    def __init__(self, root: Any):
        self.root = root
        self.blocks: list[str] = []
        self.names: dict[str, str] = {}  # $ref → function name
        self.count = 0
        self.constants: dict[
            str, str
        ] = {}  # source → name; written after every function, which they may name

    def constant(self, text: str) -> str:
        if text not in self.constants:
            self.constants[text] = f"C{len(self.constants) + 1}"
        return self.constants[text]

    def ref(self, target: str) -> str:
        if not target.startswith("#"):
            raise NotCompiled(f"$ref {target}")
        if target not in self.names:
            self.count += 1
            self.names[target] = f"d{self.count}"
            node: Any = self.root
            for part in (p for p in target[1:].split("/") if p):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(node, dict) or part not in node:
                    raise NotCompiled(f"$ref {target}")
                node = node[part]
            self.function(node, self.names[target])
        return self.names[target]

    def function(self, schema: Any, name: str | None = None) -> str:
        if name is None:
            self.count += 1
            name = f"d{self.count}"
        if schema is True or schema == {}:
            self.blocks.append(f"def {name}(x):\n    return True\n")
            return name
        if schema is False:
            self.blocks.append(f"def {name}(x):\n    return False\n")
            return name
        if not isinstance(schema, dict):
            raise NotCompiled("a schema that is not an object")
        strange = sorted(set(schema) - KEYWORDS - ANNOTATIONS)
        if strange:
            raise NotCompiled(f"keyword {strange[0]}")
        lines = [f"def {name}(x):\n"]
        out = lines.append
        self._value(schema, out)
        self._object(schema, out)
        self._array(schema, out)
        self._string(schema, out)
        self._number(schema, out)
        self._combined(schema, out)
        out("    return True\n")
        self.blocks.append("".join(lines))
        return name

    def _value(self, schema: dict[str, Any], out: Any) -> None:
        if "type" in schema:
            kinds = [schema["type"]] if isinstance(schema["type"], str) else list(schema["type"])
            if any(k not in _TYPES for k in kinds):
                raise NotCompiled(f"type {kinds}")
            tests = " or ".join("(" + _TYPES[k].format(x="x") + ")" for k in kinds)
            out(f"    if not ({tests}):\n        return False\n")
        if "enum" in schema:
            options = schema["enum"]
            if all(type(o) is str for o in options):
                out(
                    "    if type(x) is not str or x not in "
                    f"{self.constant(repr(frozenset(sorted(options))))}:\n"
                    "        return False\n"
                )
            else:
                out(
                    f"    if not any(_same(x, o) for o in {self.constant(_literal(options))}):\n   "
                    "     return False\n"
                )
        if "const" in schema:
            out(
                f"    if not _same(x, {self.constant(_literal(schema['const']))}):\n        return "
                "False\n"
            )

    def _combined(self, schema: dict[str, Any], out: Any) -> None:
        for key in ("anyOf", "allOf", "oneOf"):
            if key in schema:
                tests = [self.function(sub) for sub in schema[key]]
                calls = ", ".join(f"{t}(x)" for t in tests)
                if key == "anyOf":
                    out(
                        f"    if not ({' or '.join(t + '(x)' for t in tests)}):\n        return "
                        "False\n"
                    )
                elif key == "allOf":
                    out(
                        f"    if not ({' and '.join(t + '(x)' for t in tests)}):\n        return "
                        "False\n"
                    )
                else:
                    out(f"    if [{calls}].count(True) != 1:\n        return False\n")
        if "not" in schema:
            out(f"    if {self.function(schema['not'])}(x):\n        return False\n")
        if "$ref" in schema:
            out(f"    if not {self.ref(schema['$ref'])}(x):\n        return False\n")

    def _object(self, schema: dict[str, Any], out: Any) -> None:
        keys = [
            k
            for k in ("properties", "required", "additionalProperties", "propertyNames")
            if k in schema
        ]
        if not keys:
            return
        out("    if type(x) is dict:\n")
        for name in schema.get("required", ()):
            out(f"        if {name!r} not in x:\n            return False\n")
        if "propertyNames" in schema:
            names = self.function(schema["propertyNames"])
            out(f"        if not all({names}(key) for key in x):\n            return False\n")
        properties = {
            name: self.function(sub) for name, sub in schema.get("properties", {}).items()
        }
        extra = schema.get("additionalProperties", True)
        table = (
            self.constant("{" + ", ".join(f"{n!r}: {f}" for n, f in properties.items()) + "}")
            if properties
            else "{}"
        )
        if not properties and extra is True:
            return
        out("        for key, item in x.items():\n")
        out(f"            check = {table}.get(key)\n")
        if extra is True:
            out(
                "            if check is not None and not check(item):\n                return "
                "False\n"
            )
        elif extra is False:
            out("            if check is None or not check(item):\n                return False\n")
        else:
            other = self.function(extra)
            out(f"            if not (check or {other})(item):\n                return False\n")

    def _array(self, schema: dict[str, Any], out: Any) -> None:
        keys = [k for k in ("items", "minItems", "maxItems", "uniqueItems") if k in schema]
        if not keys:
            return
        out("    if type(x) is list:\n")
        if "minItems" in schema:
            out(f"        if len(x) < {schema['minItems']!r}:\n            return False\n")
        if "maxItems" in schema:
            out(f"        if len(x) > {schema['maxItems']!r}:\n            return False\n")
        if schema.get("uniqueItems") is True:
            out("        if not _unique(x):\n            return False\n")
        if "items" in schema:
            out(f"        check = {self.function(schema['items'])}\n")
            out(
                "        for item in x:\n            if not check(item):\n                return "
                "False\n"
            )
        out("        pass\n")

    def _string(self, schema: dict[str, Any], out: Any) -> None:
        keys = [k for k in ("minLength", "maxLength", "pattern", "format") if k in schema]
        if not keys:
            return
        out("    if type(x) is str:\n")
        if "minLength" in schema:
            out(f"        if len(x) < {schema['minLength']!r}:\n            return False\n")
        if "maxLength" in schema:
            out(f"        if len(x) > {schema['maxLength']!r}:\n            return False\n")
        if "pattern" in schema:
            regex = self.constant(f"__import__('re').compile({schema['pattern']!r})")
            out(f"        if not _matches({regex}, x):\n            return False\n")
        if "format" in schema:
            out(f"        if not _format({schema['format']!r}, x):\n            return False\n")

    def _number(self, schema: dict[str, Any], out: Any) -> None:
        bounds = {
            "minimum": "<",
            "maximum": ">",
            "exclusiveMinimum": "<=",
            "exclusiveMaximum": ">=",
        }
        keys = [k for k in bounds if k in schema]
        if not keys:
            return
        out("    if type(x) is int or type(x) is float:\n")
        for key in keys:
            out(f"        if x {bounds[key]} {schema[key]!r}:\n            return False\n")


def _literal(value: Any) -> str:
    return f"__import__('json').loads({json.dumps(value, ensure_ascii=False)!r})"


def validator_source(schema: Any, name: str = "deployment_is_valid") -> str:
    """Python source defining `name(instance) → bool`, which raises Undecided where only
    jsonschema-rs can say; NotCompiled when the schema uses a keyword not translated here."""
    writer = _Writer(schema)
    top = writer.function(schema)
    constants = "".join(f"{name_} = {text}\n" for text, name_ in writer.constants.items())
    return (
        RUNTIME + "\n\n" + "\n\n".join(writer.blocks) + "\n\n" + constants + f"\n{name} = {top}\n"
    )
