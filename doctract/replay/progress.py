"""Progress of a long run, as a pytest plugin handed to `pytest.main`: a rich progress bar on a
terminal, one plain line per scenario elsewhere (CI logs), saying each tutorial's status as its
record does. The display is apart from the plugin: with `--workers`, each worker's plugin
sends what it sees to the one display of the run. Beside it, `Unrecorded` keeps why a feature
produced no record, since the terminal plugin is off."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Protocol, TextIO

import pytest
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

STATUS_WORDS = {"passed": "as documented", "failed": "diverges", "blocked": "blocked"}


def _interactive(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class ProgressDisplay:
    """How far a run is: a rich progress bar on a terminal, one plain line per finished
    scenario elsewhere (CI logs)."""

    def __init__(self, stream: TextIO | None = None, bar: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.bar = _interactive(self.stream) if bar is None else bar
        self.total = 0
        self.done = 0
        self._progress: Progress | None = None
        self._task: Any = None

    def start(self, total: int) -> None:
        self.total = total
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

    def advance(self, name: str, outcome: str) -> None:
        """One more scenario finished: its tutorial and its status in words."""
        self.done += 1
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=os.path.basename(name))
        else:
            total = self.total or "?"
            self.stream.write(f"doctract: [{self.done}/{total}] {name} {outcome}".rstrip() + "\n")
            self.stream.flush()

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class Display(Protocol):
    """Where RunProgress tells what it sees: a ProgressDisplay, or a worker's pipe to the
    process that shows the run's progress (doctract.replay.workers)."""

    def start(self, total: int) -> None: ...

    def advance(self, name: str, outcome: str) -> None: ...

    def stop(self) -> None: ...


class RunProgress:
    """A pytest plugin that tells `display` how many scenarios were collected and, as each
    finishes, its tutorial and its status as its record says it."""

    def __init__(self, display: Display | None = None) -> None:
        self.display = display or ProgressDisplay()
        self._seen: dict[str, tuple[str, str]] = {}  # nodeid -> (name, outcome of the call)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.display.start(len(session.items))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and report.failed):
            name = str(dict(report.user_properties).get("doctract_tutorial", report.nodeid))
            self._seen[report.nodeid] = (name, "diverges" if report.failed else "as documented")
        if report.when != "teardown":
            return
        name, outcome = self._seen.pop(report.nodeid, (report.nodeid, "error"))
        # the tutorial's status as its record says (doctract.replay.plugin), which counts what
        # pytest does not see: a failure after the verdict, a request left unsent
        status = dict(report.user_properties).get("doctract_status")
        self.display.advance(name, STATUS_WORDS.get(str(status), outcome))

    def pytest_sessionfinish(self) -> None:
        self.display.stop()


class Unrecorded:
    """Why a feature produced no record: what pytest could not collect (a feature pytest-bdd
    cannot parse) and how tests that were not doctract scenarios failed (a hand-edited feature
    without its `Given the tutorial`). With the terminal plugin off, nothing else says it."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}
        self.features: dict[Path, str] = {}  # why, for one feature (its worker's fate)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors[report.nodeid] = _last_error(report.longreprtext)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed and report.nodeid not in self.errors:
            self.errors[report.nodeid] = _last_error(report.longreprtext)
        if "doctract_status" in dict(report.user_properties):  # it has its record
            self.errors.pop(report.nodeid, None)

    @property
    def reason(self) -> str:
        return "; ".join(sorted(set(self.errors.values()))) or "pytest did not run it"

    def reason_for(self, feature: Path) -> str:
        return self.features.get(feature) or self.reason


def _last_error(text: str) -> str:
    """The last exception in a pytest report's text: its last run of `E ` lines, in one line."""
    runs: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        error = line.startswith("E ")
        if error and not previous:
            runs.append([])
        if error and line[1:].strip():
            runs[-1].append(line[1:].strip())
        previous = error
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return " ".join(runs[-1] if runs else lines[-1:] or ["it failed"])[:300]
