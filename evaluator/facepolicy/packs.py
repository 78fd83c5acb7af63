"""Policy packs: which are loaded, what their pack.toml says, and their fact extensions merged into
one schema.

A pack is a folder holding pack.toml (name, version, the facepolicy versions it needs, the packs it
builds on), its catalogs and rules in policies/, its fixtures in fixtures/, the texts its catalogs
quote in sources/ and, optionally, extension.schema.json: the JSON Schema of `extensions.<name>` in
a deployment. The bundled rules are the first pack (pack.toml at the top of the checkout, or of
facepolicy/_bundled in the wheel).

A --policies folder without a pack.toml is read as it always was: a folder of rules and catalogs,
its fixtures beside it (../fixtures), building on every pack loaded before it, with no extension of
its own.

The places are found by convention, without parsing anything, so that a cache hit reads no TOML;
pack.toml and the extensions are parsed and checked only when the rule set is built."""

from __future__ import annotations

import json
import os

from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.paths import BUNDLED_PACK_DIR, pure, shown
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, NamedTuple
else:
    from facepolicy.records import NamedTuple


MANIFEST = "pack.toml"
EXTENSION = "extension.schema.json"
CONFIG = ".facepolicy.toml"  # found in the working folder
BUNDLED_NAME = "facepolicy"


class Place(NamedTuple):
    """Where a pack's files are, found on disk before anything is read: plain strings, as a cached
    run finds them without pathlib (paths.py)."""

    root: str
    rules: str
    manifest: str | None  # None: a plain rules folder (no pack.toml)

    @property
    def extension(self) -> str | None:
        path = os.path.join(self.root, EXTENSION)
        return path if self.manifest is not None and os.path.isfile(path) else None


class Pack(NamedTuple):
    name: str
    version: str
    root: str  # as shown
    rules: Path
    fixtures: Path
    sources: Path | None  # the pack's own source texts, when it has them
    builds_on: tuple[str, ...]
    family: tuple[str, ...]  # itself and every pack it builds on, directly or not, in load order
    extension: dict[str, Any] | None
    manifest: str | None  # pack.toml as shown; None for a plain rules folder


def place_of(folder: str | os.PathLike[str]) -> Place:
    """A pack folder (with pack.toml), the policies folder of one, or a plain folder of rules."""
    folder = pure(folder)
    if not os.path.isdir(folder):
        raise FacepolicyError(
            str(folder),
            bilingual(
                "策略目录不存在；--policies 应指向含 pack.toml 的规则包目录或规则目录",
                "no such policies folder; --policies takes a pack folder (with pack.toml) "
                "or a folder of rules",
            ),
        )
    if os.path.isfile(os.path.join(folder, MANIFEST)):
        return Place(folder, os.path.join(folder, "policies"), os.path.join(folder, MANIFEST))
    parent = _parent(folder)
    if os.path.basename(folder) == "policies" and os.path.isfile(
        os.path.join(parent, MANIFEST)
    ):  # the rules folder of a pack
        return Place(parent, folder, os.path.join(parent, MANIFEST))
    return Place(parent, folder, None)


def _parent(folder: str) -> str:
    """str(Path(folder).parent) for a path as paths.pure writes it."""
    if folder in ("/", "//", ".") or "/" not in folder.lstrip("/"):
        return folder[: len(folder) - len(folder.lstrip("/"))] or "."
    return folder.rsplit("/", 1)[0]


def places(extra: tuple[str, ...] = (), bundled: bool = True) -> list[Place]:
    """The packs to load, in order: the bundled one (unless told not to), then each folder named,
    once each."""
    found = [place_of(BUNDLED_PACK_DIR)] if bundled else []
    found += [place_of(folder) for folder in extra]
    unique, seen = [], set()
    for place in found:
        key = os.path.realpath(place.rules)
        if key not in seen:
            seen.add(key)
            unique.append(place)
    for place in unique:
        if place.manifest is not None and not os.path.isdir(place.rules):
            raise FacepolicyError(
                shown(place.rules),
                bilingual(
                    "规则包缺少 policies 目录（规则与目录文件放在其中）",
                    "the pack has no policies folder (its catalogs and rules go there)",
                ),
            )
    return unique


