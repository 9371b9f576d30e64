"""`doctract run --workers N`: the run's features dealt into N shares, each replayed by a
process of its own that collects and replays only its share and sends back its progress and
its tutorials' records.

Not pytest-xdist: xdist needs the same collection in every worker, so each of its workers
parsed every feature (about 2 ms each) and its controller relayed every report; on 2 cores at
1,000 tutorials that was 1.56-1.60x serial. The workers are forked, as the lint's are
(doctract.pool): each starts with everything this process has loaded. Where the platform has
no fork, the run is serial (doctract.cli's `_worker_count`).

Signals: each worker leads a process group of its own, so a Ctrl-C at the terminal reaches
this process alone, which passes it (or SIGTERM) on to each worker exactly once; a second
signal could cut a tutorial's cleanup short. A worker stops as a serial run does (its
tutorial's finalizers clean up, its record says what was cut short) and sends the records it
has; then the run stops with all of them (ReplayInterrupted), as a serial run does.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import Any

from doctract import interrupts
from doctract.replay.generate import in_path_order
from doctract.replay.interrupted import ReplayInterrupted
from doctract.replay.progress import Display, RunProgress, Unrecorded
from doctract.replay.session import ReplayOptions

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def shares(features: Sequence[Path], count: int) -> list[list[Path]]:
    """The features dealt into at most `count` shares of about equal work: the largest feature
    first (its size is its requests and examples, what its replay does) to the lightest share
    so far. Each share is in path order; the same features always give the same shares."""
    sizes = {feature: feature.stat().st_size for feature in features}
    loads = [0] * max(1, count)
    dealt: list[list[Path]] = [[] for _ in loads]
    for feature in sorted(features, key=lambda f: (-sizes[f], f.as_posix())):
        lightest = min(range(len(loads)), key=lambda i: (loads[i], i))
        loads[lightest] += sizes[feature]
        dealt[lightest].append(feature)
    return [sorted(share) for share in dealt if share]


def replay(
    features: Sequence[Path],
    options: ReplayOptions,
    args: Sequence[str],
    count: int,
    display: Display | None,
    unrecorded: Unrecorded,
) -> list[dict[str, Any]]:
    """Replay `features` in `count` worker processes: one record per tutorial, sorted by path
    as `run_features` sorts them. `display` shows the whole run's progress; `unrecorded` learns
    why a feature produced no record (also: its worker ended without sending its records)."""
    dealt = shares(features, count)
    gathered = _Gathered(display, unrecorded, dealt)
    context = multiprocessing.get_context("fork")
    processes: list[BaseProcess] = []
    readers: dict[Connection, int] = {}
    with _forwarded_signals(processes) as stopped_by:
        try:
            for index, share in enumerate(dealt):
                reader, writer = context.Pipe(duplex=False)
                process = context.Process(
                    target=_work,
                    args=(share, options, list(args), display is not None, writer, os.getpid()),
                    name=f"doctract-worker-{index + 1}",
                )
                with _signals_blocked():  # until the worker has its own handlers
                    if stopped_by:  # interrupted while starting: the rest do not start
                        reader.close()
                        writer.close()
                        break
                    process.start()
                    processes.append(process)
                writer.close()
                readers[reader] = index
            gathered.expect(len(processes))
            while readers:
                for ready in wait(list(readers)):
                    assert isinstance(ready, Connection)
                    index = readers[ready]
                    try:
                        gathered.take(index, ready.recv())
                    except EOFError:  # the worker is gone: with its records or without
                        del readers[ready]
                        processes[index].join()
                        gathered.ended(index, processes[index].exitcode)
        finally:
            for started in processes:  # on an error of ours: stop them, with their cleanup
                if started.exitcode is None and started.pid is not None:
                    with suppress(OSError):
                        os.kill(started.pid, signal.SIGTERM)
            _drain(readers)  # each worker holds its own pipe's read end too: closing ours
            for started in processes:  # would not free a worker blocked on a full pipe
                started.join()
            gathered.close()
    if stopped_by:
        raise ReplayInterrupted(stopped_by[0], gathered.records())
    return gathered.records()


def _drain(readers: dict[Connection, int]) -> None:
    """Read and drop what the workers still send, until each has closed its pipe."""
    while readers:
        for ready in wait(list(readers)):
            assert isinstance(ready, Connection)
            try:
                ready.recv()
            except Exception:  # EOF: gone; else what it sent cannot be read
                del readers[ready]


@contextmanager
def _forwarded_signals(processes: list[BaseProcess]) -> Iterator[list[str]]:
    """While the workers run, Ctrl-C and SIGTERM are noted (in the list yielded) and passed on
    to each worker, instead of raising here: the records still to come are the run's."""
    stopped_by: list[str] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        if stopped_by:
            return  # each worker gets one signal: a second could cut its cleanup short
        stopped_by.append(signal.Signals(signum).name)
        for process in processes:
            if process.pid is not None and process.exitcode is None:
                with suppress(OSError):
                    os.kill(process.pid, signum)

    previous = {signum: signal.signal(signum, forward) for signum in _SIGNALS}
    try:
        yield stopped_by
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back (delivered at the end): a worker is forked with them
    blocked and unblocks them once its own handlers are in place."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)


