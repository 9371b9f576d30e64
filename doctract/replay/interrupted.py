"""A replay stopped by Ctrl-C or SIGTERM: which tutorials it interrupted, what their cleanup
deleted and what it left behind, said in the lines `doctract run` prints before exiting 130."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from doctract.rule_ids import CLEANUP_FAILED, CLEANUP_UNAVAILABLE, LEFT_BEHIND


class ReplayInterrupted(KeyboardInterrupt):
    """A KeyboardInterrupt (so anything that stops on Ctrl-C stops on it) that says what the
    replay was doing; `records` are the tutorials' records written so far."""

    def __init__(self, signal_name: str, records: Sequence[dict[str, Any]]) -> None:
        super().__init__("\n".join(summary(records)))
        self.signal_name = signal_name
        self.records = list(records)


def summary(records: Sequence[dict[str, Any]]) -> list[str]:
    """One line per interrupted tutorial (its record says it did not finish), and one per
    resource its cleanup could not delete."""
    cut = [r for r in records if not r.get("finished", True)]
    if not cut:
        return [
            f"doctract run: no tutorial was under way ({len(records)} had finished); "
            "nothing was cut short"
        ]
    lines = []
    for record in cut:
        sent = sum(1 for r in record.get("requests", []) if r.get("sent"))
        cleanup = record.get("cleanup", {})
        deleted, left = int(cleanup.get("deleted", 0)), int(cleanup.get("left", 0))
        lines.append(
            f"doctract run: interrupted {record['path']} after {sent} "
            f"request{'' if sent == 1 else 's'} sent; "
            f"cleanup deleted {deleted} resource{'' if deleted == 1 else 's'} it had created, "
            f"{left} left behind; its cassette was left as it was"
        )
        for finding in record.get("findings", []):
            if finding["rule"] in (CLEANUP_FAILED, CLEANUP_UNAVAILABLE, LEFT_BEHIND):
                lines.append(
                    f"doctract run: {finding['path']}:{finding['line']}: {finding['rule']}: "
                    f"{finding['message']}"
                )
    return lines
