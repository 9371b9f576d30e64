"""The generic emulator serves any OpenAPI contract statefully.

A small contract written for these tests (`tests/fixtures/apis/notebook/`, an `X-Auth-Token`
API with page/per_page paging, ETags with If-Match, JSON Patch and merge patch, a settings
object, jobs) and the published Meilisearch contract (`../shared/corpora/meilisearch/`, skipped
where it is absent): CRUD lifecycles, the HTTP errors, and schemathesis' generated and stateful
tests against both and against the Flow Service contract served without its profile's rules.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from starlette.testclient import TestClient

from conftest import FIXTURES, ROOT, invoke
from doctract.api import Api as DoctractApi
from doctract.contract import Contract, ContractSet, ContractSource
from doctract.emulator import create_app
from doctract.emulator.behaviours import Outcome
from doctract.emulator.engine import GenericEmulator, Hooks, load_contract
from doctract.emulator.errors import ApiError
from doctract.emulator.faults import FaultPlan
from doctract.emulator.incoming import Call, Wording
from doctract.emulator.inference import Behaviour
from doctract.emulator.server import running_generic_emulator
from doctract.profile import load_profile
from doctract.profiles.flow_service.emulator import FlowServiceHooks
from doctract.specs import FLOW_SERVICE, spec_text

NOTES = FIXTURES / "apis" / "notebook" / "openapi.yaml"
MEILISEARCH = ROOT.parent / "shared" / "corpora" / "meilisearch" / "openapi.json"
TOKEN = {"X-Auth-Token": "notes-test-token"}
BEARER = {"Authorization": "Bearer meili-test-key"}
RESPONSE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
CHECKS = [*RESPONSE_CHECKS, negative_data_rejection, ignored_auth]


class Api:
    """A TestClient on a generic emulator; `call` returns (status, headers, body)."""

    def __init__(self, contract: Contract, headers: dict[str, str], prefix: str = "") -> None:
        self.emulator = GenericEmulator(contract, deterministic=True)
        self.client = TestClient(self.emulator)
        self.headers = headers
        self.prefix = prefix

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        media: str = "application/json",
    ) -> tuple[int, dict[str, str], Any]:
        sent = {**self.headers, **(headers or {})}
        content = None
        if body is not None:
            sent.setdefault("Content-Type", media)
            content = json.dumps(body).encode()
        response = self.client.request(method, self.prefix + path, content=content, headers=sent)
        try:
            payload = response.json() if response.content else None
        except ValueError:
            payload = response.text
        return response.status_code, dict(response.headers), payload

    def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        status, _, payload = self.call(method, path, body, **kwargs)
        assert 200 <= status < 300, (method, path, status, payload)
        return payload


@pytest.fixture
def notes() -> Api:
    return Api(load_contract(str(NOTES)), TOKEN, prefix="/v2")


@pytest.fixture(scope="module")
def meilisearch_contract() -> Contract:
    if not MEILISEARCH.is_file():
        pytest.skip(f"the Meilisearch corpus is not at {MEILISEARCH} (../shared is absent)")
    return load_contract(str(MEILISEARCH))


@pytest.fixture
def meili(meilisearch_contract: Contract) -> Api:
    return Api(meilisearch_contract, BEARER)


# --- the notes contract: resources, collections, singletons, receipts --------------------------


def test_create_read_list_and_paging(notes: Api) -> None:
    status, headers, created = notes.call(
        "POST", "/notebooks", {"title": "Ideas", "color": "red", "password": "hunter2"}
    )
    assert status == 201
    assert uuid.UUID(created["id"]).version == 4
    assert created["title"] == "Ideas" and created["color"] == "red"
    assert created["archived"] is False  # the schema's default
    assert created["createdAt"].endswith("Z") and "password" not in created  # writeOnly
    assert headers["location"] == f"/v2/notebooks/{created['id']}"
    assert headers["etag"].startswith('"')
    status, read_headers, read = notes.call("GET", f"/notebooks/{created['id']}")
    assert (status, read) == (200, created) and read_headers["etag"] == headers["etag"]
    for title, color in (("Plans", "blue"), ("Lists", "red")):
        notes.ok("POST", "/notebooks", {"title": title, "color": color})
    first = notes.ok("GET", "/notebooks?per_page=2")
    assert [n["title"] for n in first["data"]] == ["Ideas", "Plans"]
    assert (first["page"], first["per_page"], first["total_count"], first["has_more"]) == (
        1,
        2,
        3,
        True,
    )
    second = notes.ok("GET", "/notebooks?per_page=2&page=2")
    assert [n["title"] for n in second["data"]] == ["Lists"] and second["has_more"] is False
    red = notes.ok("GET", "/notebooks?color=red")
    assert [n["title"] for n in red["data"]] == ["Ideas", "Lists"]


def test_etags_guard_merge_patch_and_json_patch(notes: Api) -> None:
    status, headers, book = notes.call("POST", "/notebooks", {"title": "Ideas", "color": "red"})
    path, etag = f"/notebooks/{book['id']}", headers["etag"]
    merge = "application/merge-patch+json"
    status, _, body = notes.call("PATCH", path, {"title": "New"}, media=merge)
    assert status == 428 and "If-Match" in body["message"]
    status, _, body = notes.call(
        "PATCH", path, {"title": "New"}, headers={"If-Match": '"stale"'}, media=merge
    )
    assert status == 412 and body["code"] == "precondition_failed"
    status, headers, body = notes.call(
        "PATCH", path, {"title": "New", "color": None}, headers={"If-Match": etag}, media=merge
    )
    assert status == 200 and body["title"] == "New" and "color" not in body  # null removes
    assert headers["etag"] != etag and body["createdAt"] == book["createdAt"]
    patch = [{"op": "replace", "path": "/archived", "value": True}]
    status, headers, body = notes.call(
        "PATCH",
        path,
        patch,
        headers={"If-Match": headers["etag"]},
        media="application/json-patch+json",
    )
    assert status == 200 and body["archived"] is True and body["title"] == "New"
    assert notes.call("DELETE", path, headers={"If-Match": etag})[0] == 412
    assert notes.call("DELETE", path, headers={"If-Match": headers["etag"]})[0] == 204
    assert notes.call("GET", path)[0] == 404


def test_nested_collection_lives_and_dies_with_its_item(notes: Api) -> None:
    book = notes.ok("POST", "/notebooks", {"title": "Ideas"})
    notes_path = f"/notebooks/{book['id']}/notes"
    first = notes.ok("POST", notes_path, {"text": "milk", "tags": ["shopping"]})
    second = notes.ok("POST", notes_path, {"text": "call Ada"})
    assert (first["id"], second["id"]) == (1, 2)  # integer ids count up
    assert second["tags"] == []  # a required field the request left out, built
    assert notes.ok("GET", f"{notes_path}?limit=1&offset=1") == [second]
    assert notes.ok("GET", f"{notes_path}?tag=shopping") == [first]
    replaced = notes.ok("PUT", f"{notes_path}/1", {"text": "oat milk"})
    assert replaced["tags"] == [] and replaced["createdAt"] == first["createdAt"]
    assert notes.ok("GET", f"{notes_path}/1") == replaced
    missing = f"/notebooks/{uuid.uuid4()}/notes"
    status, _, body = notes.call("POST", missing, {"text": "x"})
    assert status == 404 and "no notebook" in body["message"]
    notes.ok("DELETE", f"/notebooks/{book['id']}")
    assert notes.call("GET", f"{notes_path}/1")[0] == 404


def test_singleton_keeps_what_was_written(notes: Api) -> None:
    book = notes.ok("POST", "/notebooks", {"title": "Ideas"})
    sharing = f"/notebooks/{book['id']}/sharing"
    assert notes.ok("GET", sharing) == {"public": False, "readers": []}  # its example
    stored = {"public": True, "readers": ["ada@example.com"]}
    assert notes.ok("PUT", sharing, stored) == stored
    assert notes.ok("GET", sharing) == stored
    assert notes.call("GET", f"/notebooks/{uuid.uuid4()}/sharing")[0] == 404


def test_receipt_names_the_item_and_stores_a_finished_job(notes: Api) -> None:
    book = notes.ok("POST", "/notebooks", {"title": "Ideas"})
    status, _, ticket = notes.call("POST", f"/notebooks/{book['id']}/export")
    assert status == 202
    assert ticket["notebookId"] == book["id"] and ticket["state"] == "queued"
    job = notes.ok("GET", f"/jobs/{ticket['jobId']}")
    assert job["id"] == ticket["jobId"] and job["notebookId"] == book["id"]
    assert job["state"] == "done"  # writes apply at once: the job is finished
    assert notes.call("GET", f"/jobs/{ticket['jobId'] + 1}")[0] == 404


def test_operations_it_cannot_infer_answer_their_example(notes: Api) -> None:
    assert notes.ok("GET", "/stats") == {"notebooks": 12, "notes": 345}
    limits = notes.emulator.describe()
    assert limits == [
        "GET /stats: not a collection, an item or a singleton; answers its documented example",
        "POST /notebooks/{notebookId}/export: not a collection, an item or a singleton; "
        "answers its documented example",
    ]


def test_http_errors_in_the_contracts_error_shape(notes: Api) -> None:
    status, _, body = notes.call("GET", "/notepads")
    assert status == 404 and body == {
        "code": "not_found",
        "message": "no such endpoint: /v2/notepads",
    }
    status, headers, body = notes.call("PUT", "/notebooks")
    assert status == 405 and headers["allow"] == "GET, POST" and "PUT" in body["message"]
    status, _, body = notes.call("POST", "/notebooks", {"title": "", "colour": "red"})
    assert status == 400 and body["code"] == "bad_request"
    assert {e["path"] for e in body["errors"]} == {"body/title", "body/colour"}
    status, _, body = notes.call("POST", "/notebooks", {"title": "x"}, headers={"X-Auth-Token": ""})
    assert status == 401 and "X-Auth-Token" in body["message"]
    status, _, body = notes.call("POST", "/notebooks", {"title": "x"}, media="text/csv")
    assert status == 415 and body["code"] == "unsupported_media_type"
    status, _, body = notes.call("GET", "/notebooks?per_page=500&sort=title")
    assert status == 400
    assert {e["path"] for e in body["errors"]} == {"query.per_page", "query.sort"}
    raw = notes.client.post(
        "/v2/notebooks", content=b"{nope", headers={**TOKEN, "Content-Type": "application/json"}
    )
    assert raw.status_code == 400 and "not valid JSON" in raw.json()["message"]


def test_a_profile_rule_answers_refuses_or_leaves_a_call() -> None:
    def archived_books_do_not_export(
        call: Call, behaviour: Behaviour, emulator: GenericEmulator
    ) -> Outcome | None:
        if call.operation.operation_id == "exportNotebook":
            books = emulator.plan.collections[0]
            _, book = emulator.behaviours.find(call, books)
            if book.value.get("archived"):
                raise ApiError(409, "an archived notebook cannot be exported")
        if call.operation.operation_id == "getStats":
            return Outcome(200, {"notebooks": len(emulator.store.items("/notebooks")), "notes": 0})
        return None

    contract = load_contract(str(NOTES))
    client = TestClient(GenericEmulator(contract, rules=(archived_books_do_not_export,)))
    kept = client.post("/notebooks", json={"title": "Kept"}, headers=TOKEN).json()
    old = client.post("/notebooks", json={"title": "Old", "archived": True}, headers=TOKEN).json()
    assert client.post(f"/notebooks/{kept['id']}/export", headers=TOKEN).status_code == 202
    refused = client.post(f"/notebooks/{old['id']}/export", headers=TOKEN)
    assert refused.status_code == 409 and refused.json() == {
        "code": "conflict",
        "message": "an archived notebook cannot be exported",
    }
    assert client.get("/stats", headers=TOKEN).json() == {"notebooks": 2, "notes": 0}


def test_hooks_change_the_checks_the_wording_and_the_error_shape() -> None:
    class Strict(Hooks):
        wording = Wording(takes="this endpoint takes", verbatim=True)

        def authorize(self, op: Any, headers: Any, query: Any, accepted: Any) -> None:
            if headers.get("x-auth-token") != "right":
                raise ApiError(403, "the x-auth-token header is not the right one")

        def error(self, status: int, detail: str, errors: list[Any]) -> tuple[Any, str]:
            return {"problem": detail, "count": len(errors)}, "application/vnd.error+json"

    client = TestClient(GenericEmulator(load_contract(str(NOTES)), hooks=Strict()))
    refused = client.get("/notebooks", headers=TOKEN)
    assert refused.status_code == 403 and refused.json() == {
        "problem": "the x-auth-token header is not the right one",
        "count": 0,
    }
    assert refused.headers["content-type"] == "application/vnd.error+json"
    right = {"X-Auth-Token": "right"}
    unknown = client.get("/notebooks?nope=1", headers=right).json()["problem"]
    assert "unknown query parameter 'nope' (this endpoint takes " in unknown
    quoted = client.post("/notebooks", json={"title": 5}, headers=right).json()["problem"]
    assert "5 is not of type 'string'" in quoted  # as jsonschema words it


def test_the_flow_service_emulator_is_the_engine_with_its_profiles_rules() -> None:
    profile = load_profile("flow-service")
    assert profile.emulator_rules == "doctract.profiles.flow_service.emulator:hooks"
    app = create_app(deterministic=True)
    assert isinstance(app, GenericEmulator) and isinstance(app.hooks, FlowServiceHooks)
    client = TestClient(app)
    flows = "/data/foundation/flowservice/flows"
    status = client.get(flows, headers={"Authorization": "Bearer t", "x-api-key": "k"})
    assert status.status_code == 403 and status.json()["type"].endswith("/FLOW-403")


def test_a_profile_that_names_only_emulator_rules_gets_the_engine_with_them() -> None:
    flow = load_profile("flow-service")
    profile = replace(flow, name="flow-rules-only", emulator=None)
    contracts = ContractSet([Contract.load(flow.contracts[0])])
    started = DoctractApi(profile, contracts).emulator()
    assert started is not None
    with started(deterministic=True) as base:
        response = httpx2.get(f"{base}/data/foundation/flowservice/flows", headers={})
    assert response.status_code == 401 and response.json()["type"].endswith("/FLOW-401")


def test_base_path_is_optional_and_the_contract_is_served(notes: Api) -> None:
    created = notes.ok("POST", "/notebooks", {"title": "Ideas"})
    assert notes.client.get(f"/notebooks/{created['id']}", headers=TOKEN).json() == created
    contract = notes.client.get("/openapi.json").json()
    assert contract["info"]["title"].startswith("Notes")


def test_deterministic_ids_repeat_and_fresh_ones_do_not() -> None:
    contract = load_contract(str(NOTES))

    def first_id(deterministic: bool) -> str:
        client = TestClient(GenericEmulator(contract, deterministic=deterministic))
        response = client.post("/notebooks", json={"title": "x"}, headers=TOKEN)
        return str(response.json()["id"])

    assert first_id(True) == first_id(True)
    assert first_id(False) != first_id(False)


# --- Meilisearch: client-chosen ids, tasks, documents, settings ---------------------------------


def test_meilisearch_index_documents_settings_lifecycle(meili: Api) -> None:
    status, _, task = meili.call("POST", "/indexes", {"uid": "movies", "primaryKey": "id"})
    assert status == 202 and task["indexUid"] == "movies" and task["status"] == "enqueued"
    done = meili.ok("GET", f"/tasks/{task['taskUid']}")
    assert (done["uid"], done["status"], done["type"]) == (
        task["taskUid"],
        "succeeded",
        "indexCreation",
    )
    index = meili.ok("GET", "/indexes/movies")
    assert index["uid"] == "movies" and index["primaryKey"] == "id"
    assert [i["uid"] for i in meili.ok("GET", "/indexes")["results"]] == ["movies"]
    docs = [{"id": n, "title": f"Movie {n}"} for n in (1, 2, 3)]
    meili.ok("POST", "/indexes/movies/documents", docs)
    page = meili.ok("GET", "/indexes/movies/documents?limit=2&offset=1")
    assert page["results"] == docs[1:] and (page["limit"], page["offset"], page["total"]) == (
        2,
        1,
        3,
    )
    meili.ok("PUT", "/indexes/movies/documents", [{"id": 2, "genre": "drama"}])  # merges
    assert meili.ok("GET", "/indexes/movies/documents/2") == {
        "id": 2,
        "title": "Movie 2",
        "genre": "drama",
    }
    meili.ok("DELETE", "/indexes/movies/documents/2")
    assert meili.call("GET", "/indexes/movies/documents/2")[0] == 404
    meili.ok("PUT", "/indexes/movies/settings/stop-words", ["the", "a"])
    assert meili.ok("GET", "/indexes/movies/settings/stop-words") == ["the", "a"]
    meili.ok("DELETE", "/indexes/movies/settings/stop-words")
    assert meili.ok("GET", "/indexes/movies/settings/stop-words") != ["the", "a"]
    meili.ok("DELETE", "/indexes/movies")
    status, _, error = meili.call("GET", "/indexes/movies/documents/1")
    assert status == 404 and error["code"] == "document_not_found"
    tasks = meili.ok("GET", "/tasks")["results"]
    assert [t["type"] for t in tasks][:2] == ["indexCreation", "documentAdditionOrUpdate"]


def test_meilisearch_writes_under_a_new_index_create_it(meili: Api) -> None:
    assert meili.call("GET", "/indexes/books")[0] == 404
    meili.ok("POST", "/indexes/books/documents", [{"book_id": "b1", "title": "Dune"}])
    assert meili.ok("GET", "/indexes/books")["uid"] == "books"
    assert meili.ok("GET", "/indexes/books/documents/b1")["title"] == "Dune"
    # a DELETE the API queues (202) under an index that does not exist is accepted all the
    # same (the task checks), and makes nothing; a read there is 404
    status, _, task = meili.call("DELETE", "/indexes/films/settings/displayed-attributes")
    assert status == 202 and task["indexUid"] == "films"
    assert meili.call("DELETE", "/indexes/films/documents/1")[0] == 202
    assert meili.call("GET", "/indexes/films")[0] == 404
    assert meili.call("GET", "/indexes/films/settings/displayed-attributes")[0] == 404


def test_meilisearch_keys_by_key_or_uid_and_errors(meili: Api) -> None:
    key = meili.ok("POST", "/keys", {"actions": ["search"], "indexes": ["*"], "expiresAt": None})
    assert meili.ok("GET", f"/keys/{key['key']}") == key
    assert meili.ok("GET", f"/keys/{key['uid']}") == key
    status, headers, body = meili.call("GET", "/indexes", headers={"Authorization": ""})
    assert status == 401 and headers["www-authenticate"] == "Bearer"
    assert set(body) == {"message", "code", "type", "link"}
    status, _, body = meili.call("POST", "/indexes", {"uid": 7})
    assert status == 400 and body["errors"] == [
        {"path": "body/uid", "message": "7 is not of type string"}
    ]


def test_meilisearch_contract_statuses_win_where_it_leaves_a_choice(meili: Api) -> None:
    meili.ok("POST", "/indexes", {"uid": "films", "primaryKey": "id"})
    # a taken uid: no 409 declared, so the create is accepted and changes nothing
    status, _, task = meili.call("POST", "/indexes", {"uid": "films", "primaryKey": "other"})
    assert status == 202 and task["indexUid"] == "films"
    assert meili.ok("GET", "/indexes/films")["primaryKey"] == "id"
    # no 404 declared for this DELETE: deleting what is not there succeeds
    assert meili.call("DELETE", "/dynamic-search-rules/nothing")[0] == 202
    # PATCH does not create an index (POST /indexes does); it creates a rule (nothing else does)
    assert meili.call("PATCH", "/indexes/nothing", {"primaryKey": "id"})[0] == 404
    meili.ok("PATCH", "/dynamic-search-rules/r1", {"active": True})
    assert meili.ok("GET", "/dynamic-search-rules/r1")["active"] is True


def test_answers_start_from_the_documented_examples(meili: Api) -> None:
    # a new index: the contract's example of one (primaryKey), the request's values over it,
    # its dates now; a key: the example's name, a uid of its own (uuids are never reused)
    meili.ok("POST", "/indexes", {"uid": "films"})
    meili.ok("POST", "/indexes", {"uid": "books", "primaryKey": "isbn"})
    films, books = meili.ok("GET", "/indexes/films"), meili.ok("GET", "/indexes/books")
    assert (films["uid"], films["primaryKey"]) == ("films", "movie_id")
    assert (books["uid"], books["primaryKey"]) == ("books", "isbn")
    assert films["createdAt"].startswith("2026-")
    assert list(films) == ["uid", "createdAt", "updatedAt", "primaryKey"]  # the schema's order
    first = meili.ok(
        "POST", "/keys", {"actions": ["search"], "indexes": ["films"], "expiresAt": None}
    )
    second = meili.ok("POST", "/keys", {"actions": ["*"], "indexes": ["*"], "expiresAt": None})
    assert first["name"] == second["name"] == "An API Key"
    assert first["uid"] != second["uid"] and first["indexes"] == ["films"]
    assert meili.ok("GET", f"/keys/{second['uid']}") == second
    # what a request sends of a document is what a read shows: documents declare nothing
    meili.ok("POST", "/indexes/films/documents", [{"id": 1, "title": "Carol"}])
    assert meili.ok("GET", "/indexes/films/documents/1") == {"id": 1, "title": "Carol"}


def test_a_doc_whose_examples_match_the_contract_sees_them() -> None:
    # the search-engine fixture documents a task and both searches: the task record starts
    # from the example (its details, duration, dates now); a search answers its own example
    contract = load_contract(str(FIXTURES / "apis" / "search-engine" / "openapi.yaml"))
    api = Api(contract, BEARER)
    task = api.ok("POST", "/indexes", {"uid": "movies", "primaryKey": "id"})
    record = api.ok("GET", f"/tasks/{task['taskUid']}")
    assert record["uid"] == task["taskUid"] and record["indexUid"] == "movies"
    assert record["details"] == {"receivedDocuments": 3, "indexedDocuments": 3}
    assert record["duration"] == "PT0.071S" and record["startedAt"].startswith("2026-")
    found = api.ok("POST", "/indexes/movies/search", {"q": "adventure", "facets": ["genres"]})
    assert found["facetDistribution"] == {"genres": {"Action": 1, "Adventure": 2, "Drama": 1}}
    assert set(api.ok("GET", "/indexes/movies/search?q=wonder")) == {
        "hits",
        "query",
        "processingTimeMs",
        "limit",
        "offset",
        "estimatedTotalHits",
    }


def test_meilisearch_text_bodies(meili: Api) -> None:
    meili.ok("POST", "/indexes", {"uid": "films"})
    sent = meili.client.put(
        "/indexes/films/settings/distinct-attribute",
        content=b"title",
        headers={**BEARER, "Content-Type": "text/plain"},
    )
    assert sent.status_code == 202
    assert meili.ok("GET", "/indexes/films/settings/distinct-attribute") == "title"
    toggled = meili.client.put(
        "/indexes/films/settings/facet-search",
        content=b"false",  # a text body whose schema is a boolean
        headers={**BEARER, "Content-Type": "text/plain"},
    )
    assert toggled.status_code == 202
    assert meili.ok("GET", "/indexes/films/settings/facet-search") is False
    # JSON where the contract takes text: 415, which it does not declare here; the body takes
    # the contract's error shape with the nearest code of its enum, not another status's
    status, _, error = meili.call("PUT", "/indexes/films/settings/facet-search", False)
    assert status == 415 and error["code"] == "unsupported_media_type"
    assert error["type"] != "auth" and "text/plain" in error["message"]


def test_server_generated_ids_are_not_created_by_put_or_patch(notes: Api) -> None:
    missing = f"/notebooks/{uuid.uuid4()}"
    merge = "application/merge-patch+json"
    status = notes.call("PATCH", missing, {"title": "x"}, {"If-Match": "*"}, merge)[0]
    assert status == 404
    book = notes.ok("POST", "/notebooks", {"title": "Ideas"})
    assert notes.call("PUT", f"/notebooks/{book['id']}/notes/7", {"text": "x"})[0] == 404


def test_an_accepted_write_it_cannot_infer_creates_the_item_it_names() -> None:
    # the search-engine fixture has no item path for documents: adding them is an operation
    # the emulator cannot infer, but its 202 says the API took it, and made the index
    search_engine = load_contract(str(FIXTURES / "apis" / "search-engine" / "openapi.yaml"))
    client = TestClient(GenericEmulator(search_engine))
    assert client.post("/indexes/movies/search", json={"q": "x"}, headers=BEARER).status_code == 404
    added = client.post("/indexes/movies/documents", json=[{"id": 1}], headers=BEARER)
    assert added.status_code == 202
    assert client.get("/indexes/movies", headers=BEARER).json()["uid"] == "movies"
    assert client.post("/indexes/movies/search", json={"q": "x"}, headers=BEARER).status_code == 200


def test_the_plan_names_what_each_operation_does() -> None:
    emulator = GenericEmulator(load_contract(str(NOTES)))
    plan = {
        b.operation.label: (b.kind.value, b.shape.value) for b in emulator.plan.behaviours.values()
    }
    assert plan["POST /notebooks"] == ("create", "resource")
    assert plan["GET /notebooks"] == ("list", "list")
    assert plan["PATCH /notebooks/{notebookId}"] == ("patch", "resource")
    assert plan["DELETE /notebooks/{notebookId}/notes/{noteId}"] == ("delete", "empty")
    assert plan["PUT /notebooks/{notebookId}/sharing"] == ("replace state", "resource")
    assert plan["POST /notebooks/{notebookId}/export"] == ("example", "receipt")
    notes_collection = next(c for c in emulator.plan.collections if c.name == "notes")
    assert (notes_collection.id_field, notes_collection.id_types) == ("id", ("integer",))
    assert not notes_collection.client_ids
    jobs = next(c for c in emulator.plan.collections if c.name == "jobs")
    assert jobs.client_ids and not jobs.has_create
    listing = emulator.plan.behaviours[("GET", "/notebooks")]
    assert (listing.paging.page, listing.paging.limit, listing.paging.default_limit) == (
        "page",
        "per_page",
        30,
    )


CONFORM = """
openapi: 3.1.0
info: {title: values, version: "1"}
paths: {}
components:
  schemas:
    Thing:
      type: object
      additionalProperties: false
      required: [id, tag, etag, kind]
      properties:
        id: {type: string, format: uuid}
        tag: {type: string, pattern: "^[A-Z]{2}-[0-9]+$"}
        etag: {type: string, pattern: '^".+"$'}
        kind: {oneOf: [{type: "null"}, {type: integer, minimum: 3}]}
        secret: {type: string, writeOnly: true}
        size: {type: integer, exclusiveMinimum: 10, multipleOf: 5}
