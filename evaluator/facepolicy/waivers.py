"""Waivers: approved, dated exceptions. Covered failures become `waived`; expired or unused waivers
are reported."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from facepolicy import schemas
from facepolicy.durations import Day, as_date
from facepolicy.errors import FacepolicyError, bilingual
from facepolicy.loader import read_toml
from facepolicy.messages import did_you_mean, show
from facepolicy.model import Status, Verdict
from facepolicy.paths import WAIVERS_FILE, shown


@dataclass(frozen=True)
class Waiver:
    index: int
    rule: str
    deployment: str
    pointer: str
    justification: str
    approver: str
    expires: dt.date
    source: str

    def where(self) -> str:
        return f"{self.source}: waivers[{self.index}]"

    def covers(self, pointer: str) -> bool:
        return not self.pointer or pointer == self.pointer or pointer.startswith(self.pointer + "/")


def load_waivers(path: Path) -> list[Waiver]:
    data = read_toml(path)
    message = schemas.first_error("waivers", data)
    if message is not None:
        place, _, detail = message.partition(": ")
        from facepolicy.messages import key_path

        raise FacepolicyError(
            f"{shown(path)}: {key_path(place)}",
            bilingual("豁免文件无效", "invalid waivers file") + f": {detail}",
        )
    waivers = []
    for i, w in enumerate(data["waivers"]):
        expires = dt.date.fromisoformat(w["expires"])  # the schema took only real YYYY-MM-DD dates
        waivers.append(
            Waiver(
                i,
                w["rule"],
                w["deployment"],
                w.get("pointer", ""),
                w["justification"],
                w["approver"],
                expires,
                shown(path),
            )
        )
    return waivers


def waiver_findings(
    waivers: list[Waiver], rule_ids: set[str], today: "dt.date | Day"
) -> list[tuple[str, str]]:
    """(where, message) for waivers that can never cover anything: an unknown rule, an expiry
    already past."""
    today = as_date(today)
    found = []
    for w in waivers:
        if w.rule not in rule_ids:
            found.append(
                (
                    f"{w.where()}.rule",
                    f"no rule {show(w.rule)} in the rule set / "
                    f"规则不存在{did_you_mean(w.rule, rule_ids)}",
                )
            )
        if w.expires < today:
            found.append(
                (
                    f"{w.where()}.expires",
                    f"expired on {w.expires.isoformat()}, it covers nothing any more / 豁免已到期",
                )
            )
    return found


def find_waivers(option: str | None) -> list[Waiver]:
    """The file given by --waivers, else .facepolicy-waivers.toml in the working folder, else
    none."""
    if option:
        return load_waivers(Path(option))
    conventional = Path(WAIVERS_FILE)
    return load_waivers(conventional) if conventional.is_file() else []


class WaiverBook:
    """Applies waivers to verdicts and remembers which were used and which had expired."""

    def __init__(self, waivers: list[Waiver], today: "dt.date | Day"):
        self.waivers = waivers
        self.today = as_date(today)
        self.used: set[int] = set()
        self.seen: set[str] = set()

    def apply(self, deployment_id: str, verdict: Verdict) -> Verdict:
        self.seen.add(deployment_id)
        if verdict.status is not Status.fail:
            return verdict
        relevant = [
            w for w in self.waivers if w.rule == verdict.rule_id and w.deployment == deployment_id
        ]
        if not relevant:
            return verdict
        live = [w for w in relevant if w.expires >= self.today]
        expired = [w for w in relevant if w.expires < self.today]
        for w in relevant:
            if any(w.covers(v.pointer) for v in verdict.violations):
                self.used.add(w.index)
        remaining = tuple(
            v for v in verdict.violations if not any(w.covers(v.pointer) for w in live)
        )
        notes = [
            f"waiver expired on {w.expires.isoformat()} ({w.where()}) / 豁免已于该日到期"
            for w in expired
            if any(w.covers(v.pointer) for v in verdict.violations)
        ]
        if remaining:
            return verdict._replace(violations=remaining, waiver="; ".join(notes))
        used = [w for w in live if any(w.covers(v.pointer) for v in verdict.violations)]
        note = "; ".join(
            f"waived by {w.approver} until {w.expires.isoformat()}: {w.justification} ({w.where()})"
            for w in used
        )
        if verdict.missing:
            # Every violation is covered, but facts the rule needs are unstated elsewhere: a waiver
            # scoped to /sites/1 says nothing about /sites/2, so the verdict stays incomplete,
            # naming what is missing.
            return verdict._replace(status=Status.incomplete, violations=(), waiver=note)
        return verdict._replace(status=Status.waived, waiver=note)

    def unused(self) -> list[Waiver]:
        """Waivers for deployments evaluated in this run that covered no failure."""
        return [w for w in self.waivers if w.index not in self.used and w.deployment in self.seen]
