"""Checks of rule files, catalogs and schemas: every authoring mistake found, each with file and key
path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from facepolicy import schemas
from facepolicy.compiler import NO_LETS, Lets, Rule, check_rule_data, compile_expression
from facepolicy.errors import FacepolicyError
from facepolicy.loader import read_json_file, read_toml
from facepolicy.messages import did_you_mean, show
from facepolicy.paths import SCHEMAS, shown
from facepolicy.ruleset import Document, RuleSet, rule_files


@dataclass(frozen=True, order=True)
class Finding:
    where: str
    message: str

    def line(self) -> str:
        return f"{self.where}: {self.message}"


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def deployment_field_names() -> set[str]:
    names: set[str] = set()
    for _, node in _walk(schemas.load("deployment")):
        if isinstance(node, dict) and isinstance(node.get("properties"), dict):
            names.update(node["properties"])
    return names


def _ast_nodes(node: Any) -> Iterator[dict[str, Any]]:
    stack = [node]  # not recursive: an expression may nest hundreds of levels
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(node.get("children", [])))


def expression_findings(
    text: str, where: str, known_fields: set[str], lets: Lets = NO_LETS
) -> list[Finding]:
    """Expressions that compile but can never do what they say."""
    try:
        parsed = compile_expression(text, where, lets).parsed
    except FacepolicyError as exc:
        return [Finding(exc.where, exc.message)]
    found = []
    for node in _ast_nodes(parsed):
        kind, children = node.get("type"), node.get("children", [])
        if (
            kind in ("subexpression", "index_expression")
            and children
            and children[0].get("type") == "not_expression"
        ):
            found.append(
                Finding(
                    where,
                    "'!' applies only to the first name, so '!a.b' is "
                    "'(!a).b', always null; write '!(a.b)' / "
                    f"取反只作用于第一个名称: {text}",
                )
            )
        if kind == "field" and node.get("value") not in known_fields:
            name = node.get("value")
            found.append(
                Finding(
                    where,
                    f"field {show(name)} is not in the deployment schema, so "
                    "it is always null / 部署 schema 中没有该字段"
                    f"{did_you_mean(name, known_fields)}",
                )
            )
        if kind == "comparator" and node.get("value") in ("lt", "lte", "gt", "gte"):
            for child in children:
                if child.get("type") == "literal" and not isinstance(
                    child.get("value"), (int, float)
                ):
                    found.append(
                        Finding(
                            where,
                            "ordering against a non-number literal is always "
                            f"null / 与非数字字面量比较大小总为 null: {text}",
                        )
                    )
        if kind == "literal" and node is parsed and node.get("value") is not True:
            found.append(Finding(where, f"a constant that is never true / 常量永不为真: {text}"))
    return found


def _remote_refs(node: Any, where: str) -> list[Finding]:
    found = []
    for path, value in _walk(node):
        if path.endswith("$ref") and isinstance(value, str):
            if not (value.startswith("#") or value.startswith("urn:facepolicy:scopes")):
                found.append(
                    Finding(
                        f"{where}.{path}",
                        f"$ref {value!r} is refused: only '#…' and "
                        "'urn:facepolicy:scopes#…' resolve, "
                        "nothing is fetched / 拒绝外部引用",
                    )
                )
            else:
                try:
                    schemas.registry().resolver().lookup(value) if not value.startswith(
                        "#"
                    ) else None
                except Exception:  # noqa: BLE001 — the resolver's error types vary
                    found.append(
                        Finding(f"{where}.{path}", f"$ref {value!r} does not resolve / 无法解析")
                    )
    return found


def line_findings(path: Path, catalog: bool) -> list[Finding]:
    """Lines too long to read in a diff; a catalog's verbatim excerpts are exempt."""
    from facepolicy.fmt import WIDTH, long_lines

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # reported by the loader
        return []
    return [
        Finding(
            shown(path), f"line {n}: longer than {WIDTH} characters ({m}); facepolicy fmt folds it"
        )
        for n, m in long_lines(text, catalog)
    ]


