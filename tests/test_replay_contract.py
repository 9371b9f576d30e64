"""Replay driven by the contract, for an API that is not the Flow Service (issue #15): the
credentials its security schemes name (a custom header, a query key, a cookie), the id of what
a POST created (links, Location, the response schema, a client-chosen id in the request),
etags from ETag headers, volatile values by format, cleanup by the contract's DELETE (or a
`cleanup-unavailable` finding), which side is most likely wrong, and hints that name
`--live URL --record all`.

The live API is tests/notes_api.py (a threaded http.server on 127.0.0.1, guarded by
X-Auth-Token) with the contract and tutorials in tests/fixtures/apis/notes/; the Meilisearch
tests read ../shared/corpora/meilisearch/openapi.json and skip without it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from notes_api import NOTES, notes_api

from conftest import ROOT, invoke
from doctract.api import Api
from doctract.contract import Contract, ContractSource, Credential, Secrets, Target
from doctract.contract.fields import response_schema, volatile_fields
from doctract.replay.cassettes import SCRUBBED
from doctract.replay.created import created_by
from doctract.replay.credentials import Credentials, credentials_of
from doctract.replay.culprit import API, CONTRACT, DOC, Evidence, judge
from doctract.replay.etags import Etags
from doctract.replay.gherkin import http_message
from doctract.replay.http import Message, rebase
from doctract.replay.plan import Call
from doctract.replay.session import Outcome, Replay, ReplayOptions, shape_differences
from doctract.secrets import NO_SECRETS, Scrubber

MEILISEARCH = ROOT.parent / "shared" / "corpora" / "meilisearch" / "openapi.json"
TOKEN = "xat-PLANT-7c1e94d2b0"  # the X-Auth-Token the test API accepts
FEED_KEY = "feed-PLANT-3a9f5c"
LOCAL = "http://127.0.0.1:8080"


@pytest.fixture(scope="module")
def notes() -> Contract:
    return Contract.load(ContractSource(str(NOTES / "openapi.yaml")))


@pytest.fixture
def meili() -> Contract:
    if not MEILISEARCH.is_file():
        pytest.skip(f"the Meilisearch contract is not at {MEILISEARCH} (../shared is absent)")
    return Contract.load(ContractSource(str(MEILISEARCH)))


@pytest.fixture
def doc_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the Notes doc set (its configuration names the contract), with the values of
    its placeholders in the environment under names that do not look secret."""
    shutil.copytree(NOTES, tmp_path / "notes")
    monkeypatch.setenv("NOTES_KEY", TOKEN)
    monkeypatch.setenv("FEED_KEY", FEED_KEY)
    return tmp_path / "notes"


def _target(contract: Contract, method: str, path: str) -> Target:
    target = contract.resolve(method, LOCAL + path, frozenset({"127.0.0.1"}))
    assert target is not None and target.operation is not None, (method, path)
    return target


def _findings(out: str) -> list[dict[str, Any]]:
    """The findings of the JSON report in a command's output (stderr lines before or after
    it: the report is flushed when written)."""
    report, _ = json.JSONDecoder().raw_decode(out, out.index("{"))
    findings: list[dict[str, Any]] = report["findings"]
    return findings


def _record_live(target: str, base: str, doc_set: Path) -> tuple[int, str]:
    """`doctract run TARGET --live BASE --record all`, findings as JSON, from the doc set."""
    return invoke(
        "run", target, "--live", base, "--record", "all", "--format", "json", "--no-progress",
        cwd=doc_set,
    )  # fmt: skip


# --- a live run against the Notes API ------------------------------------------------------


