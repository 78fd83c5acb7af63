"""`init-pack`: a new policy pack that passes `lint` and `test` as written, to be edited into one's
own.

It holds one clause of a company policy (its text in sources/, so lint checks the excerpt), one rule
on one fact of the pack's own extension, a compliant and a violating fixture, and one scenario."""

from __future__ import annotations

import json
import re
from pathlib import Path

from facepolicy.errors import FacepolicyError, bilingual

NAME = r"[a-z][a-z0-9-]*"
FACT = "security_officer_approved"

PACK = """name = "{name}"
version = "0.1.0"
requires = ">={version}"
builds_on = ["facepolicy"]  # the bundled rules; a pack's tests use only its own rules and these

[description]
zh = "TODO 本规则包检查什么"
en = "TODO what this pack checks"
"""

POLICY_TEXT = """{name} 人脸识别内部政策（示例）

1. 人脸识别设备上线前，须经信息安全负责人书面批准。
"""

CATALOG = """key = "{name}"
source = "{name}-policy.txt"
publisher = "TODO 公司名称 / company"
date = "undated"
version = "0.1"
title = {{ zh = "{name} 人脸识别内部政策", en = "{name} internal face-recognition policy" }}
governs = {{ zh = "本公司的人脸识别部署。", en = "The company's face-recognition deployments." }}

[[clauses]]
id = "1"
section = "1"
heading = {{ zh = "上线前须经批准", en = "Approval before going live" }}
binds = "deployer"
kind = "obligation"
modal = "须"
excerpt = "人脸识别设备上线前，须经信息安全负责人书面批准。"
rules = ["{name}.security-approval"]
"""

RULE = """id = "{name}.security-approval"
severity = "high"
tags = ["{name}"]
clauses = ["{name}:1"]

[title]
zh = "人脸识别设备上线前须经信息安全负责人批准"
en = "Face recognition goes live only once the security officer approves it"

[[assertions]]
expect = "extensions.\\"{name}\\".{fact}"
at = "extensions/{name}/{fact}"

[message]
zh = "人脸识别设备未经信息安全负责人书面批准"
en = "The security officer has not approved the face-recognition devices in writing"

[remediation]
zh = "上线前取得信息安全负责人的书面批准"
en = "Have the security officer approve them in writing before they go live"
"""

EXTENSION = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "{name} facts",
    "description": "{name} 规则包所需的事实 / Facts the {name} pack's rules need.",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        FACT: {
            "type": "boolean",
            "description": "人脸识别设备上线前是否已经信息安全负责人书面批准 / Whether the "
            "security officer approved the face-recognition devices in writing before they went "
            "live.",
        },
    },
}


def _deployment(name: str, ident: str, approved: bool) -> str:
    return (
        json.dumps(
            {"schema_version": 2, "id": ident, "extensions": {name: {FACT: approved}}},
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


def files(name: str) -> dict[str, str]:
    """Each file of the new pack, by its path inside the pack folder."""
    from facepolicy import __version__

    rule_id = f"{name}.security-approval"
    extension = json.loads(json.dumps(EXTENSION).replace("{name}", name))
    return {
        "pack.toml": PACK.format(name=name, version=".".join(__version__.split(".")[:2])),
        f"sources/{name}-policy.txt": POLICY_TEXT.format(name=name),
        f"policies/{name}/document.toml": CATALOG.format(name=name),
        f"policies/{name}/security-approval.toml": RULE.format(name=name, fact=FACT),
        "extension.schema.json": json.dumps(extension, ensure_ascii=False, indent=2) + "\n",
        f"fixtures/rules/{rule_id}/pass-approved.json": _deployment(name, "approved", True),
        f"fixtures/rules/{rule_id}/fail-not-approved.json": _deployment(
            name, "not-approved", False
        ),
        "fixtures/scenarios/example/deployment.json": _deployment(name, "example", True),
        "fixtures/scenarios/example/expected.toml": (
            'description = "TODO a whole deployment and the verdict of every rule of this pack"\n\n'
            f'[verdicts]\npass = ["{rule_id}"]\n\n'
            "# Verdicts of rules of a pack this one builds on are checked only where listed, e.g.\n"
            '# [packs.facepolicy]\n# not_applicable = ["megvii-fr-guideline.private-spaces"]\n'
        ),
    }


def init_pack(folder: Path, name: str) -> list[Path]:
    """Write a new pack named `name` into `folder` (which must not exist or be empty); the paths
    written."""
    if not re.fullmatch(NAME, name):
        raise FacepolicyError(
            "init-pack",
            bilingual(
                "规则包名称须为小写字母开头的小写字母、数字与连字符，如 acme-pm",
                "a pack name is lowercase letters, digits and hyphens, starting with a letter, "
                "e.g. acme-pm",
            )
            + f": {name!r}",
        )
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FacepolicyError(
            str(folder),
            bilingual(
                "已存在且非空；请换一个目录（--dir）",
                "exists and is not empty; choose another folder (--dir)",
            ),
        )
    written = []
    for relative, text in files(name).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
