"""JUnit XML: a test suite per deployment, a test case per rule; fail → failure, error → error,
others skipped."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from facepolicy.errors import printable
from facepolicy.model import DeploymentResult, Problem, Status, Summary
from facepolicy.reporters import Reporter


class JUnitReporter(Reporter):
    def __init__(self, out, context):
        super().__init__(out, context)
        self.suites: list[str] = []
        self.totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    def problem(self, problem: Problem) -> None:
        case = (
            f'    <testcase classname="facepolicy.input" name={quoteattr(problem.source)}>\n'
            f'      <error message={quoteattr(problem.message)} type="input"/>\n    </testcase>\n'
        )
        self._suite(
            f"input: {problem.source}",
            [case],
            {"tests": 1, "failures": 0, "errors": 1, "skipped": 0},
        )

    def _suite(self, name: str, cases: list[str], counts: dict[str, int]) -> None:
        for key in self.totals:
            self.totals[key] += counts[key]
        attrs = " ".join(f'{k}="{v}"' for k, v in counts.items())
        suite = (
            f'  <testsuite name={quoteattr(name)} {attrs} time="0">\n'
            + "".join(cases)
            + "  </testsuite>\n"
        )
        self.suites.append(
            printable(suite, keep_newlines=True)
        )  # XML 1.0 has no place for most control characters

    def deployment(self, result: DeploymentResult) -> None:
        lang = self.context.lang
        rules = self.context.rules
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        cases = []
        for verdict in result.verdicts:
            rule = rules[verdict.rule_id]
            counts["tests"] += 1
            head = (
                f"    <testcase classname={quoteattr(rule.id.split('.', 1)[0])} "
                f"name={quoteattr(rule.id)} file={quoteattr(result.source)}"
            )
            if verdict.status is Status.fail:
                counts["failures"] += 1
                lines = []
                for v in verdict.violations:
                    line, column = result.positions.get(v.pointer, (1, 1))
                    lines.append(
                        f"{result.source}:{line}:{column} {v.pointer}: {v.message(lang)}\n "
                        f" fix: {v.remediation(lang)}"
                    )
                body = escape("\n".join(lines) + f"\nclauses: {', '.join(rule.clauses)}")
                first = (
                    verdict.violations[0].message(lang) if verdict.violations else rule.title(lang)
                )
                cases.append(
                    f"{head}>\n      <failure message={quoteattr(first)} "
                    f"type={quoteattr(rule.severity.name)}>{body}</failure>\n    "
                    "</testcase>\n"
                )
            elif verdict.status is Status.error:
                counts["errors"] += 1
                cases.append(
                    f"{head}>\n      <error message={quoteattr(verdict.error)} "
                    'type="rule-error"/>\n    </testcase>\n'
                )
            elif verdict.status in (Status.not_applicable, Status.incomplete, Status.waived):
                counts["skipped"] += 1
                note = {
                    "not_applicable": "not applicable",
                    "incomplete": "incomplete, missing: " + ", ".join(verdict.missing),
                    "waived": verdict.waiver,
                }[verdict.status.value]
                cases.append(
                    f"{head}>\n      <skipped message={quoteattr(note)}/>\n    </testcase>\n"
                )
            else:
                cases.append(f"{head}/>\n")
        self._suite(f"{result.source} ({result.deployment_id})", cases, counts)

    def finish(self, summary: Summary) -> None:
        attrs = " ".join(f'{k}="{v}"' for k, v in self.totals.items())
        self.out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="facepolicy" '
            f'{attrs} time="0">\n'
        )
        properties = printable(
            "".join(
                f"      <property name={quoteattr(k)} value={quoteattr(str(v))}/>\n"
                for k, v in self._provenance()
            ),
            keep_newlines=True,
        )
        self.out.write(
            '  <testsuite name="facepolicy provenance" tests="0" failures="0" '
            'errors="0" skipped="0" time="0">\n'
            f"    <properties>\n{properties}    </properties>\n  </testsuite>\n"
        )
        self.out.write("".join(self.suites))
        self.out.write("</testsuites>\n")

    def _provenance(self) -> list[tuple[str, object]]:
        p = self.context.provenance
        revisions = p.pop("policy_revisions", {})
        return sorted(p.items()) + [
            (f"policy_revision:{folder}", rev) for folder, rev in sorted(revisions.items())
        ]


REPORTER = JUnitReporter
