"""The facts a rule reads, derived from its scope and expressions: what `explain` lists, so that
nobody keeps such a list by hand. Paths are JSON Pointers with `*` for every item of a list."""

from __future__ import annotations

from typing import Any, Iterator

from facepolicy.compiler import Rule


def _chains(node: dict[str, Any], base: str) -> Iterator[str]:
    """Field paths an expression reads, relative to `base` (the item or the deployment)."""
    kind = node.get("type")
    children = [c for c in node.get("children", []) if isinstance(c, dict)]
    if kind == "field":
        yield f"{base}/{node['value']}"
    elif kind == "function_expression" and node["value"] == "root":
        yield ""  # root() itself: the chain that follows it starts at the deployment
    elif kind in ("subexpression", "index_expression"):
        here = base
        for child in children:
            found = list(_chains(child, here))
            yield from found
            if found and child.get("type") in (
                "field",
                "subexpression",
                "index_expression",
                "function_expression",
            ):
                here = found[-1] if found[-1] else ""
            elif child.get("type") in ("index", "flatten"):
                here = f"{here}/*"
    elif kind in ("projection", "filter_projection"):
        left = list(_chains(children[0], base))
        yield from left
        items = f"{left[-1]}/*" if left else f"{base}/*"
        for child in children[1:]:
            yield from _chains(child, items)
    elif kind == "flatten":
        for child in children:
            for path in _chains(child, base):
                yield path
    else:
        for child in children:
            yield from _chains(child, base)


def _scope_paths(schema: Any, base: str, resolve) -> Iterator[str]:
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        yield from _scope_paths(resolve(schema["$ref"]), base, resolve)
    for name in schema.get("required", ()):
        yield f"{base}/{name}"
    for name, sub in schema.get("properties", {}).items():
        yield f"{base}/{name}"
        yield from _scope_paths(sub, f"{base}/{name}", resolve)
    for key in ("contains", "items"):
        if key in schema:
            yield from _scope_paths(schema[key], f"{base}/*", resolve)
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in schema.get(key, ()):
            yield from _scope_paths(sub, base, resolve)
    for key in ("not", "if", "then", "else"):
        if key in schema:
            yield from _scope_paths(schema[key], base, resolve)


def facts_read(rule: Rule) -> list[str]:
    """Every fact the rule's scope, filters and assertions read, as sorted pointers."""
    from facepolicy import schemas

    def resolve(target: str) -> Any:
        node: Any = schemas.load("scopes") if target.startswith("urn:") else rule.scope_schema
        for part in target.partition("#")[2].split("/")[1:]:
            node = node[part]
        return node

    found: set[str] = (
        set(_scope_paths(rule.scope_schema, "", resolve)) if rule.scope_schema else set()
    )
    for assertion in rule.assertions:
        base = "".join(
            f"/{step.name}" + ("/*" if step.each or n == len(assertion.for_each) - 1 else "")
            for n, step in enumerate(assertion.for_each)
        )
        for expression in (assertion.where, assertion.expect):
            if expression is not None:
                found.update(p for p in _chains(expression.parsed, base) if p)
    # only the deepest reads: /sites/*/signage is implied by /sites/*/signage/face_recognition_sign
    return sorted(p for p in found if not any(other.startswith(p + "/") for other in found))
