"""The doc-set questions each document's checks asked in the streaming lint's first pass, and
which documents the whole doc set answers otherwise than the empty doc set they were first
checked against: only those are checked again.

A check's findings follow from its tutorial and the answers to the questions it asks (see
`Corpus.ask`); a document whose every question gets the same answer from the whole doc set
would be checked the same way again, so its first findings are its findings. Questions are
kept as small integers per document, each distinct set once (a doc set asks few distinct
ones: its hosts, placeholder names, the claims some documents make); each distinct question is
answered twice at the end.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

from doctract.corpus import Asked, Corpus

_NONE = array("i")


class Ledger:
    def __init__(self) -> None:
        self._numbers: dict[Asked, int] = {}
        self._asked: list[array[int]] = []  # per document, in the order recorded
        # documents of one doc set mostly ask the same questions: one array per distinct set
        self._sets: dict[tuple[int, ...], array[int]] = {(): _NONE}

    def record(self, asked: Sequence[Asked]) -> None:
        """The next document's questions."""
        key = tuple(sorted({self._numbers.setdefault(one, len(self._numbers)) for one in asked}))
        numbers = self._sets.get(key)
        if numbers is None:
            numbers = self._sets[key] = array("i", key)
        self._asked.append(numbers)

    def answered_otherwise(self, first: Corpus, final: Corpus) -> list[int]:
        """The documents (by the order recorded) that asked a question `final` answers
        otherwise than `first`."""
        changed = {
            number
            for (question, args), number in self._numbers.items()
            if question(final.docs, *args) != question(first.docs, *args)
        }
        if not changed:
            return []
        return [i for i, numbers in enumerate(self._asked) if not changed.isdisjoint(numbers)]
