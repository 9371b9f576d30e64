"""`doctract diff OLD NEW`: changed status or shape of documented interactions, per tutorial,
at the doc's lines; unreadable cassettes named by file and interaction."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, invoke
from doctract.replay.cassette_diff import diff_folders

CASSETTES = ROOT / "cassettes"
DRAFT = "examples__docs__flow-service__draft-and-publish-a-dataflow.yaml"
DRAFT_DOC = "examples/docs/flow-service/draft-and-publish-a-dataflow.md"


@pytest.fixture
def new(tmp_path: Path) -> Path:
    target = tmp_path / "new"
    shutil.copytree(CASSETTES, target)
    return target


def _edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text())
    change(data["interactions"])
    path.write_text(yaml.safe_dump(data))


def _diff(new: Path, *roots: Path) -> list[tuple[str, int, str]]:
    found = diff_folders(CASSETTES, new, list(roots) or [ROOT])
    return [(Path(f.path).name, f.line, f.rule) for f in found]


def test_identical_recordings_have_no_changes(new: Path) -> None:
    assert _diff(new) == []
    code, out = invoke("diff", str(CASSETTES), str(new))
    cassettes = len(list(CASSETTES.glob("*.yaml")))
    assert code == 0 and f"No findings in {cassettes} files." in out


def test_status_change_is_reported_at_the_docs_request(new: Path) -> None:
    def change(interactions: list[Any]) -> None:
        interactions[0]["response"]["status"]["code"] = 200

    _edit(new / DRAFT, change)
    assert _diff(new) == [("draft-and-publish-a-dataflow.md", 30, "interaction-status-changed")]
    code, out = invoke("diff", str(CASSETTES), str(new), "--docs", str(ROOT), "--format", "json")
    finding = json.loads(out)["findings"][0]
    assert code == 1
    assert finding["path"] == f"{ROOT.as_posix()}/{DRAFT_DOC}"
    assert "answered 201 before and 200 now" in finding["message"]


def test_shape_change_names_the_keys(new: Path) -> None:
    def change(interactions: list[Any]) -> None:
        body = json.loads(interactions[0]["response"]["body"]["string"])
        body["identifier"] = body.pop("id")
        body["etag"] = 7
        interactions[0]["response"]["body"]["string"] = json.dumps(body)

    _edit(new / DRAFT, change)
    found = diff_folders(CASSETTES, new, [ROOT])
    assert [(f.line, f.rule) for f in found] == [(30, "interaction-shape-changed")]
    message = found[0].message
    assert "id is gone" in message and "identifier is new" in message
    assert "etag is number, was string" in message


def test_removed_and_added_interactions_and_cassettes(new: Path) -> None:
    def change(interactions: list[Any]) -> None:
        extra = json.loads(json.dumps(interactions[0]))
        extra["request"]["uri"] = "http://localhost/data/foundation/flowservice/runs"
        extra["request"]["method"] = "GET"
        del interactions[1]
        interactions.append(extra)

    _edit(new / DRAFT, change)
    (new / "examples__docs__flow-service__look-up-specs.yaml").unlink()
    (new / "brand-new.yaml").write_text("interactions: []\nversion: 1\n")
    found = _diff(new)
    assert ("draft-and-publish-a-dataflow.md", 100, "interaction-removed") in found
    assert ("examples__docs__flow-service__look-up-specs.yaml", 1, "interaction-removed") in found
    assert ("brand-new.yaml", 1, "interaction-added") in found
    added = [f for f in found if f[0] == DRAFT and f[2] == "interaction-added"]
    assert len(added) == 1 and added[0][1] > 1  # the cassette line: the doc has no GET /runs


def test_without_the_doc_findings_point_into_the_cassette(new: Path, tmp_path: Path) -> None:
    def change(interactions: list[Any]) -> None:
        interactions[2]["response"]["status"]["code"] = 500

    _edit(new / DRAFT, change)
    (found,) = diff_folders(CASSETTES, new, [tmp_path])
    lines = (new / DRAFT).read_text().splitlines()
    assert Path(found.path).name == DRAFT and lines[found.line - 1].startswith("- request:")
    assert found.message.startswith("interaction 3 (POST /data/foundation/flowservice/")


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (
            "interactions:\n- request:\n    method: GET\n    uri: 'http://x/\n",
            4,
            "the cassette is truncated: it ends at line 4 (in interaction 1)",
        ),
        ("interactions: []\nversion: 2\n", 1, "cassette format version 2"),
        ("just text\n", 1, "not a vcrpy cassette"),
        (
            "interactions:\n- request: {method: GET, uri: 'http://x/a'}\n"
            "- request: {method: GET, uri: 'http://x/b'}\n  response: {}\nversion: 1\n",
            2,
            "interaction 1 has no response",
        ),
    ],
)
def test_unreadable_cassettes_are_named_by_file_and_line(
    new: Path, content: str, line: int, message: str
) -> None:
    (new / DRAFT).write_text(content)
    code, out = invoke("diff", str(CASSETTES), str(new), "--format", "json")
    findings = json.loads(out)["findings"]
    assert code == 1
    assert [(Path(f["path"]).name, f["line"], f["rule"]) for f in findings] == [
        (DRAFT, line, "cassette-unreadable")
    ]
    assert message in findings[0]["message"]
