"""Cleanup after a live run covers everything the run created, whatever its collection: what the
contract cannot delete is reported by name and counted as left behind, and what a POST may have
created when its answer was lost (cut mid-body, a 5xx after the API acted) is looked up by name
and deleted, never created twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    """Data Prep has no DELETE for mapping sets: the run says which one it left behind
    (cleanup-unavailable: the contract offers no way to delete it), counts it as left, and the
    emulator's inventory counts it."""
    monkeypatch.chdir(tmp_path)
    feature = tmp_path / "mapping.feature"
    feature.write_text(MAPPING_SET)
    with running_emulator() as base:
        _, results = live_run(base, [feature], tmp_path)
        left = left_behind(base)
    (finding,) = findings(results, "cleanup-unavailable")
    assert finding["line"] == 12 and "mappingSets" in finding["message"], finding
    assert not findings(results, "left-behind")
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
    delete what a POST answered 201 Created for: it says so (cleanup-unavailable: no contract
    offers a way to delete it) instead of leaving it silently."""
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
    reported = json.loads(result.stdout)["findings"]
    (finding,) = [f for f in reported if f["rule"] == "cleanup-unavailable"]
    assert finding["line"] == 9 and "201" in finding["message"], finding
    assert "/data/foundation/flowservice/connections" in finding["message"]


BOARDS = """
openapi: 3.1.0
info: {title: boards, version: "1"}
servers: [{url: "http://localhost:8080"}]
security: [{Key: []}]
paths:
  /boards:
    get:
      parameters: [{name: name, in: query, schema: {type: string}}]
      responses: {"200": {description: the boards}}
    post:
      responses: {"201": {description: created}}
  /boards/{boardId}:
    delete:
      parameters: [{name: boardId, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: deleted}}
  /exports:
    post:
      responses: {"201": {description: created}}
  /exports/{exportId}:
    get:
      parameters: [{name: exportId, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: the export}}
components:
  securitySchemes:
    Key: {type: apiKey, in: query, name: api_key}
"""


class FakeApi(requests.Session):
    """Answers cleanup's requests from a table, and keeps them."""

    def __init__(self, listing: list[dict[str, Any]]) -> None:
        super().__init__()
        self.listing = listing
        self.sent: list[tuple[str, str]] = []

    def request(self, method: str | bytes, url: str | bytes, *_: Any, **__: Any) -> Any:
        self.sent.append((str(method), str(url)))
        response = requests.Response()
        response.status_code = 204 if method == "DELETE" else 200
        response._content = b"" if method == "DELETE" else json.dumps(self.listing).encode()
        return response


def test_one_model_of_what_a_run_created_from_the_contract_to_its_cleanup() -> None:
    """`doctract.replay.created` says what a POST created, or may have (the id the contract
    says where to find, or none when the answer was lost); `doctract.replay.cleanup` deletes
    it with the credentials the contract names (here a query key), looks up what an ambiguous
    POST may have created by the name it sent, and names what stays under the one rule for its
    reason, every one counted as left."""
    from doctract.contract import Contract
    from doctract.replay.cleanup import Cleaner
    from doctract.replay.created import created_by, maybe_created
    from doctract.replay.credentials import Credentials
    from doctract.replay.http import Attempts

    contract = Contract.from_text(BOARDS, "boards.yaml")
    local, remote = "http://127.0.0.1:8080", "http://api.example"

    def target(method: str, url: str) -> Any:
        found = contract.resolve(method, url, frozenset({urlsplit(url).hostname or ""}))
        assert found is not None and found.operation is not None
        return found

    board = created_by(
        target("POST", f"{local}/boards"), f"{local}/boards", None, 201, {}, {"id": "b1"}, 10
    )
    lost = maybe_created(
        target("POST", f"{local}/boards"), f"{local}/boards", '{"name": "Roadmap"}', 20, "503"
    )
    export = created_by(
        target("POST", f"{local}/exports"), f"{local}/exports", None, 201, {}, {"id": "e1"}, 30
    )
    far = created_by(
        target("POST", f"{remote}/boards"), f"{remote}/boards", None, 201, {}, {"id": "b7"}, 40
    )
    assert board and lost and export and far and lost.id is None
    api = FakeApi([{"id": "b1", "name": "Roadmap"}, {"id": "b2", "name": "Roadmap"}])
    cleaner = Cleaner(
        api,
        Credentials({"API_KEY": "key-PLANT-4242"}, fake=False),
        lambda url: urlsplit(url).hostname == "127.0.0.1",
        0,
        Attempts(),
    )
    cleanup = cleaner.run([board, lost, export, far])
    assert api.sent == [
        ("GET", f"{local}/boards?name=Roadmap&api_key=key-PLANT-4242"),
        ("DELETE", f"{local}/boards/b2?api_key=key-PLANT-4242"),  # b1 is the run's own
        ("DELETE", f"{local}/boards/b1?api_key=key-PLANT-4242"),
    ]
    assert cleanup.summary() == {"deleted": 2, "left": 2, "found": 1}
    assert [(left.rule, left.line) for left in cleanup.left] == [
        ("left-behind", 40),  # could be deleted: not without --allow-destructive
        ("cleanup-unavailable", 30),  # the contract has no DELETE for exports
    ]
