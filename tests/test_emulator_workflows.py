"""The emulator walks each reference tutorial's workflow (corrected), and answers each documented
mistake the way a user of the real API would experience it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.testclient import TestClient

from doctract.emulator import create_app

FLOW = "/data/foundation/flowservice"
HEADERS = {
    "Authorization": "Bearer doctract-test-token-7f3a",
    "x-api-key": "doctract-test-api-key",
    "x-gw-ims-org-id": "ACME@AdobeOrg",
    "x-sandbox-name": "prod",
}
AZURE = {"id": "be5ec48c-5b78-49d5-b8fa-7c89ec4569b8", "version": "1.0"}
DATA_LAKE = {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c", "version": "1.0"}
CLOUD_FLOW = {"id": "9753525b-82c7-4dce-8a9b-5ccfce2b9876", "version": "1.0"}
SECRET_PASSWORD = "azure-storage-key-Zq81"


class Api:
    """A TestClient that sends the tutorials' headers and returns (status, body)."""

    def __init__(self) -> None:
        self.client = TestClient(create_app(deterministic=True))

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        drop: tuple[str, ...] = (),
    ) -> tuple[int, Any]:
        sent = {k: v for k, v in HEADERS.items() if k not in drop}
        sent.update(headers or {})
        if body is not None or raw is not None:
            sent.setdefault("Content-Type", "application/json")
        url = path if path.startswith("/data/") else FLOW + path
        response = self.client.request(
            method, url, json=body if raw is None else None, content=raw, headers=sent
        )
        return response.status_code, (response.json() if response.content else None)

    def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        status, payload = self.call(method, path, body, **kwargs)
        assert 200 <= status < 300, (method, path, status, payload)
        return payload


@pytest.fixture
def api() -> Api:
    return Api()


def base_connection_body(user_key: str = "userid") -> dict[str, Any]:
    return {
        "name": "ACME Azure File Storage Base Connection",
        "auth": {
            "specName": "Basic Authentication",
            "params": {
                "host": "acme.file.core.windows.net",
                user_key: "acme",
                "password": SECRET_PASSWORD,
            },
        },
        "connectionSpec": AZURE,
    }


def draft_chain(api: Api) -> dict[str, dict[str, str]]:
    """Seed 000's drafts: base, source and target connections and a flow, all mode=draft."""
    base = api.ok("POST", "/connections?mode=draft", base_connection_body())
    source = api.ok(
        "POST",
        "/sourceConnections?mode=draft",
        {
            "name": "ACME Azure File Storage Source Connection",
            "description": "Azure File Storage source connection for ACME data (DRAFT)",
            "baseConnectionId": base["id"],
            "data": {"format": "delimited"},
            "params": {"path": "/acme/summerCampaign/account.csv", "type": "file"},
            "connectionSpec": AZURE,
        },
    )
    target = api.ok(
        "POST",
        "/targetConnections?mode=draft",
        {
            "name": "ACME Azure File Storage Target Connection",
            "data": {
                "schema": {
                    "id": "https://ns.adobe.com/acme/schemas/1",
                    "version": "application/vnd.adobe.xed-full+json;version=1",
                }
            },
            "params": {"dataSetId": "5f3c3b1400000000acme0001"},
            "connectionSpec": DATA_LAKE,
        },
    )
    flow = api.ok(
        "POST",
        "/flows?mode=draft",
        {
            "name": "ACME Azure File Storage Dataflow",
            "flowSpec": CLOUD_FLOW,
            "sourceConnectionIds": [source["id"]],
            "targetConnectionIds": [target["id"]],
        },
    )
    return {"base": base, "source": source, "target": target, "flow": flow}


# the chain's entities in the order they publish: each one's dependencies before it
PUBLISH_ORDER = (
    ("base", "connections"),
    ("source", "sourceConnections"),
    ("target", "targetConnections"),
    ("flow", "flows"),
)


def publish_chain(api: Api, chain: dict[str, dict[str, Any]], op: str = "publish") -> None:
    for key, collection in PUBLISH_ORDER:
        api.ok("POST", f"/{collection}/{chain[key]['id']}/action?op={op}")


