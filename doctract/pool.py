"""The lint's per-document work on several cores: a process pool started with fork, results in
the order of the tasks, and this process alone where a pool would not pay for itself.

Fork, because the workers then start at once with everything the parent has loaded (the
contract, the rules registered, also those a test registers at run time) and nothing is
pickled on the way in; where the platform has no fork, the work runs in this process. The
pool is started before any thread of ours (the progress bar's) exists.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# below this many documents a worker, one process is faster: a pool of two starts and stops in
# about 10 ms, and each worker warms its own caches (contract validators, URLs); measured with
# `benchmarks/lint_speed.py --break-even`: 20 documents 0.10 s alone, 0.13 s with two; 40
# documents 0.21 s alone, 0.14 s with two
MIN_TASKS_PER_WORKER = 20
_CHUNK = 32  # tasks sent to a worker at a time, at most (fewer on small runs, to share evenly)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers can be forked here (not on Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def workers_for(tasks: int, jobs: int | None) -> int:
    """How many processes `tasks` get with `jobs` allowed (None: every available core); 1 is
    this process, without a pool."""
    if not can_fork():
        return 1
    wanted = available_cores() if jobs is None else jobs
    return max(1, min(wanted, tasks // MIN_TASKS_PER_WORKER))


@contextmanager
def ordered_map(
    setup: Callable[[], Callable[[T], R]], tasks: Sequence[T], workers: int
) -> Iterator[Iterator[R]]:
    """`work(task)` for each task, in the tasks' order, where `work = setup()` is made once per
    process. With workers > 1 the pool is started on entry; on exit (also on an error or
    Ctrl-C) the tasks not started are dropped and the workers stopped."""
    if workers <= 1:
        yield map(_collecting(setup()), tasks)
        return
    executor = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start,
        initargs=(setup,),
    )
    try:
        chunk = max(1, min(_CHUNK, len(tasks) // (workers * 4)))
        yield executor.map(_call, tasks, chunksize=chunk)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


_WORK: Callable[[Any], Any] | None = None


def _start(setup: Callable[[], Callable[[Any], Any]]) -> None:
    global _WORK
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    gc.disable()  # a worker's objects are the parent's (frozen below) and one document's
    gc.freeze()
    _WORK = _collecting(setup())


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while documents are checked, what exists already
    frozen out of its sight.

    Checking a document allocates many small acyclic objects, freed as soon as the document is
    done; the collector would keep scanning them (about 4% of lint time) and, before the
    freeze, everything already loaded. Work run through `ordered_map` still collects now
    and then, in case some document leaves a cycle behind."""
    was_enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


_EVERY = 256  # tasks between two collections while the collector is paused


def _collecting(work: Callable[[T], R]) -> Callable[[T], R]:
    done = 0

    def run(task: T) -> R:
        nonlocal done
        done += 1
        if done % _EVERY == 0 and not gc.isenabled():
            gc.collect()
        return work(task)

    return run


def _call(task: Any) -> Any:
    assert _WORK is not None
    return _WORK(task)
