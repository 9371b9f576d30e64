"""Matching a documented request to its operation: a trie over path segments, built once.

Lookups cost one step per segment (literal children first, then a parameter, then a segment
pattern such as `{name}.json`); nothing is scanned per request, so lint speed does not depend
on the size of the contract. A doc segment that is a placeholder (`{FLOW_ID}`, `<uid>`) matches
a parameter, and a literal only where no parameter fits.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from doctract.contract.model import Operation
from doctract.urls import is_placeholder

_PARAM = re.compile(r"^\{([^{}]+)\}$")
_INNER_PARAM = re.compile(r"\{[^{}]+\}")


@dataclass
class _Node:
    literals: dict[str, _Node] = field(default_factory=dict)
    param: _Node | None = None
    patterns: list[tuple[re.Pattern[str], _Node]] = field(default_factory=list)
    template: str | None = None
    methods: dict[str, Operation] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Match:
    """The operation a request calls, or why there is none."""

    template: str | None  # the path template the path matched (any method)
    operation: Operation | None  # the operation for the method, when there is one
    allowed: tuple[str, ...] = ()  # methods the template has, when the method is not one
    values: tuple[tuple[str, str], ...] = ()  # path parameter -> the doc's segment

    @property
    def opaque(self) -> bool:
        """The template's path item could not be read: nothing is known, nothing reported."""
        return self.operation is not None and self.operation.opaque

    def value(self, name: str) -> str | None:
        return dict(self.values).get(name)


def segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


class Router:
    def __init__(self, operations: Iterable[Operation]) -> None:
        self._root = _Node()
        self._templates: dict[str, list[str]] = {}
        shared: dict[tuple[str, ...], int] = {}
        for op in operations:
            node = self._root
            segs = segments(op.template)
            for seg in segs:
                node = self._child(node, seg)
            node.template = op.template
            node.methods.setdefault(op.method, op)
            self._templates[op.template] = segs
            literal = 0
            while literal < len(segs) and not _INNER_PARAM.search(segs[literal]):
                literal += 1
            for k in range(1, literal):
                shared[tuple(segs[:k])] = shared.get(tuple(segs[:k]), 0) + 1
        # literal prefixes a doc may leave out, like a base path (`POST /connections` for
        # templates under /data/foundation/flowservice): those most templates share
        most = 0.75 * len(self._templates)
        self._prefixes = [(), *sorted((p for p, n in shared.items() if n >= most), key=len)]

    @staticmethod
    def _child(node: _Node, seg: str) -> _Node:
        if _PARAM.match(seg):
            if node.param is None:
                node.param = _Node()
            return node.param
        if _INNER_PARAM.search(seg):
            regex = re.compile(
                "".join(
                    "[^/]+" if _INNER_PARAM.fullmatch(part) else re.escape(part)
                    for part in re.split(r"(\{[^{}]+\})", seg)
                    if part
                )
                + r"\Z"
            )
            for pattern, child in node.patterns:
                if pattern.pattern == regex.pattern:
                    return child
            child = _Node()
            node.patterns.append((regex, child))
            return child
        return node.literals.setdefault(seg, _Node())

    def match(self, method: str, path: str, relative: bool = False) -> Match | None:
        """The match for a path (base path already removed); with `relative`, the path may
        leave out a literal prefix the templates share. None when no template matches."""
        segs = segments(path)
        found = self._walk(self._root, segs, 0)
        if found is None and relative:
            for prefix in self._prefixes[1:]:
                found = self._walk(self._root, [*prefix, *segs], 0)
                if found is not None:
                    segs = [*prefix, *segs]
                    break
        if found is None or found.template is None:
            return None
        values = tuple(
            (_PARAM.match(t).group(1), s)  # type: ignore[union-attr]
            for t, s in zip(self._templates[found.template], segs, strict=False)
            if _PARAM.match(t)
        )
        op = found.methods.get(method.upper())
        allowed = () if op is not None else tuple(sorted(found.methods))
        return Match(found.template, op, allowed, values)

    def _walk(self, node: _Node, segs: list[str], index: int) -> _Node | None:
        if index == len(segs):
            return node if node.template is not None else None
        seg = segs[index]
        child = node.literals.get(seg)
        if child is not None and (hit := self._walk(child, segs, index + 1)) is not None:
            return hit
        if node.param is not None and (hit := self._walk(node.param, segs, index + 1)) is not None:
            return hit
        for pattern, pchild in node.patterns:
            if pattern.match(seg) and (hit := self._walk(pchild, segs, index + 1)) is not None:
                return hit
        if is_placeholder(seg) or "{" in seg:
            for lchild in node.literals.values():
                if (hit := self._walk(lchild, segs, index + 1)) is not None:
                    return hit
        return None

    def closest(self, path: str) -> str | None:
        """The template most like a path that matched none ("did you mean"): segment by
        segment, a parameter fits any value, literals compare by spelling."""
        best: tuple[float, str] | None = None
        for prefix in self._prefixes:
            want = segments(path)
            for template, segs in self._templates.items():
                if tuple(segs[: len(prefix)]) != prefix:
                    continue
                score = _similarity(want, segs[len(prefix) :])
                if score >= 0.6 and (best is None or score > best[0]):
                    best = (score, template)
            if best is not None:
                break
        return best[1] if best else None


def _similarity(want: list[str], have: list[str]) -> float:
    if not want or not have:
        return 0.0
    total = 0.0
    for w, h in zip(want, have, strict=False):
        if w == h:
            total += 1.0
        elif _PARAM.match(h):
            total += 0.9 if (is_placeholder(w) or _looks_like_id(w) or "{" in w) else 0.75
        elif "{" in w or is_placeholder(w):
            total += 0.3
        else:
            total += difflib.SequenceMatcher(None, w.lower(), h.lower()).ratio() * 0.9
    return total / max(len(want), len(have))


_ID = re.compile(r"^(?:[0-9a-fA-F-]{16,}|\d+)$")


def _looks_like_id(seg: str) -> bool:
    return bool(_ID.match(seg))
