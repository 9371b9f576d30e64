"""Recording: `--record all` replaces a tutorial's cassette with what this run recorded (never a
merge with the last one), and only once the tutorial finished: an interrupted run (Ctrl-C,
SIGTERM) keeps the previous cassette byte for byte, cleans up what it created, and exits 130
saying what it interrupted and what it cleaned."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from conftest import ROOT, invoke
from doctract.emulator.faults import STATS_PATH, FaultPlan
from doctract.emulator.inventory import left_behind
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


@pytest.mark.parametrize(
    ("signal_name", "workers", "group"),
    [
        ("SIGTERM", None, False),
        ("SIGINT", None, False),
        ("SIGTERM", "2", False),
        ("SIGINT", "2", False),
        ("SIGINT", "2", True),  # Ctrl-C at a terminal: to the whole foreground process group
    ],
)
def test_an_interrupted_run_cleans_up_and_keeps_the_previous_cassette(
    tmp_path: Path, signal_name: str, workers: str | None, group: bool
) -> None:
    """A real `doctract run --live --record all` in its own process, sent SIGTERM (how CI
    cancels a job) or SIGINT (Ctrl-C) mid-tutorial against a slow emulator: exit status 130, a
    line naming the tutorial it interrupted and what cleanup deleted, nothing left on the
    emulator, and the tutorial's previous cassette byte for byte as it was. With workers
    too, whether the run's process alone gets the signal (passed on to the workers) or its
    whole process group does (Ctrl-C at a terminal)."""
    cassettes = tmp_path / "cassettes"
    cassettes.mkdir()
    previous = (ROOT / "cassettes" / CASSETTE).read_bytes()
    (cassettes / CASSETTE).write_bytes(previous)
    slow = FaultPlan.parse("latency=1,delay=0.3")
    with running_emulator(deterministic=False, faults=slow) as base:
        command = [
            sys.executable, "-m", "doctract.cli", "run", str(DRAFT), "--live", base,
            "--record", "all", "--cassettes", str(cassettes), "--no-progress",
            *(["--workers", workers] if workers else []),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # as from a terminal, even where this test runs with SIGINT ignored (a background job)
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            start_new_session=group,  # a group of its own, which the test can signal
        )
        deadline = time.monotonic() + 120
        while requests.get(f"{base}{STATS_PATH}", timeout=10).json()["requests"] < 4:
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        if group:
            os.killpg(process.pid, getattr(signal, signal_name))
        else:
            process.send_signal(getattr(signal, signal_name))
        _, err = process.communicate(timeout=60)
        left = left_behind(base)
    assert process.returncode == 130, err
    said = "doctract: interrupted" + (" by SIGTERM" if signal_name == "SIGTERM" else "\n")
    assert said in err, err
    assert "draft-and-publish-a-dataflow.md" in err, err
    assert re.search(r"cleanup deleted [1-9]\d* resources? it had created, 0 left behind", err), err
    assert sum(left.values()) == 0, left
    assert (cassettes / CASSETTE).read_bytes() == previous
    assert sorted(p.name for p in cassettes.iterdir()) == [CASSETTE]  # no temporary file left
