"""The README stays true: its rules table, its commands, its layout."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from doctract.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(name: str) -> str:
    m = re.search(rf"<!-- {name} -->\n(.*?)<!-- /{name} -->", README, re.DOTALL)
    assert m, f"README has no {name} section"
    return m.group(1).strip()


def test_rules_table_matches_the_registry() -> None:
    result = CliRunner().invoke(main, ["rules", "--markdown"])
    assert section("rules") == result.output.strip()


def test_main_command_lints_the_bundled_examples() -> None:
    command = section("main-command").strip("`").removeprefix("sh").strip()
    lint_part = command.split("&&")[-1].strip()
    argv = shlex.split(lint_part)
    assert argv[0].endswith("doctract") and argv[1] == "lint"
    result = CliRunner().invoke(main, argv[1:])
    assert result.exit_code == 1  # the planted defects are found
    assert "publish-endpoint-mismatch" in result.output


def test_test_command_runs_the_linters_and_pytest() -> None:
    command = section("test-command")
    for tool in ("ruff check", "mypy", "pytest"):
        assert tool in command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_command main-command" in ci and "readme_command test-command" in ci


def test_readme_example_commands_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every concrete `doctract ...` example in the README is a valid command line (usage
    synopses with [options] or PATH... are not examples)."""
    from test_workflows import parses

    joined = re.sub(r"\\\n\s*", " ", README)
    examples = [
        line.strip().removeprefix(".venv/bin/")
        for line in joined.splitlines()
        if line.startswith(("    doctract ", "    .venv/bin/doctract "))
        and "[" not in line
        and "..." not in line
    ]
    assert len(examples) >= 8, examples
    monkeypatch.chdir(tmp_path)
    for folder in ("docs", "cassettes", "cassettes-new", "features", "examples/docs"):
        (tmp_path / folder).mkdir(parents=True)
    for line in examples:
        command = line.split(" > ")[0].split("  #")[0]
        parses(shlex.split(command.replace("cassettes/ cassettes-new/", "cassettes cassettes-new")))