def test_a_live_run_chains_ids_and_etags_from_the_contract_and_cleans_up(doc_set: Path) -> None:
    with notes_api(TOKEN, FEED_KEY) as (base, api):
        code, out = _record_live("docs", base, doc_set)
    findings = _findings(out)
    assert code == 0, out
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("cleanup-unavailable", "docs/tags-and-exports.md", 49)
    ]
    (export,) = api.exports
    assert f"exports {export}" in findings[0]["message"]
    # the doc's ids (nb_4f7Qa9, note_x81Kd0, nb_R3c1p2) went out as the live ones
    sent = [(s.method, s.path, s.status) for s in api.seen]
    assert all(status < 400 for method, _, status in sent if method != "DELETE"), sent
    assert not any("nb_4f7Qa9" in p or "nb_R3c1p2" in p or "note_x81" in p for _, p, _ in sent)
    # the doc's If-Match "1" stood for the ETag the API sent for that notebook
    (put,) = [s for s in api.seen if s.method == "PUT"]
    assert put.headers["If-Match"] not in ('"1"', "1") and put.status == 200
    # credentials where the contract puts them: a header, and a query key for the feed
    assert all(s.headers.get("X-Auth-Token") == TOKEN for s in api.seen if "feed" not in s.path)
    (feed,) = [s for s in api.seen if s.path.endswith("/feed")]
    assert feed.query["feed_key"] == [FEED_KEY] and "X-Auth-Token" not in feed.headers
    # cleanup: the contract's DELETE for what is left (the tag by the slug the client chose);
    # the export has no DELETE
    assert (api.notebooks, api.tags) == ({}, {})
    assert ("DELETE", "/tags/urgent", 202) in sent
    # the recording replays offline, the same way
    code, out = invoke("run", "docs", "--format", "json", "--no-progress", cwd=doc_set)
    assert (code, _findings(out)) == (0, []), out


def test_live_without_record_sends_to_the_api_and_records_what_is_missing(doc_set: Path) -> None:
    """The reported bug: `--live URL` without `--record` stayed offline (every request
    cassette-missing); it records what the cassettes lack (--record once)."""
    with notes_api(TOKEN, FEED_KEY) as (base, api):
        code, out = invoke("run", "docs", "--live", base, "--no-progress", cwd=doc_set)
    assert "recording missing interactions (--record once)" in out
    assert code == 0 and "cassette-missing" not in out, out
    assert len(api.seen) >= 9
    assert sorted(p.name for p in (doc_set / "cassettes").glob("*.yaml")) == [
        "docs__getting-started.yaml",
        "docs__tags-and-exports.yaml",
    ]


def test_plain_pytest_with_a_live_url_records_too(doc_set: Path, tmp_path: Path) -> None:
    """The pytest plugin's `--doctract-live URL` without `--doctract-record` sends to the API
    (record once), as `doctract run` does."""
    assert invoke("generate", "docs", "--out", "features", cwd=doc_set)[0] == 0
    (doc_set / "test_tutorials.py").write_text(
        'from pytest_bdd import scenarios\n\nscenarios("features")\n'
    )
    with notes_api(TOKEN, FEED_KEY) as (base, api):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "test_tutorials.py",
                f"--doctract-live={base}",
            ],
            cwd=doc_set,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert api.seen and (doc_set / "cassettes" / "docs__getting-started.yaml").is_file()


