"""`facepolicy diff BASE [HEAD]`: what changed between two git revisions of the rules."""

from __future__ import annotations

import json
import sys

import click

from facepolicy.cli import options, resume_gc


@click.command("diff")
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--repo",
    type=click.Path(file_okay=False, exists=True),
    default=".",
    show_default=True,
    help="git 仓库 / The git repository.",
)
@click.option(
    "--policies-dir",
    default="policies",
    show_default=True,
    help="仓库中的规则目录 / Rule folder inside the repository.",
)
@click.option(
    "--fixtures-dir",
    default="fixtures",
    show_default=True,
    help="仓库中的夹具目录 / Fixture folder inside the repository.",
)
@click.option(
    "--deployment",
    "deployments",
    multiple=True,
    metavar="FILE",
    help="也比较这些部署的结论 / Also compare verdicts on these deployments.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="输出格式 / Output format.",
)
@options.today
@options.output
def diff_command(base, head, repo, policies_dir, fixtures_dir, deployments, fmt, today, output):
    """两个 git 版本之间规则含义与结论的变化（HEAD 缺省为工作区） /
    What changed between two git revisions of the rules, in meaning and in verdicts (HEAD defaults
    to the work tree)."""
    import tempfile
    from pathlib import Path

    from facepolicy.diff import (
        PolicyDiff,
        compare_rules,
        compare_verdicts,
        export_revision,
        refuse_broken,
        render,
    )
    from facepolicy.loader import iter_deployments
    from facepolicy.model import Problem
    from facepolicy.output import write_text
    from facepolicy.pipeline import deployment_problem
    from facepolicy.ruleset import load_rule_set

    resume_gc()
    from facepolicy.testing import FIXTURE_TODAY

    repo_path = Path(repo)
    with tempfile.TemporaryDirectory() as scratch:
        base_rules = load_rule_set(
            (str(export_revision(repo_path, base, policies_dir, Path(scratch) / "base")),),
            bundled=False,
        )
        if head:
            head_dir = export_revision(repo_path, head, policies_dir, Path(scratch) / "head")
            fixtures = export_revision(
                repo_path, head, fixtures_dir, Path(scratch) / "head-fixtures"
            )
        else:
            head_dir, fixtures = repo_path / policies_dir, repo_path / fixtures_dir
        head_rules = load_rule_set((str(head_dir),), bundled=False)
        refuse_broken(base_rules, base)
        refuse_broken(head_rules, head or "work tree")
        documents = []
        paths = [str(p) for p in sorted(Path(fixtures).rglob("*.json"))] + list(deployments)
        for item in iter_deployments(paths):
            if isinstance(item, Problem) or deployment_problem(item.value) is not None:
                continue
            if head is None or not item.source.startswith(scratch):
                documents.append(item)
            else:
                documents.append(
                    type(item)(
                        item.source.replace(str(Path(scratch) / "head-fixtures") + "/", ""),
                        item.value,
                        item.text,
                    )
                )
        result = PolicyDiff()
        compare_rules(base_rules, head_rules, result)
        compare_verdicts(
            base_rules,
            head_rules,
            documents,
            options.today_from(today) if today else FIXTURE_TODAY,
            result,
        )
    label = head or "work tree"
    if fmt == "json":
        text = (
            json.dumps(
                {"base": base, "head": label, **result.as_dict()},
                ensure_ascii=False,
                sort_keys=True,
                indent=2,
            )
            + "\n"
        )
    else:
        text = render(result, base, label, markdown=fmt == "markdown")
    if output:
        write_text(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(0)
