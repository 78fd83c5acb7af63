"""`ask`: the unstated facts whose answers would decide the most verdicts, as questions a person can
answer.

Each incomplete verdict names the facts that would decide it. A question is one such fact; its
weight is the sum, over the verdicts it would help decide, of their rule's severity weight (doubled
where the fact decides whether the rule, or an item it checks, is in play at all), so a fact that
four critical rules wait on comes before one a single low rule does. The question's words are the
deployment schema's own description of the property; `/…/-` asks whether a list is complete.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from facepolicy import schemas
from facepolicy.model import Severity, Status, Text, Verdict

WEIGHTS = {
    Severity.critical: 16,
    Severity.high: 8,
    Severity.medium: 4,
    Severity.low: 2,
    Severity.info: 1,
}


class Question(NamedTuple):
    pointer: str  # the unstated fact; ending in "/-": whether the list is complete
    text: Text
    kind: str  # boolean, integer, number, string, enum, list, list_of_objects, complete, object
    choices: tuple[Any, ...]  # the values an enum (or a list of enums) may take
    rules: tuple[str, ...]  # the incomplete rules it would help decide, most severe first
    weight: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "pointer": self.pointer,
            "question": {"zh": self.text.zh, "en": self.text.en},
            "kind": self.kind,
            "choices": list(self.choices),
            "rules": list(self.rules),
            "weight": self.weight,
        }


def _split(description: str) -> Text:
    zh, sep, en = description.partition(" / ")
    return Text(zh.strip(), en.strip()) if sep else Text(description, description)


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def schema_at(pointer: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The deployment schema's node for the property a pointer names, and its parent object's
    node."""
    root = schemas.load("deployment")
    node: Any = root
    parent = None
    for part in [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]:
        node = _resolve(node, root)
        if part == "-" or part.isdigit():
            if not isinstance(node, dict) or "items" not in node:
                return None, None
            if part == "-":
                return node, parent
            node = node["items"]
            continue
        node = _resolve(node, root) if isinstance(node, dict) else None
        if not isinstance(node, dict) or part not in node.get("properties", {}):
            return None, None
        parent = node
        node = node["properties"][part]
    return (_resolve(node, root) if isinstance(node, dict) else None), parent


def _kind(node: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    if "enum" in node:
        values = tuple(node["enum"])
        return ("boolean" if set(values) == {True, False} else "enum"), values
    if "const" in node:
        return "enum", (node["const"],)
    kind = node.get("type")
    if kind == "array":
        items = _resolve(node.get("items", {}), schemas.load("deployment"))
        if items.get("type") == "object":
            return "list_of_objects", ()
        return "list", tuple(items.get("enum", ()))
    if kind in ("boolean", "integer", "number", "string", "object"):
        return kind, ()
    return "string", ()


def describe(pointer: str) -> tuple[Text, str, tuple[Any, ...]]:
    """The question's words, its kind and its choices, from the schema's description of the
    property."""
    node, _ = schema_at(pointer)
    name = pointer.rsplit("/", 2)[-2] if pointer.endswith("/-") else pointer.rsplit("/", 1)[-1]
    if node is None:
        return Text(f"{pointer} 是什么？", f"What is {pointer}?"), "string", ()
    description = _split(node.get("description", name))
    if pointer.endswith("/-"):
        return (
            Text(
                f"「{name}」（{description.zh}）是否已全部列出？",
                f"Is the list '{name}' ({description.en}) complete: nothing else belongs to it?",
            ),
            "complete",
            (),
        )
    kind, choices = _kind(node)
    return Text(f"{name}：{description.zh}", f"{name}: {description.en}"), kind, choices


def questions(verdicts: list[Verdict], severity_of: dict[str, Severity]) -> list[Question]:
    """The questions for a deployment's incomplete verdicts, most decisive first."""
    waiting: dict[str, list[str]] = {}
    gating: dict[
        str, int
    ] = {}  # weight of the verdicts where the fact decides whether the rule (or an item) is in play
    for verdict in verdicts:
        if verdict.status is Status.incomplete:
            for place, pointer in enumerate(verdict.missing):
                waiting.setdefault(pointer, []).append(verdict.rule_id)
                if place < verdict.gating:
                    gating[pointer] = gating.get(pointer, 0) + WEIGHTS[severity_of[verdict.rule_id]]
    found = []
    for pointer, rule_ids in waiting.items():
        ranked = sorted(rule_ids, key=lambda rid: (-severity_of[rid], rid))
        text, kind, choices = describe(pointer)
        found.append(
            Question(
                pointer,
                text,
                kind,
                choices,
                tuple(ranked),
                sum(WEIGHTS[severity_of[rid]] for rid in rule_ids),
            )
        )
    # whether a rule applies is asked before what it would then need: a gating answer can settle a
    # verdict on its own (not applicable, or nothing to check), a fact inside a conjunction rarely
    # can
    return sorted(
        found, key=lambda q: (-(q.weight + gating.get(q.pointer, 0)), -len(q.rules), q.pointer)
    )


class BadAnswer(ValueError):
    """An answer that does not fit the question; the message says what would."""


YES = {"y", "yes", "true", "是", "对", "1"}
NO = {"n", "no", "false", "否", "不", "0"}


def parse_answer(question: Question, answer: str) -> Any:
    """The JSON value an answer stands for (for "complete": True or False)."""
    text = answer.strip()
    if question.kind in ("boolean", "complete"):
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise BadAnswer("请回答 y 或 n / answer y or n")
    if question.kind == "enum":
        return _choice(question, text)
    if question.kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise BadAnswer("请输入整数 / enter a whole number") from None
    if question.kind == "number":
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if number != number or number in (
            float("inf"),
            float("-inf"),
        ):  # not a number JSON can hold
            raise BadAnswer("请输入数字 / enter a number")
        return int(number) if number.is_integer() and "." not in text else number
    if question.kind == "list":
        values = [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
        return [_choice(question, v) if question.choices else v for v in values]
    if question.kind == "list_of_objects":
        if text.lower() in ("none", "无", "[]"):
            return []
        raise BadAnswer(
            "这类列表请在文件中逐项填写；没有则回答 none / list these in the file "
            "itself; answer none if there are none"
        )
    if question.kind == "object":
        raise BadAnswer("请在文件中填写该对象 / fill this object in the file itself")
    return text


def _choice(question: Question, text: str) -> Any:
    for value in question.choices:
        if text == str(value) or text.lower() == json.dumps(value).strip('"').lower():
            return value
    if text.isdigit() and 1 <= int(text) <= len(question.choices):
        return question.choices[int(text) - 1]
    raise BadAnswer("可选值 / choose one of: " + ", ".join(str(c) for c in question.choices))


def apply_answer(text: str, question: Question, value: Any) -> str:
    """The deployment's text with the answer written in, every other byte kept."""
    from facepolicy.jsonedit import add_to_array, set_value

    if question.kind == "complete":
        if not value:
            return text
        owner, _, rest = question.pointer[: -len("/-")].rpartition("/")
        return add_to_array(text, f"{owner}/complete", rest.replace("~1", "/").replace("~0", "~"))
    text = set_value(text, question.pointer, value)
    if (
        isinstance(value, list) and not value
    ):  # "none": an empty list says nothing unless it is complete
        owner, _, name = question.pointer.rpartition("/")
        text = add_to_array(text, f"{owner}/complete", name.replace("~1", "/").replace("~0", "~"))
    return text