def test_the_x_auth_token_is_written_nowhere(doc_set: Path, tmp_path: Path) -> None:
    """Secret planting with a custom auth header scheme: the token (and the feed key), kept
    under names that do not look secret and sent where the contract's security schemes say,
    and a literal token a doc writes, reach no file doctract writes and none of its output."""
    exe = Path(sys.executable).with_name("doctract")
    if not exe.exists():
        pytest.skip("the doctract console script is not installed")
    literal = "xat-PLANT-literal-5be0"
    (doc_set / "docs" / "literal-token.md").write_text(
        "# A notebook of my own\n\n## Create it\n\n```bash\n"
        f"curl -X POST \"$NOTES_URL/notebooks\" -H 'X-Auth-Token: {literal}' "
        "-H 'Content-Type: application/json' -d '{\"name\": \"Mine\"}'\n```\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NOTES_KEY": TOKEN, "FEED_KEY": FEED_KEY}
    # the feature says `{X_AUTH_TOKEN}` where the doc wrote its literal token: configured, the
    # request succeeds (a failing one would show the doc's own line in the HTML report)
    env["X_AUTH_TOKEN"] = TOKEN
    out = tmp_path / "out"
    with notes_api(TOKEN, FEED_KEY) as (base, api):
        commands = [
            ["generate", "docs", "--out", str(out / "features")],
            [
                "run",
                str(out / "features"),
                "--live",
                base,
                "--record",
                "all",
                "--cassettes",
                str(out / "cassettes"),
                "--report-dir",
                str(out / "report"),
                "--history",
                str(out / "history"),
            ],
            [
                "run",
                str(out / "features"),
                "--cassettes",
                str(out / "cassettes"),
                "--report-dir",
                str(out / "offline"),
                "--format",
                "json",
            ],
            ["diff", str(out / "cassettes"), str(out / "cassettes")],
        ]
        runs = [
            subprocess.run(
                [str(exe), *command], cwd=doc_set, env=env, capture_output=True, text=True
            )
            for command in commands
        ]
    outputs = [text for done in runs for text in (done.stdout, done.stderr)]
    assert [done.returncode for done in runs] == [0, 0, 0, 0], outputs
    assert any(s.headers.get("X-Auth-Token") == TOKEN for s in api.seen)  # it was sent
    written = {p: p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()}
    assert {".feature", ".yaml", ".html", ".xml", ".json"} <= {p.suffix for p in written}
    for secret in (TOKEN, FEED_KEY, literal):
        leaks = [str(p) for p, text in written.items() if secret in text]
        leaks += [f"output {i}" for i, text in enumerate(outputs) if secret in text]
        assert leaks == [], f"{secret} leaked into {leaks}"


# --- what a POST created -----------------------------------------------------------------


def test_the_id_comes_from_location_then_the_schema_then_the_request(notes: Contract) -> None:
    made = created_by(
        _target(notes, "POST", "/notebooks"),
        LOCAL + "/notebooks",
        '{"name": "A"}',
        201,
        {"Location": "/notebooks/nb_1"},
        {"id": "ignored", "name": "A"},
        12,
    )
    assert made is not None and made.delete is not None
    assert (made.what, made.url, made.line) == ("notebooks nb_1", LOCAL + "/notebooks/nb_1", 12)
    assert made.delete.operation_id == "deleteNotebook"
    # {note_handle}: the response field whose name ends the parameter's
    note = created_by(
        _target(notes, "POST", "/notebooks/nb_1/notes"),
        LOCAL + "/notebooks/nb_1/notes",
        '{"title": "t"}',
        201,
        {},
        {"handle": "note_9", "title": "t"},
        20,
    )
    assert note is not None and note.url == LOCAL + "/notebooks/nb_1/notes/note_9"
    assert note.field == "handle"
    # a client-chosen id: the request's `slug` for {tag_slug}, the answer being a task
    tag = created_by(
        _target(notes, "POST", "/tags"),
        LOCAL + "/tags",
        '{"slug": "urgent"}',
        202,
        {},
        {"taskId": 4, "status": "enqueued", "enqueuedAt": "2024-01-01T00:00:00Z"},
        30,
    )
    assert tag is not None and (tag.url, tag.field) == (LOCAL + "/tags/urgent", None)
    # readOnly marks the id; the contract has no DELETE for exports
    export = created_by(
        _target(notes, "POST", "/exports"),
        LOCAL + "/exports",
        '{"notebookId": "nb_1"}',
        201,
        {},
        {"exportId": "exp_2", "notebookId": "nb_1", "status": "ready"},
        40,
    )
    assert export is not None and (export.id, export.delete) == ("exp_2", None)


def test_a_post_that_creates_nothing_addressable_is_not_remembered(notes: Contract) -> None:
    target = _target(notes, "POST", "/notebooks")
    assert created_by(target, LOCAL + "/notebooks", None, 400, {}, {"message": "x"}, 1) is None
    assert created_by(target, LOCAL + "/notebooks", None, 201, {}, {"name": "no id"}, 1) is None


# --- credentials -----------------------------------------------------------------------------

