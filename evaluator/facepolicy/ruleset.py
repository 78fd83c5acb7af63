"""Rule sets on disk → documents and compiled rules. Later folders add rules and replace earlier
ones by id."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.loader import read_toml
from facepolicy.model import Problem, Text
from facepolicy.paths import shown
from facepolicy.rulefiles import Located, _listing, _read, load_program, locate  # noqa: F401 — ruleset's API

if TYPE_CHECKING:
    from facepolicy.compiler import Rule


class Clause(NamedTuple):
    document: str
    id: str
    section: str
    heading: Text
    binds: str
    kind: str
    excerpt: str
    rules: tuple[str, ...]
    not_checkable: str | None
    reason: Text | None
    modal: str | None = None
    self_regarding: bool = False

    @property
    def ref(self) -> str:
        return f"{self.document}:{self.id}"


class Document(NamedTuple):
    key: str
    title: Text
    publisher: str
    date: str
    version: str
    source: str
    governs: Text
    clauses: tuple[Clause, ...]
    path: str
    retired: tuple[str, ...] = ()  # rule ids withdrawn, never to be reused


class RuleSet:
    """The rules and catalogs of the packs loaded. One rule set is one object: what is kept beside
    it (rulecache.py) is kept by identity. A plain class, not a dataclass: importing dataclasses
    costs a run that reads an edited rule about 6 ms."""

    def __init__(
        self,
        rules: "dict[str, Rule] | None" = None,
        problems: list[Problem] | None = None,
        folders: list[Path] | None = None,
        content_digest: str = "",
        catalogs: list[str] | None = None,
        packs: list[Any] | None = None,
        pack_of: dict[str, str] | None = None,
        extensions: tuple[tuple[str, str], ...] = (),
        pack_of_document: dict[str, str] | None = None,
        selected_from: "RuleSet | None" = None,
    ):
        self.rules: dict[str, Rule] = {} if rules is None else rules
        self.problems: list[Problem] = [] if problems is None else problems
        self.folders: list[Path] = [] if folders is None else folders
        self.content_digest = content_digest
        self.catalogs: list[str] = [] if catalogs is None else catalogs
        self.packs: list[Any] = [] if packs is None else packs  # facepolicy.packs.Pack, in order
        self.pack_of: dict[str, str] = {} if pack_of is None else pack_of  # rule id → its pack
        # (pack name, fact extension as JSON) of each pack that has one: merged into the schema
        self.extensions = extensions
        # document key → its pack
        self.pack_of_document: dict[str, str] = {} if pack_of_document is None else pack_of_document
        self.selected_from = selected_from  # the whole set of a selection

    def __repr__(self) -> str:
        return f"RuleSet({len(self.rules)} rules, {self.content_digest})"

    def pack(self, name: str) -> Any:
        return next(pack for pack in self.packs if pack.name == name)

    def family_rules(self, name: str) -> dict[str, Rule]:
        """The rules of a pack and of the packs it builds on: what its fixtures are judged by."""
        family = set(self.pack(name).family)
        return {rid: rule for rid, rule in self.rules.items() if self.pack_of.get(rid) in family}

    @property
    def documents(self) -> dict[str, Document]:
        """The catalogs, read only when a command needs clause texts (evaluating alone does not)."""
        from facepolicy.rulecache import documents_of

        return documents_of(self, lambda: _load_documents(self.catalogs, []))

    def clause(self, ref: str) -> Clause | None:
        key, _, clause_id = ref.partition(":")
        document = self.documents.get(key)
        if document is None:
            return None
        return next((c for c in document.clauses if c.id == clause_id), None)

    def digest(self) -> str:
        """A content digest of every rule and catalog file, independent of where the folders are."""
        return self.content_digest

    def select(
        self, rule_ids: tuple[str, ...] = (), tags: tuple[str, ...] = (), where: str = "--rule"
    ) -> "RuleSet":
        """The same rule set, keeping only the rules named or tagged (all when neither is given)."""
        if not rule_ids and not tags:
            return self
        chosen = {
            rid: rule
            for rid, rule in self.rules.items()
            if (rid in rule_ids) or any(tag in rule.tags for tag in tags)
        }
        unknown = [rid for rid in rule_ids if rid not in self.rules]
        if unknown:
            from facepolicy.messages import did_you_mean, show

            raise FacepolicyError(
                where,
                bilingual("没有该规则", "no such rule") + ": "
                f"{show(unknown[0])}{did_you_mean(unknown[0], self.rules)}"
                + (f" (+{len(unknown) - 1})" if len(unknown) > 1 else ""),
            )
        selection = copy.copy(self)
        selection.rules, selection.selected_from = chosen, self.selected_from or self
        return selection


def load_document(path: Path, content: bytes | None = None) -> Document:
    from facepolicy import schemas
    from facepolicy.messages import key_path

    data = read_toml(path, content or None)
    message = schemas.first_error("document", data)
    if message is not None:
        place, _, detail = message.partition(": ")
        raise FacepolicyError(
            f"{shown(path)}: {key_path(place)}",
            bilingual("目录文件不符合目录 schema", "catalog breaks the catalog schema")
            + f": {detail}",
        )
    clauses = tuple(
        Clause(
            document=data["key"],
            id=c["id"],
            section=c["section"],
            heading=Text(**c["heading"]),
            binds=c["binds"],
            kind=c["kind"],
            excerpt=c["excerpt"],
            rules=tuple(c.get("rules", ())),
            not_checkable=c.get("not_checkable"),
            reason=Text(**c["reason"]) if "reason" in c else None,
            modal=c.get("modal"),
            self_regarding=c.get("self_regarding", False),
        )
        for c in data["clauses"]
    )
    return Document(
        key=data["key"],
        title=Text(**data["title"]),
        publisher=data["publisher"],
        date=data["date"],
        version=data["version"],
        source=data["source"],
        governs=Text(**data["governs"]),
        clauses=clauses,
        path=shown(path),
        retired=tuple(r["id"] for r in data.get("retired", ())),
    )


def rule_files(folder: Path) -> list[Path]:
    return [Path(path) for path in _listing(folder)[1]]


def _digest(contents: list[tuple[str, bytes]]) -> str:
    import hashlib  # only when the cache misses: loading OpenSSL costs a one-file run 2 ms

    sha = hashlib.sha256()
    for path, data in sorted(contents, key=lambda item: item[0].split(os.sep)[-2:]):
        folder, name = path.split(os.sep)[-2:]
        sha.update(f"{folder}/{name}\0".encode())
        sha.update(data)
        sha.update(b"\0")
    return "sha256:" + sha.hexdigest()


def _load_documents(
    catalogs: list[str],
    problems: list[Problem],
    contents: dict[str, bytes] | None = None,
    pack_of: dict[str, str] | None = None,
    parts: Any = None,
    names: dict[str, str] | None = None,
) -> dict[str, Document]:
    documents: dict[str, Document] = {}
    owner: dict[str, str] = {}
    for path in catalogs:
        content = (contents or {}).get(path)
        if parts is not None and names is not None and content is not None:
            found = parts.get(names[path], content, _read_part, load_document, path, content)
        else:
            found = _read_part(load_document, path, content)
        if isinstance(found, Problem):
            problems.append(found)
            continue
        document = found
        pack = (pack_of or {}).get(path, "")
        if document.key in owner and owner[document.key] != pack:
            other = f"{owner[document.key]} ({documents[document.key].path})"
            raise FacepolicyError(
                f"{document.path}: key",
                bilingual(
                    f"文档键 {document.key!r} 已在规则包 {other} 中；请换一个键",
                    f"document key {document.key!r} is also in pack {other}; "
                    "give this catalog another key",
                ),
            )
        owner[document.key] = pack
        documents[document.key] = document
    return documents


# nested parse nodes or schema objects in a rule; 900 still evaluate within Python's default limit
MAX_NESTING = 400


def _shallow_enough(rule: Rule, source: str) -> None:
    """Refuse a rule whose expression trees or schemas nest deeper than MAX_NESTING, measured
    without recursion: evaluating one deeper would exhaust the interpreter's recursion in the middle
    of a run."""
    stack: list[tuple[Any, int]] = [
        (getattr(rule, part, None), 0) for part in ("assertions", "raw", "message", "remediation")
    ]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise FacepolicyError(
                source,
                bilingual(
                    f"表达式或 schema 嵌套超过 {MAX_NESTING} 层",
                    f"an expression or schema nested deeper than {MAX_NESTING} levels",
                ),
            )
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(
                (child, depth) for child in node
            )  # a parse node is a dict: lists of children add no level
        elif hasattr(node, "parsed"):  # a compiled expression: its parse tree
            stack.append((node.parsed, depth))


def load_rule_set(extra: tuple[str, ...] = (), bundled: bool = True) -> RuleSet:
    """The bundled pack (unless told not to) followed by each --policies folder; from the cache when
    unchanged. A rule id or document key in two packs is an error: a pack adds rules, it never
    silently replaces another's."""
    return _load(locate(extra, bundled))


