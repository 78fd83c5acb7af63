"""Plain text for people at a terminal: failures, incomplete and errors in full, the rest
counted."""

from __future__ import annotations

from facepolicy.errors import printable
from facepolicy.model import DeploymentResult, Status, Summary
from facepolicy.reporters import Reporter
from facepolicy.reporters.order import by_importance

LABELS = {
    "en": {
        "pass": "PASS",
        "fail": "FAIL",
        "not_applicable": "N/A",
        "incomplete": "INCOMPLETE",
        "waived": "WAIVED",
        "error": "ERROR",
    },
    "zh": {
        "pass": "通过",
        "fail": "不合规",
        "not_applicable": "不适用",
        "incomplete": "信息不全",
        "waived": "已豁免",
        "error": "规则错误",
    },
}
WORDS = {
    "en": {
        "clauses": "clauses",
        "fix": "fix",
        "missing": "missing facts",
        "deployment": "deployment",
        "closed_world": "schema_version 1: every stated list read as complete (closed world); "
        "`facepolicy migrate` converts it",
        "summary": "{deployments} deployment(s), {problems} input error(s): {fail} failed, "
        "{incomplete} incomplete, {error} rule errors, {waived} waived, {passed} "
        "passed, {na} not applicable",
    },
    "zh": {
        "clauses": "依据条款",
        "fix": "修复",
        "missing": "缺少的事实",
        "deployment": "部署",
        "closed_world": "schema_version 1：每个已陈述的列表都按完整读取（封闭世界）；可用 "
        "`facepolicy migrate` 转换",
        "summary": "{deployments} 个部署，{problems} 个输入错误：{fail} 项不合规，{incomplete} "
        "项信息不全，{error} 项规则错误，{waived} 项已豁免，{passed} 项通过，{na} "
        "项不适用",
    },
}
SHOWN = (Status.fail, Status.error, Status.incomplete, Status.waived)


class TextReporter(Reporter):
    def deployment(self, result: DeploymentResult) -> None:
        self.out.write(self.render(result))

    def render(self, result: DeploymentResult) -> str:
        lines: list[str] = []
        write = lines.append
        lang = self.context.lang
        words, labels = WORDS[lang], LABELS[lang]
        rules = self.context.rules
        write(f"{result.source}  ({words['deployment']}: {result.deployment_id})\n")
        if result.closed_world:
            write(f"  {words['closed_world']}\n")
        for verdict in self.shown(result):
            rule = rules[verdict.rule_id]
            write(
                f"  {labels[verdict.status.value]:<10} {rule.id}  [{rule.severity.name}]  "
                f"{rule.title(lang)}\n"
            )
            if verdict.status in (Status.fail, Status.incomplete, Status.waived):
                write(f"      {words['clauses']}: {', '.join(rule.clauses)}\n")
            for violation in verdict.violations:
                line, column = result.positions.get(violation.pointer, (1, 1))
                write(f"      {line}:{column} {violation.pointer}: {violation.message(lang)}\n")
                write(f"        {words['fix']}: {violation.remediation(lang)}\n")
            if verdict.missing:
                write(f"      {words['missing']}: {', '.join(verdict.missing)}\n")
            if verdict.error:
                write(f"      {verdict.error}\n")
            if verdict.waiver:
                write(f"      {verdict.waiver}\n")
        write("\n")
        # Names and values come from the input: escape controls (\\e[8m hides text) and
        # bidirectional overrides.
        return printable("".join(lines), keep_newlines=True)

    def shown(self, result: DeploymentResult) -> list:
        """The verdicts to list (all of them with --verbose), most severe and most pressing
        first."""
        rules = self.context.rules
        verdicts = (
            result.verdicts
            if self.context.verbose
            else [v for v in result.verdicts if v.status in SHOWN]
        )
        return by_importance(verdicts, lambda v: rules[v.rule_id].severity)

    def finish(self, summary: Summary) -> None:
        counts = summary.counts
        line = WORDS[self.context.lang]["summary"].format(
            deployments=summary.deployments,
            problems=summary.problems,
            fail=counts["fail"],
            incomplete=counts["incomplete"],
            error=counts["error"],
            waived=counts["waived"],
            passed=counts["pass"],
            na=counts["not_applicable"],
        )
        self.out.write(
            printable(line + "\n" + self.context.provenance_line() + "\n", keep_newlines=True)
        )


REPORTER = TextReporter
