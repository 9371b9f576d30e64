"""Golden lint results: every finding (its contract fields and its fingerprint) of doc sets that
exercise the cross-document rules, recorded from the whole-corpus lint that preceded the
streaming one (issue #13), so the streaming lint can be held to byte-identical output.

    python tests/lint_golden.py      # rewrite tests/fixtures/golden/lint/*.json

Each case lints from a folder with relative paths, so paths (also those quoted in evidence)
are the same on every machine.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from doctract.config import Config, load_config_file  # noqa: E402
from doctract.contract import ContractSource  # noqa: E402
from doctract.lint import LintResult, lint_paths  # noqa: E402

GOLDEN = ROOT / "tests" / "fixtures" / "golden" / "lint"
SHARED = ROOT.parent / "shared"
FLOW_SERVICE = Config(profile="flow-service")
GENERATED_SIZE = 200
GENERATED_SEED = 7


@dataclass(frozen=True)
class Case:
    """A doc set to lint: `prepare(workdir)` returns the folder to lint from and the paths to
    lint (relative to it), or None when its material is absent here (../shared)."""

    name: str
    prepare: Callable[[Path], tuple[Path, list[str]] | None]
    config: Callable[[Path], Config]
    changed: Callable[[Path], set[str]] | None = None


def write_generated(folder: Path, size: int = GENERATED_SIZE) -> None:
    """The benchmark's generated Flow Service corpus (benchmarks/corpus.py), fixed seed."""
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_corpus(folder, size, GENERATED_SEED)


def _here(folder: Path, *paths: str) -> Callable[[Path], tuple[Path, list[str]] | None]:
    return lambda workdir: (folder, list(paths)) if folder.is_dir() else None


def _generated(workdir: Path) -> tuple[Path, list[str]]:
    write_generated(workdir / "generated")
    return workdir, ["generated"]


def _git(folder: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, env=env)


def _changed_repo(edit_lookup: bool) -> Callable[[Path], tuple[Path, list[str]]]:
    """A git repository holding generated tutorials and the example docs, committed; then one
    generated tutorial is edited and a doc added (and, with `edit_lookup`, the doc that
    publishes the spec schemas the generated tutorials use is edited too)."""

    def prepare(workdir: Path) -> tuple[Path, list[str]]:
        repo = workdir / "repo"
        docs = repo / "docs"
        write_generated(docs / "generated", 60)
        shutil.copytree(ROOT / "examples" / "docs", docs / "examples")
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "docs")
        edited = docs / "generated" / "tutorial-00003.md"
        edited.write_text(edited.read_text(encoding="utf-8").replace("ACME", "Acme"), "utf-8")
        source = ROOT / "examples" / "docs" / "defects" / "contract-defects.md"
        shutil.copy(source, docs / "generated" / "new-contract-defects.md")
        if edit_lookup:
            lookup = docs / "examples" / "flow-service" / "look-up-specs.txt"
            lookup.write_text(lookup.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
        return repo, ["docs"]

    return prepare


def _changed(repo: Path) -> set[str]:
    from doctract.changes import changed_files

    return changed_files("HEAD", repo)


def _meilisearch(folder: Path) -> Config:
    return Config(openapi=(ContractSource(str(folder / "meilisearch" / "openapi.json")),))


CASES = (
    Case("examples", _here(ROOT / "examples", "docs"), lambda _: FLOW_SERVICE),
    Case("seeds", _here(SHARED, "seeds"), lambda _: FLOW_SERVICE),
    Case("generated", _generated, lambda _: FLOW_SERVICE),
    Case("generated-generic", _generated, lambda _: Config()),
    Case("rule-fixtures", _here(ROOT / "tests" / "fixtures", "rules"), lambda _: FLOW_SERVICE),
    Case("rule-fixtures-generic", _here(ROOT / "tests" / "fixtures", "rules"), lambda _: Config()),
    Case(
        "search-engine",
        _here(ROOT / "tests" / "fixtures" / "apis" / "search-engine", "docs"),
        lambda folder: load_config_file(folder / "pyproject.toml"),
    ),
    Case("meilisearch", _here(SHARED / "corpora", "meilisearch"), _meilisearch),
    Case("changed-since", _changed_repo(False), lambda _: FLOW_SERVICE, _changed),
    Case("changed-since-lookup", _changed_repo(True), lambda _: FLOW_SERVICE, _changed),
)


@contextmanager
def _cwd(folder: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def run_case(case: Case, workdir: Path, **options: Any) -> dict[str, Any] | None:
    """The case's lint result as JSON-ready data; None when its material is absent."""
    prepared = case.prepare(workdir)
    if prepared is None:
        return None
    folder, paths = prepared
    config = case.config(folder)
    with _cwd(folder):
        changed = case.changed(folder) if case.changed is not None else None
        result = lint_paths(paths, config, changed, **options)
    return as_data(result)


def as_data(result: LintResult) -> dict[str, Any]:
    return {
        "files": result.files,
        "findings": [
            {**f.to_dict(), "fingerprint": result.fingerprint(i)}
            for i, f in enumerate(result.findings)
        ],
    }


def golden_file(case: Case) -> Path:
    return GOLDEN / f"{case.name}.json"


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            data = run_case(case, Path(tmp))
        if data is None:
            print(f"{case.name}: material absent, not written")
            continue
        golden_file(case).write_text(dump(data), encoding="utf-8")
        print(f"{case.name}: {data['files']} files, {len(data['findings'])} findings")


if __name__ == "__main__":
    main()
