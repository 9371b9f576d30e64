"""A per-file time budget, so one pathological document cannot hang a run.

Implemented with a real-time interval timer (SIGALRM): it interrupts pure-Python work such as
markdown parsing between bytecodes. Where signals are unavailable (not the main thread, or no
SIGALRM on the platform) the budget is not enforced and the work simply runs.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class BudgetExceeded(BaseException):
    """Raised inside the work when its time is up. A BaseException, so that the `except
    Exception` of recovering parsers cannot swallow it."""


def _enforceable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    if not seconds or seconds <= 0 or not _enforceable():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        # if the exception lands where Python ignores exceptions (a __del__, a GC callback),
        # it is lost: fire again shortly until it reaches the work; the exit disarms the timer
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        raise BudgetExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
