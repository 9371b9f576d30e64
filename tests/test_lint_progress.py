"""Lint progress on long runs: stderr only, so stdout (the report tools parse) is unchanged."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner

from conftest import EXAMPLES
from doctract.cli import main
from doctract.output.progress import LintProgress

DOC = EXAMPLES / "flow-service" / "look-up-specs.txt"


def _docs(folder: Path, count: int) -> Path:
    folder.mkdir()
    for index in range(count):
        (folder / f"doc{index:03}.md").write_bytes(DOC.read_bytes())
    return folder


def _lint(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["lint", *args, "--profile", "flow-service"])
    return result.exit_code, result.stdout, result.stderr


def test_ci_logs_get_a_line_per_hundred_files_on_stderr(tmp_path: Path) -> None:
    docs = str(_docs(tmp_path / "docs", 250))
    code, out, err = _lint(docs, "--format", "json")
    assert code == 0
    assert err.splitlines() == [
        f"doctract lint: checking {done}/250 files" for done in (100, 200, 250)
    ]
    quiet_code, quiet_out, quiet_err = _lint(docs, "--format", "json", "--quiet")
    assert (quiet_code, quiet_out, quiet_err) == (code, out, "")


def test_short_runs_print_no_progress(tmp_path: Path) -> None:
    code, out, err = _lint(str(_docs(tmp_path / "docs", 100)))
    assert code == 0 and err == ""
    assert "No findings in 100 files." in out


def test_a_terminal_gets_a_transient_bar() -> None:
    stream = io.StringIO()
    progress = LintProgress(stream, bar=True)
    progress.stage("reading", 3)
    for _ in range(3):
        progress.advance()
    progress.stage("checking", 3)
    progress.advance()
    progress.stop()
    assert progress._progress is None  # stopped: the bar is gone
    assert "/3 files\n" not in stream.getvalue()  # not the CI lines
