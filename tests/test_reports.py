"""The nightly run: `doctract run --report-dir` (JUnit XML, JSON results, the HTML report in a
real headless browser), --history trend, progress lines, and pytest-xdist parity."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import junitparser
import pytest
from click.testing import CliRunner

from conftest import ROOT
from doctract.cli import main
from doctract.report.html import html_report
from doctract.report.junit import junit_xml
from doctract.report.results import load_history, run_results

DEFECTS_DOC = "examples/docs/defects/dataflow-with-planted-defects.md"
CONTRACT_DOC = "examples/docs/defects/contract-defects.md"
FAILING = {DEFECTS_DOC, CONTRACT_DOC}  # the example docs with planted defects
CHROMIUM = os.environ.get("DOCTRACT_CHROMIUM", "/usr/bin/chromium")


def _doctract(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two offline runs of the example docs: the first only adds to the history, the second
    writes the reports (so the trend has two runs)."""
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        base = tmp_path_factory.mktemp("nightly")
        history = base / "history"
        code, _, _ = _doctract("run", "examples/docs", "--history", str(history))
        assert code == 1
        # an unrelated file in the history folder is skipped with a line, not a crash
        (history / "notes.json").write_text("{not json")
        code, _, err = _doctract(
            "run", "examples/docs", "--report-dir", str(base / "out"), "--history", str(history)
        )
        assert code == 1, err
        assert "notes.json: not readable as JSON" in err
        assert len(list(history.glob("results-*.json"))) >= 1
        return base / "out"
    finally:
        os.chdir(old)


def test_results_json_has_every_tutorial_with_status_and_requests(reports: Path) -> None:
    results = json.loads((reports / "results.json").read_text())
    assert results["format"] == "doctract-run/1" and results["mode"] == "offline (cassettes)"
    by_path = {t["path"]: t for t in results["tutorials"]}
    assert {p for p, t in by_path.items() if t["status"] == "failed"} == FAILING
    assert {t["status"] for p, t in by_path.items() if p not in FAILING} == {"passed"}
    assert results["summary"]["failed"] == 2 and results["summary"]["passed"] == 2
    first = by_path[DEFECTS_DOC]["requests"][0]
    assert (first["line"], first["method"], first["status"]) == (22, "POST", 400)
    assert '"password": "<SCRUBBED>"' in first["request_body"]


def test_junit_xml_is_accepted_by_a_junit_parser(reports: Path) -> None:
    xml = junitparser.JUnitXml.fromfile(str(reports / "junit.xml"))
    suite = next(iter(xml))
    cases = list(suite)
    assert suite.tests == 4 and suite.failures == 2 and suite.errors == 0
    failed = [c for c in cases if not c.is_passed]
    assert {c.classname for c in failed} == FAILING
    failure = next(c for c in failed if c.classname == DEFECTS_DOC).result[0]
    assert isinstance(failure, junitparser.Failure)
    assert failure.message.startswith(f"{DEFECTS_DOC}:22: error request-rejected: the API")
    assert "dataflow-with-planted-defects.md:109: error broken-request" in failure.text
    assert all(c.name.endswith("in the doc's order") for c in cases)


def test_junit_marks_blocked_tutorials_as_errors() -> None:
    blocked = {
        "path": "t.md",
        "status": "blocked",
        "requests": [],
        "findings": [
            {
                "rule": "cassette-missing",
                "severity": "warning",
                "path": "t.md",
                "line": 5,
                "column": 1,
                "message": "no recorded interaction",
                "hint": "",
                "evidence": None,
            }
        ],
    }
    suite = next(iter(junitparser.JUnitXml.fromstring(junit_xml([blocked]).decode())))
    assert suite.errors == 1 and suite.failures == 0
    assert isinstance(next(iter(suite)).result[0], junitparser.Error)


def test_html_report_is_self_contained_and_escapes_content(reports: Path) -> None:
    page = (reports / "report.html").read_text()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page), "external resource"
    assert "the API rejected request 1 (Create a draft base connection) with 400" in page
    assert "Trend over 2 runs" in page
    tutorial: dict[str, Any] = {
        "path": "x.md",
        "status": "failed",
        "requests": [],
        "findings": [
            {
                "rule": "status-mismatch",
                "severity": "error",
                "path": "x.md",
                "line": 1,
                "column": 1,
                "message": "<script>alert(1)</script>",
                "hint": "",
                "evidence": None,
            }
        ],
    }
    html = html_report(run_results([tutorial], "offline"), read=lambda _: ["<b>doc</b>"])
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;doc&lt;/b&gt;" in html


