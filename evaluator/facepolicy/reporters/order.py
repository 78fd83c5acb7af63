"""The order in which people read verdicts: the most severe first, failures before the rest, then by
rule id."""

from __future__ import annotations

from facepolicy.model import STATUS_ORDER, Status
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, TypeVar


if TYPE_CHECKING:
    V = TypeVar("V")

# fail, error, incomplete, waived, then pass and not_applicable: what needs action before what does
# not.
STATUS_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


def _status(verdict: Any) -> Status:
    return verdict.status


def _rule_id(verdict: Any) -> str:
    return verdict.rule_id


def by_importance(
    verdicts: Iterable[V],
    severity: Callable[[V], int],
    status: Callable[[V], Status] = _status,
    rule_id: Callable[[V], str] = _rule_id,
) -> list[V]:
    """Verdicts by severity (critical first), then status (fail, error, incomplete, waived, the
    rest), then rule id.

    `severity` maps a verdict to its rule's severity: the one thing a reporter still looks up."""
    return sorted(verdicts, key=lambda v: (-int(severity(v)), STATUS_RANK[status(v)], rule_id(v)))
