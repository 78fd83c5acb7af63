"""One self-contained HTML file for an auditor: verdicts, clause → rule → fixture traceability,
coverage.

Like every reporter it reads only what it is given (the results, the reporters' Context with each
rule as the report words it and the provenance, and the Audit its command computed): never a rule,
a catalog or a file."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from facepolicy.errors import printable
from facepolicy.model import STATUS_ORDER, DeploymentResult, Problem, RuleInfo, Status, Summary
from facepolicy.reporters.order import by_importance
from facepolicy.reporters.text import LABELS

if TYPE_CHECKING:
    from facepolicy.coverage import Audit
    from facepolicy.reporters import Context

# The font stack names a CJK face on every common system (macOS, Windows, Linux with Noto, Source
# Han or WenQuanYi), so that Chinese never falls back to boxes where such a font is installed;
# nothing is downloaded.
STYLE = """
body{
  font:14px/1.45 system-ui,
   -apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei",
   "Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;
  margin:2rem;
  color:#1d2330;
}
dl.provenance{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem;margin:.5rem 0}
dl.provenance dt{color:#555}
dl.provenance dd{margin:0}
h1{font-size:1.5rem}
h2{margin-top:2rem;border-bottom:1px solid #ccd}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
td,th{
  border:1px solid #dde;
  padding:.3rem .5rem;
  text-align:left;
  vertical-align:top;
  overflow-wrap:anywhere;
}
td:first-child,th{white-space:nowrap}
th{background:#f3f4f8}
.fail{color:#b00020;font-weight:600}
.incomplete{color:#a15c00}
.error{color:#7a00b0;font-weight:600}
.pass{color:#1b7f3b}
.waived{color:#555}
.not_applicable{color:#888}
.counts span{display:inline-block;margin-right:1rem}
blockquote{margin:.2rem 0;color:#444;border-left:3px solid #ccd;padding-left:.5rem}
code{font-size:12px}
.hidden{display:none}
"""

WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "facepolicy_version": "facepolicy version",
        "rule_set_digest": "rule-set digest",
        "rules": "rules",
        "today": "evaluated on",
        "lang": "language",
        "policy_revisions": "policy folders at",
        "deployment": ("deployment", "deployments"),
        "problem": ("input error", "input errors"),
        "status": "status",
        "rule": "rule",
        "severity": "severity",
        "clauses": "clauses",
        "details": "details",
        "line": " (line {line}): ",
        "missing": "missing facts: ",
        "show_all": "show passed and not applicable",
        "title": "facepolicy report",
        "document": "document",
        "clause_count": "clauses",
        "encoded": "encoded",
        "not_checkable": "not checkable",
        "unaccounted": "unaccounted",
        "clause": "clause",
        "excerpt": "excerpt",
        "disposition": "rules / reason",
        "fixtures": "fixtures",
    },
    "zh": {
        "facepolicy_version": "facepolicy 版本",
        "rule_set_digest": "规则集摘要",
        "rules": "规则数",
        "today": "评估日期",
        "lang": "语言",
        "policy_revisions": "规则目录的 git 提交",
        "deployment": ("个部署", "个部署"),
        "problem": ("个输入错误", "个输入错误"),
        "status": "结论",
        "rule": "规则",
        "severity": "严重程度",
        "clauses": "依据条款",
        "details": "详情",
        "line": "（第 {line} 行）：",
        "missing": "缺少的事实：",
        "show_all": "显示通过与不适用的规则",
        "title": "facepolicy 合规报告",
        "document": "文件",
        "clause_count": "条款数",
        "encoded": "已编码为规则",
        "not_checkable": "不可检查",
        "unaccounted": "未处理",
        "clause": "条款",
        "excerpt": "原文摘录",
        "disposition": "规则 / 理由",
        "fixtures": "测试用例",
    },
}


def wrote(output: str, summary: Summary, lang: str) -> str:
    """The line `report` prints when it is done: `wrote r.html (1 deployment, 7 failed)`."""
    if lang == "zh":
        return (
            "facepolicy report：已写入 "
            f"{output}（{count(summary.deployments, 'deployment', lang)}，{summary.counts['fail']} "
            "项不合规）"
        )
    return (
        f"facepolicy report: wrote {output} ({count(summary.deployments, 'deployment', lang)}, "
        f"{summary.counts['fail']} failed)"
    )


def noun(n: int, word: str, lang: str) -> str:
    """The word for n things: `deployment` for 1 and `deployments` otherwise; in Chinese `个部署`
    whatever n is."""
    one, many = WORDS[lang][word]
    return one if n == 1 else many


def count(n: int, word: str, lang: str) -> str:
    """`1 deployment`, `2 deployments`, `0 deployments`; `1 个部署`."""
    return f"{n} {noun(n, word, lang)}"


def provenance_list(provenance: dict[str, Any], lang: str) -> str:
    """What the report was made with, as a definition list: one term per fact, a folder and its
    commit per line."""
    words = WORDS[lang]
    items = []
    for key, value in provenance.items():
        if isinstance(value, dict):
            shown = "<br>".join(
                f"<code>{escape(str(k))}</code> @ <code>{escape(str(v))}</code>"
                for k, v in sorted(value.items())
            )
        else:
            shown = f"<code>{escape(str(value))}</code>"
        items.append(f"<dt>{escape(words.get(key, key))}</dt><dd>{shown}</dd>")
    return '<dl class="provenance">' + "".join(items) + "</dl>"


def counts_line(summary: Summary, lang: str) -> str:
    """`3 deployments · FAIL 7 · … · 0 input errors`, each number with an id a test can find."""
    labels = LABELS[lang]
    parts = [
        f'<span><b id="count-deployments">{summary.deployments}</b> '
        f"{escape(noun(summary.deployments, 'deployment', lang))}</span>"
    ]
    colon = "：" if lang == "zh" else ": "
    for status in STATUS_ORDER:
        parts.append(
            f'<span class="{status.value}">{escape(labels[status.value])}{colon}<b '
            f'id="count-{status.value}">{summary.counts[status.value]}</b></span>'
        )
    parts.append(
        f'<span><b id="count-problems">{summary.problems}</b> '
        f"{escape(noun(summary.problems, 'problem', lang))}</span>"
    )
    return '<p class="counts">' + "".join(parts) + "</p>"


def header_row(lang: str, *keys: str) -> str:
    return "<table><tr>" + "".join(f"<th>{escape(WORDS[lang][key])}</th>" for key in keys) + "</tr>"


def verdict_table(rules: dict[str, RuleInfo], result: DeploymentResult, lang: str) -> str:
    """One deployment's verdicts, most severe and most pressing first; passed and not applicable
    hidden until asked for."""
    words, labels = WORDS[lang], LABELS[lang]
    rows = [header_row(lang, "status", "rule", "severity", "clauses", "details")]
    for verdict in by_importance(result.verdicts, lambda v: rules[v.rule_id].severity):
        rule = rules[verdict.rule_id]
        quiet = verdict.status in (Status.pass_, Status.not_applicable)
        where = words["line"]
        details = [
            f"<code>{escape(v.pointer)}</code>"
            f"{where.format(line=result.positions.get(v.pointer, (1, 1))[0])}"
            f"{escape(v.message(lang))}<br><i>{escape(v.remediation(lang))}</i>"
            for v in verdict.violations
        ]
        if verdict.missing:
            details.append(
                escape(words["missing"])
                + ", ".join(f"<code>{escape(m)}</code>" for m in verdict.missing)
            )
        if verdict.error or verdict.waiver:
            details.append(escape(verdict.error or verdict.waiver))
        rows.append(
            f'<tr class="verdict{" quiet hidden" if quiet else ""}" '
            f'data-status="{verdict.status.value}">'
            "<td "
            f'class="{verdict.status.value}">{escape(labels[verdict.status.value])}</td>'
            "<td><a "
            f'href="#rule-{escape(rule.id)}">{escape(rule.id)}</a><br>{escape(rule.title(lang))}</td>'
            f"<td>{rule.severity.name}</td>"
            f"<td>{'<br>'.join(escape(c) for c in rule.clauses)}</td>"
            f"<td>{'<br>'.join(details)}</td></tr>"
        )
    rows.append("</table>")
    return "\n".join(rows)


SCRIPT = """
document.getElementById('show-all').addEventListener('change', function (event) {
  document.querySelectorAll('tr.quiet').forEach(function (row) {
    row.classList.toggle('hidden', !event.target.checked);
  });
});
"""


def render(
    context: Context,
    results: list[DeploymentResult],
    problems: list[Problem],
    summary: Summary,
    audit: Audit,
) -> str:
    lang = context.lang
    out: list[str] = []
    add = out.append
    add(
        f'<!DOCTYPE html>\n<html lang="{"zh-Hans" if lang == "zh" else "en"}"><head><meta '
        'charset="utf-8">'
    )
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(f"<title>{escape(WORDS[lang]['title'])}</title><style>{STYLE}</style></head><body>")
    add("<h1>facepolicy — 人脸识别部署合规报告 / face-recognition compliance report</h1>")
    add(provenance_list(context.provenance, lang))
    add('<h2 id="verdicts">Verdicts / 结论</h2>')
    add(counts_line(summary, lang))
    add(f'<label><input type="checkbox" id="show-all"> {escape(WORDS[lang]["show_all"])}</label>')
    for problem in problems:
        add(f'<p class="error">{escape(problem.line())}</p>')
    for result in results:
        add(f"<h3>{escape(result.source)} <small>({escape(result.deployment_id)})</small></h3>")
        add(verdict_table(context.rules, result, lang))
    fixtures_of = audit.fixtures
    add(
        '<h2 id="coverage">Coverage / 覆盖</h2>'
        + header_row(lang, "document", "clause_count", "encoded", "not_checkable", "unaccounted")
    )
    for d in audit.documents:
        add(
            '<tr class="coverage" '
            f'data-document="{escape(d.key)}"><td>{escape(d.key)}<br>{escape(d.title)}</td><td>{d.total}</td><td>{d.encoded}</td>'
            f"<td>{sum(d.not_checkable.values())}</td><td>{len(d.unaccounted)}</td></tr>"
        )
    add("</table>")
    add('<h2 id="traceability">Traceability / 条款 → 规则 → 夹具</h2>')
    for document in audit.catalogs:
        add(
            f"<h3>{escape(document.title(lang))} <small>({escape(document.key)}, "
            f"{escape(document.publisher)}, {escape(document.date)})</small></h3>"
        )
        add(header_row(lang, "clause", "excerpt", "disposition", "fixtures"))
        for clause in document.clauses:
            if clause.rules:
                disposition = "<br>".join(
                    f'<span id="rule-{escape(r)}">{escape(r)}</span>' for r in clause.rules
                )
                fixtures = "<br>".join(
                    f"{escape(r)}: "
                    + ", ".join(
                        f"{len(v)} {escape(k)}" for k, v in sorted(fixtures_of.get(r, {}).items())
                    )
                    for r in clause.rules
                )
            else:
                disposition = (
                    f"<i>{escape(clause.not_checkable or '')}</i>: "
                    f"{escape(clause.reason(lang) if clause.reason else '')}"
                )
                fixtures = ""
            add(
                "<tr "
                f'class="clause"><td>{escape(clause.id)}<br>{escape(clause.heading(lang))}</td>'
                f"<td><blockquote>{escape(' '.join(clause.excerpt.split()))}</blockquote></td>"
                f"<td>{disposition}</td><td>{fixtures}</td></tr>"
            )
        add("</table>")
    add(f"<script>{SCRIPT}</script></body></html>\n")
    return printable(
        "\n".join(out), keep_newlines=True
    )  # escaped above; control characters shown, not hidden
