"""The JSON results of one `doctract run`, and earlier ones read back for the trend."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from doctract import __version__
from doctract.atomic import write_atomic
from doctract.findings import Finding
from doctract.secrets import NO_SECRETS, Scrubber

RESULTS_FORMAT = "doctract-run/1"
STATUSES = ("passed", "failed", "blocked")


def run_summary(tutorials: Sequence[dict[str, Any]]) -> dict[str, Any]:
    statuses = Counter(t["status"] for t in tutorials)
    rules = Counter(f["rule"] for t in tutorials for f in t["findings"])
    return {
        "tutorials": len(tutorials),
        **{status: statuses.get(status, 0) for status in STATUSES},
        "findings": sum(rules.values()),
        "by_rule": dict(sorted(rules.items())),
        "retried": sum(int(t.get("retried", 0)) for t in tutorials),
    }


def run_line(tutorials: Sequence[dict[str, Any]], problems: Sequence[Finding] = ()) -> str:
    """The run's one-line summary, from the tutorials' statuses (as results.json counts them)
    and the documents that could not be replayed."""
    summary = run_summary(tutorials)
    line = f"{summary['tutorials']} tutorials replayed, {summary['failed'] + summary['blocked']}"
    line += " diverge" + (f" ({summary['blocked']} blocked)" if summary["blocked"] else "")
    unreplayed = len({p.path for p in problems})
    return line + (f", {unreplayed} not replayed (see their findings)" if unreplayed else "")


def run_results(
    tutorials: Sequence[dict[str, Any]],
    mode: str,
    started: datetime | None = None,
    problems: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The run's results; `problems` are the findings about documents that could not be
    replayed at all (unreadable, over the time budget), counted as the terminal counts them."""
    summary = run_summary(tutorials)
    if problems:
        rules = Counter(summary["by_rule"]) + Counter(p["rule"] for p in problems)
        summary = {
            **summary,
            "findings": sum(rules.values()),
            "by_rule": dict(sorted(rules.items())),
        }
    return {
        "format": RESULTS_FORMAT,
        "doctract": __version__,
        "started": (started or datetime.now(UTC)).isoformat(timespec="seconds"),
        "mode": mode,
        "summary": summary,
        "problems": list(problems),
        "tutorials": list(tutorials),
    }


def write_json(path: Path, payload: dict[str, Any], scrubber: Scrubber = NO_SECRETS) -> None:
    """Write atomically: a reader never sees half a file, an interrupted run keeps the old one.
    Every string, then the file's text, goes through the scrubber."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, scrubber.text(json.dumps(scrubber.data(payload), indent=2)) + "\n")


@dataclass(frozen=True)
class HistoryPoint:
    started: str
    summary: dict[str, Any]
    source: str


def load_history(folder: Path) -> tuple[list[HistoryPoint], list[str]]:
    """Earlier results in `folder` (oldest first) and one line per file that was skipped."""
    points: list[HistoryPoint] = []
    skipped: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            skipped.append(f"{path}: not readable as JSON ({type(exc).__name__})")
            continue
        if not isinstance(data, dict) or data.get("format") != RESULTS_FORMAT:
            skipped.append(f"{path}: not a doctract run results file")
            continue
        points.append(HistoryPoint(str(data.get("started", "")), data["summary"], str(path)))
    points.sort(key=lambda p: p.started)
    return points, skipped


def history_name(results: dict[str, Any]) -> str:
    stamp = results["started"].replace(":", "").replace("-", "").replace("+0000", "Z")
    return f"results-{stamp}.json"