def check_rule_file(path: Path, known_fields: set[str]) -> tuple[str | None, list[Finding]]:
    where = shown(path)
    found_lines = line_findings(path, catalog=False)
    try:
        data = read_toml(path)
        check_rule_data(data, where)
        lets = Lets(data.get("let", {}), where)
    except FacepolicyError as exc:
        return None, [Finding(exc.where, exc.message), *found_lines]
    found: list[Finding] = found_lines
    if data["id"].split(".", 1)[0] != path.parent.name:
        found.append(
            Finding(
                f"{where}: id",
                f"rule id {show(data['id'])} must start with its "
                f"folder's document key {show(path.parent.name)} / "
                "规则 id 须以文档键开头",
            )
        )
    for part in ("scope",):
        if part in data:
            found.extend(_remote_refs(data[part], f"{where}: {part}"))
            try:
                Draft202012Validator.check_schema(data[part])
            except SchemaError as exc:
                place = "".join(f"/{p}" for p in exc.absolute_path)
                found.append(
                    Finding(
                        f"{where}: {part}{place}",
                        f"invalid JSON Schema / 无效的 JSON Schema: {exc.message}",
                    )
                )
    for index, assertion in enumerate(data["assertions"]):
        for key in ("where", "expect"):
            if key in assertion:
                found.extend(
                    expression_findings(
                        assertion[key], f"{where}: assertions[{index}].{key}", known_fields, lets
                    )
                )
        for name in re.split(r"\.|\[\*\]", assertion.get("for_each", "")):
            name = name.strip('"')
            if name and name not in known_fields:
                found.append(
                    Finding(
                        f"{where}: assertions[{index}].for_each",
                        f"field {show(name)} "
                        "is not in the "
                        "deployment schema / "
                        f"部署 schema 中没有该字段{did_you_mean(name, known_fields)}",
                    )
                )
    try:
        from facepolicy.compiler import compile_rule

        compile_rule(data, where)
    except FacepolicyError as exc:
        found.append(Finding(exc.where, exc.message))
    return data["id"], found


MANDATORY = {"应", "应当", "须", "需", "需要", "必须", "务必", "不得", "不应", "禁止", "严禁"}
ADVISORY = {"建议", "可", "可以", "宜", "可考虑", "可参考", "可能"}


def _severity_findings(rule, rule_set: RuleSet) -> list[Finding]:
    """The calibration (policies/README.md): a rule's severity follows the strongest modal of its
    clauses — 应/应当/须/不得 … → high or critical; 建议/可/宜 and hedged text only → low or
    info; a duty that only guards the deployer's own losses → low or info."""
    clauses = [
        c
        for c in (rule_set.clause(ref) for ref in rule.clauses)
        if c is not None and c.modal is not None
    ]
    if not clauses:
        return []
    severity = rule.severity.name
    where = f"{rule.source}: severity"
    if any(c.self_regarding for c in clauses) and all(
        c.self_regarding or c.modal not in MANDATORY for c in clauses
    ):
        if severity not in ("low", "info"):
            return [
                Finding(
                    where,
                    f"{severity}: the clause guards only the deployer's own losses, "
                    "so low or info / 条款只关乎部署方自身损失，应为 low 或 info",
                )
            ]
        return []
    strongest = [c.modal for c in clauses if c.modal in MANDATORY]
    if strongest and severity not in ("high", "critical"):
        return [
            Finding(
                where,
                f"{severity}: a clause says {strongest[0]}, so high or critical / "
                f"条款为“{strongest[0]}”，应为 high 或 critical",
            )
        ]
    advisory = [c.modal for c in clauses if c.modal in ADVISORY]
    if not strongest and advisory and severity not in ("low", "info"):
        return [
            Finding(
                where,
                f"{severity}: the clauses only say {advisory[0]}, so low or info / "
                f"条款仅为“{advisory[0]}”，应为 low 或 info",
            )
        ]
    return []


