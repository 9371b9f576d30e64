"""Shared test helpers: fixture locations, the seeds folder, lint shortcuts, and a loopback
HTTP server for test APIs."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from doctract.cli import main
from doctract.config import Config
from doctract.findings import Finding
from doctract.lint import LintResult, lint_documents, lint_paths

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RULE_FIXTURES = FIXTURES / "rules"
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLES = ROOT / "examples" / "docs"
FUZZ_COUNTS: dict[str, int] = {}  # robustness tests add their figures (inputs run, faults)
_EXPECT = re.compile(r"<!-- expect: ([\d ]+) -->")
# the seeds, the example docs and most rule fixtures are Flow Service tutorials
FLOW_SERVICE = Config(profile="flow-service")


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], daemon_threads: bool = False) -> Iterator[str]:
    """The base URL of `handler` served on a free 127.0.0.1 port while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = daemon_threads
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def lint(*paths: Path | str, config: Config | None = None) -> LintResult:
    return lint_paths([str(p) for p in paths], config or FLOW_SERVICE)


def lint_text(text: str, path: str = "doc.md", config: Config | None = None) -> LintResult:
    return lint_documents([(path, text)], config or FLOW_SERVICE)


def lines(findings: tuple[Finding, ...] | list[Finding], rule: str) -> list[int]:
    return sorted(f.line for f in findings if f.rule == rule)


def expected_lines(path: Path) -> list[int]:
    """Lines a fixture file declares with `<!-- expect: 12 30 -->` on its first line."""
    try:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    except UnicodeDecodeError:
        return [1]
    m = _EXPECT.match(first)
    return sorted(int(n) for n in m.group(1).split()) if m else []


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(
            f"the reference tutorials are not at {SEEDS} (shared/ is beside the checkout "
            "in CI and on developer machines)"
        )
    return SEEDS


def invoke(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    runner = CliRunner()
    if cwd is None:
        result = runner.invoke(main, list(args))
    else:
        old = Path.cwd()
        os.chdir(cwd)
        try:
            result = runner.invoke(main, list(args))
        finally:
            os.chdir(old)
    return result.exit_code, result.output


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The robustness figures (fuzz inputs run, faults injected and survived) in every log."""
    if FUZZ_COUNTS:
        counts = ", ".join(
            f"{count} {what}"
            for what, count in FUZZ_COUNTS.items()
            if count or "left behind" in what
        )
        if counts:
            terminalreporter.write_line(f"robustness figures: {counts}")
