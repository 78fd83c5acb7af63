"""Rule sets on disk → documents and compiled rules. Later folders add rules and replace earlier ones by id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facepolicy import schemas
from facepolicy.compiler import Rule, compile_rule
from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.loader import read_toml
from facepolicy.model import Problem, Text
from facepolicy.paths import POLICIES, SCHEMAS, shown


@dataclass(frozen=True)
class Clause:
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

    @property
    def ref(self) -> str:
        return f"{self.document}:{self.id}"


@dataclass(frozen=True)
class Document:
    key: str
    title: Text
    publisher: str
    date: str
    version: str
    source: str
    governs: Text
    clauses: tuple[Clause, ...]
    path: str


@dataclass
class RuleSet:
    rules: dict[str, Rule] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    content_digest: str = ""

    def clause(self, ref: str) -> Clause | None:
        key, _, clause_id = ref.partition(":")
        document = self.documents.get(key)
        if document is None:
            return None
        return next((c for c in document.clauses if c.id == clause_id), None)

    def digest(self) -> str:
        """A content digest of every rule and catalog file, independent of where the folders are."""
        return self.content_digest

    def select(self, rule_ids: tuple[str, ...] = (), tags: tuple[str, ...] = ()) -> "RuleSet":
        """The same rule set, keeping only the rules named or tagged (all when neither is given)."""
        if not rule_ids and not tags:
            return self
        chosen = {
            rid: rule for rid, rule in self.rules.items()
            if (rid in rule_ids) or any(tag in rule.tags for tag in tags)
        }
        unknown = [rid for rid in rule_ids if rid not in self.rules]
        if unknown:
            raise FacepolicyError("--rule", bilingual("没有该规则", "no such rule") + f": {', '.join(unknown)}")
        return RuleSet(chosen, self.documents, self.problems, self.files, self.folders, self.content_digest)


def load_document(path: Path, content: bytes | None = None) -> Document:
    data = read_toml(path, content or None)
    message = schemas.first_error("document", data)
    if message is not None:
        raise FacepolicyError(f"{path}: {message}", bilingual("目录文件不符合 schema", "catalog breaks its schema"))
    clauses = tuple(
        Clause(
            document=data["key"], id=c["id"], section=c["section"], heading=Text(**c["heading"]), binds=c["binds"],
            kind=c["kind"], excerpt=c["excerpt"], rules=tuple(c.get("rules", ())), not_checkable=c.get("not_checkable"),
            reason=Text(**c["reason"]) if "reason" in c else None,
        )
        for c in data["clauses"]
    )
    return Document(
        key=data["key"], title=Text(**data["title"]), publisher=data["publisher"], date=data["date"],
        version=data["version"], source=data["source"], governs=Text(**data["governs"]), clauses=clauses, path=shown(path),
    )


def rule_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*/*.toml") if p.name != "document.toml")


def _digest(contents: list[tuple[Path, bytes]]) -> str:
    sha = hashlib.sha256()
    for path, data in sorted(contents, key=lambda item: (item[0].parent.name, item[0].name)):
        sha.update(f"{path.parent.name}/{path.name}\0".encode())
        sha.update(data)
        sha.update(b"\0")
    return "sha256:" + sha.hexdigest()


def _shown_names(folder: Path, paths: list[Path]) -> list[tuple[Path, str]]:
    """Each path as shown() would show it, resolving the folder once rather than every file in it."""
    prefix = shown(folder)
    return [(path, f"{prefix}/{path.relative_to(folder).as_posix()}") for path in paths]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # read again by the parser, which reports it with the file's name


def load_rule_set(extra: tuple[str, ...] = (), bundled: bool = True) -> RuleSet:
    """The bundled rule set (unless told not to) followed by each --policies folder; from the cache when unchanged."""
    from facepolicy import cache

    folders = ([POLICIES] if bundled else []) + [Path(f) for f in extra]
    for folder in folders:
        if not folder.is_dir():
            raise FacepolicyError(str(folder), bilingual("策略目录不存在", "no such policies folder"))
    listed = [(folder, sorted(folder.glob("*/document.toml")), rule_files(folder)) for folder in folders]
    contents = {path: _read(path) for _, catalogs, rules in listed for path in catalogs + rules}
    schema_files = sorted(SCHEMAS.glob("*.schema.json"))
    names = {path: name for folder, catalogs, rules in listed for path, name in _shown_names(folder, catalogs + rules)}
    cache_key = cache.key([(names[p], data) for p, data in contents.items()] + [(str(p), _read(p)) for p in schema_files])
    cached = cache.load(cache_key)
    if isinstance(cached, RuleSet):
        return cached
    rule_set = RuleSet(folders=folders, files=list(contents), content_digest=_digest(list(contents.items())))
    for folder, catalogs, rules in listed:
        for path in catalogs:
            try:
                document = load_document(path, contents[path])
            except FacepolicyError as exc:
                rule_set.problems.append(Problem(exc.where, exc.message))
                continue
            rule_set.documents[document.key] = document
        for path in rules:
            try:
                rule = compile_rule(read_toml(path, contents[path] or None), shown(path))
            except FacepolicyError as exc:
                rule_set.problems.append(Problem(exc.where, exc.message))
                continue
            rule_set.rules[rule.id] = rule
    rule_set.rules = dict(sorted(rule_set.rules.items()))
    cache.store(cache_key, rule_set)
    return rule_set


def raw_rule(path: Path) -> dict[str, Any]:
    return read_toml(path)