def _requirement_met(requires: str, where: str) -> None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from facepolicy import __version__

    try:
        wanted = SpecifierSet(requires)
    except InvalidSpecifier:
        raise FacepolicyError(
            f"{where}: requires",
            bilingual(
                '不是有效的版本说明符，例如 ">=0.1"', 'not a version specifier; write e.g. ">=0.1"'
            )
            + f": {requires!r}",
        ) from None
    if not wanted.contains(__version__, prereleases=True):
        raise FacepolicyError(
            f"{where}: requires",
            bilingual(
                f"需要 facepolicy {requires}，当前为 {__version__}；"
                "请升级 facepolicy 或改用适配此版本的规则包",
                f"needs facepolicy {requires}, this is {__version__}; "
                "upgrade facepolicy or use a version of "
                "the pack made for this one",
            ),
        )


def _manifest(place: Place, data: bytes | None) -> dict[str, Any]:
    from facepolicy import schemas
    from facepolicy.loader import read_toml

    assert place.manifest is not None
    where = shown(place.manifest)
    manifest = read_toml(place.manifest, data or None)
    message = schemas.first_error("pack", manifest)
    if message is not None:
        raise FacepolicyError(
            where,
            bilingual("pack.toml 不符合其 schema", "pack.toml breaks its schema") + f": {message}",
        )
    if "requires" in manifest:
        _requirement_met(manifest["requires"], where)
    return manifest


