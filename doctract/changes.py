"""`--changed-since REF`: the documents a change touches, and those that depend on them.

Checked: the changed documents, and the documents that use an id whose schema a changed
document publishes (a connection-spec or flow-spec doc). Read as context only (not reported):
documents that publish a schema for an id a changed document uses. Everything else is not read
past a quick scan for ids, so the time follows the size of the change.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from doctract.api import Api
from doctract.budget import BudgetExceeded, time_budget
from doctract.corpus import Corpus, ids_in
from doctract.errors import DoctractError
from doctract.extractors import extract
from doctract.model import Tutorial


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
    texts: dict[str, str],
    budget: float = 0,
    api: Api | None = None,
) -> Scope:
    """Split discovered `files` by what changed; `texts` holds every readable file's text.
    Which documents publish definitions for ids (spec lookups) is the profile's knowledge."""
    api = api or Api()
    lookups = tuple(api.vocabulary.lookups)
    touched = [f for f in files if os.path.normpath(os.path.abspath(f)) in changed]
    if not touched:
        return Scope([], [])
    touched_set = set(touched)
    others = [f for f in files if f not in touched_set and f in texts]
    used = set().union(*(ids_in(texts[f]) for f in touched if f in texts))
    ids_of = {f: ids_in(texts[f]) for f in others}
    providers = [
        f for f in others if ids_of[f] & used and any(word in texts[f] for word in lookups)
    ]
    models = (_extract(f, texts[f], budget) for f in touched if f in texts)
    corpus = Corpus.build([model for model in models if model is not None], api=api)
    published = corpus.facts.published_ids()
    dependents = [f for f in others if ids_of[f] & published]
    report = list(dict.fromkeys([*touched, *dependents]))
    reported = set(report)
    context = [f for f in providers if f not in reported]
    return Scope(report, context)


def _extract(path: str, text: str, budget: float) -> Tutorial | None:
    """The changed document's model, for the schemas it publishes; a document that fails or
    runs over its budget publishes nothing here (the lint itself reports it)."""
    try:
        with time_budget(budget):
            return extract(path, text)
    except (BudgetExceeded, Exception):
        return None
