"""Coverage-guided fuzzing of the whole lint path with atheris (libFuzzer for Python).

    .venv/bin/python fuzz/atheris_lint.py -runs=100000 -max_len=16384 [CORPUS_DIR]

Any exception escaping `lint_documents` or `read_document` is a crash that libFuzzer reports
with the input that caused it (and exits non-zero). Without CORPUS_DIR the seed corpus is the
project's example docs and rule fixtures, copied into a temporary folder (libFuzzer adds the
inputs it finds to the folder, so the repository is never written); give a folder to keep them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from doctract.config import Config
    from doctract.extractors import extract
    from doctract.extractors.curl import parse_curl
    from doctract.lines import line_count, split_lines
    from doctract.lint import lint_documents, read_document
    from doctract.model import CodeLines, SourceLine

CONFIG = Config(time_budget=5.0)
_HANDLE, _SCRATCH = tempfile.mkstemp(prefix="doctract-fuzz-", suffix=".md")
os.close(_HANDLE)


def test_one_input(data: bytes) -> None:
    with open(_SCRATCH, "wb") as handle:  # through the reader: BOM, NUL, bad UTF-8
        handle.write(data)
    text, problem = read_document(_SCRATCH, CONFIG.max_file_size)
    if text is None:
        assert problem is not None and problem.rule == "read-error"
        return
    result = lint_documents([("fuzz.md", text)], CONFIG)
    last = line_count(text) + 1  # the same line model as the rules (doctract.lines)
    for finding in result.findings:
        assert 1 <= finding.line <= last, finding
        assert finding.rule != "internal-error", finding
    lines = CodeLines.of(SourceLine(t, i + 1) for i, t in enumerate(split_lines(text[:4000])))
    parse_curl(lines)
    extract("fuzz.txt", text)  # the rendered-page reader too


ROOT = Path(__file__).resolve().parent.parent
SEED_FOLDERS = ("examples/docs", "tests/fixtures")
SEED_SIZE = 16384


def seed_corpus(folder: Path) -> int:
    """Copy the example docs and rule fixtures (cut at SEED_SIZE bytes) into `folder`."""
    count = 0
    for name in SEED_FOLDERS:
        for path in sorted((ROOT / name).rglob("*")):
            if path.is_file() and path.suffix in {".md", ".mdx", ".markdown", ".txt", ".html"}:
                count += 1
                (folder / f"seed-{count}{path.suffix}").write_bytes(path.read_bytes()[:SEED_SIZE])
    return count


def main() -> None:
    argv = list(sys.argv)
    with tempfile.TemporaryDirectory(prefix="doctract-fuzz-corpus-") as scratch:
        if not [a for a in argv[1:] if not a.startswith("-")]:
            seeds = seed_corpus(Path(scratch))
            print(f"seed corpus: {seeds} files from {', '.join(SEED_FOLDERS)}", file=sys.stderr)
            argv.append(scratch)
        atheris.Setup(argv, test_one_input)
        try:
            atheris.Fuzz()
        finally:
            os.unlink(_SCRATCH)


if __name__ == "__main__":
    main()