"""


def test_values_are_built_and_fitted_to_their_schema() -> None:
    from doctract.emulator.schema_values import Fresh, SchemaValues

    contract = Contract.from_text(CONFORM, "values.yaml")
    values = SchemaValues(
        contract.document,
        contract.schemas,
        Fresh(
            now=lambda: "2026-01-01T00:00:00Z", uuid=lambda: "7b0c52c6-0d8a-4d8e-9b7c-1f3e5a2b9c10"
        ),
    )
    thing = "/components/schemas/Thing"
    built = values.build(thing)
    assert built == {
        "id": "7b0c52c6-0d8a-4d8e-9b7c-1f3e5a2b9c10",
        "tag": "AA-0",
        "etag": '"0"',
        "kind": 3,
    }
    fitted = values.conform(
        thing,
        {"id": "not-a-uuid", "tag": "AB-12", "etag": '"x"', "kind": 4, "secret": "s", "extra": 1},
    )
    assert fitted == {
        "id": "7b0c52c6-0d8a-4d8e-9b7c-1f3e5a2b9c10",
        "tag": "AB-12",
        "etag": '"x"',
        "kind": 4,
    }
    assert values.build(f"{thing}/properties/size") == 15


# --- schemathesis: generated and stateful tests ------------------------------------------------

NOTES_AUTH = '[auth.openapi.authToken]\napi_key = "notes-test-token"\n'
POSITIVE = '[generation]\nmode = "positive"\n'
# pinned credentials: schemathesis checks that a wrong one is refused
notes_app = GenericEmulator(
    load_contract(str(NOTES)), deterministic=True, credentials={"authToken": "notes-test-token"}
)
notes_schema = schemathesis.openapi.from_asgi(
    "/openapi.json", notes_app, config=SchemathesisConfig.from_str(NOTES_AUTH)
)
notes_stateful = schemathesis.openapi.from_asgi(
    "/openapi.json", notes_app, config=SchemathesisConfig.from_str(NOTES_AUTH + POSITIVE)
)
FLOW_AUTH = (
    '[auth.openapi.bearerAuth]\nbearer = "t"\n[auth.openapi.apiKey]\napi_key = "k"\n'
    '[auth.openapi.imsOrg]\napi_key = "ACME@AdobeOrg"\n'
)
flow_app = GenericEmulator(
    Contract.from_text(spec_text(), FLOW_SERVICE),
    deterministic=True,
    credentials={"bearerAuth": "t", "apiKey": "k", "imsOrg": "ACME@AdobeOrg"},
)
flow_schema = schemathesis.openapi.from_asgi(
    "/openapi.json", flow_app, config=SchemathesisConfig.from_str(FLOW_AUTH)
)
flow_stateful = schemathesis.openapi.from_asgi(
    "/openapi.json", flow_app, config=SchemathesisConfig.from_str(FLOW_AUTH + POSITIVE)
)
calls: Counter[tuple[str, int]] = Counter()
SETTINGS = settings(
    max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@notes_schema.parametrize()
@SETTINGS
def test_notes_every_operation_conforms(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(checks=CHECKS)


@flow_schema.parametrize()
@SETTINGS
def test_flow_service_contract_every_operation_conforms(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(checks=CHECKS)


def _workflows(schema: Any, app: GenericEmulator) -> Any:
    class Workflows(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            app.reset()  # a fresh store per run: replays see the same ids

        def validate_response(
            self, response: schemathesis.Response, case: schemathesis.Case[Any], **kw: object
        ) -> None:
            calls[(case.operation.label, response.status_code)] += 1
            case.validate_response(response, checks=RESPONSE_CHECKS)

    return Workflows


STATEFUL = settings(
    max_examples=40,
    stateful_step_count=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _reached() -> set[str]:
    """Operations that answered a success: the links carried real ids to them."""
    return {op for (op, status) in calls if status < 300}


def _by_link(reached: set[str]) -> set[str]:
    """Reached operations on an item: only a link carries an existing item's id to them
    (a generated one names nothing that exists)."""
    return {op for op in reached if op.rstrip("/").endswith("}") and not op.startswith("POST")}


def test_notes_stateful_workflows_follow_the_links() -> None:
    calls.clear()
    run_state_machine_as_test(_workflows(notes_stateful, notes_app), settings=STATEFUL)
    followed = _by_link(_reached())
    assert len(followed) >= 2, sorted(calls.items())
    assert "POST /notebooks" in _reached()


def test_flow_service_contract_stateful_workflows() -> None:
    calls.clear()
    run_state_machine_as_test(_workflows(flow_stateful, flow_app), settings=STATEFUL)
    assert _by_link(_reached()), sorted(calls.items())


@pytest.fixture(scope="module")
def meilisearch_app(meilisearch_contract: Contract) -> GenericEmulator:
    return GenericEmulator(
        meilisearch_contract, deterministic=True, credentials={"Bearer": "meili-test-key"}
    )


def _meilisearch_schema(app: GenericEmulator, mode: str) -> Any:
    config = f'[auth.openapi.Bearer]\nbearer = "meili-test-key"\n[generation]\nmode = "{mode}"\n'
    return schemathesis.openapi.from_asgi(
        "/openapi.json", app, config=SchemathesisConfig.from_str(config)
    )


@pytest.fixture(scope="module")
def meilisearch_positive(meilisearch_app: GenericEmulator) -> Any:
    return _meilisearch_schema(meilisearch_app, "positive")


def _every_operation(schema: Any, checks: list[Any], examples: int) -> dict[str, str]:
    """schemathesis' generated cases for each operation (what `parametrize` runs, in one
    test: the contract is only there when ../shared is); the failures by operation."""
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(checks=checks)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
            failures[operation.label] = str(exc)[:2000]
    return failures


def test_meilisearch_every_operation_conforms(meilisearch_positive: Any) -> None:
    failures = _every_operation(meilisearch_positive, CHECKS, 3)
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_meilisearch_rejects_what_the_contract_rejects(meilisearch_app: GenericEmulator) -> None:
    # the contract declares no 400 for most operations (the API answers one), so the
    # status-code check cannot apply to invalid requests; every one must be refused
    schema = _meilisearch_schema(meilisearch_app, "negative")
    checks = [not_a_server_error, negative_data_rejection, content_type_conformance]
    failures = _every_operation(schema, checks, 3)
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_meilisearch_stateful_workflows(meilisearch_positive: Any, meilisearch_app: Any) -> None:
    calls.clear()
    run_state_machine_as_test(_workflows(meilisearch_positive, meilisearch_app), settings=STATEFUL)
    assert len(_by_link(_reached())) >= 2, sorted(calls.items())


# --- serving: a real port, faults, the command ------------------------------------------------


def test_running_generic_emulator_serves_over_http_with_faults(
    caplog: pytest.LogCaptureFixture,
) -> None:
    contract = Contract.load(ContractSource(str(NOTES)))
    with (
        caplog.at_level(logging.INFO, logger="doctract.emulator"),
        running_generic_emulator(contract) as base,
    ):
        created = httpx2.post(f"{base}/v2/notebooks", json={"title": "x"}, headers=TOKEN)
        assert created.status_code == 201
        again = httpx2.get(f"{base}{created.headers['location']}", headers=TOKEN)
        assert again.json() == created.json()
    assert any("answer only their documented example" in r.getMessage() for r in caplog.records)
    assert any("GET /stats" in r.getMessage() for r in caplog.records)
    with running_generic_emulator(contract, faults=FaultPlan(throttle=1.0)) as base:
        throttled = httpx2.get(f"{base}/v2/notebooks", headers=TOKEN)
        assert throttled.status_code == 429 and throttled.headers["retry-after"] == "1"
        stats = httpx2.get(f"{base}/__doctract/faults").json()
        assert stats["throttle"] == 1


def test_emulator_command_refuses_an_unusable_contract(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\npaths: 7\n", encoding="utf-8")
    code, output = invoke("emulator", "--openapi", str(broken))
    assert code == 2 and "paths" in output and "Traceback" not in output
    code, output = invoke("emulator", "--openapi", str(tmp_path / "missing.yaml"))
    assert code == 2 and "no such OpenAPI document" in output


def test_emulator_command_serves_a_contract() -> None:
    exe = Path(sys.executable).with_name("doctract")
    if not exe.exists():
        pytest.skip("the doctract console script is not installed next to this Python")
    proc = subprocess.Popen(
        [str(exe), "emulator", "--openapi", str(NOTES), "--port", "0", "--deterministic"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        said = [proc.stderr.readline() for _ in range(4)]
        port = re.search(r"http://127\.0\.0\.1:(\d+)", said[0])
        assert port, said
        assert "2 answer only their documented example" in said[1], said
        url = f"http://127.0.0.1:{port.group(1)}/v2/notebooks"
        for _ in range(100):
            try:
                response = httpx2.post(url, json={"title": "x"}, headers=TOKEN)
                break
            except httpx2.TransportError:
                time.sleep(0.05)
        assert response.status_code == 201
        assert response.json()["id"] == "a6cd02ec-975f-4471-8c61-86b94f9bf6e7"  # deterministic
    finally:
        proc.terminate()
        proc.wait(timeout=10)