# --- the intended workflows, corrected -------------------------------------------------------


def test_seed_000_drafts_publish_in_dependency_order(api: Api) -> None:
    chain = draft_chain(api)
    for key, collection in PUBLISH_ORDER:
        entity = chain[key]
        assert api.ok("GET", f"/{collection}/{entity['id']}")["items"][0]["state"] == "draft"
        published = api.ok("POST", f"/{collection}/{entity['id']}/action?op=publish")
        assert published["id"] == entity["id"]
        assert published["etag"] != entity["etag"] and published["etag"].startswith('"')
        assert api.ok("GET", f"/{collection}/{entity['id']}")["items"][0]["state"] == "enabled"
    runs = api.ok("GET", f"/runs?property=flowId=={chain['flow']['id']}")
    assert runs["items"] and runs["items"][0]["flowId"] == chain["flow"]["id"]


def test_seed_001_draft_patch_publish_flow(api: Api) -> None:
    chain = draft_chain(api)
    flow = chain["flow"]
    updated = api.ok(
        "PATCH",
        f"/flows/{flow['id']}",
        [
            {
                "op": "add",
                "path": "/transformations",
                "value": [
                    {
                        "name": "Mapping",
                        "params": {
                            "mappingId": "44d42ed27c46499a80eb0c0705c38cbd",
                            "mappingVersion": "0",
                        },
                    }
                ],
            }
        ],
        headers={"If-Match": flow["etag"]},
    )
    assert updated["etag"] != flow["etag"]
    stored = api.ok("GET", f"/flows/{flow['id']}")["items"][0]
    assert stored["transformations"][0]["params"]["mappingId"] == "44d42ed27c46499a80eb0c0705c38cbd"
    for key, collection in (
        ("base", "connections"),
        ("source", "sourceConnections"),
        ("target", "targetConnections"),
    ):
        api.ok("POST", f"/{collection}/{chain[key]['id']}/action?op=publish")
    api.ok("POST", f"/flows/{flow['id']}/action?op=publish")
    assert api.call("DELETE", f"/flows/{flow['id']}") == (204, None)
    assert api.call("GET", f"/flows/{flow['id']}")[0] == 404


def test_seed_002_spec_lookups(api: Api) -> None:
    spec = api.ok("GET", f"/connectionSpecs/{AZURE['id']}")["items"][0]
    assert spec["attributes"]["isDraftModeSupported"] is True
    assert spec["authSpec"][0]["spec"]["required"] == ["host", "userid", "password"]
    flow_specs = api.ok("GET", "/flowSpecs?property=name==%22CloudStorageToAEP%22")["items"]
    assert [s["id"] for s in flow_specs] == [CLOUD_FLOW["id"]]
    assert flow_specs[0]["attributes"]["isDraftModeSupported"] is True


