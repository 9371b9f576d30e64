"""The CI integrations shipped in the repository: the pre-commit hook manifest and the example
GitHub Actions workflow. Every doctract command they contain must parse and run."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml

from conftest import EXAMPLES, ROOT
from doctract.cli import main
from doctract.replay.shards import Shard

WORKFLOW = ROOT / "docs" / "github-actions.yml"


def parses(argv: list[str]) -> None:
    """Raise click.UsageError when `doctract ARGV` is not a valid command line."""
    assert argv[0] == "doctract", argv
    context = main.make_context("doctract", argv[1:], resilient_parsing=False)
    with context:
        name, command, rest = main.resolve_command(context, argv[1:])
        assert command is not None, argv
        while isinstance(command, click.Group):
            sub = command.make_context(name, rest, parent=context)
            name, command, rest = command.resolve_command(sub, rest)
            assert command is not None
        command.make_context(name or "", rest, parent=context)


def test_pre_commit_manifest_is_valid_and_its_entry_runs(tmp_path: Path) -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    hooks = clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert {h["id"] for h in hooks} == {"doctract-lint", "doctract-lint-all"}
    lint_hook = next(h for h in hooks if h["id"] == "doctract-lint")
    assert lint_hook["language"] == "python" and lint_hook["pass_filenames"] is True
    # what pre-commit runs: the entry, the hook's args, then the staged files
    exe = Path(sys.executable).with_name("doctract")
    if not exe.exists():
        pytest.skip("the doctract console script is not installed")
    entry = shlex.split(lint_hook["entry"])
    argv = [str(exe), *entry[1:], *lint_hook["args"]]
    clean = sorted(str(p) for p in (EXAMPLES / "flow-service").iterdir())
    assert subprocess.run([*argv, *clean], capture_output=True, check=False).returncode == 0
    defects = [str(EXAMPLES / "defects" / "dataflow-with-planted-defects.md")]
    assert subprocess.run([*argv, *defects], capture_output=True, check=False).returncode == 1
    parses([*entry, *lint_hook["args"], "docs/a.md"])


def test_pre_commit_hooks_run_only_on_the_files_doctract_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    from pre_commit.commands.run import Classifier, filter_by_include_exclude

    docs = ["docs/a.md", "docs/b.mdx", "docs/c.markdown", "docs/d.txt", "docs/E.MD"]
    others = ["doctract/cli.py", "docs/conf.json", "README.rst", "docs/mdfile.py", "Makefile"]
    monkeypatch.chdir(tmp_path)
    for name in docs + others:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# text\n")
    # cli.py is text to `identify` too: the old `types_or: [markdown, text]` matched it
    (tmp_path / "doctract" / "cli.py").write_text(Path(ROOT / "doctract" / "cli.py").read_text())
    classifier = Classifier(docs + others)
    for hook in clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml")):
        included = filter_by_include_exclude(classifier.filenames, hook["files"], hook["exclude"])
        chosen = classifier.by_types(
            included, hook["types"], hook["types_or"], hook["exclude_types"]
        )
        assert sorted(chosen) == sorted(docs), hook["id"]


def _run_lines(workflow: dict[str, object]) -> list[str]:
    """Each command of the workflow's run steps (a multi-line `run: |` is one per line)."""
    lines: list[str] = []
    for job in workflow["jobs"].values():  # type: ignore[attr-defined]
        for step in job["steps"]:
            if "run" in step:
                text = step["run"]
                # a folded `run: >` is one line, a literal `run: |` one command per line
                lines.extend(" ".join(part.split()) for part in text.splitlines() if part.strip())
    return lines


def _expanded(argv: list[str], matrix: dict[str, object]) -> list[str]:
    """ARGV as the job's shell would run it: matrix expressions filled in, globs expanded
    (in the current folder)."""
    import glob

    out: list[str] = []
    for arg in argv:
        for name, value in matrix.items():
            arg = arg.replace("${{ matrix." + name + " }}", str(value))
        arg = arg.replace("${{ strategy.job-total }}", str(matrix.get("_total", 1)))
        out.extend(sorted(glob.glob(arg)) or [arg] if "*" in arg else [arg])
    return out


def test_example_workflow_commands_are_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    monkeypatch.chdir(tmp_path)  # the folders a docs repository has at that point
    for folder in ("docs", "cassettes", "cassettes-new"):
        (tmp_path / folder).mkdir()
    assert set(workflow["jobs"]) == {"lint", "nightly", "nightly-report"}
    shards = workflow["jobs"]["nightly"]["strategy"]["matrix"]["shard"]
    for k in shards:  # what download-artifact leaves for the merge job
        (tmp_path / "shards" / f"doctract-shard-{k}" / "doctract-report").mkdir(parents=True)
    commands = [line for line in _run_lines(workflow) if line.startswith("doctract ")]
    assert len(commands) >= 6
    for line in commands:
        command = line.split(" > ")[0].split(" >> ")[0].split(" || ")[0]
        for k in shards:
            argv = _expanded(shlex.split(command), {"shard": k, "_total": len(shards)})
            parses(argv)
            if "--shard" in argv:
                Shard.parse(argv[argv.index("--shard") + 1])
    merge = next(c for c in commands if c.startswith("doctract report merge"))
    assert len(_expanded(shlex.split(merge), {})) == 3 + len(shards) + 4
    uploads = [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif")
    ]
    assert uploads and uploads[0]["with"]["sarif_file"] == "doctract.sarif"


def test_the_command_check_catches_a_bad_option() -> None:
    with pytest.raises(click.UsageError):
        parses(["doctract", "lint", "docs", "--formatt", "sarif"])
    with pytest.raises(click.UsageError):
        parses(["doctract", "run", "docs", "--record", "sometimes"])
