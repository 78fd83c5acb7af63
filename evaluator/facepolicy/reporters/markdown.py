"""Markdown for a pull-request comment or an auditor's file: a summary table, then each finding."""

from __future__ import annotations

import re
from html import escape

from facepolicy.errors import printable
from facepolicy.model import DeploymentResult, Problem, Status, Summary
from facepolicy.reporters import Reporter
from facepolicy.reporters.order import by_importance
from facepolicy.reporters.text import LABELS


def _cell(text: str) -> str:
    """Text from the input in a table cell or a line: no raw HTML (`<script>`), no control
    characters."""
    return (
        escape(printable(text), quote=False)
        .replace("|", "\\|")
        .replace("`", "\\`")
        .replace("\n", " ")
    )


def _code(text: str) -> str:
    """Text from the input as code: in backticks when it is plain, else in <code> with HTML escapes
    (a backtick would end the span, and Markdown reads no escapes inside one)."""
    if _PLAIN_CODE.fullmatch(text):
        return f"`{text}`"
    return "<code>" + escape(printable(text)).replace("|", "&#124;") + "</code>"


_PLAIN_CODE = re.compile(
    r"[^`<>&|\\\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]+"
)


LISTED = (
    Status.fail,
    Status.error,
    Status.incomplete,
    Status.waived,
)  # the rest are counted in the table


class MarkdownReporter(Reporter):
    def __init__(self, out, context):
        super().__init__(out, context)
        self.rows: list[str] = []
        self.sections: list[str] = []
        self.problems: list[str] = []

    def problem(self, problem: Problem) -> None:
        self.problems.append(f"- {_code(problem.source)}: {_cell(problem.message)}")

    def deployment(self, result: DeploymentResult) -> None:
        lang = self.context.lang
        rules = self.context.rules
        counts = {s: 0 for s in Status}
        lines = []
        for verdict in result.verdicts:
            counts[verdict.status] += 1
        for verdict in by_importance(
            (v for v in result.verdicts if v.status in LISTED), lambda v: rules[v.rule_id].severity
        ):
            rule = rules[verdict.rule_id]
            lines.append(
                f"- **{LABELS[lang][verdict.status.value]}** `{rule.id}` "
                f"({rule.severity.name}) — {_cell(rule.title(lang))}  \n"
                f"  {'依据条款' if lang == 'zh' else 'clauses'}: "
                f"{', '.join(f'`{c}`' for c in rule.clauses)}"
            )
            for v in verdict.violations:
                line, column = result.positions.get(v.pointer, (1, 1))
                lines.append(
                    f"  - {_code(v.pointer)} (line {line}, col {column}): "
                    f"{_cell(v.message(lang))}  \n"
                    f"    {'修复' if lang == 'zh' else 'fix'}: "
                    f"{_cell(v.remediation(lang))}"
                )
            if verdict.missing:
                lines.append(
                    f"  - {'缺少的事实' if lang == 'zh' else 'missing facts'}: "
                    + ", ".join(_code(m) for m in verdict.missing)
                )
            if verdict.error:
                lines.append(f"  - {_cell(verdict.error)}")
            if verdict.waiver:
                lines.append(f"  - {_cell(verdict.waiver)}")
        self.rows.append(
            f"| {_code(result.source)} | {_cell(result.deployment_id)} | "
            f"{counts[Status.fail]} | {counts[Status.incomplete]} | "
            f"{counts[Status.error]} | {counts[Status.waived]} | "
            f"{counts[Status.pass_]} | {counts[Status.not_applicable]} |"
        )
        if result.closed_world:
            lines.insert(
                0,
                "_schema_version 1：每个已陈述的列表都按完整读取；可用 `facepolicy migrate` 转换_"
                if lang == "zh"
                else "_schema_version 1: every stated list read as complete (closed world); "
                "`facepolicy migrate` converts it_",
            )
        if lines:
            self.sections.append(
                f"### {_code(result.source)} ({_cell(result.deployment_id)})\n\n"
                + "\n".join(lines)
                + "\n"
            )

    def finish(self, summary: Summary) -> None:
        zh = self.context.lang == "zh"
        self.out.write("## facepolicy\n\n")
        header = (
            "| 部署文件 | id | 不合规 | 信息不全 | 规则错误 | 已豁免 | 通过 | 不适用 |"
            if zh
            else "| deployment | id | fail | incomplete | error | waived | pass | n/a |"
        )
        self.out.write(
            header + "\n|---|---|---:|---:|---:|---:|---:|---:|\n" + "\n".join(self.rows) + "\n\n"
        )
        if self.problems:
            self.out.write(
                ("### 输入错误\n\n" if zh else "### Input errors\n\n")
                + "\n".join(self.problems)
                + "\n\n"
            )
        self.out.write("\n".join(self.sections) + ("\n" if self.sections else ""))
        self.out.write(f"<sub>{_cell(self.context.provenance_line())}</sub>\n")


REPORTER = MarkdownReporter