def test_seed_003_zendesk_end_to_end(api: Api) -> None:
    base = api.ok(
        "POST",
        "/connections",
        {
            "name": "Zendesk base connection",
            "connectionSpec": {"id": "2526ee57-0af4-46ea-a477-720a53108145", "version": "1.0"},
            "auth": {
                "specName": "OAuth generic-rest-connector",
                "params": {"host": "acme.zendesk.com", "accessToken": "zendesk-token-9"},
            },
        },
    )
    preview = api.ok(
        "GET",
        f"/connections/{base['id']}/explore?objectType=rest&object=json"
        "&fileType=json&preview=true&sourceParams=e30",
    )
    assert preview["format"] == "hierarchical"
    source = api.ok(
        "POST",
        "/sourceConnections",
        {
            "name": "Zendesk Source Connection",
            "baseConnectionId": base["id"],
            "connectionSpec": {"id": "6360f136-5980-4111-8bdf-15d29eab3b5a", "version": "1.0"},
            "data": {"format": "json"},
            "params": {},
        },
    )
    target = api.ok(
        "POST",
        "/targetConnections",
        {
            "name": "Zendesk Target Connection",
            "connectionSpec": DATA_LAKE,
            "data": {"format": "json"},
            "params": {"dataSetId": "624bf42e16519d19496e3f67"},
        },
    )
    mapping = api.ok(
        "POST",
        "/data/foundation/conversion/mappingSets",
        {
            "version": 0,
            "xdmSchema": "https://ns.adobe.com/acme/schemas/995dabbea86d",
            "xdmVersion": "1.0",
            "id": None,
            "mappings": [
                {"sourceType": "ATTRIBUTE", "source": "results.id", "destination": "_extconndev.id"}
            ],
        },
    )
    assert len(mapping["id"]) == 32 and mapping["version"] == 0
    flow_body = {
        "name": "Zendesk dataflow",
        "flowSpec": {"id": "6499120c-0b15-42dc-936e-847ea3c24d72", "version": "1.0"},
        "sourceConnectionIds": [source["id"]],
        "targetConnectionIds": [target["id"]],
        "transformations": [
            {"name": "Mapping", "params": {"mappingId": mapping["id"], "mappingVersion": "0"}}
        ],
        "scheduleParams": {"startTime": 1625040887, "frequency": "minute", "interval": 15},
    }
    flow = api.ok("POST", "/flows", flow_body)
    assert api.ok("GET", f"/runs?property=flowId=={flow['id']}")["items"]
    api.ok(
        "PATCH",
        f"/flows/{flow['id']}",
        [
            {"op": "replace", "path": "/scheduleParams/frequency", "value": "day"},
            {"op": "replace", "path": "/scheduleParams/interval", "value": 1},
            {"op": "replace", "path": "/name", "value": "New dataflow name"},
        ],
        headers={"If-Match": flow["etag"]},
    )
    assert api.call("DELETE", f"/flows/{flow['id']}") == (204, None)
    current = api.ok("GET", f"/connections/{base['id']}")["items"][0]["etag"]
    api.ok(
        "PATCH",
        f"/connections/{base['id']}",
        [
            {"op": "replace", "path": "/name", "value": "Zendesk connection"},
            {"op": "add", "path": "/description", "value": "Zendesk connection"},
        ],
        headers={"If-Match": current},
    )
    assert api.call("DELETE", f"/connections/{base['id']}") == (204, None)


def test_seed_004_streaming_flow_has_an_inlet_url(api: Api) -> None:
    source = api.ok(
        "POST",
        "/sourceConnections",
        {
            "name": "Streaming Source Connection",
            "providerId": "521eee4d-8cbe-4906-bb48-fb6bd4450033",
            "connectionSpec": {"id": "e77fd9d2-22a8-11ed-861d-0242ac120002", "version": "1.0"},
            "data": {"format": "json"},
        },
    )
    target = api.ok(
        "POST",
        "/targetConnections",
        {
            "name": "Streaming Target Connection",
            "connectionSpec": DATA_LAKE,
            "data": {"format": "json"},
            "params": {"dataSetId": "624bf42e16519d19496e3f67"},
        },
    )
    flow = api.ok(
        "POST",
        "/flows",
        {
            "name": "Streaming Dataflow",
            "flowSpec": {"id": "e77fde5a-22a8-11ed-861d-0242ac120002", "version": "1.0"},
            "sourceConnectionIds": [source["id"]],
            "targetConnectionIds": [target["id"]],
            "transformations": [
                {
                    "name": "Mapping",
                    "params": {
                        "mappingId": "bf5286a9c1ad4266baca76ba3adc9366",
                        "mappingVersion": 0,
                    },
                }
            ],
        },
    )
    item = api.ok("GET", f"/flows/{flow['id']}")["items"][0]
    assert item["options"]["inletUrl"].startswith("https://dcs.adobedc.net/collection/")
    assert item["state"] == "enabled" and item["etag"] == flow["etag"]


# --- each documented mistake gets the error a real user would get ------------------------------


