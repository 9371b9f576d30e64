"""Cassettes an unattended run can trust: damaged ones are named by file and line and left as
they are, nothing is overwritten unless a record mode asks, and writes are atomic."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from doctract.replay.cassettes import SafePersister, make_vcr
from doctract.replay.generate import run_features
from doctract.replay.session import ReplayOptions

FEATURE = ROOT / "features" / "flow-service__look-up-specs.feature"
CASSETTE = ROOT / "cassettes" / "examples__docs__flow-service__look-up-specs.yaml"


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _replay(cassettes: Path, record: str = "none") -> list[dict[str, object]]:
    return _record(cassettes, record)["findings"]  # type: ignore[return-value]


def _record(cassettes: Path, record: str = "none") -> dict[str, object]:
    _, results = run_features(
        [FEATURE],
        ReplayOptions(record=record, cassettes=cassettes, emulator=record != "none"),
        ["-p", "no:terminal"],
    )
    assert len(results) == 1
    return results[0]


def _damaged(tmp_path: Path, content: str) -> Path:
    target = tmp_path / CASSETTE.name
    target.write_text(content)
    return target


TRUNCATED = CASSETTE.read_text()[: len(CASSETTE.read_text()) // 2]
WRONG_VERSION = CASSETTE.read_text().replace("version: 1", "version: 3")


def _hand_edited() -> str:
    data = yaml.safe_load(CASSETTE.read_text())
    del data["interactions"][0]["response"]["status"]
    return yaml.safe_dump(data)


HAND_EDITED = _hand_edited()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (TRUNCATED, "not valid YAML (truncated?)"),
        (WRONG_VERSION, "cassette format version 3, doctract reads version 1"),
        (HAND_EDITED, "interaction 1 lacks request method/uri or response status"),
    ],
    ids=["truncated", "wrong-version", "hand-edited"],
)
def test_a_damaged_cassette_is_named_and_left_alone(
    tmp_path: Path, content: str, expected: str
) -> None:
    cassette = _damaged(tmp_path, content)
    before = cassette.read_bytes(), cassette.stat().st_mtime_ns
    record = _record(tmp_path)
    assert record["status"] == "blocked"  # nothing could be checked, nothing diverged
    findings: list[dict[str, object]] = record["findings"]  # type: ignore[assignment]
    assert [f["rule"] for f in findings] == ["cassette-unreadable"]
    finding = findings[0]
    assert finding["path"] == cassette.as_posix() and expected in str(finding["message"])
    assert int(finding["line"]) >= 1  # type: ignore[call-overload]
    assert (cassette.read_bytes(), cassette.stat().st_mtime_ns) == before
    # a record mode that appends does not overwrite it either
    _replay(tmp_path, record="new_episodes")
    assert cassette.read_bytes() == before[0]


def test_record_all_replaces_a_damaged_cassette(tmp_path: Path) -> None:
    cassette = _damaged(tmp_path, TRUNCATED)
    _replay(tmp_path, record="all")
    assert yaml.safe_load(cassette.read_text())["version"] == 1
    assert _replay(tmp_path) == [] or all(
        f["rule"] == "response-undocumented-keys" for f in _replay(tmp_path)
    )


def test_offline_replay_never_writes(tmp_path: Path) -> None:
    cassette = tmp_path / CASSETTE.name
    data = yaml.safe_load(CASSETTE.read_text())
    data["interactions"] = data["interactions"][:1]  # the second request is missing
    cassette.write_text(yaml.safe_dump(data))
    before = cassette.read_bytes(), cassette.stat().st_mtime_ns
    findings = _replay(tmp_path)
    assert "cassette-missing" in [f["rule"] for f in findings]
    assert (cassette.read_bytes(), cassette.stat().st_mtime_ns) == before


def test_make_vcr_uses_the_safe_persister(tmp_path: Path) -> None:
    recorder = make_vcr(tmp_path, "once")
    assert issubclass(recorder.persister, SafePersister)
    assert not recorder.persister.overwrite_damaged
    assert make_vcr(tmp_path, "all").persister.overwrite_damaged


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_an_interrupted_write_leaves_the_old_cassette(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    from vcr.serializers import yamlserializer

    cassette = tmp_path / "c.yaml"
    cassette.write_text("interactions: []\nversion: 1\n")
    old = cassette.read_bytes()

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, failing, interrupted)
    with pytest.raises(KeyboardInterrupt):
        SafePersister.save_cassette(
            cassette, {"requests": [], "responses": []}, serializer=yamlserializer
        )
    monkeypatch.undo()
    assert cassette.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]  # no temporary left
