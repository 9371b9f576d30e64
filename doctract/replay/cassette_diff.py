"""`doctract diff OLD NEW`: which documented interactions changed status or shape between two
recordings of the same tutorials (say, cassettes before and after an API release).

Interactions are paired per cassette in order, by method and path with ids normalised; a finding
lands on the doc's line of the request when the tutorial is found next to the cassette name
(cassettes are named after their doc), else on the interaction's line in the cassette.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from doctract.checks import RULES
from doctract.extractors import extract
from doctract.findings import Finding
from doctract.lint import read_document
from doctract.replay.cassette_file import (
    CassetteError,
    Interaction,
    load_cassette,
    normalised_path,
)
from doctract.replay.plan import plan
from doctract.replay.session import shape_differences
from doctract.rule_ids import (
    INTERACTION_ADDED,
    INTERACTION_REMOVED,
    INTERACTION_SHAPE_CHANGED,
    INTERACTION_STATUS_CHANGED,
)
from doctract.urls import PLACEHOLDER

DOC_EXTENSIONS = (".md", ".markdown", ".txt")


@dataclass(frozen=True)
class Located:
    path: str
    line: int
    label: str  # "request 3 (Create a flow)" or "interaction 3"


def _finding(rule: str, where: Located, message: str, hint: str = "") -> Finding:
    return Finding(rule, RULES[rule].severity, where.path, where.line, 1, message, hint)


def find_doc(cassette: str, roots: Sequence[Path]) -> Path | None:
    """The tutorial a cassette was recorded from (`a__b__c.yaml` -> `a/b/c.md`)."""
    stem = cassette.removesuffix(".yaml").replace("__", "/")
    for root in roots:
        for extension in DOC_EXTENSIONS:
            candidate = root / f"{stem}{extension}"
            if candidate.is_file():
                return candidate
    return None


def _doc_key(method: str, url: str) -> tuple[str, str]:
    path = normalised_path(PLACEHOLDER.sub("{id}", url)).split("?", 1)[0]
    return method.upper(), path


class _DocLines:
    """Maps interactions (in order) to the doc's requests, skipping what the doc does not show
    (cleanup DELETEs, retries)."""

    def __init__(self, doc: Path | None) -> None:
        self.doc = doc
        self.calls: list[tuple[tuple[str, str], int, str]] = []
        if doc is not None:
            text, problem = read_document(str(doc))
            if text is not None and problem is None:
                for call in plan(extract(doc.as_posix(), text)):
                    label = f"request {call.index} ({call.step})"
                    self.calls.append((_doc_key(call.method, call.url), call.line, label))

    def locate(self, interactions: Sequence[Interaction], cassette: Path) -> list[Located]:
        out: list[Located] = []
        cursor = 0
        for interaction in interactions:
            where = Located(
                cassette.as_posix(),
                interaction.line,
                f"interaction {interaction.index} ({interaction.method} {interaction.path})",
            )
            key = (interaction.method, interaction.path.split("?", 1)[0])
            for position in range(cursor, len(self.calls)):
                if self.calls[position][0] == key and self.doc is not None:
                    _, line, label = self.calls[position]
                    where = Located(self.doc.as_posix(), line, label)
                    cursor = position + 1
                    break
            out.append(where)
        return out


def _shape_changes(old: object, new: object) -> list[str]:
    changes = []
    for text in shape_differences(old, new):
        if text.endswith(" is not documented"):
            changes.append(text.removesuffix(" is not documented") + " is new")
        elif text.endswith(" is missing"):
            changes.append(text.removesuffix(" is missing") + " is gone")
        else:
            changes.append(text.replace("the doc shows", "was"))
    return changes


def diff_cassette(old: Path, new: Path, doc: Path | None) -> list[Finding]:
    problems = []
    loaded: list[list[Interaction]] = []
    for path in (old, new):
        try:
            loaded.append(load_cassette(path))
        except CassetteError as exc:
            problems.append(exc.finding("re-record it, or restore it from version control"))
    if problems:
        return problems
    before, after = loaded
    doc_lines = _DocLines(doc)  # the doc is read and extracted once for both recordings
    old_where = doc_lines.locate(before, old)
    new_where = doc_lines.locate(after, new)
    findings: list[Finding] = []
    matcher = difflib.SequenceMatcher(
        a=[i.key for i in before], b=[i.key for i in after], autojunk=False
    )
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag in ("equal", "replace") and a1 - a0 == b1 - b0:
            for i, j in zip(range(a0, a1), range(b0, b1), strict=True):
                if before[i].key != after[j].key:
                    findings += _removed_added([i], [j], before, after, old_where, new_where)
                else:
                    findings += _compare(before[i], after[j], new_where[j])
        else:
            findings += _removed_added(
                list(range(a0, a1)), list(range(b0, b1)), before, after, old_where, new_where
            )
    return findings


def _removed_added(
    removed: list[int],
    added: list[int],
    before: list[Interaction],
    after: list[Interaction],
    old_where: list[Located],
    new_where: list[Located],
) -> list[Finding]:
    out = []
    for i in removed:
        item = before[i]
        out.append(
            _finding(
                INTERACTION_REMOVED,
                old_where[i],
                f"{old_where[i].label}: {item.method} {item.path} is in the old recording only",
                "the tutorial or the API no longer makes this call; check the doc's steps",
            )
        )
    for j in added:
        item = after[j]
        out.append(
            _finding(
                INTERACTION_ADDED,
                new_where[j],
                f"{new_where[j].label}: {item.method} {item.path} is in the new recording only",
            )
        )
    return out


def _compare(old: Interaction, new: Interaction, where: Located) -> list[Finding]:
    out = []
    call = f"{where.label}: {new.method} {new.path}"
    if old.status != new.status:
        out.append(
            _finding(
                INTERACTION_STATUS_CHANGED,
                where,
                f"{call} answered {old.status} before and {new.status} now",
                "the API changed (or regressed): update the doc or report it",
            )
        )
        return out
    changes = _shape_changes(old.body, new.body)
    if changes:
        shown = "; ".join(changes[:5]) + (
            f" (+{len(changes) - 5} more)" if len(changes) > 5 else ""
        )
        out.append(
            _finding(
                INTERACTION_SHAPE_CHANGED,
                where,
                f"{call}: the {new.status} response changed shape: {shown}",
                "update the doc's example response",
            )
        )
    return out


def diff_folders(old: Path, new: Path, doc_roots: Sequence[Path] = (Path("."),)) -> list[Finding]:
    names_old = {p.name for p in old.glob("*.yaml")}
    names_new = {p.name for p in new.glob("*.yaml")}
    findings: list[Finding] = []
    for name in sorted(names_old | names_new):
        doc = find_doc(name, doc_roots)
        if name not in names_new:
            where = Located((old / name).as_posix(), 1, name)
            findings.append(
                _finding(INTERACTION_REMOVED, where, f"the tutorial's cassette {name} is gone")
            )
        elif name not in names_old:
            where = Located((new / name).as_posix(), 1, name)
            findings.append(_finding(INTERACTION_ADDED, where, f"the cassette {name} is new"))
        else:
            findings += diff_cassette(old / name, new / name, doc)
    return sorted(findings, key=lambda f: f.sort_key)