def _clause_hint(ref: str, known: list[str], rule_set: RuleSet) -> str:
    """Did you mean another clause; or, when the document has no catalog, how to make one."""
    hint = did_you_mean(ref, known)
    key = ref.partition(":")[0]
    if not hint and key not in rule_set.documents:
        if any((folder / key / "document.toml").is_file() for folder in rule_set.folders):
            hint = (
                f" — 文档 {show(key)} 的目录无法读取，见其错误 / the catalog of {show(key)} "
                "could not be read: see its error"
            )
        else:
            hint = (
                f" — 文档 {show(key)} 没有目录 / document {show(key)} has no catalog "
                f"(policies/{key}/document.toml; "
                "see policies/catalog-format.md, or facepolicy new --title)"
            )
    return hint


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _own_sources(rule_set: RuleSet, document_key: str) -> Path | None:
    """The source texts of the pack a catalog belongs to, when it has them (sources/ beside
    pack.toml)."""
    name = rule_set.pack_of_document.get(document_key)
    return next((pack.sources for pack in rule_set.packs if pack.name == name), None)


def extension_findings(rule_set: RuleSet) -> list[Finding]:
    """Each pack's fact extension: a valid JSON Schema whose every property says in Chinese and
    English what it means (ask and editors show it)."""
    from facepolicy.packs import EXTENSION, objects_in

    found = []
    for pack in rule_set.packs:
        if pack.extension is None:
            continue
        where = f"{pack.root}/{EXTENSION}"
        try:
            Draft202012Validator.check_schema(pack.extension)
        except SchemaError as exc:
            place = "".join(f"/{p}" for p in exc.absolute_path)
            found.append(
                Finding(
                    f"{where}: {place or '/'}",
                    f"invalid JSON Schema / 无效的 JSON Schema: {exc.message}",
                )
            )
        for place, node in objects_in(pack.extension):
            for name, prop in node["properties"].items():
                if not (isinstance(prop, dict) and " / " in str(prop.get("description", ""))):
                    found.append(
                        Finding(
                            f"{where}: {place.rstrip('/')}/properties/{name}",
                            "describe it in Chinese and English: "
                            '"description": "中文 / English" / 请用中英文说明此事实',
                        )
                    )
    return found


def lint(
    rule_set: RuleSet, sources: Path | None, has_violating_fixture: Callable[[str], bool]
) -> list[Finding]:
    found: list[Finding] = extension_findings(rule_set)
    found.extend(_schema_findings())
    for problem in rule_set.problems:
        if problem.source.endswith("document.toml") or "document.toml:" in problem.source:
            found.append(Finding(problem.source, problem.message))
    found.extend(_rule_file_findings(rule_set))
    for rule in rule_set.rules.values():
        found.extend(_rule_findings(rule, rule_set, has_violating_fixture))
    for document in rule_set.documents.values():
        found.extend(_catalog_findings(document, rule_set, sources))
    return sorted(set(found))


def _schema_findings() -> list[Finding]:
    found: list[Finding] = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        try:
            Draft202012Validator.check_schema(read_json_file(path))
        except FacepolicyError as exc:
            found.append(Finding(exc.where, exc.message))
        except SchemaError as exc:
            found.append(
                Finding(
                    f"{path}: {'/'.join(map(str, exc.absolute_path))}",
                    f"invalid JSON Schema / 无效的 JSON Schema: {exc.message}",
                )
            )
    return found


def _rule_file_findings(rule_set: RuleSet) -> list[Finding]:
    """Each rule file's own findings, and an id used twice in one folder."""
    found: list[Finding] = []
    known_fields = deployment_field_names()
    for folder in rule_set.folders:
        seen: dict[str, str] = {}
        for path in rule_files(folder):
            try:
                rule_id, findings = check_rule_file(path, known_fields)
            except (
                RecursionError
            ):  # past what the parser can follow: this file's finding, not the end of lint
                rule_id, findings = (
                    None,
                    [Finding(shown(path), "expression nested too deeply / 表达式嵌套过深")],
                )
            found.extend(findings)
            if rule_id is None:
                continue
            if rule_id in seen:
                found.append(
                    Finding(
                        f"{path}: id",
                        f"duplicate rule id {show(rule_id)}, also in "
                        f"{seen[rule_id]} / 规则 id 重复",
                    )
                )
            seen[rule_id] = str(path)
    return found


