"""One document's lint, as the streaming lint runs it (in this process or in a worker): read
the file, extract its model, gather its facts, run the rules, and return only what the run
needs of it (findings with their lines' text, facts, the doc-set questions it asked). The
model and the text are dropped before the next document is read.

The time budget and internal-error isolation are per document and per stage, as they were
when every document was extracted first: extraction ("reading"), the rules' `collect` hooks
and the checks ("checking") each get the budget.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from doctract.budget import BudgetExceeded, time_budget
from doctract.checks import RULES
from doctract.config import Config
from doctract.corpus import Asked, Corpus, DocFacts
from doctract.extractors import extract
from doctract.findings import Finding
from doctract.fingerprints import line_texts
from doctract.model import Tutorial
from doctract.reading import file_error, read_document
from doctract.rule_ids import INTERNAL_ERROR, TIME_BUDGET_EXCEEDED

# a document to lint: its path, its text (None: read the file) and whether to report it (a
# document read for the doc set's facts only is not: see doctract.changes)
Task = tuple[str, str | None, bool]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run keeps of one document."""

    path: str
    findings: tuple[Finding, ...] = ()  # of the selected rules, superseded ones dropped
    lines: tuple[str, ...] = ()  # each finding's line, for its fingerprint (line_texts)
    facts: DocFacts | None = None  # None: the document could not be read or extracted
    asked: tuple[Asked, ...] = ()  # the doc-set questions its checks asked (when recorded)


class Checker:
    """Lints documents one at a time against one corpus: an empty doc set whose questions are
    recorded (the first pass), or the whole doc set (documents checked again)."""

    def __init__(
        self, config: Config, corpus: Corpus, rules: Sequence[str], record: bool = False
    ) -> None:
        self.config = config
        self.corpus = corpus
        self.record = record
        # replay's and diff's rules (`dynamic`) have nothing to check here
        self.rules = [RULES[r] for r in rules if not RULES[r].dynamic]
        self.collectors = [r for r in self.rules if r.collect is not None]
        self.selected = frozenset(rules)

    def check(self, task: Task) -> Outcome:
        path, text, reported = task
        if text is None:
            text, problem = read_document(path, self.config.max_file_size)
            if problem is not None:
                return self._outcome(path, [problem] if reported else [], "")
            assert text is not None
        findings: list[Finding] = []
        tutorial = self._extract(path, text, findings)
        if tutorial is None:
            return self._outcome(path, findings, text)
        asked: set[Asked] = set()
        self.corpus.asked = asked if self.record else None
        try:
            facts = self._facts(tutorial, self._collect(tutorial, findings), findings)
            if reported:
                findings.extend(drop_superseded(self._run(tutorial)))
        finally:
            self.corpus.forget()
            self.corpus.asked = None
        return self._outcome(path, findings, text, facts, tuple(asked))

    def _facts(
        self, tutorial: Tutorial, claims: list[Hashable], findings: list[Finding]
    ) -> DocFacts | None:
        try:
            return DocFacts.of(tutorial, self.corpus.api, claims)
        except Exception as exc:  # the document adds no facts; the others still do
            findings.append(internal_error(tutorial.path, "the doc set's facts", exc))
            return None

    def _extract(self, path: str, text: str, findings: list[Finding]) -> Tutorial | None:
        budget = self.config.time_budget
        try:
            with time_budget(budget):
                return extract(path, text)
        except BudgetExceeded:
            findings.append(over_budget(path, "reading", budget))
        except Exception as exc:  # a bug in doctract must not lose the other files
            findings.append(internal_error(path, "extraction", exc))
        return None

    def _collect(self, tutorial: Tutorial, findings: list[Finding]) -> list[Hashable]:
        """What the rules' `collect` hooks find the document claims (they ask no question)."""
        claims: list[Hashable] = []
        budget = self.config.time_budget
        self.corpus.collecting = True
        try:
            with time_budget(budget):
                for current in self.collectors:
                    try:
                        claims.extend(list(current.collect(tutorial, self.corpus)))  # type: ignore[misc]
                    except Exception as exc:
                        findings.append(internal_error(tutorial.path, f"rule {current.id}", exc))
        except BudgetExceeded:
            findings.append(over_budget(tutorial.path, "checking", budget))
        finally:
            self.corpus.collecting = False
        return claims

    def _run(self, tutorial: Tutorial) -> list[Finding]:
        found: list[Finding] = []
        budget = self.config.time_budget
        try:
            with time_budget(budget):
                for current in self.rules:
                    try:
                        found.extend(current.run(tutorial, self.corpus))
                    except Exception as exc:
                        found.append(internal_error(tutorial.path, f"rule {current.id}", exc))
        except BudgetExceeded:
            found.append(over_budget(tutorial.path, "checking", budget))
        return found

    def _outcome(
        self,
        path: str,
        findings: Iterable[Finding],
        text: str,
        facts: DocFacts | None = None,
        asked: tuple[Asked, ...] = (),
    ) -> Outcome:
        kept = tuple(dict.fromkeys(f for f in findings if f.rule in self.selected))
        return Outcome(path, kept, tuple(line_texts(kept, text)), facts, asked)


def over_budget(path: str, stage: str, seconds: float) -> Finding:
    return file_error(
        TIME_BUDGET_EXCEEDED,
        path,
        f"doctract stopped {stage} the file after its time budget of {seconds:g} s",
        "simplify or split the file, or raise time-budget in the configuration",
    )


def internal_error(path: str, where: str, exc: Exception) -> Finding:
    return file_error(
        INTERNAL_ERROR,
        path,
        f"doctract failed in {where}: {type(exc).__name__}: {exc}",
        "please report this with the document",
    )


def drop_superseded(found: list[Finding]) -> list[Finding]:
    """A specific finding hides generic ones at the same line (one defect, one message)."""
    covered: set[tuple[str, int]] = set()
    for finding in found:
        for other in RULES[finding.rule].supersedes:
            covered.add((other, finding.line))
    return [f for f in found if (f.rule, f.line) not in covered]


__all__ = ["Checker", "Outcome", "Task", "drop_superseded", "internal_error", "over_budget"]
