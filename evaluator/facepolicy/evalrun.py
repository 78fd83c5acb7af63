"""`facepolicy eval` without click: its options as a plain object, the run itself, and the fast
start.

`facepolicy eval` is what CI and pre-commit run on every commit, often on one file, so its start-up
is Python's start-up and little else: `fast_main` recognises the plain command line (`eval FILE…`
and the common options) itself, and the run imports neither click nor jsonschema nor jmespath when
the rule set's compiled program is cached and the deployment is valid. Anything it does not
recognise (another command, --help, an option it does not know, a value it doubts) goes to click
(facepolicy.cli), which gives the same run through the same `execute`, or the usage error.
"""

from __future__ import annotations

import os
import re
import sys

from facepolicy.errors import LazyPattern
from facepolicy.loader import MAX_SIZE
from facepolicy.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Callable, NamedTuple
else:
    from facepolicy.records import NamedTuple


SEVERITIES = ("critical", "high", "medium", "low", "info")


class EvalOptions(NamedTuple):
    deployments: tuple[str, ...]
    policies: tuple[str, ...] = ()
    no_bundled: bool = False
    fmt: str = "text"
    output: str | None = None
    lang: str = "en"
    rules: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    fail_on: str = "info"
    today: str | None = None
    waivers_file: str | None = None
    allow_incomplete: bool = False
    fail_on_incomplete: bool = False
    verbose: bool = False
    jobs: int = 1
    max_size: int = MAX_SIZE


def today_from(value: str | None):
    """The evaluation date (a durations.Day, which spares a run datetime's import until a date is
    computed with): --today, else FACEPOLICY_TODAY, else today (YYYY-MM-DD only: not the week dates
    and basic forms date.fromisoformat also takes)."""
    from facepolicy.durations import Day, current_day
    from facepolicy.errors import FacepolicyError, bilingual

    text = value or os.environ.get("FACEPOLICY_TODAY")
    if not text:
        return current_day()
    try:
        return Day(text)
    except ValueError:
        raise FacepolicyError(
            "--today",
            bilingual("日期格式应为 YYYY-MM-DD", "expected a date as YYYY-MM-DD") + f": {text!r}",
        ) from None


def _warn(line: str) -> None:
    from facepolicy.errors import printable

    print(f"facepolicy: {printable(line)}", file=sys.stderr)


def takes_encoded(stream: object) -> str | None:
    """How worker processes may hand over a deployment's output already encoded (the stream's
    error handler), or None: only for a plain UTF-8 text stream that writes line ends as they
    are. The main process then writes their bytes as they come, rather than decoding each from
    the pipe and encoding it again."""
    import io

    if (
        type(stream) is io.TextIOWrapper
        and stream.encoding.lower().replace("-", "").replace("_", "") == "utf8"
        and os.linesep == "\n"
    ):
        return stream.errors
    return None


def encoded_output(
    render: Callable[[Any], str | None], errors: str
) -> Callable[[Any], bytes | None]:
    def encoded(result: Any) -> bytes | None:
        text = render(result)
        return None if text is None else text.encode("utf-8", errors)

    return encoded


def execute(options: EvalOptions) -> int:
    """Evaluate the deployments named, write the report, and return the exit code."""
    from facepolicy import api
    from facepolicy.console import resume_gc
    from facepolicy.engine import Rendered, Run
    from facepolicy.model import DeploymentResult, Severity, Summary
    from facepolicy.output import AtomicOutput, refuse_overlap
    from facepolicy.paths import WAIVERS_FILE
    from facepolicy.progress import Progress, guard
    from facepolicy.reporters import reporter

    refuse_overlap(options.output, options.deployments)
    from facepolicy.packs import find_config

    configured, bundled = (
        find_config()
    )  # .facepolicy.toml in the working folder, when --policies is not given
    rules = api.load(
        options.policies or configured,
        bundled=bundled and not options.no_bundled,
        rule_ids=options.rules,
        tags=options.tags,
    )
    resume_gc()
    day = today_from(options.today)
    book = None
    if options.waivers_file or os.path.isfile(WAIVERS_FILE):
        from facepolicy.waivers import WaiverBook, find_waivers

        book = WaiverBook(find_waivers(options.waivers_file), day)
    summary = Summary()
    severity_of = {rid: rules.severity(rid) for rid in rules.ids}
    progress = Progress(options.lang)  # on stderr, only when a person watches it
    context = rules.context(options.lang, day, options.verbose, excerpts=options.fmt == "sarif")
    with AtomicOutput(
        options.output
    ) as out:  # the report appears under its name only once it is whole
        stream = guard(out, progress)
        report = reporter(options.fmt, stream, context)
        errors = takes_encoded(stream)
        render = report.render if errors is None else encoded_output(report.render, errors)
        run = Run(rules.program, day, book, options.jobs, render, report.between)
        for problem in rules.problems:
            summary.problems += 1
            report.problem(problem)
            _warn(problem.line())
        try:
            for result in run.results_of_files(list(options.deployments), options.max_size):
                progress.tick(result.deployments if isinstance(result, Rendered) else 1)
                if isinstance(result, Rendered):
                    summary.add_tally(result.tally, result.deployments)
                    report.rendered(result.text)
                elif isinstance(result, DeploymentResult):
                    summary.add(result, severity_of)
                    report.deployment(result)
                else:
                    summary.problems += 1
                    report.problem(result)
                    progress.clear()
                    _warn(result.line())
        finally:  # interrupted or not, the terminal is left clean for the lines that follow
            progress.close()
        for waiver in book.unused() if book else ():
            _warn(
                f"{waiver.where()}: waiver for {waiver.rule} on {waiver.deployment} matched no "
                "failure / 豁免未匹配任何违规"
            )
        report.finish(summary)
    return summary.exit_code(
        Severity[options.fail_on], options.allow_incomplete and not options.fail_on_incomplete
    )


