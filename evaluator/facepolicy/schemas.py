"""The JSON Schemas: a local registry (nothing is ever fetched) and validators built from it."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.loader import read_json_file
from facepolicy.paths import SCHEMAS


def _refuse(uri: str) -> Resource:
    # Any $ref outside our own schemas is refused: no network, ever.
    raise NoSuchResource(ref=uri)


@functools.lru_cache(maxsize=None)
def load(name: str, folder: Path = SCHEMAS) -> dict[str, Any]:
    return read_json_file(folder / f"{name}.schema.json")


@functools.lru_cache(maxsize=None)
def registry(folder: Path = SCHEMAS) -> Registry:
    resources = []
    for path in sorted(folder.glob("*.schema.json")):
        schema = read_json_file(path)
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry(retrieve=_refuse).with_resources(resources)


def validator(schema: dict[str, Any] | bool, where: str = "") -> Draft202012Validator:
    """A validator for a schema; an invalid schema is a FacepolicyError naming its place."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        place = "/".join(str(p) for p in exc.absolute_path)
        raise FacepolicyError(where + (f"/{place}" if place else ""), bilingual("无效的 JSON Schema", "invalid JSON Schema") + f": {exc.message}") from None
    return Draft202012Validator(schema, registry=registry())


@functools.lru_cache(maxsize=None)
def named_validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load(name), registry=registry())


def pointer(path: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def first_error(validator: Draft202012Validator, instance: Any) -> str | None:
    """The most relevant schema error as 'POINTER: message', or None when the instance is valid."""
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    return f"{pointer(error.absolute_path) or '/'}: {error.message}"
