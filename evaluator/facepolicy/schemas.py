"""The JSON Schemas: a local registry (nothing is ever fetched) and validators built from it.

Evaluation uses jsonschema-rs (fast to import and to validate); python-jsonschema is imported only
where its messages are shown (a deployment that breaks the schema) and by lint (metaschema checks).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.paths import SCHEMAS

if TYPE_CHECKING:
    import jsonschema_rs


def _refuse(uri: str) -> Any:
    raise FacepolicyError(
        uri,
        bilingual(
            "拒绝获取外部 schema",
            "refusing to fetch a schema that is not bundled: nothing is ever fetched",
        ),
    )


# (pack name, extension as JSON) of the rule set in use
_EXTENSIONS: list[tuple[tuple[str, str], ...]] = [()]


def use_extensions(extensions: tuple[tuple[str, str], ...]) -> None:
    """Make the deployment schema the core one with these packs' fact extensions (set when rules
    are loaded)."""
    _EXTENSIONS[0] = tuple(extensions)


def extensions() -> tuple[tuple[str, str], ...]:
    return _EXTENSIONS[0]


def load(name: str, folder: Path = SCHEMAS) -> dict[str, Any]:
    """A schema by name; "deployment" is the core schema merged with the fact extensions in use."""
    if name == "deployment" and folder == SCHEMAS:
        return _merged(_EXTENSIONS[0])
    return _read(name, folder)


def core_deployment() -> dict[str, Any]:
    return _read("deployment", SCHEMAS)


@functools.lru_cache(maxsize=None)
def _read(name: str, folder: Path = SCHEMAS) -> dict[str, Any]:
    from facepolicy.loader import read_json_file

    return read_json_file(folder / f"{name}.schema.json")


@functools.lru_cache(maxsize=None)
def _merged(extensions: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    if not extensions:
        return core_deployment()
    from facepolicy.packs import merge

    return merge(core_deployment(), extensions)


@functools.lru_cache(maxsize=None)
def _documents(folder: Path = SCHEMAS) -> tuple[tuple[str, dict[str, Any]], ...]:
    found = []
    for path in sorted(folder.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        found.append((schema["$id"], schema))
    return tuple(found)


@functools.lru_cache(maxsize=None)
def _rs_registry() -> jsonschema_rs.Registry:
    """What a rule's schema may $ref: the shared scopes (and `#…` inside itself)."""
    import jsonschema_rs

    return jsonschema_rs.Registry([("urn:facepolicy:scopes", load("scopes"))], retriever=_refuse)


def fast_validator(
    schema: dict[str, Any] | bool, where: str = "", formats: bool = False
) -> jsonschema_rs.Validator:
    """A compiled jsonschema-rs validator; a schema that cannot compile is a FacepolicyError naming
    its place. `formats`: check "format" (a date that is no date is refused) — for our own schemas,
    not rule scopes."""
    import jsonschema_rs

    try:
        return jsonschema_rs.Draft202012Validator(
            schema, registry=_rs_registry(), retriever=_refuse, validate_formats=formats
        )
    except FacepolicyError:
        raise
    except Exception as exc:  # noqa: BLE001 — jsonschema-rs reports bad schemas and unresolvable refs as several types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FacepolicyError(
            where, bilingual("无效的 JSON Schema", "invalid JSON Schema") + f": {first}"
        ) from None


_SHARED: "dict[str, jsonschema_rs.Validator]" = {}


def shared_validator(schema: dict[str, Any] | bool, where: str = "") -> jsonschema_rs.Validator:
    """One validator for every rule with the same schema: most rules share a handful of scopes."""
    text = json.dumps(schema, sort_keys=True)
    if text not in _SHARED:
        _SHARED[text] = fast_validator(schema, where)
    return _SHARED[text]


def named_fast_validator(name: str) -> jsonschema_rs.Validator:
    return _named_fast(name, _EXTENSIONS[0] if name == "deployment" else ())


