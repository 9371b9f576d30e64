"""A per-file time budget, so one pathological document cannot hang a run.

Implemented with a real-time interval timer (SIGALRM): it interrupts pure-Python work such as
markdown parsing between bytecodes. Where signals are unavailable (not the main thread, or no
SIGALRM on the platform) the budget is not enforced and the work simply runs.

Work that runs many budgets in turn (a lint: reading, collecting and checking, each document)
installs the handler once for all of them (`alarm_handler`): each budget then only arms and
disarms the timer. Installing and restoring a handler costs several times what the timer does
(`signal.signal` converts handlers to and from enums: 6 us a call and more in a lint, against
about 1 us for `setitimer`).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import FrameType, TracebackType
from typing import Any


class BudgetExceeded(BaseException):
    """Raised inside the work when its time is up. A BaseException, so that the `except
    Exception` of recovering parsers cannot swallow it."""


def _enforceable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


_installed = 0  # how many alarm_handler() are open: the handler below is installed while > 0
_seconds = 0.0  # the budget armed last, which the handler reports


def _expire(signum: int, frame: FrameType | None) -> None:
    # if the exception lands where Python ignores exceptions (a __del__, a GC callback), it is
    # lost: fire again shortly until it reaches the work; the budget's exit disarms the timer
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    raise BudgetExceeded(_seconds)


@contextmanager
def alarm_handler() -> Iterator[None]:
    """The budgets' SIGALRM handler installed for the work inside (restored after it), so that
    the budgets run there do not each install and restore it."""
    global _installed
    if not _enforceable():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire) if not _installed else None
    _installed += 1
    try:
        yield
    finally:
        _installed -= 1
        if not _installed:
            signal.signal(signal.SIGALRM, previous)


class _Budget:
    __slots__ = ("armed", "previous", "restore", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.armed = False
        self.restore = False  # whether this budget installed the handler (none was)
        self.previous: Callable[[int, FrameType | None], Any] | int | None = None

    def __enter__(self) -> None:
        global _seconds
        seconds = self.seconds
        if not seconds or seconds <= 0 or not _enforceable():
            return
        if not _installed:
            self.previous = signal.signal(signal.SIGALRM, _expire)
            self.restore = True
        _seconds = seconds
        signal.setitimer(signal.ITIMER_REAL, seconds)
        self.armed = True

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self.armed:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)
        if self.restore:
            signal.signal(signal.SIGALRM, self.previous)


def time_budget(seconds: float | None) -> AbstractContextManager[None]:
    """The work inside is stopped with BudgetExceeded after `seconds` (none or 0: no budget)."""
    return _Budget(seconds)