def _rule_findings(
    rule: Rule, rule_set: RuleSet, has_violating_fixture: Callable[[str], bool]
) -> list[Finding]:
    """A loaded rule's clauses, severity and violating fixture."""
    found: list[Finding] = []
    for index, ref in enumerate(rule.clauses):
        clause = rule_set.clause(ref)
        if clause is None:
            clause_refs = [c.ref for d in rule_set.documents.values() for c in d.clauses]
            found.append(
                Finding(
                    f"{rule.source}: clauses[{index}]",
                    f"unknown clause {show(ref)} "
                    "/ "
                    f"条款不存在{_clause_hint(ref, clause_refs, rule_set)}",
                )
            )
        elif rule.id not in clause.rules:
            found.append(
                Finding(
                    f"{rule.source}: clauses[{index}]",
                    f"clause {show(ref)} does not "
                    "list this rule in its "
                    "catalog / "
                    f"目录中该条款未列出本规则: add {show(rule.id)} to its rules",
                )
            )
    found.extend(_severity_findings(rule, rule_set))
    if not has_violating_fixture(rule.id):
        found.append(
            Finding(
                f"{rule.source}: id",
                f"rule {show(rule.id)} has no violating fixture "
                f"(fixtures/rules/{rule.id}/fail-*.json) / "
                "规则缺少违规夹具",
            )
        )
    return found


def _catalog_findings(document: Document, rule_set: RuleSet, sources: Path | None) -> list[Finding]:
    """A catalog's key, retired ids and source file; each clause against the rules and source."""
    found: list[Finding] = line_findings(Path(document.path), catalog=True)
    if document.key != Path(document.path).parent.name:
        found.append(
            Finding(
                f"{document.path}: key",
                f"key {show(document.key)} must be the "
                "catalog's folder name "
                f"{show(Path(document.path).parent.name)} / "
                "文档键须与目录所在文件夹同名",
            )
        )
    for index, rule_id in enumerate(document.retired):
        if rule_id in rule_set.rules:
            found.append(
                Finding(
                    f"{document.path}: retired[{index}]",
                    f"rule id {show(rule_id)} "
                    "was retired and must "
                    "never be reused / "
                    "已撤销的规则 id 不得复用",
                )
            )
    text = _source_text(document, rule_set, sources, found)
    ids: set[str] = set()
    for index, clause in enumerate(document.clauses):
        where = f"{document.path}: clauses[{index}] ({clause.id})"
        if clause.id in ids:
            found.append(Finding(where, f"duplicate clause id {show(clause.id)} / 条款 id 重复"))
        ids.add(clause.id)
        for rule_id in clause.rules:
            if rule_id not in rule_set.rules:
                found.append(
                    Finding(
                        f"{where}.rules",
                        f"rule {show(rule_id)} does not exist / "
                        f"规则不存在{did_you_mean(rule_id, rule_set.rules)}",
                    )
                )
            elif clause.ref not in rule_set.rules[rule_id].clauses:
                found.append(
                    Finding(
                        f"{where}.rules",
                        f"rule {show(rule_id)} does not cite this "
                        "clause back / 规则未引用该条款: "
                        f"add {show(clause.ref)} to its clauses",
                    )
                )
        if text is not None and _squash(clause.excerpt) not in text:
            found.append(
                Finding(
                    f"{where}.excerpt",
                    "excerpt is not verbatim in the source text / 摘录与来源原文不符",
                )
            )
    return found


def _source_text(
    document: Document, rule_set: RuleSet, sources: Path | None, found: list[Finding]
) -> str | None:
    """The squashed text of a catalog's source file (its pack's own, else --sources), or None: not
    checked when there is nowhere to look, a finding when it is nowhere it was looked for."""
    own = _own_sources(rule_set, document.key)
    places = [folder for folder in (own, sources) if folder is not None]
    if not places:
        return None
    found_in = [folder for folder in places if (folder / document.source).is_file()]
    if found_in:
        return _squash((found_in[0] / document.source).read_text(encoding="utf-8"))
    tried = " or ".join(str(folder / document.source) for folder in places)
    found.append(Finding(f"{document.path}: source", f"{tried} not found / 找不到来源文件"))
    return None
