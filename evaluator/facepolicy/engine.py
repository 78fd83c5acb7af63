"""The pipeline: loaded deployments → schema check → verdicts, streamed one deployment at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from facepolicy import schemas
from facepolicy.errors import bilingual
from facepolicy.evaluate import evaluate, options_for
from facepolicy.loader import Loaded
from facepolicy.model import DeploymentResult, Problem
from facepolicy.positions import locate, positions
from facepolicy.ruleset import RuleSet
from facepolicy.waivers import WaiverBook

MAX_MESSAGE = 240


def deployment_problem(document: Any) -> str | None:
    """Why a document is not a valid deployment description, as 'POINTER: message', or None."""
    message = schemas.first_error("deployment", document)
    if message is None:
        return None
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return f"{message} ({bilingual('不符合部署描述 schema', 'breaks the deployment schema')})"


@dataclass(frozen=True)
class Run:
    rule_set: RuleSet
    today: dt.date
    waivers: WaiverBook | None = None

    def results(self, loaded: Iterable[Loaded]) -> Iterator[DeploymentResult | Problem]:
        options = options_for(self.today)
        for item in loaded:
            if isinstance(item, Problem):
                yield item
                continue
            problem = deployment_problem(item.value)
            if problem is not None:
                yield Problem(item.source, problem)
                continue
            verdicts = evaluate(self.rule_set.rules, item.value, options)
            if self.waivers is not None:
                verdicts = [self.waivers.apply(item.value["id"], v) for v in verdicts]
            result = DeploymentResult(item.source, item.value["id"], verdicts)
            pointers = [v.pointer for verdict in verdicts for v in verdict.violations] + [m for verdict in verdicts for m in verdict.missing]
            if pointers:  # only then is the text scanned for line numbers
                table = positions(item.text, item.line_offset)
                result.positions = {p: locate(table, p) for p in pointers}
            yield result
