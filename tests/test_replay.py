"""Generate and replay: features in sync, offline replay from cassettes, recording against the
emulator, id chaining, findings at the doc's lines, cassette hygiene, cleanup, retries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from conftest import ROOT, SEEDS
from doctract.emulator.server import running_emulator
from doctract.replay.generate import generate, run_features
from doctract.replay.http import Attempts, Message, send
from doctract.replay.session import ReplayOptions

FEATURES = ROOT / "features"
CASSETTES = ROOT / "cassettes"
DEFECTS_FEATURE = FEATURES / "defects__dataflow-with-planted-defects.feature"
EXPECTED_DEFECTS = {
    (22, "request-rejected"),  # userId where the published authSpec wants userid: 400
    (68, "blocked-step"),  # publish needs the base connection that was not created
    (109, "broken-request"),  # trailing comma in the source connection body
    (139, "blocked-step"),  # ... so its (wrongly addressed) publish is blocked
    (169, "request-rejected"),  # no x-sandbox-name header: 400
    (214, "broken-request"),  # no curl
    (272, "broken-request"),  # lost backslash
    (295, "broken-request"),  # unclosed quote
    (303, "broken-request"),  # no URL
    (323, "blocked-step"),  # update of the base connection that was never created
    (360, "request-rejected"),  # DELETE of an id the tutorial never created: 404
}


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Feature files name their docs relative to the repository root."""
    monkeypatch.chdir(ROOT)


def _run(features: list[Path], **options: object) -> list[tuple[int, str]]:
    status, results = run_features(
        features,
        ReplayOptions(**options),  # type: ignore[arg-type]
        ["-p", "no:terminal"],
    )
    assert results, f"no results (pytest status {status})"
    return sorted((f["line"], f["rule"]) for r in results for f in r["findings"])


def test_features_are_in_sync_with_the_example_docs(tmp_path: Path) -> None:
    generate(["examples/docs"], tmp_path)
    fresh = {p.name: p.read_text() for p in tmp_path.glob("*.feature")}
    kept = {p.name: p.read_text() for p in FEATURES.glob("*.feature")}
    assert fresh == kept, "run: doctract generate examples/docs --out features"


def test_offline_replay_reports_the_planted_defects_at_their_lines() -> None:
    found = _run([DEFECTS_FEATURE], cassettes=CASSETTES)
    assert {f for f in found if f[1] != "response-undocumented-keys"} == EXPECTED_DEFECTS


def test_cassettes_are_in_sync_with_a_fresh_recording(tmp_path: Path) -> None:
    _run(sorted(FEATURES.glob("*.feature")), record="all", emulator=True, cassettes=tmp_path)
    fresh = {p.name: p.read_text() for p in tmp_path.glob("*.yaml")}
    kept = {p.name: p.read_text() for p in CASSETTES.glob("*.yaml")}
    assert fresh == kept, "run: doctract run features --emulator --record all"


def test_missing_interaction_is_a_clear_finding(tmp_path: Path) -> None:
    found = _run([FEATURES / "flow-service__look-up-specs.feature"], cassettes=tmp_path)
    assert found[:1] == [(16, "cassette-missing")]


def test_live_run_cleans_up_unless_kept() -> None:
    feature = FEATURES / "flow-service__draft-and-publish-a-dataflow.feature"
    headers = {
        "Authorization": "Bearer t",
        "x-api-key": "k",
        "x-gw-ims-org-id": "o",
        "x-sandbox-name": "prod",
    }
    with running_emulator() as base:
        found = _run([feature], live=base, record="all", cassettes=Path("/nonexistent-unused"))
        assert [f for f in found if f[1] != "response-undocumented-keys"] == []
        left = requests.get(f"{base}/data/foundation/flowservice/connections", headers=headers)
        assert left.json()["items"] == []
        _run([feature], live=base, record="all", keep=True, cassettes=Path("/nonexistent-unused"))
        kept = requests.get(f"{base}/data/foundation/flowservice/connections", headers=headers)
        assert len(kept.json()["items"]) == 1


SECRETS = {
    "DOCTRACT_ACCESS_TOKEN": "tok-4b1d-doctract-secret",
    "DOCTRACT_API_KEY": "key-77aa-doctract-secret",
    "DOCTRACT_ORG_ID": "ORG-9c2e-doctract-secret@AdobeOrg",
    "DOCTRACT_PASSWORD": "pw-31f0-doctract-secret",
    "DOCTRACT_USER_ID": "acme",
}


def test_recording_with_real_looking_secrets_writes_none_of_them(tmp_path: Path) -> None:
    env = {**os.environ, **SECRETS}
    exe = Path(sys.executable).with_name("doctract")
    if not exe.exists():
        pytest.skip("the doctract console script is not installed")
    features, cassettes = tmp_path / "features", tmp_path / "cassettes"
    commands = [
        [str(exe), "generate", "examples/docs/flow-service", "--out", str(features)],
        [
            str(exe),
            "run",
            str(features),
            "--emulator",
            "--record",
            "all",
            "--cassettes",
            str(cassettes),
        ],
        [str(exe), "run", str(features), "--cassettes", str(cassettes), "--format", "json"],
    ]
    outputs = []
    for command in commands:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        outputs += [done.stdout, done.stderr]
        assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(outputs[-2])["summary"]["errors"] == 0  # offline replay of the recording
    written = [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) >= 4
    for secret in SECRETS.values():
        if secret == "acme":
            continue
        assert not any(secret in text for text in written + outputs), secret


