"""Output formats: a plain registry of name → module; a reporter is imported only when it is chosen."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from facepolicy import __version__

if TYPE_CHECKING:
    from facepolicy.model import DeploymentResult, Problem, Summary
    from facepolicy.ruleset import RuleSet

FORMATS = {"text": "text", "json": "json_", "ndjson": "ndjson", "sarif": "sarif", "junit": "junit", "github": "github", "markdown": "markdown"}


class Context(NamedTuple):
    rule_set: "RuleSet"
    lang: str
    today: dt.date
    verbose: bool = False
    memo: dict[Any, Any] | None = None  # what a reporter computes once per run: a fresh dict for each Context, or none

    def provenance(self) -> dict[str, Any]:
        """What every report states, so that any verdict can be tied to the exact rules behind it."""
        from facepolicy.paths import shown
        from facepolicy.provenance import git_revision

        found = {
            "facepolicy_version": __version__,
            "rule_set_digest": self.rule_set.digest(),
            "rules": len(self.rule_set.rules),
            "today": self.today.isoformat(),
            "lang": self.lang,
        }
        revisions = {shown(folder): rev for folder in self.rule_set.folders if (rev := git_revision(folder))}
        if revisions:
            found["policy_revisions"] = revisions
        return found

    def provenance_line(self) -> str:
        """The provenance in one line, for the plain-text formats."""
        p = self.provenance()
        revisions = "".join(f" · {folder}@{rev[:12]}" for folder, rev in sorted(p.get("policy_revisions", {}).items()))
        return f"facepolicy {p['facepolicy_version']} · {p['rules']} rules · {p['rule_set_digest']}{revisions} · today {p['today']}"


class Reporter:
    """Receives results as they stream in; writes only to its output."""

    def __init__(self, out: IO[str], context: Context):
        self.out = out
        self.context = context

    def problem(self, problem: "Problem") -> None: ...

    def deployment(self, result: "DeploymentResult") -> None: ...

    def render(self, result: "DeploymentResult") -> str | None:
        """One deployment's output on its own, for formats that write each deployment independently (so that
        worker processes can render in parallel); None where a format needs the whole run."""
        return None

    def rendered(self, text: str) -> None:
        """Write what render() gave, in a worker, for one deployment."""
        self.out.write(text)

    def finish(self, summary: "Summary") -> None: ...


def reporter(name: str, out: IO[str], context: Context) -> Reporter:
    module = importlib.import_module(f"facepolicy.reporters.{FORMATS[name]}")
    return module.REPORTER(out, context)
