"""No false passes (issue 12): every documented request ends sent, or not sent with the finding
that says why; any failure doctract did not classify is an `internal-error` finding; a damaged
cassette is `cassette-unreadable` for its tutorial and the others still run; the summary line,
the progress line, results.json and the exit status all derive from the same findings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

import doctract.replay.session
from conftest import EXAMPLES, ROOT, invoke, lint_text, serving
from doctract.replay.tutorial_run import Documented, Ending, unaccounted

TUTORIAL = EXAMPLES / "flow-service" / "draft-and-publish-a-dataflow.md"
STRAIGHT = """-H 'If-Match: "3a00f6b2-0000-0200-0000-65a0f5000000"'"""
CURLY = """-H \u2018If-Match: "3a00f6b2-0000-0200-0000-65a0f5000000"\u2019"""


def _results(report_dir: Path) -> dict[str, Any]:
    return json.loads((report_dir / "results.json").read_text())  # type: ignore[no-any-return]


def _project(tmp_path: Path, profile: str = "flow-service") -> Path:
    (tmp_path / "pyproject.toml").write_text(f'[tool.doctract]\nprofile = "{profile}"\n')
    return tmp_path


def _every_request_has_an_end(results: dict[str, Any]) -> None:
    """The invariant: a request is sent, or failed with a finding at the tutorial."""
    for tutorial in results["tutorials"]:
        for request in tutorial["requests"]:
            assert request["sent"] or request["failed"], request
        if any(not r["sent"] for r in tutorial["requests"]):
            assert tutorial["status"] != "passed", tutorial


def _summary_agrees(out: str, results: dict[str, Any]) -> None:
    counts = results["summary"]
    diverging = counts["failed"] + counts["blocked"]
    assert f"{counts['tutorials']} tutorials replayed, {diverging} diverge" in out, out


# --- a request never sent ---------------------------------------------------------------------


def test_lint_names_curly_quotes_around_a_header() -> None:
    doc = TUTORIAL.read_text().replace(STRAIGHT, CURLY)
    found = [f for f in lint_text(doc).findings if f.rule == "header-syntax"]
    assert len(found) == 1, found
    assert "typographic quotes" in found[0].message
    assert "straight quotes" in found[0].hint
    assert found[0].line == next(i for i, ln in enumerate(doc.split("\n"), 1) if CURLY in ln)


def test_a_curly_quoted_header_is_a_broken_request_and_the_rest_is_sent(tmp_path: Path) -> None:
    project = _project(tmp_path)
    doc = project / "docs" / "tutorial.md"
    doc.parent.mkdir()
    text = TUTORIAL.read_text().replace(STRAIGHT, CURLY)
    doc.write_text(text)
    line = next(i for i, ln in enumerate(text.split("\n"), 1) if CURLY in ln)
    code, out = invoke("run", "docs", "--emulator", "--report-dir", "reports", cwd=project)
    results = _results(project / "reports")
    _every_request_has_an_end(results)
    [tutorial] = results["tutorials"]
    rules = [(f["rule"], f["line"]) for f in tutorial["findings"] if f["severity"] != "info"]
    assert rules == [("broken-request", line)], rules
    sent = {r["method"] for r in tutorial["requests"] if r["sent"]}
    assert "DELETE" in sent and "PATCH" not in sent
    assert tutorial["status"] == "failed" and code == 1, out
    _summary_agrees(out, results)
    assert "docs/tutorial.md diverges" in out


# --- failures doctract did not classify -------------------------------------------------------


class _Deep(BaseHTTPRequestHandler):
    """A server answering JSON nested deeper than Python's parser goes."""

    def do_GET(self) -> None:
        body = b"[" * 100_000
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def deep_server() -> Iterator[str]:
    with serving(_Deep) as base:
        yield base


LIST_THINGS = """# List things

## List the things

**Request**

```shell
curl -X GET 'https://api.example.com/things'
```

**Response**

```json
{"items": []}
```
"""


def test_deeply_nested_json_from_a_live_api_is_a_finding_not_a_pass(
    tmp_path: Path, deep_server: str
) -> None:
    project = _project(tmp_path, "generic")
    (project / "docs").mkdir()
    (project / "docs" / "things.md").write_text(LIST_THINGS)
    code, out = invoke(
        "run", "docs", "--live", deep_server, "--report-dir", "reports", "--no-progress",
        cwd=project,
    )  # fmt: skip
    results = _results(project / "reports")
    _every_request_has_an_end(results)
    [tutorial] = results["tutorials"]
    assert tutorial["requests"][0]["sent"], tutorial
    [finding] = [f for f in tutorial["findings"] if f["severity"] != "info"]
    assert finding["rule"] == "response-not-json" and finding["line"] == 14, finding
    assert "nested too deeply" in finding["message"]
    assert tutorial["status"] == "failed" and code == 1, out
    assert "docs/things.md as documented" not in out
    _summary_agrees(out, results)
    assert (project / "cassettes" / "docs__things.yaml").is_file()  # recorded all the same


def _two_requests(project: Path) -> None:
    (project / "docs").mkdir()
    second = LIST_THINGS.split("## ", 1)[1].replace("List the things", "List them again")
    (project / "docs" / "things.md").write_text(LIST_THINGS + "\n## " + second)