def test_wrong_publish_endpoint_is_404_naming_the_right_collection(api: Api) -> None:
    chain = draft_chain(api)
    api.ok("POST", f"/connections/{chain['base']['id']}/action?op=publish")
    status, body = api.call("POST", f"/connections/{chain['source']['id']}/action?op=publish")
    assert status == 404
    assert f"use /sourceConnections/{chain['source']['id']}" in body["detail"]
    status, body = api.call("POST", f"/connections/{chain['target']['id']}/action?op=publish")
    assert status == 404 and "target connection" in body["detail"]


def test_missing_mode_draft_creates_an_enabled_entity_that_cannot_be_published(api: Api) -> None:
    created = api.ok("POST", "/connections", base_connection_body())
    assert api.ok("GET", f"/connections/{created['id']}")["items"][0]["state"] == "enabled"
    status, body = api.call("POST", f"/connections/{created['id']}/action?op=publish")
    assert status == 409 and "not a draft" in body["detail"]


def test_malformed_json_is_400_with_the_parser_message(api: Api) -> None:
    broken = b'{\n  "name": "ACME",\n  "description: "Azure File Storage source",\n}'
    status, body = api.call("POST", "/sourceConnections?mode=draft", raw=broken)
    assert status == 400
    assert "not valid JSON" in body["detail"] and "line 3" in body["detail"]


def test_missing_credentials(api: Api) -> None:
    assert api.call("GET", "/flows", drop=("Authorization",))[0] == 401
    assert api.call("GET", "/flows", headers={"Authorization": "Bearer "})[0] == 401
    assert api.call("GET", "/flows", drop=("x-api-key",))[0] == 403
    assert api.call("GET", "/flows", drop=("x-gw-ims-org-id",))[0] == 403
    status, body = api.call("GET", "/flows", drop=("x-sandbox-name",))
    assert status == 400 and "x-sandbox-name" in body["detail"]


def test_if_match_missing_stale_or_unquoted(api: Api) -> None:
    created = api.ok(
        "POST",
        "/flows?mode=draft",
        {
            "name": "f",
            "flowSpec": CLOUD_FLOW,
            "sourceConnectionIds": [draft_chain(api)["source"]["id"]],
            "targetConnectionIds": [draft_chain(api)["target"]["id"]],
        },
    )
    patch = [{"op": "replace", "path": "/name", "value": "renamed"}]
    assert api.call("PATCH", f"/flows/{created['id']}", patch)[0] == 428
    stale = api.call(
        "PATCH",
        f"/flows/{created['id']}",
        patch,
        headers={"If-Match": '"1a0037e4-0000-0200-0000-602e06f60000"'},
    )
    assert stale[0] == 412 and "does not match the current etag" in stale[1]["detail"]
    unquoted = created["etag"].strip('"')
    assert (
        api.call("PATCH", f"/flows/{created['id']}", patch, headers={"If-Match": unquoted})[0]
        == 412
    )
    fresh = api.ok("PATCH", f"/flows/{created['id']}", patch, headers={"If-Match": created["etag"]})
    assert (
        api.call("PATCH", f"/flows/{created['id']}", patch, headers={"If-Match": created["etag"]})[
            0
        ]
        == 412
    )  # the old etag is stale now
    api.ok("PATCH", f"/flows/{created['id']}", patch, headers={"If-Match": fresh["etag"]})


def test_json_patch_ops_are_applied_and_read_only_fields_refused(api: Api) -> None:
    created = api.ok("POST", "/connections?mode=draft", base_connection_body())
    etag = api.ok(
        "PATCH",
        f"/connections/{created['id']}",
        [
            {"op": "add", "path": "/description", "value": "d"},
            {"op": "replace", "path": "/name", "value": "n"},
        ],
        headers={"If-Match": created["etag"]},
    )["etag"]
    etag = api.ok(
        "PATCH",
        f"/connections/{created['id']}",
        [{"op": "remove", "path": "/description"}],
        headers={"If-Match": etag},
    )["etag"]
    item = api.ok("GET", f"/connections/{created['id']}")["items"][0]
    assert item["name"] == "n" and "description" not in item
    status, body = api.call(
        "PATCH",
        f"/connections/{created['id']}",
        [{"op": "replace", "path": "/state", "value": "enabled"}],
        headers={"If-Match": etag},
    )
    assert status == 400 and "read-only" in body["detail"]
    status, body = api.call(
        "PATCH",
        f"/connections/{created['id']}",
        [{"op": "remove", "path": "/nothing"}],
        headers={"If-Match": etag},
    )
    assert status == 400 and "cannot be applied" in body["detail"]


