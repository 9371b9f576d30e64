"""The lint job: find documents, extract them, run every selected rule, collect findings."""

from __future__ import annotations

import fnmatch
import gc
import os
import stat
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from doctract.api import Api
from doctract.budget import BudgetExceeded, time_budget
from doctract.checks import RULES
from doctract.checks.registry import Hit, rule
from doctract.config import Config
from doctract.corpus import Corpus
from doctract.extractors import extract
from doctract.findings import Finding, Severity
from doctract.fingerprints import fingerprints
from doctract.lines import position
from doctract.model import Pos, Tutorial
from doctract.profile import load_profile
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
    posix = Path(path).as_posix()
    return any(fnmatch.fnmatch(posix, pattern) for pattern in config.exclude)


class _NotRegular(Exception):
    pass


class _TooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(size, limit)
        self.size = size
        self.limit = limit


_CHUNK = 1 << 20


def _read_regular(path: str, max_size: int | None) -> bytes:
    """Open without blocking (a FIFO would wait for a writer), check the opened file is regular,
    then read in chunks up to max_size + 1 bytes: a file growing, or lying about its size, still
    stops at the limit."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular
        if max_size is not None and info.st_size > max_size:
            raise _TooLarge(info.st_size, max_size)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        limit = None if max_size is None else max_size + 1
        chunks: list[bytes] = []
        total = 0
        while limit is None or total < limit:
            want = _CHUNK if limit is None else min(_CHUNK, limit - total)
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if max_size is not None and total > max_size:
            raise _TooLarge(total, max_size)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_document(path: str, max_size: int | None = None) -> tuple[str | None, Finding | None]:
    """The text of a document: only a regular file (after links are resolved) is read, never a
    FIFO, device or socket, and never more than max_size + 1 bytes whatever size it reports."""
    try:
        data = _read_regular(path, max_size)
    except _NotRegular:
        return None, file_error(
            READ_ERROR,
            path,
            "cannot read the file: not a regular file (a FIFO, device or socket)",
            "lint documents only; exclude it in the configuration",
        )
    except _TooLarge as exc:
        return None, file_error(
            READ_ERROR,
            path,
            f"the file is {exc.size / 2**20:.1f} MB, over the {exc.limit / 2**20:g} MB limit",
            "split it, or raise max-file-size in the configuration",
        )
    except OSError as exc:
        return None, Finding(
            READ_ERROR,
            Severity.ERROR,
            path,
            1,
            1,
            f"cannot read the file: {exc.strerror or exc}",
            "",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8-sig", "replace")
        line = position(prefix, len(prefix))[0]
        col = exc.start - max(data.rfind(b"\n", 0, exc.start), data.rfind(b"\r", 0, exc.start))
        return None, Finding(
            READ_ERROR,
            Severity.ERROR,
            path,
            line,
            col,
            "the file is not UTF-8 text",
            "save it as UTF-8",
        )
    if "\x00" in text:
        line = position(text, text.index("\x00"))[0]
        return None, Finding(
            READ_ERROR,
            Severity.ERROR,
            path,
            line,
            1,
            "the file contains NUL bytes: it is binary, not a document",
            "",
        )
    return text, None


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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a batch.

    Extraction allocates many small acyclic objects that all live until the end of the run;
    the collector would rescan them again and again (about 15% of lint time on 1,000 docs).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def lint_documents(
    documents: Sequence[tuple[str, str]],
    config: Config,
    extra: Sequence[Finding] = (),
    report: Collection[str] | None = None,
    progress: LintProgress | None = None,
) -> LintResult:
    """Lint documents given as (path, text): the pure core of the lint job.

    With `report`, only those paths are checked and reported; the other documents only feed
    the cross-document facts (published schemas, conventions) the checks compare against.
    `progress` hears of each file read and checked (doctract.output.progress, on stderr).
    """
    with _collector_paused():
        try:
            return _lint_documents(documents, config, extra, report, progress)
        finally:
            if progress is not None:
                progress.stop()


def _lint_documents(
    documents: Sequence[tuple[str, str]],
    config: Config,
    extra: Sequence[Finding],
    report: Collection[str] | None,
    progress: LintProgress | None = None,
) -> LintResult:
    findings: list[Finding] = list(extra)
    tutorials: list[Tutorial] = []
    api = api_of(config)
    if progress is not None:
        progress.stage("reading", len(documents))
    for path, text in documents:
        if progress is not None:
            progress.advance()
        try:
            with time_budget(config.time_budget):
                tutorials.append(extract(path, text))
        except BudgetExceeded:
            findings.append(over_budget(path, "reading", config.time_budget))
        except Exception as exc:  # a bug in doctract must not lose the other files
            findings.append(_internal(path, "extraction", exc))
    corpus = Corpus.build(tutorials, config.required_headers, config.host, api)
    rules = [RULES[r] for r in active_rules(config)]
    collectors = [r for r in rules if r.collect is not None]
    for tutorial in tutorials if collectors else ():
        try:
            with time_budget(config.time_budget):
                for current in collectors:
                    try:
                        current.collect(tutorial, corpus)  # type: ignore[misc]
                    except Exception as exc:
                        findings.append(_internal(tutorial.path, f"rule {current.id}", exc))
        except BudgetExceeded:
            findings.append(over_budget(tutorial.path, "checking", config.time_budget))
    if progress is not None:
        checking = [t for t in tutorials if report is None or t.path in report]
        progress.stage("checking", len(checking))
    for tutorial in tutorials:
        if report is not None and tutorial.path not in report:
            continue
        if progress is not None:
            progress.advance()
        found: list[Finding] = []
        try:
            with time_budget(config.time_budget):
                for current in rules:
                    try:
                        found.extend(current.run(tutorial, corpus))
                    except Exception as exc:
                        found.append(_internal(tutorial.path, f"rule {current.id}", exc))
        except BudgetExceeded:
            found.append(over_budget(tutorial.path, "checking", config.time_budget))
        findings.extend(_drop_superseded(found))
    selected = set(active_rules(config))
    kept = [f for f in findings if f.rule in selected]
    kept = list(dict.fromkeys(kept))
    kept.sort(key=lambda f: f.sort_key)
    checked = len(documents) if report is None else len(set(report))
    return LintResult(
        tuple(kept),
        checked + sum(1 for f in extra),
        fingerprints(kept, dict(documents)),
    )


def file_error(rule: str, path: str, message: str, hint: str) -> Finding:
    """A finding about a whole file (at its first line), for the file-level rules."""
    return Finding(rule, Severity.ERROR, path, 1, 1, message, hint)


def over_budget(path: str, stage: str, seconds: float) -> Finding:
    return file_error(
        TIME_BUDGET_EXCEEDED,
        path,
        f"doctract stopped {stage} the file after its time budget of {seconds:g} s",
        "simplify or split the file, or raise time-budget in the configuration",
    )


def _internal(path: str, where: str, exc: Exception) -> Finding:
    return file_error(
        INTERNAL_ERROR,
        path,
        f"doctract failed in {where}: {type(exc).__name__}: {exc}",
        "please report this with the document",
    )


def _drop_superseded(found: list[Finding]) -> list[Finding]:
    """A specific finding hides generic ones at the same line (one defect, one message)."""
    covered: set[tuple[str, int]] = set()
    for finding in found:
        for other in RULES[finding.rule].supersedes:
            covered.add((other, finding.line))
    return [f for f in found if (f.rule, f.line) not in covered]


def lint_paths(
    paths: Sequence[str],
    config: Config,
    changed: set[str] | None = None,
    discovered: tuple[list[str], list[Finding]] | None = None,
    progress: LintProgress | None = None,
) -> LintResult:
    """Lint the documents under `paths`; with `changed` (absolute paths, see
    doctract.changes), only the changed documents and those depending on them. `discovered`:
    what `discover(paths, config)` returned, when the caller has it already."""
    files, problems = discovered if discovered is not None else discover(paths, config)
    documents: dict[str, str] = {}
    unreadable: dict[str, Finding] = {}
    for path in files:
        text, problem = read_document(path, config.max_file_size)
        if problem is not None:
            unreadable[path] = problem
        elif text is not None:
            documents[path] = text
    if changed is None:
        return lint_documents(
            list(documents.items()), config, [*problems, *unreadable.values()], None, progress
        )
    from doctract.changes import scope

    chosen = scope(files, changed, documents, config.time_budget, api_of(config))
    wanted = set(chosen.report)
    read = [p for p in [*chosen.report, *chosen.context] if p in documents]
    extra = [*problems, *(unreadable[p] for p in chosen.report if p in unreadable)]
    return lint_documents(
        [(p, documents[p]) for p in read],
        config,
        extra,
        [p for p in wanted if p in documents],
        progress,
    )


__all__ = ["LintResult", "Pos", "discover", "lint_documents", "lint_paths", "read_document"]
