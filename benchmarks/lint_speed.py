"""Lint time and memory over a generated corpus, as a ratio to bare markdown-it-py parsing of
the same files, at several sizes (to show that both grow linearly).

    python benchmarks/lint_speed.py [--sizes 100,1000,10000] [--repeat 3]

Both sides read every file from disk; the baseline only parses it with markdown-it-py (the
parser doctract itself uses), doctract lints it (extract, corpus facts, every rule). The best of
`--repeat` runs is kept for each. Peak memory is the resident set size of a separate process
that lints the corpus (`doctract lint`'s own work, interpreter included), read with wait4.
Target (issue #6): lint at most 3x the bare parse, at every size.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus
from markdown_it import MarkdownIt

from doctract.api import clear_caches
from doctract.config import Config
from doctract.lint import lint_paths

TARGET_RATIO = 3.0
# the corpus is Flow Service tutorials: lint them as their users do, with that profile (its
# contract matched and validated for every request, its rules)
LINT_IN_A_CHILD = (
    "import sys; from doctract.config import Config; from doctract.lint import lint_paths; "
    "lint_paths([sys.argv[1]], Config(profile='flow-service'))"
)


def bare_parse(paths: list[Path]) -> int:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = 0
    for path in paths:
        tokens += len(md.parse(path.read_text(encoding="utf-8")))
    return tokens


def lint(folder: Path) -> int:
    """One cold lint: the caches a run fills (the contract, schema verdicts, URLs, ids) are
    emptied first, so a repeat does not get the previous run's work for free."""
    clear_caches()
    return len(lint_paths([str(folder)], Config(profile="flow-service")).findings)


def best_of(repeat: int, func: object, *args: object) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = func(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_rss_mib(code: str, *args: str) -> float:
    """Peak resident memory of a child Python running `code`."""
    child = subprocess.Popen([sys.executable, "-c", code, *args])
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, f"the child failed ({child.returncode})"
    return usage.ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    idle = peak_rss_mib("import doctract.lint, doctract.checks")
    print(f"interpreter with doctract imported: {idle:.0f} MiB resident")
    print(
        f"{'tutorials':>9} {'markdown-it s':>13} {'doctract s':>10} {'ratio':>6} "
        f"{'ms/doc':>7} {'peak MiB':>8} {'KiB/doc':>7} {'findings':>8}"
    )
    worst = 0.0
    per_doc: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            folder = Path(tmp) / f"corpus-{size}"
            paths = write_corpus(folder, size)
            base, _ = best_of(args.repeat, bare_parse, paths)
            ours, findings = best_of(args.repeat, lint, folder)
            ratio = ours / base
            worst = max(worst, ratio)
            peak = peak_rss_mib(LINT_IN_A_CHILD, str(folder))
            per_doc.append(1000 * ours / size)
            print(
                f"{size:>9} {base:>13.3f} {ours:>10.3f} {ratio:>6.2f} "
                f"{per_doc[-1]:>7.2f} {peak:>8.0f} {1024 * (peak - idle) / size:>7.1f} "
                f"{findings:>8}"
            )
    growth = per_doc[-1] / per_doc[0]
    print(
        f"time per document at {sizes[-1]} vs {sizes[0]} tutorials: {growth:.2f}x "
        f"({'linear' if growth <= 1.5 else 'NOT linear'})"
    )
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"worst ratio {worst:.2f}x: {verdict} the {TARGET_RATIO:.0f}x target")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