def _stop_with_the_run(run: int) -> None:
    """SIGTERM to this worker when the run's process (pid `run`) dies of a signal it cannot
    pass on (SIGKILL, SIGHUP): in a group of its own, nothing else would stop it (Linux)."""
    import ctypes

    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != run:  # it died already: held back until the handlers are in place
        os.kill(os.getpid(), signal.SIGTERM)


class _Sender:
    """A worker's progress display: what its RunProgress sees, sent to the run's display."""

    def __init__(self, pipe: Connection) -> None:
        self.pipe = pipe

    def start(self, total: int) -> None:
        self.pipe.send(("total", total))

    def advance(self, name: str, outcome: str) -> None:
        self.pipe.send(("done", name, outcome))

    def stop(self) -> None:
        pass


def _work(
    share: list[Path],
    options: ReplayOptions,
    args: list[str],
    progress: bool,
    pipe: Connection,
    run: int,
) -> None:
    """A worker: replay the share, then send ("end", records, why features produced no
    record, the signal that stopped it or None)."""
    from doctract.replay.generate import run_features

    with suppress(OSError):
        os.setpgid(0, 0)  # its own group: the terminal's Ctrl-C is the parent's to pass on
    signal.signal(signal.SIGINT, signal.default_int_handler)  # not the parent's forwarding
    interrupts.install()  # SIGTERM takes Ctrl-C's path, as in the parent
    _stop_with_the_run(run)
    unrecorded = Unrecorded()
    plugins: list[object] = [unrecorded, *([RunProgress(_Sender(pipe))] if progress else [])]
    records: list[dict[str, Any]] = []
    stopped_by: str | None = None
    try:
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)  # one pending is raised here
            _, records = run_features(share, options, args, plugins)
        finally:  # the parent passes signals on once: none may cut the records short
            for signum in _SIGNALS:
                signal.signal(signum, signal.SIG_IGN)
    except ReplayInterrupted as interrupted:
        records, stopped_by = interrupted.records, interrupted.signal_name
    except KeyboardInterrupt as interrupt:  # before or after pytest's session
        stopped_by = interrupts.signal_name(interrupt)
    except Exception as exc:
        reason = " ".join(str(exc).split())[:300]
        unrecorded.errors[""] = f"its worker stopped: {type(exc).__name__}: {reason}"
    with suppress(OSError):  # the run's process is gone, or stopped reading after an error
        pipe.send(("end", records, unrecorded.errors, stopped_by))
    pipe.close()


class _Gathered:
    """What the workers sent: the run's progress (shown once every worker has counted its
    scenarios, so the total is right) and their records."""

    def __init__(
        self, display: Display | None, unrecorded: Unrecorded, dealt: list[list[Path]]
    ) -> None:
        self.display = display
        self.unrecorded = unrecorded
        self.dealt = dealt
        self.workers = 0
        self.totals: dict[int, int] = {}
        self.waiting: list[tuple[str, str]] = []  # finished before the total was known
        self.started = False
        self.ended_with_records: set[int] = set()
        self._records: list[dict[str, Any]] = []

    def expect(self, workers: int) -> None:
        self.workers = workers
        self._start_when_counted()

    def take(self, index: int, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "total":
            self.totals[index] = int(message[1])
            self._start_when_counted()
        elif kind == "done":
            self._advance(str(message[1]), str(message[2]))
        elif kind == "end":
            _, records, errors, stopped_by = message
            self._records += records
            reasons = sorted(set(errors.values()))
            if stopped_by:  # not by this run (it passes its own on): a worker alone stopped
                reasons.append(f"its worker got {stopped_by}")
            if reasons:
                self._explain(index, "; ".join(reasons))
            self.ended_with_records.add(index)
            self.totals.setdefault(index, 0)  # it collected nothing (all unparsable)
            self._start_when_counted()

    def ended(self, index: int, exitcode: int | None) -> None:
        if index in self.ended_with_records:
            return
        how = (
            f"killed by {signal.Signals(-exitcode).name}"
            if exitcode is not None and exitcode < 0
            else f"exit status {exitcode}"
        )
        self._explain(index, f"its worker process ended ({how}) before sending its records")
        self.totals.setdefault(index, 0)
        self._start_when_counted()

    def _explain(self, index: int, why: str) -> None:
        """Why a feature of this worker's share has no record (a feature that has one is not
        asked about)."""
        for feature in self.dealt[index]:
            self.unrecorded.features[feature] = why

    def _start_when_counted(self) -> None:
        if self.started or not self.workers or len(self.totals) < self.workers:
            return
        if self.display is not None:
            self.display.start(sum(self.totals.values()))
        self._say_waiting()

    def _say_waiting(self) -> None:
        """From now on each finished scenario is shown as it comes: those that waited first."""
        self.started = True
        for name, outcome in self.waiting:
            self._advance(name, outcome)
        self.waiting.clear()

    def _advance(self, name: str, outcome: str) -> None:
        if not self.started:
            self.waiting.append((name, outcome))
        elif self.display is not None:
            self.display.advance(name, outcome)

    def close(self) -> None:
        if not self.started:  # never counted (interrupted): what finished is still said
            self._say_waiting()
        if self.display is not None:
            self.display.stop()

    def records(self) -> list[dict[str, Any]]:
        return in_path_order(self._records)
