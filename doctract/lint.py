"""The lint job: find documents, then read, extract and check them one at a time (on every
core), gathering the doc set's facts as it goes; findings in a deterministic order."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from doctract.api import Api
from doctract.budget import alarm_handler
from doctract.checks import RULES
from doctract.checks.registry import Hit, rule
from doctract.config import Config
from doctract.corpus import Corpus, DocSet
from doctract.findings import Finding, Severity
from doctract.fingerprints import hashes
from doctract.lint_file import Checker, Outcome, Task, over_budget
from doctract.model import Pos, Tutorial
from doctract.pool import collector_paused, ordered_map, workers_for
from doctract.profile import load_profile
from doctract.questions import Ledger
from doctract.reading import file_error, read_document
from doctract.rule_ids import INTERNAL_ERROR, READ_ERROR, TIME_BUDGET_EXCEEDED

if TYPE_CHECKING:
    from doctract.output.progress import LintProgress


@rule(READ_ERROR, Severity.ERROR)
def _read_error(tutorial: Tutorial, corpus: Corpus) -> Iterable[Hit]:
    """A file cannot be read or is not UTF-8 text; it is reported and the other files still run."""
    return ()


@rule(TIME_BUDGET_EXCEEDED, Severity.ERROR)
def _time_budget_exceeded(tutorial: Tutorial, corpus: Corpus) -> Iterable[Hit]:
    """doctract gave up on a file that took longer than its time budget.

    The budget is `time-budget` in the configuration (seconds per file, 30 by default); every
    other file is still checked."""
    return ()


@rule(INTERNAL_ERROR, Severity.ERROR)
def _internal_error(tutorial: Tutorial, corpus: Corpus) -> Iterable[Hit]:
    """doctract itself failed on a file or a tutorial's replay (a bug: please report it).

    The rest still runs. In `doctract run`, any failure doctract did not classify (an exception
    in a step, a feature that did not run) is this finding at the tutorial, and exit status 2."""
    return ()


@dataclass(frozen=True)
class LintResult:
    findings: tuple[Finding, ...]
    files: int
    fingerprints: tuple[str, ...] = ()  # parallel to findings (see doctract.fingerprints)
    baselined: int = 0  # findings hidden because the baseline already holds them

    def fingerprint(self, index: int) -> str:
        return self.fingerprints[index] if index < len(self.fingerprints) else ""

    def failed(self, threshold: Severity) -> bool:
        return any(f.severity.rank >= threshold.rank for f in self.findings)


def discover(paths: Sequence[str], config: Config) -> tuple[list[str], list[Finding]]:
    """Files to lint: the files named, and under each folder those with a doc extension."""
    found: list[str] = []
    problems: list[Finding] = []
    for given in paths:
        if os.path.isdir(given):
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if name.lower().endswith(config.extensions) and not _excluded(full, config):
                        found.append(full)
        elif os.path.exists(given):
            found.append(given)
        else:
            problems.append(
                Finding(
                    READ_ERROR,
                    Severity.ERROR,
                    given,
                    1,
                    1,
                    "no such file or folder",
                    "check the path",
                )
            )
    return list(dict.fromkeys(found)), problems


def _excluded(path: str, config: Config) -> bool:
    if not config.exclude:
        return False  # (a Path per file would intern every name for the process's life)
    posix = Path(path).as_posix()
    return any(fnmatch.fnmatch(posix, pattern) for pattern in config.exclude)


def api_of(config: Config) -> Api:
    """The API the configuration names: its profile, and the contracts given (relative to the
    configuration file) or else the profile's own. Raises a DoctractError naming the file."""
    return Api.build(config.profile, config.openapi, config.root)


def active_rules(config: Config) -> list[str]:
    """Selected rules: every generic rule and the selected profile's own."""
    profile = load_profile(config.profile).name if config.profile else None
    runnable = [r for r in RULES if RULES[r].profile is None or RULES[r].profile == profile]
    selected = [r for r in runnable if not config.select or _matches(r, config.select)]
    return [r for r in selected if not _matches(r, config.ignore)]


def _matches(rule_id: str, patterns: Iterable[str]) -> bool:
    return any(rule_id == p or fnmatch.fnmatch(rule_id, p) for p in patterns)


def lint_documents(
    documents: Sequence[tuple[str, str]],
    config: Config,
    extra: Sequence[Finding] = (),
    report: Collection[str] | None = None,
    progress: LintProgress | None = None,
    jobs: int | None = None,
) -> LintResult:
    """Lint documents given as (path, text): the pure core of the lint job.

    With `report`, only those paths are checked and reported; the other documents only feed
    the cross-document facts (published schemas, conventions) the checks compare against.
    `progress` hears of each file checked (doctract.output.progress, on stderr). `jobs`:
    processes at most (None: every available core; see doctract.pool).
    """
    wanted = None if report is None else set(report)
    tasks = [(path, text, wanted is None or path in wanted) for path, text in documents]
    checked = len(documents) if wanted is None else len(wanted)
    return _lint(tasks, config, extra, checked, progress, jobs)


