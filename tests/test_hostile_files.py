"""Hostile files and names: what is on disk (FIFOs, devices, odd line endings, long or
colliding names, symlinks) gives a finding or a one-line error, never a hang or a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from doctract.config import Config
from doctract.lint import lint_paths

EXE = Path(sys.executable).with_name("doctract")
POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs and /dev/zero")


def _lint_subprocess(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), "lint", *args, str(folder)],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=folder,
    )


@POSIX
def test_a_fifo_named_md_is_a_read_error_and_the_run_ends(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.md")
    (tmp_path / "ok.md").write_text("# Fine\n\nNothing to check.\n")
    done = _lint_subprocess(tmp_path)
    assert "Traceback" not in done.stderr
    assert "x.md" in done.stdout
    assert "not a regular file" in done.stdout
    assert "read-error" in done.stdout


@POSIX
def test_a_fifo_given_by_name_is_a_read_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.md")
    done = subprocess.run(
        [str(EXE), "lint", "x.md"],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=tmp_path,
    )
    assert "not a regular file" in done.stdout


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_symlink_to_dev_zero_is_a_read_error_quickly(tmp_path: Path) -> None:
    (tmp_path / "y.md").symlink_to("/dev/zero")
    start = time.monotonic()
    result = lint_paths([str(tmp_path)], Config())
    assert time.monotonic() - start < 5
    (finding,) = result.findings
    assert finding.rule == "read-error"
    assert "not a regular file" in finding.message


def test_the_read_is_capped_whatever_size_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that reports a small size (or grows while read) still stops at the limit."""
    from doctract import lint

    doc = tmp_path / "big.md"
    doc.write_text("a" * 5000)
    real_fstat = os.fstat

    def lying_fstat(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[6] = 10  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(os, "fstat", lying_fstat)
    text, problem = lint.read_document(str(doc), max_size=1000)
    assert text is None
    assert problem is not None and problem.rule == "read-error"
    assert "limit" in problem.message


UNCLOSED = ["# Title", "", "Text", "```bash", "curl https://api.example.com/v1/x", "more"]


@pytest.mark.parametrize("ending", ["\n", "\r", "\r\n"])
def test_lone_cr_line_endings_give_the_line_an_editor_shows(ending: str) -> None:
    from doctract.lint import lint_documents

    text = ending.join(UNCLOSED) + ending
    result = lint_documents([("a.md", text)], Config())
    assert [(f.rule, f.line) for f in result.findings] == [("unclosed-fence", 4)]


MIXED = [
    "# T\r\rText\r\n```bash\rcurl https://api.example.com/v1/x\n\r",
    "\x14\x0b" + "\r" * 18 + "-aOST /connections\n```\n\n**Request**\npi-key: {API_KEY}' \\\n"
    "  -H" + "\r" * 15 + "\n,=",
    "# A\u2028B\x0c\r```json\r{\x85}\r\n\r",
    "text\x1c\x1d\x1e\r\n```\r\n",
]


@pytest.mark.parametrize("text", MIXED)
def test_every_finding_is_within_the_file_and_fingerprints_see_its_line(text: str) -> None:
    from doctract.lines import line_count, split_lines
    from doctract.lint import lint_documents

    result = lint_documents([("a.md", text)], Config())
    assert result.findings
    lines = split_lines(text)
    for finding in result.findings:
        assert 1 <= finding.line <= line_count(text), finding
    # the fingerprints read the same lines: \x0b, \x0c, \x85, \u2028 do not end a line
    assert len(lines) == text.count("\n") + text.count("\r") - text.count("\r\n") + (
        0 if text.endswith(("\n", "\r")) else 1
    )


def test_fingerprints_count_lines_like_the_rules() -> None:
    from doctract.findings import Finding, Severity
    from doctract.fingerprints import fingerprints

    text = "a\x0bb\rfirst\rsecond\r"
    at = Finding("unclosed-fence", Severity.ERROR, "a.md", 2, 1, "m", "")
    same = fingerprints([at], {"a.md": "x\nfirst\n"})  # line 2 is "first"
    assert fingerprints([at], {"a.md": text}) == same
    other = Finding("unclosed-fence", Severity.ERROR, "a.md", 3, 1, "m", "")
    assert fingerprints([other], {"a.md": text}) != same


@pytest.mark.parametrize(
    "raw", [b"[" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000, b"[" * 900 + b"]" * 900]
)
def test_the_emulator_answers_deeply_nested_json_with_400(raw: bytes) -> None:
    from starlette.testclient import TestClient

    from doctract.emulator import create_app

    client = TestClient(create_app(deterministic=True), raise_server_exceptions=False)
    response = client.post(
        "/data/foundation/flowservice/connections",
        content=raw,
        headers={
            "Authorization": "Bearer doctract-test-token-7f3a",
            "x-api-key": "doctract-test-api-key",
            "x-gw-ims-org-id": "ACME@AdobeOrg",
            "x-sandbox-name": "prod",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400, response.text[:300]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "setting",
    ["max-file-size = inf", "max-file-size = nan", "time-budget = nan", "time-budget = inf"],
)
def test_non_finite_limits_are_a_one_line_configuration_error(tmp_path: Path, setting: str) -> None:
    from conftest import invoke

    (tmp_path / "a.md").write_text("# A\n")
    (tmp_path / "pyproject.toml").write_text(f"[tool.doctract]\n{setting}\n")
    code, out = invoke("lint", "a.md", cwd=tmp_path)
    assert code == 2, out
    assert "pyproject.toml" in out and setting.split()[0] in out
    assert len(out.strip().splitlines()) == 1, out


def test_terminal_escapes_in_a_document_are_not_printed_raw(tmp_path: Path) -> None:
    from conftest import invoke

    name = "e\x1b]0;pwned\x07\x1b[2J.md"  # an OSC title change, a bell, clear screen
    (tmp_path / name).write_text("# A\n\n```bash\ncurl https://api.example.com/v1/x\n")
    code, out = invoke("lint", ".", cwd=tmp_path)
    assert code == 1, out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b" in out