def _load(located: Located, building: bool = False) -> RuleSet:
    """The rule set of the files located: from the cache when unchanged, else read (each file only
    when it changed since the last load, rulecache.Parts). `building`: the caller builds the
    program next, which saves the parts with the rules' code."""
    from facepolicy import cache, packs, rulecache, schemas

    found, listed, names, contents, pack_contents, cache_key, schema_contents = located
    cached = cache.load(cache_key)
    if isinstance(cached, RuleSet):
        schemas.use_extensions(cached.extensions)
        rulecache.loaded(cached, cache_key)
        return cached
    parts = rulecache.Parts(list(names.values()), _salt(schema_contents, pack_contents))
    pack_list = packs.read(found, pack_contents, parts)
    extensions = tuple(
        (pack.name, json.dumps(pack.extension, ensure_ascii=False))
        for pack in pack_list
        if pack.extension is not None
    )
    schemas.use_extensions(extensions)  # before any rule is compiled: all read the merged schema
    catalogs = [path for _, found_catalogs, _ in listed for path in found_catalogs]
    digested = list(contents.items()) + [
        (f"{pack.name}/extension.schema.json", pack_contents[place.extension])
        for pack, place in zip(pack_list, found, strict=True)
        if place.extension is not None
    ]
    rule_set = RuleSet(
        folders=[Path(place.rules) for place in found],
        catalogs=catalogs,
        packs=pack_list,
        extensions=extensions,
        content_digest=_digest(digested),
    )  # cached: no hashing on a cache hit
    pack_of_path = _pack_of_path(pack_list, listed)
    documents = _load_documents(catalogs, rule_set.problems, contents, pack_of_path, parts, names)
    names_of = {names[path]: pack for path, pack in pack_of_path.items()}
    rule_set.pack_of_document = {
        key: names_of.get(document.path, "") for key, document in documents.items()
    }
    for pack, (_, _, rules) in zip(pack_list, listed, strict=True):
        for path in rules:
            found = parts.get(
                names[path], contents[path], _rule_part, path, names[path], contents[path]
            )
            if isinstance(found, Problem):
                rule_set.problems.append(found)
                continue
            rule = found
            other = rule_set.pack_of.get(rule.id)
            if other is not None and other != pack.name:
                raise FacepolicyError(
                    f"{names[path]}: id",
                    bilingual(
                        f"规则 id {rule.id!r} 已在规则包 {other} 中；规则包只能新增规则，请换一个 "
                        "id",
                        f"rule id {rule.id!r} is also in pack {other}; a pack adds rules and never "
                        "replaces another's: give this one another id",
                    ),
                )
            rule_set.rules[rule.id] = rule
            rule_set.pack_of[rule.id] = pack.name
    rule_set.rules = dict(sorted(rule_set.rules.items()))
    if building:  # the program is built next, and the parts saved with it; the rule set is not
        # kept whole (its parts make the next load of it cheap)
        rulecache.loaded(rule_set, cache_key, None, parts)
        return rule_set
    parts.save()
    cache.store(cache_key, rule_set)
    rulecache.loaded(rule_set, cache_key, documents, parts)
    return rule_set


