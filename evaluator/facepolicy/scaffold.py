"""`new`: a rule file, its catalog reference and a compliant and a violating fixture, ready to edit."""

from __future__ import annotations

import json
import re
from pathlib import Path

from facepolicy.errors import FacepolicyError, bilingual

RULE_TEMPLATE = '''id = "{rule_id}"
severity = "medium"
tags = []
clauses = ["{clause_ref}"]
title = {{ zh = "TODO 标题", en = "TODO title" }}
description = {{ zh = "TODO 如何解读条款", en = "TODO how the clause is read" }}
# scope = {{ "$ref" = "urn:facepolicy:scopes#/$defs/uses-megvii" }}

[[assertions]]
expect = "privacy_policy.published"
at = "privacy_policy/published"

[message]
zh = "TODO 违规说明"
en = "TODO what is wrong"

[remediation]
zh = "TODO 修复方法"
en = "TODO how to fix it"
'''


def _fixture(rule_id: str, published: bool) -> str:
    return json.dumps({"schema_version": 2, "id": f"{rule_id}-{'compliant' if published else 'violating'}",
                       "privacy_policy": {"published": published}}, indent=2) + "\n"


def add_rule_to_catalog(catalog: Path, clause_id: str, rule_id: str) -> None:
    from facepolicy.fmt import fold_catalog

    text = catalog.read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^(?=\[\[clauses\]\])", text)
    for index, block in enumerate(blocks):
        if re.search(rf'(?m)^id\s*=\s*"{re.escape(clause_id)}"\s*$', block):
            rules = re.search(r"(?ms)^rules\s*=\s*\[(.*?)\][ \t]*$", block)  # one line, or folded one item a line
            if rules:
                items = [s.strip() for s in rules.group(1).split(",") if s.strip()] + [json.dumps(rule_id)]
                block = block[: rules.start()] + f"rules = [{', '.join(items)}]" + block[rules.end():]
            else:
                block = re.sub(r"(?m)^not_checkable\s*=.*\n", "", block)
                block = _replace_reason(block, f"rules = [{json.dumps(rule_id)}]")
            blocks[index] = block
            catalog.write_text(fold_catalog("".join(blocks), str(catalog)), encoding="utf-8")
            return
    raise FacepolicyError(str(catalog), bilingual("目录中没有该条款", "no such clause in the catalog") + f": {clause_id}")


def _replace_reason(block: str, line: str) -> str:
    """The clause's reason (`reason = {…}`, or `reason.zh`/`reason.en` with their folded lines) replaced by one line."""
    lines, out, inside = block.split("\n"), [], False
    for current in lines:
        if current.startswith("reason"):
            if not inside:
                out.append(line)
            inside = True
        elif inside and current.startswith(" "):
            continue  # a folded line of the reason
        else:
            inside = False
            out.append(current)
    return "\n".join(out)


KEY = r"[a-z0-9][a-z0-9-]*"
CLAUSE = r"[A-Za-z0-9][A-Za-z0-9._-]*"
NAME = r"[a-z0-9][a-z0-9-]*"


def scaffold(policies: Path, fixtures: Path, clause_ref: str, name: str) -> list[Path]:
    key, _, clause_id = clause_ref.partition(":")
    # The document key and the name become folder and file names: a plain word each, so that `../../x` can never
    # put a rule or a fixture outside the rule and fixture folders.
    if not re.fullmatch(KEY, key) or not re.fullmatch(CLAUSE, clause_id) or not re.fullmatch(NAME, name):
        raise FacepolicyError("new", bilingual("用法：facepolicy new 文档键:条款 名称（小写、连字符）", "usage: facepolicy new DOC:CLAUSE NAME (lowercase, hyphens)"))
    for made, root in ((policies / key / f"{name}.toml", policies), (fixtures / "rules" / f"{key}.{name}", fixtures)):
        if root.resolve() not in made.resolve().parents:
            raise FacepolicyError(str(made), bilingual("路径不在规则或夹具目录之内", "the path is outside the rule and fixture folders"))
    catalog = policies / key / "document.toml"
    if not catalog.is_file():
        raise FacepolicyError(str(catalog), bilingual("没有该文档的目录", "no catalog for this document"))
    rule_id = f"{key}.{name}"
    rule_path = policies / key / f"{name}.toml"
    if rule_path.exists():
        raise FacepolicyError(str(rule_path), bilingual("规则已存在", "the rule already exists"))
    add_rule_to_catalog(catalog, clause_id, rule_id)
    rule_path.write_text(RULE_TEMPLATE.format(rule_id=rule_id, clause_ref=clause_ref), encoding="utf-8")
    cases = fixtures / "rules" / rule_id
    cases.mkdir(parents=True, exist_ok=True)
    (cases / "pass-compliant.json").write_text(_fixture(rule_id, True), encoding="utf-8")
    (cases / "fail-violating.json").write_text(_fixture(rule_id, False), encoding="utf-8")
    return [rule_path, catalog, cases / "pass-compliant.json", cases / "fail-violating.json"]
