"""Progress of a long run, as a pytest plugin handed to `pytest.main`: a rich progress bar on a
terminal, one plain line per scenario elsewhere (CI logs). Works with pytest-xdist: the
controller receives every worker's reports."""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

import pytest
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def _interactive(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class RunProgress:
    def __init__(self, stream: TextIO | None = None, bar: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bar = _interactive(self.stream) if bar is None else bar
        self.total = 0
        self.done = 0
        self._progress: Progress | None = None
        self._task: Any = None
        self._seen: dict[str, tuple[str, str]] = {}  # nodeid -> (name, outcome of the call)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        self._start()

    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if not self.total:
            self.total = len(ids)
            self._start()

    def _start(self) -> None:
        if self.bar and self._progress is None and self.total:
            self._progress = Progress(
                TextColumn("doctract run"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=Console(file=self.stream, emoji=False),
                transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=self.total)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and report.failed):
            name = str(dict(report.user_properties).get("doctract_tutorial", report.nodeid))
            self._seen[report.nodeid] = (name, "diverges" if report.failed else "as documented")
        if report.when != "teardown":
            return
        self.done += 1
        name, outcome = self._seen.pop(report.nodeid, (report.nodeid, "error"))
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=os.path.basename(name))
        else:
            total = self.total or "?"
            self.stream.write(f"doctract: [{self.done}/{total}] {name} {outcome}".rstrip() + "\n")
            self.stream.flush()

    def pytest_sessionfinish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