def _read_part(read: Any, path: str, content: bytes | None) -> Any:
    """A catalog file read, or the problem that stops it."""
    try:
        return read(Path(path), content or None)
    except FacepolicyError as exc:
        return Problem(exc.where, exc.message)


def _rule_part(path: str, name: str, content: bytes) -> Any:
    """A rule file compiled, or the problem that stops it."""
    from facepolicy.compiler import compile_rule

    try:
        rule = compile_rule(read_toml(Path(path), content or None), name)
        _shallow_enough(rule, name)
    except FacepolicyError as exc:
        return Problem(exc.where, exc.message)
    except RecursionError:  # an expression nested past what the parser can follow: this file only
        return Problem(name, bilingual("表达式嵌套过深", "expression nested too deeply"))
    return rule


def _salt(schema_contents: list[tuple[str, bytes]], pack_contents: dict[str, bytes]) -> bytes:
    """What reading a rule or catalog file depends on besides its bytes: the schemas, and the packs'
    manifests and fact extensions."""
    named = [(os.path.basename(p), data) for p, data in schema_contents]
    named += sorted(pack_contents.items())
    return b"".join(
        len(n).to_bytes(8, "big") + n.encode("utf-8", "replace") + len(d).to_bytes(8, "big") + d
        for n, d in named
    )


def _pack_of_path(
    pack_list: list[Any], listed: list[tuple[Any, list[str], list[str]]]
) -> dict[str, str]:
    """Each catalog file's pack."""
    return {
        path: pack.name
        for pack, (_, catalogs, _) in zip(pack_list, listed, strict=True)
        for path in catalogs
    }


def raw_rule(path: Path) -> dict[str, Any]:
    return read_toml(path)
