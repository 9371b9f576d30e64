"""Results do not depend on the current folder: cassette names, the doc paths in generated
features and the baseline are relative to the project root (the configuration file's folder,
else the git root)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EXAMPLES, ROOT, invoke
from doctract.project import cassette_name, project_root

DEFECT = EXAMPLES / "defects" / "dataflow-with-planted-defects.md"


def test_run_from_a_subfolder_finds_the_recorded_cassettes() -> None:
    code, out = invoke("run", "flow-service", "--no-progress", "--format", "json", cwd=EXAMPLES)
    payload = json.loads(out[out.index("{") : out.rindex("}") + 1])
    assert not [f for f in payload["findings"] if f["rule"] == "cassette-missing"]
    assert code == 0, out


def test_generate_from_a_subfolder_writes_the_same_features(tmp_path: Path) -> None:
    code, out = invoke("generate", "flow-service", "--out", str(tmp_path), cwd=EXAMPLES)
    assert code == 0, out
    written = sorted(tmp_path.glob("*.feature"))
    assert written
    for feature in written:
        committed = ROOT / "features" / f"flow-service__{feature.name}"
        assert feature.read_text() == committed.read_text()


def test_cassette_names_are_relative_to_the_project_root() -> None:
    doc = str(EXAMPLES / "flow-service" / "look-up-specs.md")
    assert cassette_name(doc, ROOT) == "examples__docs__flow-service__look-up-specs"
    assert (ROOT / "cassettes" / "examples__docs__flow-service__look-up-specs.yaml").is_file()
    assert cassette_name("examples/docs/flow-service/look-up-specs.md", ROOT) == (
        "examples__docs__flow-service__look-up-specs"
    )


def test_the_baseline_lives_at_the_git_root_without_a_configuration(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    docs = tmp_path / "docs" / "guides"
    docs.mkdir(parents=True)
    (docs / "doc.md").write_bytes(DEFECT.read_bytes())
    assert project_root(start=docs) == tmp_path.resolve()
    code, out = invoke("baseline", "write", ".", "--profile", "flow-service", cwd=docs)
    assert code == 0, out
    assert (tmp_path / ".doctract-baseline.json").is_file()
    assert not (docs / ".doctract-baseline.json").exists()
    code, out = invoke("lint", "docs", "--profile", "flow-service", cwd=tmp_path)
    assert code == 0, out
    assert "No new findings" in out


def test_the_baseline_lives_beside_the_configuration_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    project = tmp_path / "site"
    docs = project / "docs"
    docs.mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.doctract]\nprofile = "flow-service"\n')
    (docs / "doc.md").write_bytes(DEFECT.read_bytes())
    code, out = invoke("baseline", "write", ".", cwd=docs)
    assert code == 0, out
    assert (project / ".doctract-baseline.json").is_file()
    code, out = invoke("lint", "site/docs", cwd=tmp_path)
    assert code == 1  # from above the project, its configuration is not found: no baseline
    code, out = invoke("lint", "docs", cwd=project)
    assert code == 0, out
    assert "No new findings" in out
