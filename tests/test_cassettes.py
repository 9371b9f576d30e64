"""Cassettes an unattended run can trust: damaged ones are named by file and line and left as
they are, nothing is overwritten unless a record mode asks, and writes are atomic."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import EXAMPLES, ROOT, invoke
from doctract.replay.cassette_file import CassetteError, load_cassette
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
        (TRUNCATED, "the cassette is truncated: it ends at line"),
        (WRONG_VERSION, "cassette format version 3, doctract reads version 1"),
        (HAND_EDITED, "interaction 1's response has no status"),
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


def _results(report_dir: Path) -> dict[str, Any]:
    return json.loads((report_dir / "results.json").read_text())  # type: ignore[no-any-return]


def _edited(text: str, edit: str) -> str:
    data = yaml.safe_load(text)
    request = data["interactions"][0]["request"]
    if edit == "extra":
        request["extra"] = 1
    elif edit == "uri":
        request["uri"] = 12345
    elif edit == "request-body":
        request["body"] = 7
    else:
        data["interactions"][0]["response"]["body"] = 7
    return yaml.safe_dump(data, sort_keys=False)


EDITS = {
    "extra": "interaction 1's request has a key vcrpy does not know: extra",
    "uri": "interaction 1's request uri is 12345 (a number), not text",
    "request-body": "interaction 1's request body is 7 (a number), not text or null",
    "response-body": "interaction 1's response body is 7 (a number), not a mapping",
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_cassette_of_wrong_types_is_unreadable_and_the_others_still_run(
    tmp_path: Path, edit: str
) -> None:
    cassettes = tmp_path / "cassettes"
    cassettes.mkdir()
    for cassette in (ROOT / "cassettes").glob("*flow-service*.yaml"):
        (cassettes / cassette.name).write_text(cassette.read_text())
    damaged = cassettes / CASSETTE.name
    damaged.write_text(_edited(damaged.read_text(), edit))
    code, out = invoke(
        "run", str(EXAMPLES / "flow-service"), "--cassettes", str(cassettes),
        "--report-dir", str(tmp_path / "reports"), "--no-progress", cwd=ROOT,
    )  # fmt: skip
    assert "did not run" not in out
    results = _results(tmp_path / "reports")
    by_path = {t["path"]: t for t in results["tutorials"]}
    assert set(by_path) == {
        "examples/docs/flow-service/draft-and-publish-a-dataflow.md",
        "examples/docs/flow-service/look-up-specs.txt",
    }
    looked_up = by_path["examples/docs/flow-service/look-up-specs.txt"]
    [finding] = looked_up["findings"]
    assert finding["rule"] == "cassette-unreadable" and EDITS[edit] in finding["message"]
    assert finding["path"] == damaged.as_posix()
    lines = damaged.read_text().split("\n")
    key = {"extra": "extra:", "uri": "uri:", "request-body": "body:"}.get(edit)
    if key:  # at the offending key's line
        assert lines[finding["line"] - 1].strip().startswith(key), lines[finding["line"] - 1]
    assert by_path["examples/docs/flow-service/draft-and-publish-a-dataflow.md"]["status"] == (
        "passed"
    )
    assert code == 1, out
    assert "2 tutorials replayed, 1 diverge" in out


@pytest.mark.parametrize("cut", [20, 60, 100, 147])
def test_a_truncated_cassette_says_truncated_and_where(tmp_path: Path, cut: int) -> None:
    whole = CASSETTE.read_text()
    cassette = tmp_path / CASSETTE.name
    cassette.write_text("".join(whole.splitlines(keepends=True)[:cut]))
    with pytest.raises(CassetteError) as error:
        load_cassette(cassette)
    assert "truncated" in error.value.message, error.value.message
    assert "None" not in error.value.message
    assert f"line {cut}" in error.value.message
    assert error.value.line == cut


SENT_REQUESTS = [
    ("GET", "https://api.test/items?api_key=k-123&page=2&q=a+b", None, {"Accept": "*/*"}),
    (
        "POST",
        "http://127.0.0.1:8123/items?mode=draft",
        b'{"name": "n", "password": "hunter2-secret"}',
        {
            "User-Agent": "python-requests/2",
            "Authorization": "Bearer abc.def.ghi",
            "Content-Type": "application/json",
            "X-Api-Key": "key-77",
            "x-auth-token": "tok-88",
        },
    ),
    ("PATCH", "https://u:pw-99@api.test/items/1", "plain text body", {"COOKIE": "s=1"}),
    ("DELETE", "https://api.test/items/1?token=eyJhbGciOiJIUzI1NiJ9.e30.sig", b"", {}),
    ("PUT", "https://api.test/form", b"user=ann&secret=s3cr3t-value", {"api-key": "k"}),
]


@pytest.mark.parametrize("method,uri,body,headers", SENT_REQUESTS)
def test_request_scrubbing_is_vcrpys_chain_of_filters_without_its_copies(
    method: str, uri: str, body: bytes | str | None, headers: dict[str, str]
) -> None:
    """The recorder's own request hook gives what vcrpy's filters (headers, query parameters)
    followed by doctract's hook give, header order and spelling included, and leaves the sent
    request as it was."""
    from functools import partial

    import vcr
    from vcr.request import Request as VcrRequest

    from doctract.contract import Secrets
    from doctract.replay.cassettes import SCRUBBED, _scrub_request
    from doctract.secrets import Scrubber
    from doctract.secrets.names import CREDENTIAL_HEADERS

    secrets = Secrets(headers=frozenset({"x-custom-auth"}), query=frozenset({"api_key"}))
    scrubber = Scrubber(frozenset({"s3cr3t-value"}), secrets)
    ours = make_vcr(Path("."), "none", secrets, lambda: scrubber)
    vcrpys = vcr.VCR(
        filter_headers=[
            *((h, SCRUBBED) for h in sorted({*CREDENTIAL_HEADERS, *secrets.headers})),
            ("user-agent", None),
        ],
        filter_query_parameters=[(q, SCRUBBED) for q in sorted(secrets.query)],
        before_record_request=partial(_scrub_request, scrubber=lambda: scrubber),
    )

    def hook(recorder: vcr.VCR) -> Any:
        return recorder.get_merged_config()["before_record_request"]

    sent = VcrRequest(method, uri, body, dict(headers))
    expected = hook(vcrpys)(VcrRequest(method, uri, body, dict(headers)))
    got = hook(ours)(sent)
    assert (got.method, got.uri, got.body) == (expected.method, expected.uri, expected.body)
    assert list(got.headers.items()) == list(expected.headers.items())
    assert (sent.uri, sent.body, dict(sent.headers)) == (
        VcrRequest(method, uri, body, dict(headers)).uri,
        VcrRequest(method, uri, body, dict(headers)).body,
        headers,
    )
    assert hook(ours)(got) is got  # vcrpy looks again at the hook's answer: the same one
