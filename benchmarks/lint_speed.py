"""Lint time over a generated corpus, as a ratio to bare markdown-it-py parsing of the same files.

    python benchmarks/lint_speed.py [--sizes 100,2000] [--repeat 3]

Both sides read every file from disk; the baseline only parses it with markdown-it-py (the
parser doctract itself uses), doctract lints it (extract, corpus facts, every rule). The best of
`--repeat` runs is kept for each. Peak memory is measured with tracemalloc in a separate run.
Target (issue #2): lint at most 3x the bare parse.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus
from markdown_it import MarkdownIt

from doctract.config import Config
from doctract.lint import lint_paths

TARGET_RATIO = 3.0


def bare_parse(paths: list[Path]) -> int:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = 0
    for path in paths:
        tokens += len(md.parse(path.read_text(encoding="utf-8")))
    return tokens


def lint(folder: Path) -> int:
    return len(lint_paths([str(folder)], Config()).findings)


def best_of(repeat: int, func: object, *args: object) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def peak_mib(func: object, *args: object) -> float:
    gc.collect()
    tracemalloc.start()
    func(*args)  # type: ignore[operator]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,2000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"{'tutorials':>9} {'markdown-it s':>13} {'doctract s':>10} {'ratio':>6} "
        f"{'ms/doc':>7} {'peak MiB':>8} {'findings':>8}"
    )
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            folder = Path(tmp) / f"corpus-{size}"
            paths = write_corpus(folder, size)
            base = best_of(args.repeat, bare_parse, paths)
            ours = best_of(args.repeat, lint, folder)
            ratio = ours / base
            worst = max(worst, ratio)
            print(
                f"{size:>9} {base:>13.3f} {ours:>10.3f} {ratio:>6.2f} "
                f"{1000 * ours / size:>7.2f} {peak_mib(lint, folder):>8.1f} {lint(folder):>8}"
            )
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"worst ratio {worst:.2f}x: {verdict} the {TARGET_RATIO:.0f}x target")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