def test_history_skips_foreign_files(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"format": "something-else"}')
    (tmp_path / "b.json").write_text(json.dumps(run_results([], "offline")))
    points, skipped = load_history(tmp_path)
    assert len(points) == 1 and skipped == [
        f"{tmp_path / 'a.json'}: not a doctract run results file"
    ]


def _browser() -> Any:
    """playwright's sync API; CI (.ci/run) installs Chromium and sets DOCTRACT_REQUIRE_BROWSER,
    so there the test fails instead of skipping."""
    required = bool(os.environ.get("DOCTRACT_REQUIRE_BROWSER"))
    if not Path(CHROMIUM).exists() and not required:
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    if required:
        import playwright.sync_api

        return playwright.sync_api
    return pytest.importorskip("playwright.sync_api")


def test_html_report_renders_and_filters_in_a_headless_browser(
    reports: Path, tmp_path: Path
) -> None:
    sync_api = _browser()
    results = json.loads((reports / "results.json").read_text())
    findings = sum(len(t["findings"]) for t in results["tutorials"])
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto((reports / "report.html").as_uri())
            visible = page.locator("article.finding:visible")
            assert visible.count() == findings
            assert page.locator("#shown").text_content() == "4 of 4 tutorials shown"
            assert page.locator(".trend rect").count() == 2 * 3

            broken = sum(
                f["rule"] == "broken-request" for t in results["tutorials"] for f in t["findings"]
            )
            page.select_option("#rule-filter", "broken-request")
            assert visible.count() == broken > 0
            assert {visible.nth(i).get_attribute("data-rule") for i in range(broken)} == {
                "broken-request"
            }
            assert page.locator("#shown").text_content() == "1 of 4 tutorials shown"

            page.select_option("#rule-filter", "")
            page.uncheck("input[value=failed]")
            assert page.locator("section.tutorial:visible").count() == 2
            for doc in FAILING:
                assert page.locator(f'section.tutorial:visible code:text("{doc}")').count() == 0
            page.uncheck("input[value=passed]")
            assert page.locator("#nothing").is_visible()
            page.check("input[value=failed]")
            page.check("input[value=passed]")
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            assert errors == []
        finally:
            browser.close()


def test_progress_lines_outside_a_terminal() -> None:
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        code, _, err = _doctract("run", "features/flow-service__look-up-specs.feature")
    finally:
        os.chdir(old)
    assert code == 0
    assert "doctract: [1/1] examples/docs/flow-service/look-up-specs.txt as documented" in err


def test_parallel_runs_give_the_same_results_as_serial(tmp_path: Path) -> None:
    if shutil.which("git") is None:  # pragma: no cover - xdist itself needs no git
        pytest.skip("git missing")
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        serial = _doctract("run", "features", "--format", "json", "--no-progress")
        parallel = _doctract("run", "features", "--format", "json", "-n", "2", "--no-progress")
    finally:
        os.chdir(old)
    assert serial[0] == parallel[0] == 1
    assert json.loads(serial[1])["findings"] == json.loads(parallel[1])["findings"]
    assert json.loads(parallel[1])["summary"]["files"] == 4


def test_progress_bar_on_a_terminal() -> None:
    """On a terminal the progress is a rich bar (here forced onto a buffer)."""
    import io
    from types import SimpleNamespace

    from doctract.replay.progress import ProgressDisplay, RunProgress

    stream = io.StringIO()
    progress = RunProgress(ProgressDisplay(stream=stream, bar=True))
    progress.pytest_collection_finish(SimpleNamespace(items=[1, 2]))  # type: ignore[arg-type]
    for node, failed in (("a", False), ("b", True)):
        for when in ("setup", "call", "teardown"):
            report = SimpleNamespace(
                when=when,
                failed=failed and when == "call",
                nodeid=node,
                user_properties=[("doctract_tutorial", f"docs/{node}.md")],
            )
            progress.pytest_runtest_logreport(report)  # type: ignore[arg-type]
    progress.pytest_sessionfinish()
    shown = stream.getvalue()
    assert "doctract run" in shown and "2/2" in shown and "b.md" in shown
    assert "doctract: [" not in shown  # not the plain lines
