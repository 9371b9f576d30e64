"""Coverage-guided fuzzing of the whole lint path with atheris (libFuzzer for Python).

    .venv/bin/python fuzz/atheris_lint.py -runs=20000 fuzz/corpus

Any exception escaping `lint_documents` or `read_document` is a crash that libFuzzer reports
with the input that caused it. The seed corpus is the project's example docs and rule fixtures
(copied in by `tests/test_hostile_input.py`, or give your own folder).
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    from doctract.config import Config
    from doctract.extractors import extract
    from doctract.extractors.curl import parse_curl
    from doctract.lines import line_count, split_lines
    from doctract.lint import lint_documents, read_document
    from doctract.model import SourceLine

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
    lines = [SourceLine(t, i + 1) for i, t in enumerate(split_lines(text[:4000]))]
    parse_curl(lines)
    extract("fuzz.txt", text)  # the rendered-page reader too


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    try:
        atheris.Fuzz()
    finally:
        os.unlink(_SCRATCH)


if __name__ == "__main__":
    main()