def _families(packs: list[dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Each pack's family (itself and what it builds on, transitively), or an error for a missing
    pack or a cycle."""
    order = {pack["name"]: index for index, pack in enumerate(packs)}
    by_name = {pack["name"]: pack for pack in packs}
    for pack in packs:
        for other in pack["builds_on"]:
            if other not in by_name:
                hint = (
                    "不要使用 --no-bundled，或在 .facepolicy.toml 中设 bundled = true"
                    if other == BUNDLED_NAME
                    else "用 --policies 或 .facepolicy.toml 的 packs 加载它"
                )
                hint_en = (
                    "drop --no-bundled (or set bundled = true in .facepolicy.toml)"
                    if other == BUNDLED_NAME
                    else "load it too, with --policies DIR or packs in .facepolicy.toml"
                )
                raise FacepolicyError(
                    f"{pack['where']}: builds_on",
                    bilingual(
                        f"依赖的规则包 {other!r} 未加载；{hint}",
                        f"builds on pack {other!r}, which is not loaded; {hint_en}",
                    ),
                )
    families = {}
    for pack in packs:
        family = {pack["name"]}
        stack: list[tuple[str, tuple[str, ...]]] = [(pack["name"], (pack["name"],))]
        while stack:
            name, chain = stack.pop()
            for other in by_name[name]["builds_on"]:
                if other == pack["name"]:
                    cycle = " → ".join((*chain, other))
                    raise FacepolicyError(
                        f"{pack['where']}: builds_on",
                        bilingual(
                            f"规则包循环依赖：{cycle}；请删去其中一处 builds_on",
                            f"packs build on each other: {cycle}; remove one of these builds_on",
                        ),
                    )
                if other not in family:
                    family.add(other)
                    stack.append((other, (*chain, other)))
        families[pack["name"]] = tuple(sorted(family, key=order.__getitem__))
    return families


def _manifest_part(place: Place, data: bytes | None) -> Any:
    """A manifest read and checked, or the error that refuses it (kept by rulecache.Parts)."""
    try:
        return _manifest(place, data)
    except FacepolicyError as exc:
        return exc


def read(found: list[Place], contents: dict[str, bytes], parts: Any = None) -> list[Pack]:
    """Each pack's manifest and extension, read and checked: one-line errors for a pack named twice,
    a version requirement not met, a pack built on that is not loaded, and an extension that is not
    a plain schema or whose facts collide with the core's or another pack's."""
    from pathlib import Path

    raw: list[dict[str, Any]] = []
    for place in found:
        if place.manifest is None:
            raw.append(
                {
                    "name": shown(place.rules),
                    "version": "",
                    "where": shown(place.rules),
                    "builds_on": [pack["name"] for pack in raw],
                    "place": place,
                }
            )
            continue
        data = contents.get(place.manifest)
        manifest = (
            parts.get(shown(place.manifest), data, _manifest_part, place, data)
            if parts is not None and data
            else _manifest_part(place, data)
        )
        if isinstance(manifest, FacepolicyError):
            raise manifest
        raw.append(
            {
                **manifest,
                "builds_on": manifest.get("builds_on", []),
                "where": shown(place.manifest),
                "place": place,
            }
        )
    named: dict[str, str] = {}
    for pack in raw:
        if pack["name"] in named:
            raise FacepolicyError(
                pack["where"],
                bilingual(
                    f"规则包名称 {pack['name']!r} 与 {named[pack['name']]} 重复；"
                    "请改名（pack.toml 的 name）",
                    f"pack name {pack['name']!r} is also the name of {named[pack['name']]}; "
                    "rename one (name in pack.toml)",
                ),
            )
        named[pack["name"]] = pack["where"]
    families = _families(raw)
    packs = []
    for pack in raw:
        place = pack["place"]
        extension = _extension(place, contents) if place.extension is not None else None
        sources = Path(place.root) / "sources"
        packs.append(
            Pack(
                name=pack["name"],
                version=pack["version"],
                root=shown(place.root),
                rules=Path(place.rules),
                fixtures=Path(place.root) / "fixtures",
                sources=sources if place.manifest is not None and sources.is_dir() else None,
                builds_on=tuple(pack["builds_on"]),
                family=families[pack["name"]],
                extension=extension,
                manifest=pack["where"] if place.manifest is not None else None,
            )
        )
    _no_collisions(packs)
    return packs


def _extension(place: Place, contents: dict[str, bytes]) -> dict[str, Any]:
    from facepolicy.loader import _read_bytes, decode_text, parse_json

    path = place.extension
    assert path is not None
    where = shown(path)
    try:
        data = contents.get(path) or _read_bytes(path)
        fragment = parse_json(decode_text(data))
    except FacepolicyError as exc:
        raise exc.within(where) from None
    except OSError as exc:
        raise FacepolicyError(
            where, bilingual("无法读取", "cannot read") + f": {exc.strerror}"
        ) from None
    problem = extension_problem(fragment)
    if problem is not None:
        raise FacepolicyError(f"{where}: {problem[0]}", problem[1])
    return fragment


def _refs(node: Any, at: str = "") -> list[tuple[str, Any]]:
    found = []
    stack = [(node, at)]
    while stack:
        item, here = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                place = f"{here}/{key}"
                if key in ("$ref", "$dynamicRef", "$id", "$anchor", "$dynamicAnchor"):
                    found.append((place, value))
                stack.append((value, place))
        elif isinstance(item, list):
            stack.extend((value, f"{here}/{index}") for index, value in enumerate(item))
    return sorted(found)


def objects_in(node: Any, at: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every schema in the fragment that declares properties, with its place."""
    found = []
    stack = [(node, at)]
    while stack:
        item, here = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("properties"), dict):
                found.append((here or "/", item))
            for key, value in item.items():
                stack.append((value, f"{here}/{key}"))
        elif isinstance(item, list):
            stack.extend((value, f"{here}/{index}") for index, value in enumerate(item))
    return sorted(found, key=lambda pair: pair[0])


def _is_list(node: Any, root: dict[str, Any]) -> bool:
    while (
        isinstance(node, dict)
        and isinstance(node.get("$ref"), str)
        and node["$ref"].startswith("#/")
    ):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
    return isinstance(node, dict) and node.get("type") == "array"


def extension_problem(fragment: Any) -> tuple[str, str] | None:
    """Why a fact extension cannot be merged, as (place, message), or None. An extension is the
    schema of one object: closed like the core (a typo is refused, not ignored), referring only
    inside itself (nothing is fetched), and three-valued like the core: an object with lists says in
    `complete` which it states whole."""
    if (
        not isinstance(fragment, dict)
        or fragment.get("type") != "object"
        or not isinstance(fragment.get("properties"), dict)
    ):
        return "/", bilingual(
            '事实扩展须是对象的 schema："type": "object" 及 "properties"',
            'a fact extension is the schema of an object: "type": "object" with "properties"',
        )
    for place, value in _refs(fragment):
        if (
            place.endswith("/$ref")
            and isinstance(value, str)
            and (value == "#" or value.startswith("#/"))
        ):
            continue
        return place, bilingual(
            '只允许本文件内的引用（"#/$defs/…"），不获取任何外部 schema',
            'only references inside this file ("#/$defs/…") are allowed; nothing is fetched',
        ) + f": {value!r}"
    for place, node in objects_in(fragment):
        if node.get("additionalProperties") is not False:
            return place, bilingual(
                '请加上 "additionalProperties": false，使拼错的事实名被拒绝而非忽略',
                'add "additionalProperties": false, so that a misspelt fact is refused, '
                "not ignored",
            )
        lists = sorted(
            name
            for name, sub in node["properties"].items()
            if name != "complete" and _is_list(sub, fragment)
        )
        declared = node["properties"].get("complete", {})
        allowed = (
            declared.get("items", {}).get("enum")
            if isinstance(declared, dict) and isinstance(declared.get("items"), dict)
            else None
        )
        if lists and sorted(allowed or []) != lists:
            wanted = json.dumps({"type": "array", "uniqueItems": True, "items": {"enum": lists}})
            return f"{place.rstrip('/')}/properties/complete", bilingual(
                f'含列表的对象须用 complete 说明哪些列表已完整列出，请写 "complete": {wanted}',
                "an object with lists says in complete which it states whole; "
                f'write "complete": {wanted}',
            )
    return None


def _no_collisions(packs: list[Pack]) -> None:
    """A fact an extension adds may not bear the name of a core fact or of another pack's: one name,
    one meaning (a rule's messages and `lint` read fact names bare)."""
    from facepolicy import schemas

    core = schemas.core_deployment()
    owners = {name: "the core (/" + name + ")" for name in core["properties"]}
    for pack in packs:
        if pack.extension is None:
            continue
        for name in sorted(pack.extension["properties"]):
            if name == "complete":
                continue
            if name in owners:
                raise FacepolicyError(
                    f"{pack.root}/{EXTENSION}: /properties/{name}",
                    bilingual(
                        f"事实 {name!r} 与 {owners[name]} 重名；请换一个名称，"
                        f"如 {pack.name.replace('-', '_')}_{name}",
                        f"fact {name!r} is also a fact of {owners[name]}; "
                        "give it another name, e.g. "
                        f"{pack.name.replace('-', '_')}_{name}",
                    ),
                )
            owners[name] = f"pack {pack.name} (/extensions/{pack.name}/{name})"


def _relocated(node: Any, base: str) -> Any:
    """The fragment, its local references pointing where it sits inside the merged schema."""
    if isinstance(node, dict):
        moved = {}
        for key, value in node.items():
            if key == "$schema":
                continue  # only a schema resource's root may say which dialect it is
            if (
                key == "$ref"
                and isinstance(value, str)
                and (value == "#" or value.startswith("#/"))
            ):
                moved[key] = base + value[1:]
            else:
                moved[key] = _relocated(value, base)
        return moved
    if isinstance(node, list):
        return [_relocated(item, base) for item in node]
    return node


def merge(core: dict[str, Any], extensions: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The deployment schema with each pack's extension as `extensions.<pack name>`."""
    if not extensions:
        return core
    merged = json.loads(json.dumps(core))
    owned = merged["properties"]["extensions"]["properties"]
    for name, text in extensions:
        base = "#/properties/extensions/properties/" + name.replace("~", "~0").replace("/", "~1")
        owned[name] = _relocated(json.loads(text), base)
    return merged


def find_config(folder: str | None = None) -> tuple[tuple[str, ...], bool]:
    """The packs and the bundled switch that .facepolicy.toml in the working folder asks for; (no
    packs, True) when there is none. Its paths are relative to the working folder, where it is."""
    path = os.path.join(folder or os.getcwd(), CONFIG)
    if not os.path.isfile(path):
        return (), True
    from facepolicy import schemas
    from facepolicy.loader import read_toml

    data = read_toml(path)
    message = schemas.first_error("config", data)
    if message is not None:
        raise FacepolicyError(
            shown(path),
            bilingual(
                ".facepolicy.toml 不符合其 schema（应有 packs = [...]、bundled = true/false）",
                ".facepolicy.toml breaks its schema (packs = [...], bundled = true/false)",
            )
            + f": {message}",
        )
    return tuple(data.get("packs", [])), data.get("bundled", True)


def fixture_roots(
    packs: list[Pack], explicit: list[Path] | tuple[Path, ...] = ()
) -> dict[str, list[Path]]:
    """Each pack's fixture folders: its own fixtures/ by default. Folders given with --fixtures
    belong to the pack they lie in (the deepest pack folder holding them), else to the last pack
    loaded (the one being written), and only the packs they belong to are tested: `--fixtures own/`
    never marks another pack's rules untested."""
    from pathlib import Path

    if not explicit:
        return {pack.name: [pack.fixtures] if pack.fixtures.is_dir() else [] for pack in packs}
    if not packs:
        return {}
    found: dict[str, list[Path]] = {}
    for root in explicit:
        where = root.resolve()
        owners = [pack for pack in packs if where == pack.fixtures.resolve()]
        if not owners:
            holding = [
                pack for pack in packs if Path(pack.root).resolve() in (where, *where.parents)
            ]
            owners = sorted(holding, key=lambda pack: len(Path(pack.root).resolve().parts))[
                -1:
            ] or [packs[-1]]
        found.setdefault(owners[0].name, []).append(root)
    return found
