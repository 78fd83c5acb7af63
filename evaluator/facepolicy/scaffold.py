"""`new`: a rule file, its catalog reference and a compliant and a violating fixture, ready to
edit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from facepolicy.errors import FacepolicyError, bilingual

RULE_TEMPLATE = """id = "{rule_id}"
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
"""


def _fixture(rule_id: str, published: bool) -> str:
    return (
        json.dumps(
            {
                "schema_version": 2,
                "id": f"{rule_id}-{'compliant' if published else 'violating'}",
                "privacy_policy": {"published": published},
            },
            indent=2,
        )
        + "\n"
    )


CATALOG_TEMPLATE = """key = "{key}"
source = "{key}.txt"                   # the source text, checked by lint --sources DIR
publisher = "{publisher}"
date = "{date}"                         # YYYY-MM-DD, or "undated"
version = "{date}"
title = {{ zh = {title}, en = {title} }}
governs = {{ zh = "TODO 约束哪些部署", en = "TODO which deployments it governs" }}
"""

CLAUSE_TEMPLATE = '''
[[clauses]]
id = "{clause_id}"
section = "{section}"
heading = {{ zh = "TODO 简短标题", en = "TODO short heading" }}
binds = "deployer"
kind = "obligation"
excerpt = """TODO: the clause, verbatim from the source text"""
rules = ["{rule_id}"]
'''


def add_rule_to_catalog(catalog: Path, clause_id: str, rule_id: str) -> str:
    """Link a clause of the catalog to a rule (adding the clause when the catalog lacks it): its
    `rules` list names the rule, and a `not_checkable` reason it had goes. Returns what was done;
    the catalog is checked to read back so linked, and left as it was if it does not."""
    from facepolicy.fmt import fold_catalog
    from facepolicy.loader import read_toml

    original = catalog.read_text(encoding="utf-8")
    ids = [c.get("id") for c in read_toml(catalog).get("clauses", []) if isinstance(c, dict)]
    if clause_id not in ids:
        text, done = (
            original.rstrip("\n")
            + "\n"
            + CLAUSE_TEMPLATE.format(
                clause_id=clause_id, section=clause_id.split(".")[0], rule_id=rule_id
            ),
            "added clause",
        )
    else:
        blocks = re.split(r"(?m)^(?=\[\[clauses\]\])", original)
        index = ids.index(clause_id) + 1  # blocks[0] is what comes before the first clause
        block, tail = _own_part(blocks[index])
        rules = re.search(
            r"(?ms)^rules\s*=\s*\[(.*?)\][ \t]*$", block
        )  # one line, or folded one item a line
        if rules:
            items = [s.strip() for s in rules.group(1).split(",") if s.strip()]
            if json.dumps(rule_id) not in items:
                items.append(json.dumps(rule_id))
            block = block[: rules.start()] + f"rules = [{', '.join(items)}]" + block[rules.end() :]
        else:
            block = re.sub(r"(?m)^not_checkable\s*=.*\n", "", block)
            block = _replace_reason(block, f"rules = [{json.dumps(rule_id)}]")
        blocks[index] = block + tail
        text, done = "".join(blocks), "linked clause"
    text = fold_catalog(text, str(catalog))
    catalog.write_text(text, encoding="utf-8")
    clause: dict[str, Any] = next(
        (c for c in read_toml(catalog).get("clauses", []) if c.get("id") == clause_id), {}
    )
    if rule_id not in clause.get("rules", ()) or "not_checkable" in clause or "reason" in clause:
        catalog.write_text(original, encoding="utf-8")
        raise FacepolicyError(
            f"{catalog}: clauses ({clause_id})",
            bilingual(
                "无法自动关联条款与规则，请手动在该条款的 rules 中加入",
                "cannot link the clause to the rule by itself; add to the clause's rules by hand",
            )
            + f": {json.dumps(rule_id)} (policies/catalog-format.md)",
        )
    return f"{done} {clause_id} → {rule_id} in"


def _own_part(block: str) -> tuple[str, str]:
    """A clause's block, and what follows it that is no part of it (a [[retired]] table, say)."""
    first = block.find("\n") + 1  # past the block's own [[clauses]] line
    match = re.compile(r"(?m)^\[(?!clauses\.)").search(block, first) if first else None
    return (block, "") if match is None else (block[: match.start()], block[match.start() :])