# The plain command line, recognised without click. Each option: (field, kind); kinds: "flag",
# "value", "many" (repeatable), or a tuple of the values allowed. Anything else is left to click.
_OPTIONS = {
    "--policies": ("policies", "many"),
    "--no-bundled": ("no_bundled", "flag"),
    "--format": ("fmt", ("text", "json", "ndjson", "sarif", "junit", "github", "markdown")),
    "-f": ("fmt", ("text", "json", "ndjson", "sarif", "junit", "github", "markdown")),
    "--output": ("output", "value"),
    "-o": ("output", "value"),
    "--lang": ("lang", ("zh", "en")),
    "--rule": ("rules", "many"),
    "--tag": ("tags", "many"),
    "--fail-on": ("fail_on", SEVERITIES),
    "--today": ("today", "value"),
    "--waivers": ("waivers_file", "value"),
    "--allow-incomplete": ("allow_incomplete", "flag"),
    "--fail-on-incomplete": ("fail_on_incomplete", "flag"),
    "--verbose": ("verbose", "flag"),
    "-v": ("verbose", "flag"),
    "--jobs": ("jobs", "jobs"),
    "-j": ("jobs", "jobs"),
    "--max-size": ("max_size", "size"),
}
_SIZE = LazyPattern(r"\s*([0-9]+)\s*([KMG]?)i?B?\s*", re.I)


def parse(argv: list[str]) -> EvalOptions | None:
    """The options of a plain `eval` command line, or None when click should read it."""
    if not argv or argv[0] != "eval":
        return None
    values: dict[str, object] = {"lang": os.environ.get("FACEPOLICY_LANG", "en")}
    if values["lang"] not in ("zh", "en"):
        return None
    deployments: list[str] = []
    rest = iter(argv[1:])
    for arg in rest:
        if arg.startswith("-") and arg != "-":
            name, _, inline = arg.partition("=")
            if name not in _OPTIONS:
                return None
            field, kind = _OPTIONS[name]
            if kind == "flag":
                if inline:
                    return None
                values[field] = True
                continue
            value = inline if "=" in arg else next(rest, None)
            if value is None or value == "" or (value.startswith("-") and value != "-"):
                return None  # click words the error, or reads what this does not
            converted = _option_value(kind, value, values.get(field, ()))
            if converted is None:
                return None
            values[field] = converted
        else:
            deployments.append(arg)
    if not deployments:
        return None
    if _left_to_click(values):
        return None
    return EvalOptions(tuple(deployments), **values)  # type: ignore[arg-type]


def _option_value(kind: object, value: str, earlier: object) -> object | None:
    """An option's value as EvalOptions holds it, or None when click should read or word it."""
    if kind == "many":
        return (*earlier, value)  # type: ignore[misc]
    if kind == "jobs":
        if not value.isdigit() or not 1 <= int(value) <= 256:
            return None
        return int(value)
    if kind == "size":
        match = _SIZE.fullmatch(value)
        if not match or int(match.group(1)) == 0:
            return None
        return int(match.group(1)) * 1024 ** " KMG".index((match.group(2) or " ").upper())
    if isinstance(kind, tuple) and value not in kind:
        return None
    return value


def _left_to_click(values: dict[str, object]) -> bool:
    """Whether an output or waivers path fails click's Path checks, which click words."""
    for field in ("output", "waivers_file"):
        path = values.get(field)
        if (
            isinstance(path, str)
            and os.path.exists(path)
            and (os.path.isdir(path) or (field == "output" and not os.access(path, os.W_OK)))
        ):
            return True
    return False


def fast_main(argv: list[str]) -> int | None:
    """Run a plain `eval` command line and return its exit code, or None when click should run
    it."""
    options = parse(argv)
    if options is None:
        return None
    from facepolicy.console import guarded

    return guarded(lambda: execute(options))
