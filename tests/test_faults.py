"""A live run against the emulator with injected faults (latency, dropped connections, 429
with Retry-After, 500/503 bursts, and after the emulator acted: responses cut, 502/503/504):
bounded retries (a POST only when it provably never arrived), what still fails reported as
findings, everything it created cleaned up, the right exit code, and the figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from starlette.testclient import TestClient
from test_emulator_workflows import HEADERS, base_connection_body

from conftest import FUZZ_COUNTS, ROOT
from doctract.cli import main
from doctract.emulator import create_app
from doctract.emulator.faults import STATS_PATH, FaultInjector, FaultPlan, FaultSpecError
from doctract.emulator.inventory import left_behind
from doctract.emulator.server import running_emulator
from doctract.emulator.store import Store
from doctract.profiles.flow_service.emulator import FlowServiceHooks

FLOW = "/data/foundation/flowservice"
FEATURES = [
    ROOT / "features" / "flow-service__draft-and-publish-a-dataflow.feature",
    ROOT / "features" / "flow-service__look-up-specs.feature",
]


def test_fault_plan_parsing() -> None:
    plan = FaultPlan.parse("latency=0.1, drop=0.05,429=0.2,5xx=0.1,burst=3,seed=9,retry-after=0")
    assert (plan.latency, plan.drop, plan.throttle, plan.error) == (0.1, 0.05, 0.2, 0.1)
    assert (plan.burst, plan.seed, plan.retry_after) == (3, 9, 0) and plan.active
    assert not FaultPlan.parse("seed=3").active
    after = FaultPlan.parse("drop-after=0.1,5xx-after=0.2")
    assert (after.drop_after, after.error_after) == (0.1, 0.2) and after.active
    for bad, message in (
        ("drop=2", "between 0 and 1"),
        ("5xx-after=1.5", "between 0 and 1"),
        ("jitter=0.1", "unknown fault"),
        ("drop", "unknown fault"),
        ("latency=soon", "not a number"),
    ):
        with pytest.raises(FaultSpecError, match=message):
            FaultPlan.parse(bad)
    result = CliRunner().invoke(main, ["emulator", "--faults", "drop=7"])
    assert result.exit_code == 2 and "--faults: drop: a probability is between 0 and 1" in (
        result.output
    )


def _store(app: object) -> Store:
    """The Flow Service store behind an emulator app (the profile's hooks hold it)."""
    hooks = getattr(app, "hooks", None)
    assert isinstance(hooks, FlowServiceHooks)
    return hooks.store


def test_faults_after_processing_strike_once_the_emulator_acted() -> None:
    """`5xx-after` and `drop-after`: the emulator created the connection, the client got a
    502/503/504 or a response cut mid-body; the injector counts a repeated create."""
    app = create_app(deterministic=True)
    injector = FaultInjector(app, FaultPlan.parse("5xx-after=1"))
    body = base_connection_body()
    with TestClient(injector) as client:
        for _ in range(2):
            response = client.post(f"{FLOW}/connections", json=body, headers=HEADERS)
            assert response.status_code in (502, 503, 504), response.text
        stats = client.get(STATS_PATH).json()
    assert len(_store(app).entities["connections"]) == 2
    assert stats["5xx-after"] == 2 and stats["duplicates"] == 1
    dropped = FaultInjector(create_app(deterministic=True), FaultPlan.parse("drop-after=1"))
    with TestClient(dropped) as client, pytest.raises(Exception):  # noqa: B017 - any cut
        client.post(f"{FLOW}/connections", json=body, headers=HEADERS).json()
    assert len(_store(dropped.app).entities["connections"]) == 1


def _live_run(
    base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, dict[str, object]]:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main,
        [
            "run",
            *map(str, FEATURES),
            "--live",
            base,
            "--record",
            "all",
            "--cassettes",
            str(tmp_path / "cassettes"),
            "--report-dir",
            str(tmp_path / "report"),
            "--format",
            "json",
            "--no-progress",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    results = json.loads((tmp_path / "report" / "results.json").read_text())
    return result.exit_code, results


def _figures(base: str) -> dict[str, int]:
    stats = requests.get(f"{base}/__doctract/faults", timeout=10).json()
    return {k: int(v) for k, v in stats.items()}


def test_recoverable_faults_are_retried_and_the_run_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = FaultPlan.parse("latency=0.2,delay=0.01,drop=0.15,429=0.15,retry-after=0,seed=11")
    with running_emulator(faults=plan) as base:
        code, results = _live_run(base, tmp_path, monkeypatch)
        stats = _figures(base)
        left = left_behind(base)
    summary = results["summary"]
    injected = stats["requests"] - stats.get("none", 0) - stats.get("latency", 0)
    recovered = sum(t["recovered"] for t in results["tutorials"])  # type: ignore[attr-defined]
    FUZZ_COUNTS["faulted requests (recoverable run)"] = injected
    FUZZ_COUNTS["requests recovered after retry"] = recovered
    assert injected >= 3 and stats.get("drop", 0) >= 1 and stats.get("throttle", 0) >= 1
    assert recovered >= 1 and summary["retried"] >= injected  # type: ignore[index]
    assert code == 0, results
    assert summary["failed"] == 0  # type: ignore[index]
    assert sum(left.values()) == 0, left


def test_unrecoverable_faults_are_findings_and_everything_is_cleaned_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # bursts of 500/503: a POST answered 5xx is not repeated (it may have changed state)
    plan = FaultPlan.parse("5xx=0.25,burst=3,429=0.1,retry-after=0,seed=2")
    with running_emulator(faults=plan) as base:
        code, results = _live_run(base, tmp_path, monkeypatch)
        stats = _figures(base)
        left = left_behind(base)
    findings = [f for t in results["tutorials"] for f in t["findings"]]  # type: ignore[attr-defined]
    failed = [f for f in findings if f["rule"] == "request-rejected"]
    FUZZ_COUNTS["faulted requests (unrecoverable run)"] = stats["requests"] - stats.get("none", 0)
    FUZZ_COUNTS["requests still failing, reported"] = len(failed)
    FUZZ_COUNTS["resources left behind"] = sum(left.values())
    assert code == 1
    assert failed and all(re.search(r" with 50[03]", f["message"]) for f in failed), failed
    assert not [f for f in findings if f["rule"] == "cleanup-failed"]
    assert sum(left.values()) == 0, left