class _Scripted(requests.Session):
    def __init__(self, statuses: list[int | Exception]) -> None:
        super().__init__()
        self.statuses = statuses
        self.calls = 0

    def request(self, *args: object, **kwargs: object) -> requests.Response:
        status = self.statuses[min(self.calls, len(self.statuses) - 1)]
        self.calls += 1
        if isinstance(status, Exception):
            raise status
        response = requests.Response()
        response.status_code = status
        response.headers["Retry-After"] = "0"
        return response


def test_transient_failures_are_retried_within_bounds() -> None:
    message = Message("GET", "http://127.0.0.1:9/x", (), None)
    flaky = _Scripted([429, 503, 200])
    assert send(flaky, message, retries=3, attempts=Attempts()).status_code == 200
    down = _Scripted([503])
    attempts = Attempts()
    assert send(down, message, retries=2, attempts=attempts).status_code == 503
    assert (down.calls, attempts.retried) == (3, 2)
    broken = _Scripted([requests.ConnectionError("refused")])
    with pytest.raises(requests.ConnectionError):
        send(broken, message, retries=1, attempts=Attempts())
    assert broken.calls == 2


def test_delete_is_never_sent_to_a_remote_host_without_permission(tmp_path: Path) -> None:
    feature = tmp_path / "delete.feature"
    feature.write_text('''Feature: Delete
  Background:
    Given the tutorial "docs/delete.md"

  Scenario: Delete a flow
    When request 1 at line 7, "Delete", is sent:
      """http
      DELETE https://platform.adobe.io/data/foundation/flowservice/flows/abc
      Authorization: Bearer {ACCESS_TOKEN}
      """
    Then request 1 answers status 204
    Then the tutorial behaves as documented
''')
    found = _run([feature], live="https://platform.example.com", record="all", cassettes=tmp_path)
    assert found == [(7, "destructive-skipped")]


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the reference tutorials are not at {SEEDS}")
def test_seed_tutorials_against_the_emulator(tmp_path: Path) -> None:
    features = generate([str(SEEDS)], tmp_path / "features").written
    _, results = run_features(
        features,
        ReplayOptions(record="all", emulator=True, cassettes=tmp_path / "c"),
        ["-p", "no:terminal"],
    )
    by_seed: dict[str, set[tuple[int, str]]] = {}
    messages = {}
    for result in results:
        for f in result["findings"]:
            by_seed.setdefault(Path(f["path"]).name[:3], set()).add((f["line"], f["rule"]))
            messages[(Path(f["path"]).name[:3], f["line"])] = f["message"]
    seed000 = by_seed["000"]
    # the wrong publish endpoint of the target connection is a 404 naming the right collection
    assert (292, "request-rejected") in seed000
    assert "use /targetConnections/" in messages[("000", 292)]
    assert (145, "broken-request") in seed000 and (195, "blocked-step") in seed000
    assert (331, "broken-request") in seed000 and (387, "blocked-step") in seed000
    assert (776, "request-rejected") in by_seed["002"]  # the rendered page, same 404
    assert {(58, "broken-request"), (110, "broken-request"), (159, "blocked-step")} <= by_seed[
        "001"
    ]
    assert (74, "broken-request") in by_seed["003"] and (475, "broken-request") in by_seed["003"]
    assert (197, "request-rejected") in by_seed["004"]  # /data/foundation/mappingSets: 404


def test_placeholders_come_from_config_then_environment_then_fakes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from doctract.replay.http import resolve

    monkeypatch.setenv("DOCTRACT_SCHEMA_ID", "https://ns.adobe.com/acme/schemas/7")
    monkeypatch.delenv("ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("DOCTRACT_ACCESS_TOKEN", raising=False)
    text = (
        '{"id": "{SCHEMA_ID}", "sandbox": "{SANDBOX_NAME}", "x": "{UNKNOWN}"} Bearer {ACCESS_TOKEN}'
    )
    live = resolve(text, {"SANDBOX_NAME": "dev"}, fake_credentials=False)
    assert live == (
        '{"id": "https://ns.adobe.com/acme/schemas/7", "sandbox": "dev", '
        '"x": "{UNKNOWN}"} Bearer {ACCESS_TOKEN}'
    )
    assert resolve("Bearer {ACCESS_TOKEN}", {}, fake_credentials=True) == (
        "Bearer doctract-fake-access-token"
    )


def test_generated_features_keep_no_literal_credentials(tmp_path: Path) -> None:
    doc = tmp_path / "t.md"
    doc.write_text(
        "# T\n\n## Step\n\n```shell\ncurl -X GET https://platform.adobe.io/x \\\n"
        "  -H 'Authorization: Bearer eyJreal.token.value' \\\n"
        "  -H 'x-api-key: 1234realkey'\n```\n"
    )
    (feature,) = generate([str(doc)], tmp_path / "out").written
    text = feature.read_text()
    assert "eyJreal" not in text and "1234realkey" not in text
    assert "Authorization: Bearer {ACCESS_TOKEN}" in text and "x-api-key: {API_KEY}" in text
