"""The one registry of rules: id, default severity, docs, and the plain function that checks.

A check is `check(tutorial, corpus) -> Iterable[Hit]`; the registry turns hits into findings.
Tutorial-local rules ignore the corpus; cross-document rules read the facts it gathered, only
through `corpus.ask` (see doctract.corpus). A rule's `collect` hook says what a document claims
(hashable values); the doc set counts the documents making each claim (`DocSet.claims`), before
any check reads it. A `collect` hook gathers facts: it must not ask the doc set.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from doctract.findings import Finding, Severity
from doctract.model import Pos, Tutorial

if TYPE_CHECKING:
    from doctract.corpus import Corpus


@dataclass(frozen=True, slots=True)
class Hit:
    pos: Pos
    message: str
    hint: str = ""
    evidence: str | None = None
    severity: Severity | None = None  # None: the rule's own; a rule may soften one finding


Check = Callable[[Tutorial, "Corpus"], Iterable[Hit]]
# what one document claims, counted across the doc set before any check reads the counts
Collect = Callable[[Tutorial, "Corpus"], Iterable[Hashable]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    doc: str
    check: Check
    supersedes: frozenset[str] = frozenset()
    dynamic: bool = False  # reported by replay or diff, not by a static check
    stage: str = "lint"  # the command that reports it: lint, run or diff
    profile: str | None = None  # the profile whose rule it is; None: every API
    collect: Collect | None = None

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0]

    def run(self, tutorial: Tutorial, corpus: Corpus) -> Iterator[Finding]:
        for hit in self.check(tutorial, corpus):
            yield Finding(
                self.id,
                hit.severity or self.severity,
                tutorial.path,
                hit.pos.line,
                hit.pos.column,
                hit.message,
                hit.hint,
                hit.evidence,
            )


RULES: dict[str, Rule] = {}


def dynamic_rule(rule_id: str, severity: Severity, doc: str, stage: str = "run") -> None:
    """Register a rule that replay (or the cassette diff) reports, so listings, SARIF and
    --select know it."""
    if rule_id in RULES:
        raise ValueError(f"rule {rule_id} registered twice")
    RULES[rule_id] = Rule(
        rule_id, severity, inspect.cleandoc(doc), lambda t, c: (), dynamic=True, stage=stage
    )


def rule(
    rule_id: str,
    severity: Severity,
    supersedes: Iterable[str] = (),
    profile: str | None = None,
    collect: Collect | None = None,
) -> Callable[[Check], Check]:
    """Register a check under a stable kebab-case id; its docstring is the rule's doc. A
    profile's rule runs only when that profile is selected."""

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        doc = inspect.cleandoc(check.__doc__ or rule_id)
        RULES[rule_id] = Rule(
            rule_id, severity, doc, check, frozenset(supersedes), profile=profile, collect=collect
        )
        return check

    return register
