"""`doctract lint --changed-since` on a large doc set: time for a one-file change against a full
lint, to show that pull-request checks follow the size of the change.

    python benchmarks/changed_since.py [--size 2000]

Generates a corpus (benchmarks/corpus.py) in a fresh git repository, commits it, edits one
tutorial, then times both in this process: the full lint and the --changed-since lint.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus

from doctract.changes import changed_files
from doctract.config import Config
from doctract.lint import lint_paths


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="doctract-changed-") as tmp:
        root = Path(tmp)
        paths = write_corpus(root / "docs", args.size)
        git(root, "init", "-q", "-b", "main")
        git(root, "add", ".")
        git(root, "commit", "-q", "-m", "corpus")
        changed = paths[len(paths) // 2]
        changed.write_text(
            changed.read_text().replace("platform.adobe.io", "platform-int.adobe.io", 1)
        )
        os.chdir(root)
        started = time.perf_counter()
        full = lint_paths(["docs"], Config())
        full_s = time.perf_counter() - started
        started = time.perf_counter()
        scoped = lint_paths(["docs"], Config(), changed_files("HEAD"))
        scoped_s = time.perf_counter() - started
    print(
        f"{args.size} tutorials: full lint {full_s:.2f} s ({full.files} files, "
        f"{len(full.findings)} findings); --changed-since with one edited tutorial "
        f"{scoped_s:.2f} s ({scoped.files} files checked, {len(scoped.findings)} findings): "
        f"{full_s / scoped_s:.0f}x faster"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