def _replace_reason(block: str, line: str) -> str:
    """The clause's reason (`reason = {…}`, or `reason.zh`/`reason.en` with their folded lines)
    replaced by one line; where it has none, the line is added after the excerpt's table."""
    lines, out, inside, replaced = block.split("\n"), [], False, False
    for current in lines:
        if current.startswith("reason"):
            if not inside and not replaced:
                out.append(line)
                replaced = True
            inside = True
        elif inside and current.startswith(" "):
            continue  # a folded line of the reason
        else:
            inside = False
            out.append(current)
    if not replaced:
        while out and not out[-1].strip():
            out.pop()
        out += [line, "", ""] if block.endswith("\n\n") else [line, ""]
    return "\n".join(out)


KEY = r"[a-z0-9][a-z0-9-]*"
CLAUSE = r"[0-9a-z][0-9a-z.-]*"  # as the catalog schema has it
NAME = r"[a-z0-9][a-z0-9-]*"


def scaffold(
    policies: Path,
    fixtures: Path,
    clause_ref: str,
    name: str,
    title: str | None = None,
    publisher: str | None = None,
    date: str | None = None,
) -> list[tuple[str, Path]]:
    """Write a rule for a clause, link it in the catalog both ways (creating the clause entry, or
    with `title` a minimal catalog, where missing), and a compliant and a violating fixture: (what
    was done, path) for each."""
    key, _, clause_id = clause_ref.partition(":")
    # The document key and the name become folder and file names: a plain word each, so that
    # `../../x` can never put a rule or a fixture outside the rule and fixture folders.
    if (
        not re.fullmatch(KEY, key)
        or not re.fullmatch(CLAUSE, clause_id)
        or not re.fullmatch(NAME, name)
    ):
        raise FacepolicyError(
            "new",
            bilingual(
                "用法：facepolicy new 文档键:条款 名称（小写、连字符）",
                "usage: facepolicy new DOC:CLAUSE NAME (lowercase, hyphens)",
            )
            + " — e.g. facepolicy new acme-pm:4.2 template-deletion",
        )
    for made, root in (
        (policies / key / f"{name}.toml", policies),
        (fixtures / "rules" / f"{key}.{name}", fixtures),
    ):
        if root.resolve() not in made.resolve().parents:
            raise FacepolicyError(
                str(made),
                bilingual(
                    "路径不在规则或夹具目录之内", "the path is outside the rule and fixture folders"
                ),
            )
    catalog = policies / key / "document.toml"
    rule_id = f"{key}.{name}"
    rule_path = policies / key / f"{name}.toml"
    if rule_path.exists():
        raise FacepolicyError(str(rule_path), bilingual("规则已存在", "the rule already exists"))
    done: list[tuple[str, Path]] = []
    if not catalog.is_file():
        if title is None:
            raise FacepolicyError(
                str(catalog),
                bilingual("没有该文档的目录", "no catalog for this document")
                + ": "
                + bilingual(
                    '加上 --title "文档标题" 即生成最小目录，或按 policies/catalog-format.md 手写',
                    'add --title "Document title" to create a minimal '
                    "one, or write it as policies/catalog-format.md says",
                ),
            )
        if date is not None and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|undated", date):
            raise FacepolicyError(
                "--date",
                bilingual("日期格式应为 YYYY-MM-DD 或 undated", "expected YYYY-MM-DD or undated")
                + f": {json.dumps(date)}",
            )
        catalog.parent.mkdir(parents=True, exist_ok=True)
        catalog.write_text(
            CATALOG_TEMPLATE.format(
                key=key,
                title=json.dumps(title, ensure_ascii=False),
                publisher=(publisher or "TODO").replace('"', "'"),
                date=date or "undated",
            ),
            encoding="utf-8",
        )
        done.append(("created catalog", catalog))
    done.append((add_rule_to_catalog(catalog, clause_id, rule_id), catalog))
    rule_path.write_text(
        RULE_TEMPLATE.format(rule_id=rule_id, clause_ref=clause_ref), encoding="utf-8"
    )
    done.insert(0, ("wrote rule", rule_path))
    cases = fixtures / "rules" / rule_id
    cases.mkdir(parents=True, exist_ok=True)
    (cases / "pass-compliant.json").write_text(_fixture(rule_id, True), encoding="utf-8")
    (cases / "fail-violating.json").write_text(_fixture(rule_id, False), encoding="utf-8")
    done += [
        ("wrote fixture", cases / "pass-compliant.json"),
        ("wrote fixture", cases / "fail-violating.json"),
    ]
    return done