@functools.lru_cache(maxsize=None)
def _named_fast(name: str, extensions: tuple[tuple[str, str], ...]) -> jsonschema_rs.Validator:
    schema = _merged(extensions) if name == "deployment" else load(name)
    return fast_validator(schema, name, formats=True)


@functools.lru_cache(maxsize=None)
def registry(folder: Path = SCHEMAS):
    """The python-jsonschema registry of our schemas, for lint and for messages."""
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource

    def refuse(uri: str):
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # an attrs class

    resources = [(uri, Resource.from_contents(s)) for uri, s in _documents(folder)]
    return Registry(retrieve=refuse).with_resources(resources)  # type: ignore[call-arg]


def named_validator(name: str):
    return _named(name, _EXTENSIONS[0] if name == "deployment" else ())


@functools.lru_cache(maxsize=None)
def _named(name: str, extensions: tuple[tuple[str, str], ...]):
    from jsonschema import Draft202012Validator

    schema = _merged(extensions) if name == "deployment" else load(name)
    checker = Draft202012Validator.FORMAT_CHECKER  # a date that is no date is refused
    return Draft202012Validator(schema, registry=registry(), format_checker=checker)


def pointer(path: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


# facepolicy's own file formats, checked by compiled code (schema_code.py) before jsonschema-rs is
# imported: reading an edited rule file then costs no validator import
_COMPILED = ("rule", "document", "pack")


@functools.lru_cache(maxsize=None)
def compiled_check(name: str) -> Any:
    """The compiled `is_valid` of one of our own schemas: its bytecode from the cache, else
    generated (and cached); None where the schema uses a keyword schema_code does not translate."""
    import marshal

    from facepolicy import cache, schema_code

    text = (SCHEMAS / f"{name}.schema.json").read_bytes()
    key = cache.key([(f"{name} schema check", text)])
    data = cache.load_bytes(key, "code")
    try:
        code = marshal.loads(data) if data is not None else None
    except (EOFError, ValueError, TypeError):
        code = None
    if code is None:
        try:
            source = schema_code.validator_source(load(name), "is_valid")
        except schema_code.NotCompiled:
            return None
        code = compile(source, f"<facepolicy {name} schema check>", "exec")
        cache.store_bytes(key, marshal.dumps(code), "code")
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 — generated here, or read back only when its SHA-256 checks out
    return namespace["is_valid"]


def _compiled_says(name: str, instance: Any) -> bool | None:
    """What the compiled check of one of our own schemas says (None: it cannot say; ask
    jsonschema-rs)."""
    check = compiled_check(name) if name in _COMPILED else None
    if check is None:
        return None
    try:
        return bool(check(instance))
    except RecursionError:
        return None
    except Exception as exc:  # noqa: BLE001 — Undecided: a value only jsonschema-rs can judge
        if type(exc).__name__ != "Undecided":
            raise
        return None


def first_error(name: str, instance: Any) -> str | None:
    """None when the instance is valid against the named schema, else its most relevant error as
    'POINTER: message'."""
    said = _compiled_says(name, instance)
    if said is True or (said is None and named_fast_validator(name).is_valid(instance)):
        return None
    from jsonschema.exceptions import best_match

    from facepolicy.messages import describe, pointer_text

    error = best_match(named_validator(name).iter_errors(instance))
    if error is None:  # the two validators disagree; trust the stricter one
        return "/: " + bilingual("不符合 schema", "does not match the schema")
    path, message = describe(error)
    return f"{pointer_text(path) or '/'}: {message}"


def missing_facts(validator: jsonschema_rs.Validator, instance: Any) -> Iterator[str]:
    """JSON Pointers of what an evidence schema finds missing or wrong: a missing property names
    itself."""
    for error in validator.iter_errors(instance):
        base = pointer(error.instance_path)
        prop = (
            getattr(error.kind, "property", None)
            if type(error.kind).__name__ == "Required"
            else None
        )
        yield (
            f"{base}/{str(prop).replace('~', '~0').replace('/', '~1')}"
            if prop is not None
            else (base or "/")
        )
