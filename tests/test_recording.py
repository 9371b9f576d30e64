"""Recording: `--record all` replaces a tutorial's cassette with what this run recorded (never a
merge with the last one), and only once the tutorial finished: an interrupted run (Ctrl-C,
SIGTERM) keeps the previous cassette byte for byte, cleans up what it created, and exits 130
saying what it interrupted and what it cleaned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, invoke
from doctract.emulator.server import running_emulator

DRAFT = ROOT / "features" / "flow-service__draft-and-publish-a-dataflow.feature"
CASSETTE = "examples__docs__flow-service__draft-and-publish-a-dataflow.yaml"


def interactions(path: Path) -> int:
    return len(yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"])


def test_record_all_replaces_the_cassette_instead_of_merging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against an API that hands out new ids every run (the emulator, not deterministic),
    three re-recordings hold the same interactions, and two honest recordings do not differ."""
    monkeypatch.chdir(ROOT)
    cassettes = tmp_path / "cassettes"
    counts = []
    with running_emulator(deterministic=False) as base:
        for run in ("first", "second", "third"):
            code, out = invoke(
                "run", str(DRAFT), "--live", base, "--record", "all",
                "--cassettes", str(cassettes), "--no-progress",
            )  # fmt: skip
            assert code == 0, out
            shutil.copytree(cassettes, tmp_path / run)
            counts.append(interactions(tmp_path / run / CASSETTE))
    assert counts[0] == counts[1] == counts[2], counts
    code, out = invoke("diff", str(tmp_path / "first"), str(tmp_path / "second"))
    assert code == 0, out
