"""Spreading one run over machines: which tutorials a shard replays, and merging the results.

A tutorial belongs to shard `hash(path) mod N`, where the path is the doc's path relative to the
project root (the one written in its feature). The assignment depends on that path alone, so
every machine of a CI matrix computes the same split without talking to the others, and adding a
tutorial never moves the others to another shard.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from doctract.errors import DoctractError
from doctract.report.results import RESULTS_FORMAT

MAX_SHARDS = 1000


class ShardError(DoctractError):
    """A --shard value or a set of shard results that cannot be combined."""


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as written on the command line
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`K/N` with 1 <= K <= N."""
        head, slash, tail = text.partition("/")
        if not slash or not head.strip().isdigit() or not tail.strip().isdigit():
            raise ShardError(f"--shard must be K/N (e.g. 1/4), not {text!r}")
        index, count = int(head), int(tail)
        if not 1 <= count <= MAX_SHARDS or not 1 <= index <= count:
            raise ShardError(f"--shard {text}: K must be between 1 and N (N at most {MAX_SHARDS})")
        return cls(index, count)

    def owns(self, tutorial: str) -> bool:
        """Whether this shard replays the tutorial at `tutorial` (root-relative, / separators)."""
        return shard_of(tutorial, self.count) == self.index

    def to_dict(self) -> dict[str, int]:
        return {"index": self.index, "count": self.count}

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(tutorial: str, count: int) -> int:
    """The 1-based shard of a tutorial path among `count` shards (stable across machines and
    Python versions: a cryptographic digest, not hash())."""
    digest = hashlib.sha256(tutorial.strip("./").encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass(frozen=True)
class ShardResults:
    source: Path
    data: dict[str, Any]

    @property
    def shard(self) -> Shard | None:
        raw = self.data.get("shard")
        if not isinstance(raw, dict):
            return None
        return Shard(int(raw["index"]), int(raw["count"]))


def read_results(given: Path) -> ShardResults:
    """A results.json, given as the file or the folder holding it (a run's --report-dir)."""
    path = given / "results.json" if given.is_dir() else given
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ShardError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ShardError(f"{path}: not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != RESULTS_FORMAT:
        raise ShardError(f"{path}: not a doctract run results file ({RESULTS_FORMAT})")
    shard = data.get("shard")
    if shard is not None and not (
        isinstance(shard, dict)
        and isinstance(shard.get("index"), int)
        and isinstance(shard.get("count"), int)
    ):
        raise ShardError(f"{path}: its shard field is not {{index, count}}")
    if not isinstance(data.get("tutorials"), list):
        raise ShardError(f"{path}: it has no list of tutorials")
    return ShardResults(path, data)


@dataclass(frozen=True)
class Merged:
    tutorials: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    mode: str
    started: str


def merge(parts: Sequence[ShardResults]) -> Merged:
    """One run's results from its shards' results. Shards of one run must agree on N, none may
    be missing or given twice, and no tutorial may appear in two of them; results without a
    shard field (whole runs) merge as they are, tutorials taken once each."""
    if not parts:
        raise ShardError("no results to merge")
    sharded = [p for p in parts if p.shard is not None]
    counts = {p.shard.count for p in sharded if p.shard is not None}
    if len(counts) > 1:
        raise ShardError(
            "the results come from runs split differently: "
            + ", ".join(f"{p.source} is shard {p.shard}" for p in sharded)
        )
    if counts:
        (count,) = counts
        seen: dict[int, Path] = {}
        for part in sharded:
            assert part.shard is not None
            if part.shard.index in seen:
                raise ShardError(
                    f"shard {part.shard} is given twice: {seen[part.shard.index]} and {part.source}"
                )
            seen[part.shard.index] = part.source
        missing = [f"{k}/{count}" for k in range(1, count + 1) if k not in seen]
        if missing:
            raise ShardError(
                f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing: merged "
                "results would not cover every tutorial"
            )
    tutorials: dict[tuple[str, str], dict[str, Any]] = {}
    for part in parts:
        for tutorial in part.data["tutorials"]:
            key = (str(tutorial.get("path")), str(tutorial.get("node", "")))
            if key in tutorials and part.shard is not None:
                raise ShardError(f"{key[0]} was replayed by two shards (one of them {part.source})")
            tutorials.setdefault(key, tutorial)
    problems: dict[str, dict[str, Any]] = {}
    for part in parts:
        for problem in part.data.get("problems", []):
            problems.setdefault(json.dumps(problem, sort_keys=True), problem)
    modes = list(dict.fromkeys(str(p.data.get("mode", "")) for p in parts))
    return Merged(
        [tutorials[k] for k in sorted(tutorials)],
        sorted(problems.values(), key=lambda p: (p["path"], p["line"], p["column"], p["rule"])),
        "; ".join(modes),
        min(str(p.data.get("started", "")) for p in parts),
    )