def test_bodies_are_checked_against_the_connection_and_flow_specs(api: Api) -> None:
    status, body = api.call("POST", "/connections?mode=draft", base_connection_body("userId"))
    assert status == 400 and "'userid' is a required property" in body["detail"]
    status, body = api.call(
        "POST",
        "/connections",
        {
            "name": "Zendesk",
            "connectionSpec": {"id": "2526ee57-0af4-46ea-a477-720a53108145"},
            "auth": {"specName": "OAuth generic-rest-connector", "params": {"host": "x"}},
        },
    )
    assert status == 400 and "accessToken" in body["detail"]
    chain = draft_chain(api)
    status, body = api.call(
        "POST",
        "/flows",
        {
            "name": "f",
            "flowSpec": CLOUD_FLOW,
            "sourceConnectionIds": [chain["source"]["id"]],
            "targetConnectionIds": [chain["target"]["id"]],
            "scheduleParams": {"startTime": "1625040887", "frequency": "minute", "interval": 15},
        },
    )
    assert status == 400 and "'1625040887' is not of type 'integer'" in body["detail"]


def test_publishing_before_dependencies_is_refused_with_the_reason(api: Api) -> None:
    chain = draft_chain(api)
    status, body = api.call("POST", f"/sourceConnections/{chain['source']['id']}/action?op=publish")
    assert (
        status == 409
        and f"base connection {chain['base']['id']} is still a draft" in body["detail"]
    )
    status, body = api.call("POST", f"/flows/{chain['flow']['id']}/action?op=publish")
    assert status == 409 and "still a draft" in body["detail"]


def test_references_to_unknown_entities(api: Api) -> None:
    chain = draft_chain(api)
    status, body = api.call(
        "POST",
        "/flows?mode=draft",
        {
            "name": "f",
            "flowSpec": CLOUD_FLOW,
            "sourceConnectionIds": ["61c0c5f1-bfe5-40f7-8f8c-a4dc175ddac6"],
            "targetConnectionIds": [chain["target"]["id"]],
        },
    )
    assert status == 400 and "sourceConnectionIds[0]" in body["detail"]
    status, body = api.call(
        "POST",
        "/flows?mode=draft",
        {
            "name": "f",
            "flowSpec": CLOUD_FLOW,
            "sourceConnectionIds": [chain["base"]["id"]],
            "targetConnectionIds": [chain["target"]["id"]],
        },
    )
    assert status == 400 and "is a base connection" in body["detail"]


def test_unknown_query_parameter_and_wrong_method(api: Api) -> None:
    status, body = api.call("POST", "/connections?mdoe=draft", base_connection_body())
    assert status == 400 and "unknown query parameter 'mdoe'" in body["detail"]
    status, body = api.call("PUT", "/flows")
    assert status == 405 and "use GET, POST" in body["detail"]


def test_errors_share_one_shape(api: Api) -> None:
    for status, body in (
        api.call("GET", "/nowhere"),
        api.call("GET", "/flows/none"),
        api.call("GET", "/flows", drop=("Authorization",)),
    ):
        assert set(body) >= {"type", "title", "status", "detail"} and body["status"] == status


def test_secrets_are_masked_in_reads_and_never_logged(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = api.ok("POST", "/connections?mode=draft", base_connection_body())
    item = api.ok("GET", f"/connections/{created['id']}")["items"][0]
    assert item["auth"]["params"]["password"] == "********"
    api.call("GET", "/connections?property=name==x", headers={"Authorization": "Bearer"})
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("doctract"))
    assert "POST /data/foundation/flowservice/connections 201" in logged
    for secret in (
        SECRET_PASSWORD,
        HEADERS["Authorization"].split()[1],
        HEADERS["x-api-key"],
        "property=name",
    ):
        assert secret not in logged
