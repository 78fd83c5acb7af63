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
from facepolicy.ruleset import RuleSet

MAX_MESSAGE = 240


def deployment_problem(document: Any) -> str | None:
    """Why a document is not a valid deployment description, as 'POINTER: message', or None."""
    message = schemas.first_error(schemas.named_validator("deployment"), document)
    if message is None:
        return None
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return f"{message} ({bilingual('不符合部署描述 schema', 'breaks the deployment schema')})"


@dataclass(frozen=True)
class Run:
    rule_set: RuleSet
    today: dt.date

    def results(self, loaded: Iterable[Loaded]) -> Iterator[DeploymentResult | Problem]:
        options = options_for(self.today)
        for item in loaded:
            if isinstance(item, Problem):
                yield item
                continue
            source, document = item
            problem = deployment_problem(document)
            if problem is not None:
                yield Problem(source, problem)
                continue
            yield DeploymentResult(source, document["id"], evaluate(self.rule_set.rules, document, options))
