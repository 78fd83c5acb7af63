"""The one pipeline every command runs a deployment through: parse → validate → evaluate → locate.

`eval`, `test`, `explain`, `diff` and `report` all call `judge`; the runner (engine.py) only decides
where it runs (this process or workers) and in what order results come back. `rules` is either the
rules themselves, judged by the reference implementation (evaluate.py), or their compiled program
(program.py), which gives the same verdicts faster.
"""

from __future__ import annotations

from facepolicy.errors import bilingual
from facepolicy.facts import closed_world
from facepolicy.loader import Loaded, Raw, parse_raw
from facepolicy.model import DeploymentResult, Problem
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from typing import Any

    from facepolicy.durations import Day


if TYPE_CHECKING:
    from facepolicy.compiler import Rule
    from facepolicy.program import Program


def deployment_problem(document: Any, program: "Program | None" = None) -> str | None:
    """Why a document is not a valid deployment description, as 'POINTER: message', or None. The
    compiled check answers first where there is one; python-jsonschema is loaded only to word an
    error."""
    if program is not None:
        if program.is_valid(document):
            return None
        schemas = program.schemas()
    else:
        from facepolicy import schemas

    message = schemas.first_error("deployment", document)
    if message is None:
        return None
    return f"{message} ({bilingual('不符合部署描述 schema', 'breaks the deployment schema')})"


def judge(
    rules: "dict[str, Rule] | Program",
    item: Raw | Loaded,
    *,
    today: dt.date | Day,
    trace: list[dict[str, Any]] | None = None,
) -> DeploymentResult | Problem:
    """One deployment, from its text to its verdicts and the line and column of every place they
    name. With `trace` (a list, for one rule, reference rules only), each step of the decision is
    appended to it."""
    if isinstance(item, Raw):
        item = parse_raw(item)
    if isinstance(item, Problem):
        return item
    program = None if isinstance(rules, dict) else rules
    problem = deployment_problem(item.value, program)
    if problem is not None:
        return Problem(item.source, problem)
    if program is not None:
        verdicts = program.evaluate(item.value, today)
    else:
        from facepolicy.evaluate import evaluate

        assert isinstance(rules, dict)
        verdicts = evaluate(rules, item.value, today=today, trace=trace)
    result = DeploymentResult(
        item.source, item.value["id"], verdicts, closed_world=closed_world(item.value)
    )
    pointers = [v.pointer for verdict in verdicts for v in verdict.violations]
    # only then is the text scanned for line numbers (reports place violations, not missing facts)
    if pointers:
        from facepolicy.positions import locate, positions

        table = positions(item.text, item.line_offset, pointers)
        result.positions = {p: locate(table, p) for p in pointers}
    return result
