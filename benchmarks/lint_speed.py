"""Lint time and memory over a generated corpus, as a ratio to one bare markdown-it-py parse of
the same files, with one process (--jobs 1) and with two (--jobs 2), at several sizes.

    python benchmarks/lint_speed.py [--sizes 1000,5000,10000] [--repeat 3]
    python benchmarks/lint_speed.py --break-even     # where a pool starts to pay (doctract.pool)

Both sides read every file; the baseline only parses it with markdown-it-py (the parser
doctract itself uses, its inline pass included, as a plain `MarkdownIt().parse` runs it),
doctract lints it (read, extract, facts, every rule, fingerprints). The corpus is written to a
memory filesystem where there is one (/dev/shm), so that both sides read it from memory: on a
machine that reclaims page cache not read for a while (a VM's DAMON pageout: about 30 s here),
the side run later re-read part of a large corpus from disk (the lint of 10,000 tutorials, run
after the baseline's 2 x 21 s: 8 to 62 MiB a run, the baseline 0 to 1 MiB). The best of
`--repeat` runs is kept for each, times are wall-clock. Peak memory is measured in a separate
process that lints the corpus with two processes (`doctract lint`'s own work, interpreter
included): the largest resident set of any one process (the lint process or a worker), and
the sum of the lint process's and its workers' peaks (forked workers share the parent's
pages, which the sum counts twice).
Targets (issue #13): lint at most 1.0x the bare parse with two processes and 1.5x with one,
at every size; peak memory at most 80 MiB and flat across sizes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus
from markdown_it import MarkdownIt

from doctract import pool
from doctract.api import clear_caches
from doctract.config import Config
from doctract.lint import lint_paths

TARGET_TWO = 1.0
TARGET_ONE = 1.5
TARGET_MIB = 80.0
# the corpus is Flow Service tutorials: lint them as their users do, with that profile (its
# contract matched and validated for every request, its rules)
CONFIG = Config(profile="flow-service")
# a child reports its own peak (VmHWM: the peak since it started this program; the resident
# size its fork from the benchmark had, which ru_maxrss would count, is not) and its workers'
# (ru_maxrss of the children it waited for: forks, so shared pages count)
PEAK = """
import json, os, resource
def peak():
    try:
        with open(f"/proc/{os.getpid()}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"self": peak(), "workers": workers}))
"""
IDLE = "import doctract.lint, doctract.checks" + PEAK
LINT_IN_A_CHILD = (
    "import sys\n"
    "from doctract.config import Config\n"
    "from doctract.lint import lint_paths\n"
    "lint_paths([sys.argv[1]], Config(profile='flow-service'), jobs=int(sys.argv[2]))\n"
) + PEAK


MEMORY_FS = "/dev/shm"


def corpus_root() -> str | None:
    """Where the corpora are written: the memory filesystem, where there is one (see above)."""
    return MEMORY_FS if os.path.isdir(MEMORY_FS) and os.access(MEMORY_FS, os.W_OK) else None


def bare_parse(paths: list[Path]) -> int:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = 0
    for path in paths:
        tokens += len(md.parse(path.read_text(encoding="utf-8")))
    return tokens


def lint(folder: Path, jobs: int) -> int:
    """One cold lint: the caches a run fills (the contract, schema verdicts, URLs, ids) are
    emptied first, so a repeat does not get the previous run's work for free."""
    clear_caches()
    return len(lint_paths([str(folder)], CONFIG, jobs=jobs).findings)


def best_of(repeat: int, func: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_rss_mib(code: str, *args: str) -> tuple[float, float]:
    """Peak resident memory of a child Python running `code` (which prints it, see PEAK), and
    of the largest of the processes that child started (0 without any); MiB."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"the child failed ({done.returncode}): {done.stderr[-500:]}"
    peaks = json.loads(done.stdout.strip().splitlines()[-1])
    return float(peaks["self"]), float(peaks["workers"])


def break_even(tmp: Path, repeat: int) -> None:
    """Serial and a pool of two, on small doc sets (the pool forced): where it starts to pay."""
    print(f"{'tutorials':>9} {'--jobs 1 s':>10} {'pool of 2 s':>11}")
    threshold = pool.MIN_TASKS_PER_WORKER
    for size in (20, 40, 80, 160, 320):
        folder = tmp / f"small-{size}"
        write_corpus(folder, size)
        one, _ = best_of(repeat, partial(lint, folder, 1))
        pool.MIN_TASKS_PER_WORKER = 1
        two, _ = best_of(repeat, partial(lint, folder, 2))
        pool.MIN_TASKS_PER_WORKER = threshold
        print(f"{size:>9} {one:>10.3f} {two:>11.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--break-even", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=corpus_root()) as tmp:
        if args.break_even:
            break_even(Path(tmp), args.repeat)
            return 0
        idle, _ = peak_rss_mib(IDLE)
        print(f"interpreter with doctract imported: {idle:.0f} MiB resident")
        print(
            f"{'tutorials':>9} {'markdown-it s':>13} {'--jobs 1 s':>10} {'ratio':>6} "
            f"{'--jobs 2 s':>10} {'ratio':>6} {'peak MiB':>8} {'sum MiB':>7} {'findings':>8}"
        )
        worst_one = worst_two = worst_mib = 0.0
        peaks: list[float] = []
        for size in sizes:
            folder = Path(tmp) / f"corpus-{size}"
            paths = write_corpus(folder, size)
            base, _ = best_of(args.repeat, partial(bare_parse, paths))
            one, findings = best_of(args.repeat, partial(lint, folder, 1))
            two, again = best_of(args.repeat, partial(lint, folder, 2))
            assert again == findings, "--jobs 2 found otherwise than --jobs 1"
            parent, workers = peak_rss_mib(LINT_IN_A_CHILD, str(folder), "2")
            peak = max(parent, workers)
            peaks.append(peak)
            worst_one = max(worst_one, one / base)
            worst_two = max(worst_two, two / base)
            worst_mib = max(worst_mib, peak)
            print(
                f"{size:>9} {base:>13.3f} {one:>10.3f} {one / base:>6.2f} {two:>10.3f} "
                f"{two / base:>6.2f} {peak:>8.0f} {parent + 2 * workers:>7.0f} {findings:>8}"
            )
    growth = peaks[-1] - peaks[0]
    print(f"peak memory at {sizes[-1]} vs {sizes[0]} tutorials: {growth:+.0f} MiB")
    ok = worst_two <= TARGET_TWO and worst_one <= TARGET_ONE and worst_mib <= TARGET_MIB
    print(
        f"worst ratio with 2 processes {worst_two:.2f}x (target {TARGET_TWO}x), with 1 "
        f"{worst_one:.2f}x (target {TARGET_ONE}x); peak {worst_mib:.0f} MiB (target "
        f"{TARGET_MIB:.0f}): {'within' if ok else 'OVER'} the targets"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