def lint_paths(
    paths: Sequence[str],
    config: Config,
    changed: set[str] | None = None,
    discovered: tuple[list[str], list[Finding]] | None = None,
    progress: LintProgress | None = None,
    jobs: int | None = None,
) -> LintResult:
    """Lint the documents under `paths`; with `changed` (absolute paths, see
    doctract.changes), only the changed documents and those depending on them. `discovered`:
    what `discover(paths, config)` returned, when the caller has it already. Each file is read
    where it is checked, one at a time."""
    files, problems = discovered if discovered is not None else discover(paths, config)
    if changed is None:
        everything: list[Task] = [(path, None, True) for path in files]
        return _lint(everything, config, problems, len(files), progress, jobs)
    from doctract.changes import scope

    chosen = scope(files, changed, config.max_file_size, config.time_budget, api_of(config), jobs)
    tasks: list[Task] = [(p, None, True) for p in chosen.report]
    tasks += [(p, None, False) for p in chosen.context]
    return _lint(tasks, config, problems, len(set(chosen.report)), progress, jobs)


@collector_paused()
@alarm_handler()  # for every document's budgets, in this process and the workers it forks
def _lint(
    tasks: Sequence[Task],
    config: Config,
    extra: Sequence[Finding],
    checked: int,
    progress: LintProgress | None,
    jobs: int | None,
) -> LintResult:
    """Check every document against an empty doc set while gathering the doc set's facts
    (recording the questions each asks), then check again those the whole doc set answers
    otherwise (doctract.questions). The findings, facts and questions of a document are all
    this process keeps of it."""
    api = api_of(config)
    rules = active_rules(config)
    first = Corpus.from_facts((), config.required_headers, config.host, api)
    docs = DocSet(api.profile.new_facts())
    ledger = Ledger()
    found: dict[int, tuple[tuple[Finding, ...], tuple[str, ...]]] = {}
    setup = partial(_checker, config, first, rules, True)
    try:
        with ordered_map(setup, tasks, workers_for(len(tasks), jobs)) as results:
            for index, outcome in enumerate(_counted(results, progress, "checking", len(tasks))):
                if outcome.facts is not None:
                    docs.merge(outcome.facts)
                ledger.record(outcome.asked)
                if outcome.findings:
                    found[index] = (outcome.findings, outcome.lines)
        final = Corpus(api, first.required_headers, first.expected_host, docs)
        again = ledger.answered_otherwise(first, final)
        if again and progress is not None:
            progress.stop()  # its thread ends before another pool forks
        setup = partial(_checker, config, final, rules, False)
        redo = [tasks[i] for i in again]
        with ordered_map(setup, redo, workers_for(len(redo), jobs)) as results:
            for index, outcome in zip(
                again, _counted(results, progress, "checking again", len(again)), strict=True
            ):
                found[index] = (outcome.findings, outcome.lines)
    finally:
        if progress is not None:
            progress.stop()
    return _result(extra, [found[i] for i in sorted(found)], set(rules), checked)


def _counted(
    results: Iterator[Outcome], progress: LintProgress | None, stage: str, total: int
) -> Iterator[Outcome]:
    """The results, each told to `progress` (started here: after the pool, so that no thread
    of ours is forked)."""
    if progress is None or not total:
        yield from results
        return
    progress.stage(stage, total)
    for outcome in results:
        progress.advance()
        yield outcome


def _checker(
    config: Config, corpus: Corpus, rules: list[str], record: bool
) -> Callable[[Task], Outcome]:
    return Checker(config, corpus, rules, record).check


def _result(
    extra: Sequence[Finding],
    per_document: Sequence[tuple[tuple[Finding, ...], tuple[str, ...]]],
    selected: set[str],
    checked: int,
) -> LintResult:
    """Findings in path, line, column and rule order (as found where those tie), each once,
    with their fingerprints."""
    lines: dict[Finding, str] = {f: "" for f in extra if f.rule in selected}
    for findings, texts in per_document:
        lines.update(zip(findings, texts, strict=True))
    kept = sorted(lines, key=lambda f: f.sort_key)
    return LintResult(tuple(kept), checked + len(extra), hashes(kept, [lines[f] for f in kept]))


__all__ = [
    "LintResult",
    "Pos",
    "discover",
    "file_error",
    "lint_documents",
    "lint_paths",
    "over_budget",
    "read_document",
]
