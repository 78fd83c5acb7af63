"""A rule set's compiled program: its rules and the deployment schema check as Python bytecode,
built once per rule-set digest (codegen.py, schema_code.py) and cached (cache.py) beside the loaded
rule set, with what a report says of each rule, so that evaluating never needs the rule set itself.

A cache entry is a marshal of (format, code objects, the digest of the file each was compiled from,
rule words, digest, problems), not compressed (unzipping 1.8 MB cost more than reading and hashing
it): marshal rather than pickle because code objects are what it is for, and because it loads in a
fraction of the time. The code objects are the deployment check's module, then one module per rule:
a rule edit compiles that rule's module alone (rulecache.Parts keeps the others). A rule's module is
two parts, its scope test and the rest marshalled once more, so that loading a program unmarshals
and runs the rest only for rules some deployment is in scope of (runtime.LazyRule). An entry is
read only under the same rules as every cache entry (an owner-only folder, BLAKE2b of its key and
CRC-32 of its payload checked first).
"""

from __future__ import annotations

import json
import marshal

from facepolicy.facts import closed_world, read
from facepolicy.functions import Functions
from facepolicy.model import RuleInfo, Severity, Text, Verdict
from facepolicy.records import TYPE_CHECKING
from facepolicy.runtime import LazyRule, generated_code_namespace, judge_rule

if TYPE_CHECKING:
    import datetime as dt
    from typing import Any

    from facepolicy.durations import Day


if TYPE_CHECKING:
    from facepolicy.ruleset import RuleSet

FORMAT = 6  # of the cached entry; a change makes old entries unreadable, hence rebuilt
PROGRAM = "-program"  # the entry's key: the rule set's cache key and this


WARM = 16  # deployments checked by the compiled schema check before a run turns to jsonschema-rs