COOKIE_CONTRACT = """
openapi: 3.1.0
info: {title: cookies, version: "1"}
servers: [{url: "http://localhost:8080"}]
security: [{Session: []}]
paths:
  /boards:
    post:
      responses: {"201": {description: created}}
  /boards/{boardId}:
    delete:
      parameters: [{name: boardId, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: deleted}}
components:
  securitySchemes:
    Session: {type: apiKey, in: cookie, name: board_session}
"""


def test_credentials_are_filled_where_the_contract_puts_them(
    notes: Contract, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTES_KEY", TOKEN)
    monkeypatch.setenv("DOCTRACT_FEED_KEY", FEED_KEY)
    creds = Credentials({}, fake=False)
    header = creds.fill(
        Message("GET", LOCAL + "/notebooks/nb_1", (("X-Auth-Token", "$NOTES_KEY"),), None),
        credentials_of(_target(notes, "GET", "/notebooks/nb_1")),
    )
    assert header.headers == (("X-Auth-Token", TOKEN),)
    query = creds.fill(
        Message("GET", LOCAL + "/notebooks/nb_1/feed?feed_key=YOUR_FEED_KEY&x=1", (), None),
        credentials_of(_target(notes, "GET", "/notebooks/nb_1/feed")),
    )
    assert query.url == f"{LOCAL}/notebooks/nb_1/feed?feed_key={FEED_KEY}&x=1"
    assert {TOKEN, FEED_KEY} <= creds.secrets  # scrubbed from whatever doctract writes
    # cleanup's DELETE carries the token the doc's requests sent (not a fake, not nothing)
    delete = _target(notes, "DELETE", "/notebooks/nb_1").operation
    assert delete is not None
    message = creds.for_operation(delete, LOCAL + "/notebooks/nb_1", "DELETE")
    assert dict(message.headers)["X-Auth-Token"] == TOKEN


def test_cookie_and_query_credentials_reach_cleanup_and_fakes_stay_local() -> None:
    contract = Contract.from_text(COOKIE_CONTRACT, "cookies.yaml")
    delete = _target(contract, "DELETE", "/boards/b1").operation
    assert delete is not None
    doc = Message(
        "POST", LOCAL + "/boards", (("Cookie", "theme=dark; board_session=<session>"),), None
    )
    creds = Credentials({"SESSION": "sess-1234"}, fake=False)
    filled = creds.fill(doc, credentials_of(_target(contract, "POST", "/boards")))
    assert dict(filled.headers)["Cookie"] == "theme=dark; board_session=sess-1234"
    cleanup = creds.for_operation(delete, LOCAL + "/boards/b1", "DELETE")
    assert dict(cleanup.headers)["Cookie"] == "board_session=sess-1234"
    # nothing configured: a fake against a local server, the placeholder as written otherwise
    fresh = Credentials({}, fake=True).for_operation(delete, LOCAL + "/boards/b1", "DELETE")
    assert dict(fresh.headers)["Cookie"] == "board_session=doctract-fake-board-session"
    query = Credential("Key", "query", "api_key", "apiKey")
    unset = Credentials({}, fake=False).fill(
        Message("GET", LOCAL + "/boards?api_key=YOUR_API_KEY", (), None), [query]
    )
    assert unset.url.endswith("api_key=YOUR_API_KEY")


def test_a_literal_credential_in_a_custom_header_never_reaches_a_feature() -> None:
    call = Call(
        1,
        "s",
        3,
        "GET",
        "$NOTES_URL/notebooks",
        (("X-Auth-Token", "xat-literal-0001"), ("PRIVATE-TOKEN", "$GITLAB_TOKEN")),
        None,
        None,
        None,
        3,
        None,
    )
    text = http_message(call)
    assert "xat-literal-0001" not in text
    assert "X-Auth-Token: {X_AUTH_TOKEN}" in text and "PRIVATE-TOKEN: $GITLAB_TOKEN" in text


def test_urls_written_without_a_scheme_go_to_the_live_base() -> None:
    base = "http://127.0.0.1:9"
    assert rebase("$NOTES_URL/notebooks?x=1", base) == base + "/notebooks?x=1"
    assert rebase("MEILISEARCH_URL/indexes", base) == base + "/indexes"
    assert rebase("https://api.example.com/notebooks", base) == base + "/notebooks"


# --- etags, volatile values -------------------------------------------------------------


def test_a_doc_etag_stands_for_the_live_one_and_a_stale_one_stays_stale() -> None:
    etags = Etags()
    url = LOCAL + "/notebooks/nb_1"
    assert etags.live(url, '"1"') is None  # no ETag seen: sent as written
    etags.saw(url, '"a.1"')
    assert etags.live(url, '"1"') == '"a.1"'
    etags.saw(url, '"a.2"')
    assert etags.live(url, '"2"') == '"a.2"'
    assert etags.live(url, '"1"') == '"a.1"'  # the doc sends its old etag: the API says 412


def test_values_the_contract_gives_a_volatile_format_are_compared_for_presence_only(
    notes: Contract,
) -> None:
    op = _target(notes, "GET", "/notebooks/nb_1").operation
    assert op is not None
    volatile = volatile_fields(notes.document, response_schema(notes.document, op, 200))
    assert volatile == {"createdAt", "lastOpened"}
    doc = {"id": "nb_1", "name": "A", "noteCount": 0}
    live = {**doc, "lastOpened": "2024-01-01T00:00:00Z", "pinned": True}
    assert shape_differences(doc, live) == [
        "lastOpened is not documented",  # no name rule knows it; its format does
        "pinned is not documented",
    ]
    assert shape_differences(doc, live, volatile_fields=volatile) == ["pinned is not documented"]


# --- which side is wrong --------------------------------------------------------------------


def test_the_likely_culprit_is_the_side_that_breaks_the_contract(notes: Contract) -> None:
    op = _target(notes, "GET", "/notebooks/nb_1").operation
    assert op is not None
    good = {"id": "nb_1", "name": "A", "createdAt": "2024-01-01T00:00:00Z", "noteCount": 1}
    bad = {**good, "noteCount": "one"}
    doc_wrong = judge(notes, op, Evidence(doc_example=bad, live_status=200, live_body=good))
    assert doc_wrong is not None and doc_wrong.side == DOC and "noteCount" in doc_wrong.reason
    api_wrong = judge(notes, op, Evidence(doc_example=good, live_status=200, live_body=bad))
    assert api_wrong is not None and api_wrong.side == API
    both = judge(notes, op, Evidence(doc_example=bad, live_status=200, live_body=bad))
    assert both is not None and both.side == CONTRACT
    status = judge(notes, op, Evidence(doc_status=203, live_status=203, live_body=good))
    assert status is not None and status.side == CONTRACT and "203" in status.reason
    assert judge(notes, op, Evidence(doc_example=good, live_status=200, live_body=good)) is None
    assert doc_wrong.hint("update the example").startswith("most likely the doc is wrong: ")


def test_a_diverging_request_names_the_likely_culprit_in_its_hint(doc_set: Path) -> None:
    doc = doc_set / "docs" / "getting-started.md"
    doc.write_text(doc.read_text().replace('"noteCount": 1', '"noteCount": "one"', 1))
    with notes_api(TOKEN, FEED_KEY) as (base, _):
        _, out = _record_live("docs/getting-started.md", base, doc_set)
    (finding,) = _findings(out)
    assert (finding["rule"], finding["line"]) == ("response-shape-mismatch", 61), out
    assert finding["hint"].startswith(
        "most likely the doc is wrong: its example breaks the contract (noteCount: "
    )
    assert finding["hint"].endswith("; update the example to what the API returns")


def test_a_create_that_failed_blocks_the_requests_that_need_its_id(doc_set: Path) -> None:
    """The doc's notebook id (not id-looking: `nb_4f7Qa9`) is where the contract says a
    created notebook's id is; when the create fails, the requests that need it are blocked,
    not sent to fail again."""
    doc = doc_set / "docs" / "getting-started.md"
    doc.write_text(doc.read_text().replace('{"name": "Groceries"}', '{"title": "Groceries"}'))
    with notes_api(TOKEN, FEED_KEY) as (base, api):
        _, out = _record_live("docs/getting-started.md", base, doc_set)
    found = [(f["rule"], f["line"]) for f in _findings(out)]
    assert found == [
        ("request-rejected", 12),
        ("blocked-step", 35),
        ("blocked-step", 54),
        ("blocked-step", 74),
        ("blocked-step", 93),
    ], out
    assert [s.path for s in api.seen] == ["/notebooks"]


def test_query_credentials_are_scrubbed_from_results_by_the_contract_name() -> None:
    by_contract = Scrubber(names=Secrets(query=frozenset({"feed_key"})))
    assert by_contract.query("feed_key=abc&x=1") == f"feed_key={SCRUBBED}&x=1"
    assert NO_SECRETS.query("feed_key=abc&x=1") == "feed_key=abc&x=1"


# --- hints ----------------------------------------------------------------------------------


def test_replay_hints_name_the_live_api_unless_the_profile_has_an_emulator(doc_set: Path) -> None:
    code, out = invoke("run", "docs", "--format", "json", "--no-progress", cwd=doc_set)
    hints = {f["hint"] for f in _findings(out) if f["rule"] == "cassette-missing"}
    assert code == 1 and hints == {
        "record it against the API: doctract run --live URL --record all (or from an "
        "emulator of its contract: --emulator --record all)"
    }, out
    # --emulator serves the doc set's own contract (the generic emulator), never Adobe's
    code, out = invoke("run", "docs", "--emulator", "--no-progress", cwd=doc_set)
    assert code in (0, 1) and "flow-service" not in out and "Flow Service" not in out, out
    assert "cassette-missing" not in out and "no such endpoint" not in out, out
    generic = Replay("doc.md", ReplayOptions(api=Api.build(None, (), None)))
    assert "emulator" not in generic.record_hint()
    flow = Replay("doc.md", ReplayOptions(api=Api.build("flow-service", (), None)))
    assert "--emulator" in flow.record_hint()


# --- the Meilisearch contract -----------------------------------------------------------------


def test_meilisearch_index_ids_are_chosen_by_the_client(meili: Contract) -> None:
    target = _target(meili, "POST", "/indexes")
    task = {"taskUid": 3, "indexUid": "movies", "status": "enqueued", "type": "indexCreation"}
    made = created_by(target, LOCAL + "/indexes", '{"uid": "movies"}', 202, {}, task, 9)
    assert made is not None and made.delete is not None
    assert (made.url, made.delete.operation_id) == (LOCAL + "/indexes/movies", "delete_index")
    # the task names it too (`indexUid` for {index_uid}); without it, the request's `uid`
    task.pop("indexUid")
    made = created_by(target, LOCAL + "/indexes", '{"uid": "movies"}', 202, {}, task, 9)
    assert made is not None and made.url == LOCAL + "/indexes/movies"


def test_meilisearch_keys_and_webhooks_are_deleted_by_their_uid(meili: Contract) -> None:
    key = {"uid": "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc", "key": "d0552b41536279a0ad88bd59"}
    made = created_by(
        _target(meili, "POST", "/keys"),
        LOCAL + "/keys",
        '{"actions": ["search"]}',
        201,
        {},
        {**key, "actions": ["search"], "indexes": ["*"]},
        5,
    )
    # never the key itself (a credential: {key} has format password): its uid
    assert made is not None and made.url == LOCAL + "/keys/" + key["uid"]
    hook = {"uuid": "550e8400-e29b-41d4-a716-446655440000", "url": "https://x", "isEditable": True}
    made = created_by(
        _target(meili, "POST", "/webhooks"),
        LOCAL + "/webhooks",
        '{"url": "https://x"}',
        201,
        {},
        hook,
        5,
    )
    assert made is not None and made.id == hook["uuid"]


def test_a_meilisearch_search_creates_nothing(meili: Contract) -> None:
    search = _target(meili, "POST", "/indexes/movies/search")
    assert created_by(search, LOCAL, '{"q": "x"}', 200, {}, {"hits": []}, 1) is None


def test_meilisearch_bearer_keys_and_volatile_task_dates(
    meili: Contract, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEILISEARCH_KEY", "meili-key-0042")
    target = _target(meili, "POST", "/indexes")
    doc = Message("POST", LOCAL + "/indexes", (("Authorization", "Bearer MEILISEARCH_KEY"),), None)
    creds = Credentials({}, fake=False)
    filled = creds.fill(doc, credentials_of(target))
    assert filled.headers == (("Authorization", "Bearer meili-key-0042"),)
    assert "meili-key-0042" in creds.secrets
    assert target.operation is not None
    task = response_schema(meili.document, target.operation, 202)
    assert {"enqueuedAt"} <= volatile_fields(meili.document, task)


def test_meilisearch_doc_and_api_agreeing_against_the_contract_blame_the_contract(
    meili: Contract,
) -> None:
    target = _target(meili, "POST", "/indexes")
    assert target.operation is not None
    task = {
        "taskUid": 0,
        "indexUid": "movies",
        "status": "enqueued",
        "type": "indexCreation",
        "enqueuedAt": "2024-08-11T09:25:53Z",
    }
    odd = {**task, "status": "queued"}
    live = Evidence(
        doc_request={"uid": "movies"},
        doc_example=odd,
        doc_status=202,
        live_status=202,
        live_body=odd,
    )
    verdict = judge(meili, target.operation, live)
    assert verdict is not None and verdict.side == CONTRACT and "status" in verdict.reason
    wrong_request = Evidence(
        doc_request={"uid": "movies", "primary": "id"},
        doc_example=task,
        doc_status=202,
        live_status=202,
        live_body=task,
    )
    verdict = judge(meili, target.operation, wrong_request)
    assert verdict is not None and verdict.side == DOC and "request" in verdict.reason


def test_a_response_breaking_the_contract_several_ways_is_one_violation_not_a_crash() -> None:
    """schemathesis raises several violations as one FailureGroup, a BaseExceptionGroup that
    `except Exception` let through: the request became internal-error and request-not-sent."""
    api = Api.build(None, (ContractSource(str(NOTES / "openapi.yaml")),), None)
    replay = Replay("doc.md", ReplayOptions(api=api))
    response = requests.Response()
    response.status_code = 200
    response._content = json.dumps({"id": 5, "title": 7, "noteCount": "x"}).encode()
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request("GET", "http://localhost:8080/notebooks/nb1").prepare()
    response.url = str(response.request.url)
    message = Message("GET", "http://localhost:8080/notebooks/nb1", (), None)
    summary = replay._validate_contract(1, message, response, Outcome(10, "Read it", status=200))
    assert summary is not None and "more)" in summary
    [finding] = replay.findings
    assert finding.rule == "response-contract-violation" and finding.line == 10
    assert "breaks the OpenAPI contract" in finding.message


@pytest.mark.parametrize("which", ["notes", "meilisearch", "flow-service"])
def test_each_operation_is_checked_by_schemathesis_against_its_own_definition(
    which: str, notes: Contract
) -> None:
    """The operation schemathesis validates a response with is the one doctract's router
    matched (found by its place in the document, not by matching the path a second time)."""
    from doctract.contract.pointers import parts
    from doctract.replay.session import _schemathesis_operation

    if which == "notes":
        contract = notes
    elif which == "meilisearch":
        if not MEILISEARCH.is_file():
            pytest.skip(f"the Meilisearch contract is not at {MEILISEARCH} (../shared is absent)")
        contract = Contract.load(ContractSource(str(MEILISEARCH)))
    else:
        (contract,) = Api.build("flow-service", (), None).contracts.contracts
    checked = 0
    for operation in contract.operations:
        if operation.opaque:
            continue
        found = _schemathesis_operation(contract, operation, operation.template)
        assert found is not None, operation
        assert found.method.upper() == operation.method
        assert ["paths", found.path, found.method.lower()] == parts(operation.pointer), operation
        assert found.definition.raw.get("operationId", "") == operation.operation_id
        checked += 1
    assert checked >= 3
