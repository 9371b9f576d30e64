"""`--changed-since REF`: the documents a change touches, and those that depend on them.

Checked: the changed documents, and the documents that use an id whose schema a changed
document publishes (a connection-spec or flow-spec doc). Read as context only (not reported):
documents that publish a schema for an id a changed document uses. Everything else is not read
past a quick scan for ids (one file at a time, on every core), so the time follows the size
of the change.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from doctract.api import Api
from doctract.budget import BudgetExceeded, time_budget
from doctract.corpus import Corpus, ids_in
from doctract.errors import DoctractError
from doctract.extractors import extract
from doctract.model import Tutorial
from doctract.pool import ordered_map, workers_for
from doctract.reading import read_document


class ChangesError(DoctractError, ValueError):
    """git could not tell what changed; reported as one line."""


def _git(args: Sequence[str], cwd: Path) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ChangesError(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["git failed"])[-1]
        raise ChangesError(f"git {' '.join(args[:2])}: {message}")
    return done.stdout


def changed_files(ref: str, cwd: Path | None = None) -> set[str]:
    """Absolute paths of files changed since REF: committed, staged, unstaged and untracked."""
    here = (cwd or Path.cwd()).resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], here).strip())
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], here)
    except ChangesError:
        raise ChangesError(
            f"no commit {ref} in this clone: fetch it first (`git fetch origin`), and in GitHub "
            "Actions check out the history (actions/checkout with `fetch-depth: 0`)"
        ) from None
    names = _git(["diff", "--name-only", "-z", "--diff-filter=ACMRT", ref, "--"], here)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z", "--full-name"], top)
    return {
        os.path.normpath(top / name) for name in (names + untracked).split("\0") if name.strip()
    }


@dataclass(frozen=True)
class Scope:
    report: list[str]  # documents to check and report
    context: list[str]  # documents read only for cross-document facts


def scope(
    files: Sequence[str],
    changed: set[str],
    max_size: int | None = None,
    budget: float = 0,
    api: Api | None = None,
    jobs: int | None = None,
) -> Scope:
    """Split discovered `files` by what changed, reading one file at a time (on `jobs`
    processes, see doctract.pool; an unreadable file is left to the lint to report). Which
    documents publish definitions for ids (spec lookups) is the profile's knowledge."""
    api = api or Api()
    touched = [f for f in files if os.path.normpath(os.path.abspath(f)) in changed]
    if not touched:
        return Scope([], [])
    touched_set = set(touched)
    used: set[str] = set()
    models: list[Tutorial] = []
    for path in touched:
        text = _text(path, max_size)
        if text is not None:
            used |= ids_in(text)
            model = _extract(path, text, budget)
            if model is not None:
                models.append(model)
    published = Corpus.build(models, api=api).docs.profile.published_ids()
    models.clear()
    others = [f for f in files if f not in touched_set]
    setup = partial(_scanner, max_size, frozenset(used), frozenset(published), api)
    dependents: list[str] = []
    providers: list[str] = []
    with ordered_map(setup, others, workers_for(len(others), jobs)) as results:
        for path, (depends, provides) in zip(others, results, strict=True):
            if depends:
                dependents.append(path)
            if provides:
                providers.append(path)
    report = list(dict.fromkeys([*touched, *dependents]))
    reported = set(report)
    context = [f for f in providers if f not in reported]
    return Scope(report, context)


def _scanner(
    max_size: int | None, used: frozenset[str], published: frozenset[str], api: Api
) -> Callable[[str], tuple[bool, bool]]:
    """Whether a document uses an id a changed document publishes (it is checked), and
    whether it looks up an id a changed document uses (it is read for its facts)."""
    lookups = tuple(api.vocabulary.lookups)

    def scan(path: str) -> tuple[bool, bool]:
        text = _text(path, max_size)
        if text is None:
            return False, False
        ids = ids_in(text)
        return bool(ids & published), bool(ids & used) and any(w in text for w in lookups)

    return scan


def _text(path: str, max_size: int | None) -> str | None:
    return read_document(path, max_size)[0]


def _extract(path: str, text: str, budget: float) -> Tutorial | None:
    """The changed document's model, for the schemas it publishes; a document that fails or
    runs over its budget publishes nothing here (the lint itself reports it)."""
    try:
        with time_budget(budget):
            return extract(path, text)
    except (BudgetExceeded, Exception):
        return None