class Program:
    """Compiled rules in rule-id order, what a report says of each, and the compiled deployment
    check."""

    def __init__(
        self,
        namespace: dict[str, Any],
        words: dict[str, tuple[Any, ...]],
        digest: str,
        problems: tuple[tuple[str, str], ...],
        entry: bytes,
    ):
        self.namespace = namespace
        self.rules = namespace["RULES"]
        self.words = words
        self.digest = digest
        self.problems = problems
        self.entry = entry
        self._valid = namespace.get("deployment_is_valid")
        self._checked = 0

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its cache entry (code objects cannot be pickled; marshal writes them), for
        spawned workers."""
        chosen = None if self.rules is self.namespace["RULES"] else tuple(self.rules)
        return _restore, (self.entry, chosen)

    def info(self, rule_id: str) -> RuleInfo:
        """The rule as a report words it (excerpts are added by report_context where a format shows
        them)."""
        title, description, severity, tags, clauses, remediation = self.words[rule_id]
        return RuleInfo(
            rule_id,
            Text(*title),
            Text(*description) if description else None,
            Severity(severity),
            tuple(tags),
            tuple(clauses),
            Text(*remediation),
        )

    def severity(self, rule_id: str) -> Severity:
        return Severity(self.words[rule_id][2])

    def tags(self, rule_id: str) -> tuple[str, ...]:
        return tuple(self.words[rule_id][3])

    def select(self, rule_ids: "set[str] | None") -> "Program":
        """The same program judging only the rules named (all of them with None)."""
        if rule_ids is None:
            return self
        chosen = Program(self.namespace, self.words, self.digest, self.problems, self.entry)
        chosen.rules = {rid: rule for rid, rule in self.rules.items() if rid in rule_ids}
        return chosen

    def is_valid(self, document: Any) -> bool:
        """Whether a document satisfies the deployment schema, as jsonschema-rs would say. The
        compiled check spares a short run jsonschema-rs's import (about 10 ms); a long one pays it
        once for a check 4× faster."""
        self._checked += 1
        if self._valid is not None and self._checked <= WARM:
            try:
                return self._valid(document)
            except RecursionError:
                pass
            except Exception as exc:  # noqa: BLE001 — Undecided: a value only jsonschema-rs can judge
                if type(exc).__name__ != "Undecided":
                    raise
        return self.schemas().named_fast_validator("deployment").is_valid(document)

    def schemas(self) -> Any:
        """facepolicy.schemas, set to the deployment schema these rules were compiled with (the core
        one and their packs' fact extensions): for jsonschema-rs, and for wording an error."""
        from facepolicy import schemas

        schemas.use_extensions(self.namespace.get("EXTENSIONS", ()))
        return schemas

    def evaluate(self, deployment: Any, today: dt.date | Day) -> list[Verdict]:
        """Every rule's verdict on a parsed deployment: what evaluate.evaluate gives, computed by
        compiled code."""
        if not self.rules:  # nothing to read the facts for (bench.py's "no rules at all")
            return []
        facts = read(deployment, open_lists=not closed_world(deployment))
        functions = Functions(today)
        seen: dict[Any, Any] = {}
        return [judge_rule(rule, facts, functions, seen) for rule in self.rules.values()]


def _words(rule_set: "RuleSet") -> dict[str, tuple[Any, ...]]:
    found = {}
    for rid, rule in rule_set.rules.items():
        found[rid] = (
            tuple(rule.title),
            tuple(rule.description) if rule.description else None,
            int(rule.severity),
            tuple(rule.tags),
            tuple(rule.clauses),
            (rule.remediation.zh, rule.remediation.en),
        )
    return found


def check_source(extensions: tuple[tuple[str, str], ...]) -> str:
    """The deployment schema check (of the core schema merged with the packs' fact extensions) as a
    module of its own."""
    from facepolicy import schema_code, schemas

    schemas.use_extensions(extensions)
    try:
        check = schema_code.validator_source(schemas.load("deployment"))
    except schema_code.NotCompiled:
        check = ""  # a keyword not translated: jsonschema-rs checks deployments
    return f"EXTENSIONS = {extensions!r}\n\n" + check


def check_code(extensions: tuple[tuple[str, str], ...]) -> Any:
    return compile(check_source(extensions), "<facepolicy check>", "exec")


def rule_code(rule: Any) -> tuple[Any, bytes]:
    """One rule's module, compiled in two parts (codegen.rule_parts): its scope test, and the rest
    marshalled, run only when a deployment is in scope. SCOPE names the scope, so that rules with
    the same scope share one test (and its answer per deployment) once the modules are put
    together."""
    from facepolicy import codegen

    scope = json.dumps(rule.scope_schema, sort_keys=True)
    head, body = codegen.rule_parts(rule, f"rule {rule.id} ({rule.source})")
    name = f"<facepolicy rule {rule.id}>"
    return (
        compile(head + f"SCOPE = {scope!r}\n", name, "exec"),
        marshal.dumps(compile(body, name, "exec")),
    )


def build(rule_set: "RuleSet", parts: Any = None) -> tuple[Program, bytes]:
    """The program of a loaded rule set, and its cache entry. With `parts` (rulecache.Parts), a
    rule's module is compiled only when its file changed since the last build from the same
    files."""
    extensions = tuple(getattr(rule_set, "extensions", ()))
    made = [parts.code("", check_code, extensions) if parts else (check_code(extensions), b"")]
    made += [
        parts.code(rule.source, rule_code, rule) if parts else (rule_code(rule), b"")
        for rule in rule_set.rules.values()
    ]
    codes = tuple(code for code, _ in made)
    digests = tuple(digest for _, digest in made)
    words = _words(rule_set)
    problems = tuple((p.source, p.message) for p in rule_set.problems)
    entry = marshal.dumps((FORMAT, codes, digests, words, rule_set.digest(), problems))
    return _program(codes, words, rule_set.digest(), problems, entry), entry


def codes_by_digest(cache_key: str) -> dict[bytes, Any]:
    """The code objects of the program cached under a key, by the digest of the file part each was
    compiled from (none for a missing entry or one of another format)."""
    from facepolicy import cache

    entry = cache.load_bytes(cache_key + PROGRAM, "code")
    found = _unpacked(entry) if entry is not None else None
    if found is None:
        return {}
    _, codes, digests, *_ = found
    return {digest: code for code, digest in zip(codes, digests, strict=True) if digest}


def _program(
    codes: tuple[Any, ...],
    words: dict[str, tuple[Any, ...]],
    digest: str,
    problems: tuple[tuple[str, str], ...],
    entry: bytes,
) -> Program:
    namespace: dict[str, Any] = {"__name__": "facepolicy.compiled", "RULES": {}}
    scopes: dict[str, Any] = {}
    imported = generated_code_namespace() | {"__name__": "facepolicy.compiled"}
    for code in codes:
        if type(code) is tuple:  # a rule: its scope test now, the rest when first in scope
            head, body = code
            module = imported.copy()
            exec(head, module)  # noqa: S102 — our own generated code, from the cache only when its key and CRC check out
            rule_id = module["RULE_ID"]
            shared = scopes.setdefault(module["SCOPE"], module["SCOPE_TEST"])
            namespace["RULES"][rule_id] = LazyRule(rule_id, shared, body, module)
            continue
        module = {"__name__": "facepolicy.compiled"}
        exec(code, module)  # noqa: S102 — the deployment check, as above
        for name in ("EXTENSIONS", "deployment_is_valid"):
            if name in module:
                namespace[name] = module[name]
    return Program(namespace, words, digest, problems, entry)


def _restore(entry: bytes, chosen: tuple[str, ...] | None) -> Program:
    found = from_entry(entry)
    if found is None:  # pragma: no cover — an entry this very version wrote
        raise ValueError("not a compiled program of this facepolicy version")
    return found.select(None if chosen is None else set(chosen))


def cached(cache_key: str) -> Program | None:
    """The program cached under a rule set's key, or None (missing, or of another format)."""
    from facepolicy import cache

    entry = cache.load_bytes(cache_key + PROGRAM, "code")
    return from_entry(entry) if entry is not None else None


def store(cache_key: str, entry: bytes) -> None:
    from facepolicy import cache

    cache.store_bytes(cache_key + PROGRAM, entry, "code")


def _unpacked(entry: bytes) -> tuple[Any, ...] | None:
    try:
        found = marshal.loads(entry)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(found, tuple) or len(found) != 6 or found[0] != FORMAT:
        return None
    return found


def from_entry(entry: bytes) -> Program | None:
    """A program from its cache entry, or None for an entry of another format (rebuilt by the
    caller)."""
    found = _unpacked(entry)
    if found is None:
        return None
    _, codes, _, words, digest, problems = found
    return _program(codes, words, digest, problems, entry)
