"""Output a person reads: plural forms, files others can read, a trend chart with axes, the
report counting what the terminal counts, and a missing git ref explained."""

from __future__ import annotations

import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest

from doctract.atomic import write_atomic
from doctract.changes import ChangesError, changed_files
from doctract.findings import Finding, Severity
from doctract.lint import LintResult
from doctract.output.text import render_text
from doctract.report.html import html_report
from doctract.report.results import HistoryPoint, run_results


def _finding(rule: str = "json-syntax", severity: Severity = Severity.ERROR) -> Finding:
    return Finding(rule, severity, "doc.md", 3, 1, "broken")


def test_summary_line_uses_singular_and_plural() -> None:
    out = StringIO()
    render_text(LintResult((_finding(),), 1), out)
    assert "1 finding in 1 file: 1 error, 0 warnings, 0 info" in out.getvalue()
    out = StringIO()
    two = (_finding(), _finding("host-mismatch", Severity.WARNING))
    render_text(LintResult(two, 2), out)
    assert "2 findings in 2 files: 1 error, 1 warning, 0 info" in out.getvalue()


def test_written_files_get_the_usual_mode_not_a_private_one(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "baseline.json"
        write_atomic(target, "{}\n")
        assert target.stat().st_mode & 0o777 == 0o644
        target.chmod(0o640)
        write_atomic(target, "{}\n")  # a rewrite keeps the mode the user gave it
        assert target.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_a_missing_ref_says_how_to_fetch_it(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with pytest.raises(ChangesError, match=r"git fetch.*fetch-depth: 0"):
        changed_files("origin/main", tmp_path)


def test_report_counts_unreadable_documents_and_draws_axes() -> None:
    problem = _finding("read-error").to_dict() | {"path": "docs/latin1.md", "line": 1}
    tutorial = {
        "path": "docs/a.md",
        "status": "passed",
        "findings": [],
        "requests": [],
    }
    results = run_results([tutorial], "offline (cassettes)", problems=[problem])
    assert results["summary"]["findings"] == 1
    assert results["summary"]["by_rule"] == {"read-error": 1}
    earlier = HistoryPoint("2026-11-01T00:00:00+00:00", results["summary"], "r.json")
    page = html_report(results, [earlier], read=lambda path: None)
    assert "docs/latin1.md:1" in page and "Documents that could not be replayed (1)" in page
    assert 'class="axis"' in page and "run (oldest first)" in page and ">tutorials<" in page


def test_run_reports_the_documents_it_could_not_replay(tmp_path: Path) -> None:
    """The terminal lists the example set's unreadable Latin-1 note; results.json counts it too."""
    import json

    from conftest import EXAMPLES, ROOT, invoke

    code, out = invoke(
        "run", str(EXAMPLES / "defects"), "--report-dir", str(tmp_path), "--no-progress", cwd=ROOT
    )
    assert code == 1 and "read-error" in out
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert [p["rule"] for p in results["problems"]] == ["read-error"]
    assert results["summary"]["by_rule"]["read-error"] == 1
    assert "could not be replayed (1)" in (tmp_path / "report.html").read_text(encoding="utf-8")
