"""Progress of a long lint, on stderr only (stdout is the report, which tools parse): a
transient rich bar on a terminal; in CI logs (not a terminal) one line every EVERY files and at
the end of each stage, and only for runs over EVERY files."""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

EVERY = 100


def interactive(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return (
        bool(isatty and isatty()) and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"
    )


class LintProgress:
    """`stage(name, total)` starts a stage ("reading", "checking"); `advance()` after each file;
    `stop()` at the end (also removes the bar)."""

    def __init__(self, stream: TextIO | None = None, bar: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bar = interactive(self.stream) if bar is None else bar
        self.name = ""
        self.total = 0
        self.done = 0
        self._progress: Any = None
        self._task: Any = None

    def stage(self, name: str, total: int) -> None:
        self.name, self.total, self.done = name, total, 0
        if not self.bar:
            return
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("doctract lint: {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files"),
                console=Console(file=self.stream, emoji=False),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(name, total=total)
        else:
            self._progress.reset(self._task, total=total, description=name)

    def advance(self) -> None:
        self.done += 1
        if self._progress is not None:
            self._progress.update(self._task, advance=1)
        elif (
            not self.bar
            and self.total > EVERY
            and (self.done % EVERY == 0 or self.done == self.total)
        ):
            self.stream.write(f"doctract lint: {self.name} {self.done}/{self.total} files\n")
            self.stream.flush()

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
