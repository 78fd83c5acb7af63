"""Output formats: a plain registry of name → module; a reporter is imported only when it is
chosen."""

from __future__ import annotations

import importlib

from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from typing import IO, Any, NamedTuple

    from facepolicy.durations import Day
else:
    from facepolicy.records import NamedTuple


if TYPE_CHECKING:
    from facepolicy.model import DeploymentResult, Problem, RuleInfo, Summary

FORMATS = {
    "text": "text",
    "json": "json_",
    "ndjson": "ndjson",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
}


class Context(NamedTuple):
    """Everything a reporter may know besides the results: the rules as the report words them, the
    run's provenance, and how to write. Built outside the reporters (provenance.report_context), so
    that no reporter reads a file or a rule's internals."""

    rules: dict[str, "RuleInfo"]
    provenance: dict[str, Any]
    lang: str
    today: dt.date | Day
    verbose: bool = False
    memo: dict[Any, Any] | None = (
        None  # what a reporter computes once per run: a fresh dict for each Context, or none
    )

    def provenance_line(self) -> str:
        """The provenance in one line, for the plain-text formats."""
        p = self.provenance
        revisions = "".join(
            f" · {folder}@{rev[:12]}"
            for folder, rev in sorted(p.get("policy_revisions", {}).items())
        )
        return (
            f"facepolicy {p['facepolicy_version']} · {p['rules']} rules · "
            f"{p['rule_set_digest']}{revisions} · today {p['today']}"
        )


class Reporter:
    """Receives results as they stream in; writes only to its output."""

    def __init__(self, out: IO[str], context: Context):
        self.out = out
        self.context = context

    def problem(self, problem: "Problem") -> None: ...

    def deployment(self, result: "DeploymentResult") -> None: ...

    def render(self, result: "DeploymentResult") -> str | None:
        """One deployment's output on its own, for formats that write each deployment independently
        (so that worker processes can render in parallel); None where a format needs the whole
        run."""
        return None

    between = ""  # what rendered() writes between two deployments' outputs (workers join by it)

    def rendered(self, text: str | bytes) -> None:
        """Write what render() gave, in a worker, for one deployment or a run of them joined by
        `between`."""
        self.write(text)

    def write(self, text: str | bytes) -> None:
        """Write text, or bytes a worker encoded for this stream (only for a plain UTF-8 file:
        see evalrun.encoded_output), after what is already written."""
        if type(text) is bytes:
            self.out.flush()
            self.out.buffer.write(text)  # type: ignore[attr-defined]
        else:
            self.out.write(text)  # type: ignore[arg-type]

    def finish(self, summary: "Summary") -> None: ...


def reporter(name: str, out: IO[str], context: Context) -> Reporter:
    module = importlib.import_module(f"facepolicy.reporters.{FORMATS[name]}")
    return module.REPORTER(out, context)
