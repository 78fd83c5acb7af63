"""One self-contained HTML file for an auditor: verdicts, clause → rule → fixture traceability, coverage."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from facepolicy.coverage import measure
from facepolicy.errors import printable
from facepolicy.model import DeploymentResult, Problem, Status, Summary
from facepolicy.reporters.text import LABELS
from facepolicy.ruleset import RuleSet

STYLE = """
body{font:14px/1.45 system-ui,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:2rem;color:#1d2330}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ccd}table{border-collapse:collapse;width:100%;margin:.5rem 0}
td,th{border:1px solid #dde;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f4f8}
.fail{color:#b00020;font-weight:600}.incomplete{color:#a15c00}.error{color:#7a00b0;font-weight:600}.pass{color:#1b7f3b}
.waived{color:#555}.not_applicable{color:#888}.counts span{display:inline-block;margin-right:1rem}
blockquote{margin:.2rem 0;color:#444;border-left:3px solid #ccd;padding-left:.5rem}code{font-size:12px}
.hidden{display:none}
"""

SCRIPT = """
document.getElementById('show-all').addEventListener('change', function (event) {
  document.querySelectorAll('tr.quiet').forEach(function (row) { row.classList.toggle('hidden', !event.target.checked); });
});
"""


def render(rule_set: RuleSet, results: list[DeploymentResult], problems: list[Problem], summary: Summary,
           provenance: dict[str, Any], fixture_roots: list[Path], lang: str) -> str:
    labels = LABELS[lang]
    out: list[str] = []
    add = out.append
    add(f'<!DOCTYPE html>\n<html lang="{"zh-Hans" if lang == "zh" else "en"}"><head><meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(f"<title>facepolicy report</title><style>{STYLE}</style></head><body>")
    add("<h1>facepolicy — 人脸识别部署合规报告 / face-recognition compliance report</h1>")
    add("<p>" + " · ".join(f"{escape(k)}: <code>{escape(str(v))}</code>" for k, v in sorted(provenance.items())) + "</p>")
    add('<h2 id="verdicts">Verdicts / 结论</h2><p class="counts">')
    add(f'<span>deployments / 部署: <b id="count-deployments">{summary.deployments}</b></span>')
    for status in Status:
        add(f'<span class="{status.value}">{escape(labels[status.value])}: <b id="count-{status.value}">{summary.counts[status.value]}</b></span>')
    add(f'<span>input errors / 输入错误: <b id="count-problems">{summary.problems}</b></span></p>')
    add('<label><input type="checkbox" id="show-all"> show passed and not applicable / 显示通过与不适用</label>')
    for problem in problems:
        add(f'<p class="error">{escape(problem.line())}</p>')
    for result in results:
        add(f"<h3>{escape(result.source)} <small>({escape(result.deployment_id)})</small></h3>")
        add("<table><tr><th>status</th><th>rule</th><th>severity</th><th>clauses</th><th>details</th></tr>")
        for verdict in result.verdicts:
            rule = rule_set.rules[verdict.rule_id]
            quiet = verdict.status in (Status.pass_, Status.not_applicable)
            details = [f"<code>{escape(v.pointer)}</code> (line {result.positions.get(v.pointer, (1, 1))[0]}): "
                       f"{escape(v.message(lang))}<br><i>{escape(v.remediation(lang))}</i>" for v in verdict.violations]
            if verdict.missing:
                details.append("missing: " + ", ".join(f"<code>{escape(m)}</code>" for m in verdict.missing))
            if verdict.error or verdict.waiver:
                details.append(escape(verdict.error or verdict.waiver))
            add(f'<tr class="verdict{" quiet hidden" if quiet else ""}" data-status="{verdict.status.value}">'
                f'<td class="{verdict.status.value}">{escape(labels[verdict.status.value])}</td>'
                f"<td><a href=\"#rule-{escape(rule.id)}\">{escape(rule.id)}</a><br>{escape(rule.title(lang))}</td>"
                f"<td>{rule.severity.name}</td><td>{'<br>'.join(escape(c) for c in rule.clauses)}</td><td>{'<br>'.join(details)}</td></tr>")
        add("</table>")
    documents, rules = measure(rule_set, fixture_roots, lang)
    fixtures_of = {r.id: r.fixtures for r in rules}
    add('<h2 id="coverage">Coverage / 覆盖</h2><table><tr><th>document</th><th>clauses</th><th>encoded</th><th>not checkable</th><th>unaccounted</th></tr>')
    for d in documents:
        add(f'<tr class="coverage" data-document="{escape(d.key)}"><td>{escape(d.key)}<br>{escape(d.title)}</td><td>{d.total}</td><td>{d.encoded}</td>'
            f"<td>{sum(d.not_checkable.values())}</td><td>{len(d.unaccounted)}</td></tr>")
    add("</table>")
    add('<h2 id="traceability">Traceability / 条款 → 规则 → 夹具</h2>')
    for document in sorted(rule_set.documents.values(), key=lambda d: d.key):
        add(f"<h3>{escape(document.title(lang))} <small>({escape(document.key)}, {escape(document.publisher)}, {escape(document.date)})</small></h3>")
        add("<table><tr><th>clause</th><th>excerpt</th><th>rules / reason</th><th>fixtures</th></tr>")
        for clause in document.clauses:
            if clause.rules:
                disposition = "<br>".join(f'<span id="rule-{escape(r)}">{escape(r)}</span>' for r in clause.rules)
                fixtures = "<br>".join(f"{escape(r)}: " + ", ".join(f"{len(v)} {escape(k)}" for k, v in sorted(fixtures_of.get(r, {}).items()))
                                       for r in clause.rules)
            else:
                disposition = f"<i>{escape(clause.not_checkable or '')}</i>: {escape(clause.reason(lang) if clause.reason else '')}"
                fixtures = ""
            add(f'<tr class="clause"><td>{escape(clause.id)}<br>{escape(clause.heading(lang))}</td><td><blockquote>{escape(" ".join(clause.excerpt.split()))}</blockquote></td>'
                f"<td>{disposition}</td><td>{fixtures}</td></tr>")
        add("</table>")
    add(f"<script>{SCRIPT}</script></body></html>\n")
    return printable("\n".join(out), keep_newlines=True)  # escaped above; control characters shown, not hidden