class _Json(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"items": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def json_server() -> Iterator[str]:
    with serving(_Json) as base:
        yield base


def test_an_exception_while_sending_is_an_internal_error_and_the_next_request_is_sent(
    tmp_path: Path, json_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, "generic")
    _two_requests(project)
    original = doctract.replay.session.Replay.send

    def send(self: Any, index: int, line: int, step: str, text: str) -> None:
        if index == 1:
            raise RecursionError("maximum recursion depth exceeded")
        original(self, index, line, step, text)

    monkeypatch.setattr(doctract.replay.session.Replay, "send", send)
    code, out = invoke("run", "docs", "--live", json_server, "--report-dir", "reports", cwd=project)
    results = _results(project / "reports")
    _every_request_has_an_end(results)
    [tutorial] = results["tutorials"]
    [finding] = tutorial["findings"]
    assert finding["rule"] == "internal-error" and finding["line"] == 8, finding
    assert "RecursionError" in finding["message"]
    assert [r["sent"] for r in tutorial["requests"]] == [False, True]
    assert tutorial["status"] == "failed" and code == 2, out
    _summary_agrees(out, results)
    assert "docs/things.md diverges" in out


@pytest.mark.parametrize("where", ["start", "finish"])
def test_a_failure_outside_the_steps_is_an_internal_error_with_every_request_accounted(
    tmp_path: Path, json_server: str, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    project = _project(tmp_path, "generic")
    _two_requests(project)

    def fail(self: Any) -> None:
        raise RuntimeError(f"{where} broke")

    monkeypatch.setattr(doctract.replay.session.Replay, where, fail)
    code, out = invoke("run", "docs", "--live", json_server, "--report-dir", "reports", cwd=project)
    assert "did not run (see above)" not in out
    results = _results(project / "reports")
    _every_request_has_an_end(results)
    [tutorial] = results["tutorials"]
    rules = [f["rule"] for f in tutorial["findings"]]
    assert "internal-error" in rules, rules
    if where == "start":  # nothing was sent: each request says so
        assert rules.count("request-not-sent") == 2, rules
    assert any(f"{where} broke" in f["message"] for f in tutorial["findings"])
    assert tutorial["status"] == "failed" and code == 2, out
    _summary_agrees(out, results)
    assert "docs/things.md diverges" in out  # the progress line says what the record says


def test_a_feature_pytest_bdd_cannot_parse_is_an_internal_error_naming_why(
    tmp_path: Path,
) -> None:
    """Not "did not run (see above)" with nothing above, nor exit 130 as if interrupted:
    pytest stops on a collection error with an exception that is a KeyboardInterrupt."""
    feature = (ROOT / "features" / "flow-service__look-up-specs.feature").read_text()
    cut = feature[: feature.rindex('"""')]  # its last doc string never closes
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "look-up.feature").write_text(cut)
    code, out = invoke(
        "run", str(tmp_path / "features"), "--cassettes", str(ROOT / "cassettes"),
        "--profile", "flow-service", "--report-dir", str(tmp_path / "reports"), cwd=ROOT,
    )  # fmt: skip
    assert code == 2, out
    assert "see above" not in out and "interrupted" not in out
    [problem] = _results(tmp_path / "reports")["problems"]
    assert problem["rule"] == "internal-error"
    assert problem["path"] == "examples/docs/flow-service/look-up-specs.txt"
    assert "look-up.feature did not run: " in problem["message"]
    assert "GherkinParseError" in problem["message"]


def test_a_request_without_a_terminal_state_is_unaccounted() -> None:
    documented = [Documented(1, 10, "a"), Documented(2, 20, "b"), Documented(3, 30, "c")]
    endings = {1: Ending(sent=True), 2: Ending(sent=False, because=("blocked-step",))}
    assert unaccounted(documented, endings) == [Documented(3, 30, "c")]
    assert unaccounted(documented, {**endings, 3: Ending(sent=False)}) == [Documented(3, 30, "c")]


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["serial", "workers"])
def test_a_feature_that_cannot_be_parsed_does_not_stop_the_other_tutorials(
    tmp_path: Path, workers: list[str]
) -> None:
    """All features are collected by one pytest session (in each worker): one that
    pytest-bdd cannot parse used to stop every tutorial (each an internal-error, none
    replayed)."""
    features = tmp_path / "features"
    features.mkdir()
    for source in sorted((ROOT / "features").glob("*.feature")):
        (features / source.name).write_text(source.read_text())
    broken = features / "flow-service__look-up-specs.feature"
    text = broken.read_text()
    broken.write_text(text[: text.rindex('"""')])
    code, out = invoke(
        "run", str(features), "--cassettes", str(ROOT / "cassettes"),
        "--profile", "flow-service", "--report-dir", str(tmp_path / "reports"), *workers,
        cwd=ROOT,
    )  # fmt: skip
    assert code == 2, out
    results = _results(tmp_path / "reports")
    [problem] = results["problems"]
    assert problem["rule"] == "internal-error"
    assert problem["path"] == "examples/docs/flow-service/look-up-specs.txt"
    assert "cannot be parsed" in problem["message"]
    replayed = {t["path"] for t in results["tutorials"]}
    assert len(replayed) == len(list(features.glob("*.feature"))) - 1
    assert "examples/docs/flow-service/draft-and-publish-a-dataflow.md" in replayed
