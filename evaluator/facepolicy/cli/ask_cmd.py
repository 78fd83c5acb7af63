"""`facepolicy ask`: what to state next, most decisive first; answered in the terminal, written into
the file."""

from __future__ import annotations

import json
import sys

import click

from facepolicy.cli import load_rules, options


@click.command("ask")
@click.argument("deployment", type=click.Path(dir_okay=False))
@options.policies
@options.no_bundled
@options.lang
@options.rule
@options.tag
@options.today
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="输出格式 / Output format.",
)
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="最多列出的问题数 / Most questions listed.",
)
@click.option(
    "--interactive",
    "-i",
    is_flag=True,
    help="在终端中逐个提问，并把回答写入文件（其余字节不变） / Ask in the terminal and "
    "write each answer into the file, every other byte kept.",
)
def ask_command(
    deployment, policies, no_bundled, lang, rules, tags, today, fmt, limit, interactive
):
    """列出最能判定结论的未陈述事实 /
    The unstated facts whose answers would decide the most verdicts, most decisive first."""
    rule_set = load_rules(policies, no_bundled).select(rules, tags)
    day = options.today_from(today)
    severity_of = {rid: rule.severity for rid, rule in rule_set.rules.items()}
    text, found = _questions(deployment, rule_set, day, severity_of)
    if not interactive:
        shown = found[:limit]
        if fmt == "json":
            click.echo(
                json.dumps(
                    {
                        "deployment": deployment,
                        "questions": [q.as_dict() for q in shown],
                        "total": len(found),
                    },
                    ensure_ascii=False,
                    indent=2,
                    sort_keys=True,
                )
            )
        else:
            _print(shown, len(found), lang)
        sys.exit(0)
    _interactive(deployment, text, found, rule_set, day, severity_of, lang)


def _questions(path, rule_set, day, severity_of):
    from pathlib import Path

    from facepolicy.ask import questions
    from facepolicy.errors import FacepolicyError
    from facepolicy.loader import ParsedDeployment, decode_text, parse_json
    from facepolicy.model import Problem
    from facepolicy.pipeline import judge

    try:
        text = decode_text(Path(path).read_bytes())
        document = parse_json(text)
    except FacepolicyError as exc:
        raise exc.within(path) from None
    except OSError as exc:
        raise FacepolicyError(path, f"cannot read / 无法读取: {exc.strerror}") from None
    judged = judge(rule_set.rules, ParsedDeployment(path, document, text), today=day)
    if isinstance(judged, Problem):
        raise FacepolicyError(path, judged.message)
    return text, questions(judged.verdicts, severity_of)


def _print(shown, total, lang):
    if not shown:
        click.echo("没有待回答的问题：每条规则都已可判定 / Nothing to ask: every rule is decided.")
        return
    for number, question in enumerate(shown, start=1):
        click.echo(f"{number}. {question.pointer}")
        click.echo(f"   {question.text(lang)}")
        if question.choices:
            click.echo(
                f"   {'可选' if lang == 'zh' else 'choices'}: "
                f"{', '.join(json.dumps(c, ensure_ascii=False) for c in question.choices)}"
            )
        rules = ", ".join(question.rules[:4]) + (
            f" (+{len(question.rules) - 4})" if len(question.rules) > 4 else ""
        )
        click.echo(f"   {'可判定' if lang == 'zh' else 'decides'} {len(question.rules)}: {rules}")
    if total > len(shown):
        click.echo(
            f"… {total - len(shown)} "
            f"{'个问题未列出（--limit）' if lang == 'zh' else 'more (--limit)'}"
        )


def _interactive(path, text, found, rule_set, day, severity_of, lang):
    """One question at a time, most decisive first; each answer is written at once, and the rest
    re-ranked."""
    from facepolicy.ask import BadAnswer, apply_answer, parse_answer
    from facepolicy.loader import parse_json
    from facepolicy.output import replace_text
    from facepolicy.pipeline import deployment_problem

    skipped: set[str] = set()
    answered = 0
    hint = "回车跳过，q 结束 / Enter skips, q quits" if lang == "zh" else "Enter skips, q quits"
    while True:
        pending = [q for q in found if q.pointer not in skipped]
        if not pending:
            break
        question = pending[0]
        click.echo(
            f"\n{question.pointer}  ({len(question.rules)} "
            f"{'条规则' if lang == 'zh' else 'rules'}: {', '.join(question.rules[:3])})"
        )
        click.echo(question.text(lang))
        if question.choices:
            click.echo(
                "  "
                + "  ".join(
                    f"{i}) {json.dumps(c, ensure_ascii=False)}"
                    for i, c in enumerate(question.choices, start=1)
                )
            )
        answer = click.prompt(f"[{hint}]", default="", show_default=False)
        if answer.strip().lower() == "q":
            break
        if not answer.strip():
            skipped.add(question.pointer)
            continue
        try:
            value = parse_answer(question, answer)
            updated = apply_answer(text, question, value)
        except (BadAnswer, ValueError) as exc:
            click.echo(f"  {exc}")
            continue
        problem = deployment_problem(parse_json(updated))
        if problem is not None:
            click.echo(f"  {problem}")
            continue
        if question.kind == "complete" and value is False:
            skipped.add(question.pointer)  # nothing to write: the list stays open
            continue
        replace_text(path, updated)
        answered += 1
        text, found = _questions(path, rule_set, day, severity_of)
    click.echo(f"\n{answered} {'个回答已写入' if lang == 'zh' else 'answer(s) written to'} {path}")
    sys.exit(0)
