"""Cleanup after a live run covers everything the run created, whatever its collection: what the
contract cannot delete is reported by name and counted as left behind, and what a POST may have
created when its answer was lost (cut mid-body, a 5xx after the API acted) is looked up by name
and deleted, never created twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from conftest import ROOT
from doctract.cli import main
from doctract.emulator.faults import FaultPlan
from doctract.emulator.inventory import left_behind
from doctract.emulator.server import running_emulator

FEATURES = [
    ROOT / "features" / "flow-service__draft-and-publish-a-dataflow.feature",
    ROOT / "features" / "flow-service__look-up-specs.feature",
]
MAPPING_SET = '''@doctract
Feature: Map the source data

  Background:
    Given the tutorial "docs/mapping.md"

  @doc:docs/mapping.md:12
  Scenario: Map the source data, in the doc's order
    When request 1 at line 12, "Create a mapping set", is sent:
      """http
      POST https://platform.adobe.io/data/foundation/conversion/mappingSets
      Authorization: Bearer {ACCESS_TOKEN}
      x-api-key: {API_KEY}
      x-gw-ims-org-id: {ORG_ID}
      x-sandbox-name: {SANDBOX_NAME}
      Content-Type: application/json

      {"version": 0, "xdmSchema": "https://ns.adobe.com/acme/schemas/1", "mappings": []}
      """
    Then request 1 succeeds
    Then the tutorial behaves as documented
'''
CONNECTION = """@doctract
Feature: Create a connection

  Background:
    Given the tutorial "docs/connection.md"

  Scenario: Create a connection, in the doc's order
    When request 1 at line 9, "Create a base connection", is sent:
      \"\"\"http
      POST https://platform.adobe.io/data/foundation/flowservice/connections
      Authorization: Bearer {ACCESS_TOKEN}
      x-api-key: {API_KEY}
      x-gw-ims-org-id: {ORG_ID}
      x-sandbox-name: {SANDBOX_NAME}
      Content-Type: application/json

      {"name": "ACME",
       "auth": {"specName": "Basic Authentication",
                "params": {"host": "h", "userid": "u", "password": "p"}},
       "connectionSpec": {"id": "be5ec48c-5b78-49d5-b8fa-7c89ec4569b8", "version": "1.0"}}
      \"\"\"
    Then request 1 answers status 201
    Then the tutorial behaves as documented
"""


def live_run(base: str, features: list[Path], tmp_path: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        main,
        [
            "run",
            *map(str, features),
            "--live",
            base,
            "--record",
            "all",
            "--cassettes",
            str(tmp_path / "cassettes"),
            "--report-dir",
            str(tmp_path / "report"),
            "--no-progress",
            "--profile",
            "flow-service",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads((tmp_path / "report" / "results.json").read_text())


def findings(results: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for t in results["tutorials"] for f in t["findings"] if f["rule"] == rule]


def test_what_the_contract_cannot_delete_is_named_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data Prep has no DELETE for mapping sets: the run says which one it left behind, and
    the emulator's inventory counts it."""
    monkeypatch.chdir(tmp_path)
    feature = tmp_path / "mapping.feature"
    feature.write_text(MAPPING_SET)
    with running_emulator() as base:
        _, results = live_run(base, [feature], tmp_path)
        left = left_behind(base)
    (finding,) = findings(results, "left-behind")
    assert finding["line"] == 12 and "mappingSets" in finding["message"], finding
    assert "no DELETE" in finding["message"]
    assert left.get("mappingSets") == 1 and sum(left.values()) == 1, left
    assert results["tutorials"][0]["cleanup"]["left"] == 1


def test_posts_answered_after_the_api_acted_are_never_repeated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A create whose response is cut mid-body or answered 502/503/504 after the emulator saved
    it is not sent again (no duplicate); cleanup finds it by name and deletes it."""
    monkeypatch.chdir(ROOT)
    plan = FaultPlan.parse("drop-after=0.2,5xx-after=0.2,retry-after=0,seed=5")
    with running_emulator(faults=plan) as base:
        _, results = live_run(base, FEATURES, tmp_path)
        stats = requests.get(f"{base}/__doctract/faults", timeout=10).json()
        left = left_behind(base)
    assert stats.get("drop-after", 0) + stats.get("5xx-after", 0) >= 2, stats
    assert stats["duplicates"] == 0, stats
    assert sum(left.values()) == 0, left
    found = sum(t["cleanup"]["found"] for t in results["tutorials"])
    assert found >= 1, results["tutorials"]
    assert not findings(results, "cleanup-failed")


def test_a_create_that_cannot_be_looked_up_is_reported_as_maybe_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mapping set has no name to look it up by: when its POST is answered 5xx after the API
    acted, the run cannot tell whether it exists and says so."""
    monkeypatch.chdir(tmp_path)
    feature = tmp_path / "mapping.feature"
    feature.write_text(MAPPING_SET)
    with running_emulator(faults=FaultPlan.parse("5xx-after=1")) as base:
        _, results = live_run(base, [feature], tmp_path)
    (finding,) = findings(results, "cleanup-failed")
    assert finding["line"] == 12 and "may have created" in finding["message"], finding
    assert "mappingSets" in finding["message"]


def test_a_create_no_contract_describes_is_not_left_silently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a contract for the API (no profile, no --openapi) doctract cannot tell how to
    delete what a POST answered 201 Created for: it says so instead of leaving it silently."""
    monkeypatch.chdir(tmp_path)
    feature = tmp_path / "connection.feature"
    feature.write_text(CONNECTION)
    with running_emulator() as base:
        result = CliRunner().invoke(
            main,
            [
                "run", str(feature), "--live", base, "--record", "all",
                "--cassettes", str(tmp_path / "cassettes"), "--format", "json", "--no-progress",
            ],
        )  # fmt: skip
        left = left_behind(base)
    assert left["connections"] == 1
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "left-behind"]
    assert finding["line"] == 9 and "201" in finding["message"], finding
    assert "/data/foundation/flowservice/connections" in finding["message"]
