"""Exit statuses, the same for every command: 0 clean, 1 findings, 2 could not run (a path that
does not exist, no documents found, usage errors), 130 interrupted (Ctrl-C)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import pytest

import doctract.cli
import doctract.replay.generate
from conftest import EXAMPLES, invoke
from doctract.cli import main
from doctract.replay.session import ReplayOptions

CLEAN = EXAMPLES / "flow-service"
GONE = "does/not/exist"


def test_a_missing_path_is_exit_2_for_lint_and_still_a_line_naming_it() -> None:
    code, out = invoke("lint", f"{GONE}.md", str(CLEAN), "--format", "json")
    assert code == 2
    payload = json.loads(out)
    assert [(f["rule"], f["path"]) for f in payload["findings"]] == [("read-error", f"{GONE}.md")]
    code, out = invoke("lint", GONE)
    assert code == 2
    assert f"{GONE}:1:1: error read-error no such file or folder" in out


@pytest.mark.parametrize(
    "command",
    [["baseline", "write"], ["generate"], ["run"], ["diff", str(CLEAN)], ["diff", GONE]],
    ids=["baseline-write", "generate", "run", "diff-new", "diff-old"],
)
def test_a_missing_path_is_exit_2_for_every_command(command: list[str], tmp_path: Path) -> None:
    args = ["diff", GONE, str(CLEAN)] if command == ["diff", GONE] else [*command, GONE]
    if command == ["generate"]:
        args += ["--out", str(tmp_path / "features")]
    if command == ["baseline", "write"]:
        args += ["--baseline", str(tmp_path / "baseline.json")]
    code, out = invoke(*args)
    assert code == 2, out
    assert GONE in out
    assert not (tmp_path / "baseline.json").exists()
    assert not list(tmp_path.glob("features/*"))


@pytest.mark.parametrize(
    "command", [["lint"], ["baseline", "write"], ["generate"], ["run"]], ids=" ".join
)
def test_an_empty_folder_is_exit_2_unless_allowed(command: list[str], tmp_path: Path) -> None:
    empty = tmp_path / "docs"
    empty.mkdir()
    (empty / "notes.py").write_text("print('not a document')\n")
    extra: list[str] = []
    if command == ["generate"]:
        extra = ["--out", str(tmp_path / "features")]
    if command == ["baseline", "write"]:
        extra = ["--baseline", str(tmp_path / "baseline.json")]
    if command == ["run"]:
        extra = ["--cassettes", str(tmp_path / "cassettes"), "--no-progress"]
    code, out = invoke(*command, str(empty), *extra)
    assert code == 2, out
    assert f"doctract: no documents found in {empty}" in out
    code, out = invoke(*command, str(empty), *extra, "--allow-empty")
    assert code == 0, out


def _interrupt(*args: Any, **kwargs: Any) -> Any:
    raise KeyboardInterrupt


def test_ctrl_c_is_exit_130_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctract.cli, "lint_paths", _interrupt)
    code, out = invoke("lint", str(CLEAN))
    assert code == 130
    assert out.strip() == "doctract: interrupted"
    assert "Aborted" not in out


def test_ctrl_c_through_the_console_entry_point(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(doctract.cli, "lint_paths", _interrupt)
    monkeypatch.setattr(sys, "argv", ["doctract", "lint", str(CLEAN)])
    with pytest.raises(SystemExit) as exit_:
        doctract.cli.run()
    assert exit_.value.code == 130
    captured = capsys.readouterr()
    assert captured.err.strip() == "doctract: interrupted" and captured.out == ""


def test_ctrl_c_during_a_replay_is_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctract.replay.generate, "run_features", _interrupt)
    code, out = invoke("run", str(CLEAN), "--no-progress")
    assert code == 130
    assert out.strip() == "doctract: interrupted"


class _CtrlCDuringCollection:
    def pytest_collection_finish(self) -> None:
        raise KeyboardInterrupt


def test_a_ctrl_c_that_pytest_catches_is_passed_on(tmp_path: Path) -> None:
    features = sorted((EXAMPLES.parent.parent / "features").glob("*.feature"))[:1]
    options = ReplayOptions(cassettes=tmp_path)
    with pytest.raises(KeyboardInterrupt):
        doctract.replay.generate.run_features(
            features, options, ["-p", "no:terminal"], [_CtrlCDuringCollection()]
        )


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize(
    "command",
    [
        ("lint",),
        ("baseline", "write"),
        ("generate",),
        ("run",),
        ("diff",),
        ("rules",),
        ("emulator",),
    ],
    ids=" ".join,
)
def test_every_help_says_the_exit_statuses(command: tuple[str, ...]) -> None:
    assert command in _commands(main)
    code, out = invoke(*command, "--help")
    assert code == 0
    out = " ".join(out.split())
    assert "Exit status: 0 " in out
    if command not in {("rules",)}:
        assert "2 could not" in out
