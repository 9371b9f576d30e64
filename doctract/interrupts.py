"""Interrupts: SIGTERM (how CI cancels a job, how `kill` and `timeout` stop a process) takes the
path Ctrl-C takes. Python turns SIGINT into KeyboardInterrupt; SIGTERM would end the process on
the spot, with no cleanup of what a live run created and no word of what was interrupted. While
`terminate_as_interrupt()` is in force, SIGTERM raises `Terminated`, a KeyboardInterrupt, so
pytest stops the session, runs the tutorials' finalizers (cleanup) and the command exits 130.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program was, as Ctrl-C's KeyboardInterrupt is."""

    signal_name = "SIGTERM"


def signal_name(interrupt: BaseException) -> str:
    """The signal behind an interrupt: SIGTERM for `Terminated`, else SIGINT (Ctrl-C)."""
    return str(getattr(interrupt, "signal_name", "SIGINT"))


_underway: list[str] = []  # the signals that interrupted this process, in order


def underway() -> bool:
    """Whether an interrupt (Ctrl-C or SIGTERM, through these handlers) is being handled."""
    return bool(_underway)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    _underway.append("SIGTERM")
    raise Terminated()


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    _underway.append("SIGINT")
    raise KeyboardInterrupt()


def install() -> dict[int, Any] | None:
    """Make SIGTERM raise `Terminated` and SIGINT KeyboardInterrupt (as Python's own handler
    does), both noting that an interrupt is underway; the handlers they replace (None where
    signals cannot be handled: not the main thread). A SIGINT handler someone else installed
    (not Python's default) is left alone."""
    if threading.current_thread() is not threading.main_thread():
        return None
    _underway.clear()  # a new command or session: nothing interrupted it yet
    previous: dict[int, Any] = {signal.SIGTERM: signal.signal(signal.SIGTERM, _raise_terminated)}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, _raise_interrupt)
    return previous


def restore(previous: dict[int, Any] | None) -> None:
    if previous is not None and threading.current_thread() is threading.main_thread():
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    previous = install()
    try:
        yield
    finally:
        restore(previous)


@contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done (cleanup must not be cut short by a
    second signal, e.g. execnet's SIGINT to an xdist worker 5 s after the controller stopped).
    One that arrives meanwhile is raised at the block's end, unless an interrupt was already
    underway (the process is stopping anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    already = underway()
    received: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, note) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if received and not already:
        (_raise_terminated if received[0] == signal.SIGTERM else _raise_interrupt)(
            received[0], None
        )
