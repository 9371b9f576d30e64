"""What the bundled contract adopts from Adobe's published Flow Service contract, and the emulator
honours: the list parameters (orderby, continuationToken, count beside property and limit), the
upper-case action names, and GET /runs/{runId}. What it does not adopt stays refused.
See docs/flow-service-contracts.md."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from test_emulator_workflows import Api, base_connection_body, draft_chain, publish_chain

from doctract.specs import load_spec, spec_text

ROOT = Path(__file__).resolve().parent.parent
OFFICIAL = ROOT.parent / "shared" / "corpora" / "flow-service-official" / "openapi.yaml"
LISTS = (
    "listConnections",
    "listSourceConnections",
    "listTargetConnections",
    "listFlows",
    "listRuns",
)


@pytest.fixture
def api() -> Api:
    return Api()


def _operations() -> dict[str, dict[str, object]]:
    found = {}
    for item in load_spec()["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and "operationId" in op:
                found[op["operationId"]] = op
    return found


def _query_names(op: dict[str, object]) -> set[str]:
    parameters = load_spec()["components"]["parameters"]
    names = set()
    for raw in op.get("parameters", []):  # type: ignore[attr-defined]
        param = parameters[raw["$ref"].rsplit("/", 1)[1]] if "$ref" in raw else raw
        if param["in"] == "query":
            names.add(param["name"])
    return names


def test_contract_points_to_the_differences_doc() -> None:
    assert "Differences from Adobe's published contract" in spec_text()
    assert "docs/flow-service-contracts.md" in spec_text()
    assert (ROOT / "docs" / "flow-service-contracts.md").is_file()


def test_list_operations_take_adobes_paging_parameters() -> None:
    ops = _operations()
    for name in LISTS:
        assert {"property", "limit", "orderby", "continuationToken", "count"} <= _query_names(
            ops[name]
        ), name


def test_actions_take_both_spellings_of_the_documented_ops() -> None:
    parameters = load_spec()["components"]["parameters"]
    assert parameters["PublishOp"]["schema"]["enum"] == ["publish", "PUBLISH"]
    assert set(parameters["FlowOp"]["schema"]["enum"]) == {
        "publish",
        "enable",
        "disable",
        "PUBLISH",
        "ENABLE",
        "DISABLE",
    }


def _five_connections(api: Api) -> list[str]:
    ids = []
    for name in ("delta", "alpha", "echo", "charlie", "bravo"):
        body = {**base_connection_body(), "name": name}
        ids.append(api.ok("POST", "/connections?mode=draft", body)["id"])
    return ids


def test_limit_and_continuation_token_page_through_every_item_once(api: Api) -> None:
    ids = _five_connections(api)
    seen: list[str] = []
    page = api.ok("GET", "/connections?limit=2&count=true")
    pages = 1
    while True:
        assert len(page["items"]) <= 2 and page["count"] == 5
        seen += [item["id"] for item in page["items"]]
        if "next" not in page.get("_links", {}):
            break
        href = page["_links"]["next"]["href"]
        query = parse_qs(urlsplit(href).query)
        assert query["limit"] == ["2"] and query["count"] == ["true"]
        page = api.ok("GET", href)
        pages += 1
    assert seen == ids and pages == 3


def test_without_paging_parameters_the_list_is_unchanged(api: Api) -> None:
    _five_connections(api)
    page = api.ok("GET", "/connections")
    assert set(page) == {"items"} and len(page["items"]) == 5


def test_orderby_sorts_ascending_or_descending_and_keeps_filters(api: Api) -> None:
    _five_connections(api)
    names = [i["name"] for i in api.ok("GET", "/connections?orderby=name")["items"]]
    assert names == ["alpha", "bravo", "charlie", "delta", "echo"]
    down = [i["name"] for i in api.ok("GET", "/connections?orderby=-name")["items"]]
    assert down == names[::-1]
    plus = [i["name"] for i in api.ok("GET", "/connections?orderby=+name")["items"]]  # " name"
    assert plus == names
    page = api.ok("GET", "/connections?orderby=name&limit=1&property=state==draft")
    href = page["_links"]["next"]["href"]
    assert parse_qs(urlsplit(href).query)["property"] == ["state==draft"]
    assert [i["name"] for i in api.ok("GET", href)["items"]] == ["bravo"]


def test_count_alone_counts_the_matching_items(api: Api) -> None:
    chain = draft_chain(api)
    api.ok("POST", f"/connections/{chain['base']['id']}/action?op=publish")
    assert api.ok("GET", "/connections?count=true&property=state==enabled")["count"] == 1
    assert api.ok("GET", "/flows?count=false") == {"items": api.ok("GET", "/flows")["items"]}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("continuationToken=not-a-token", "was not issued by this API"),
        ("count=yes", "count"),
        ("orderby=name;drop", "orderby"),
        ("limit=0", "limit"),
        ("subOp=APPLY", "unknown query parameter 'subOp'"),
    ],
)
def test_bad_paging_values_are_400(api: Api, query: str, message: str) -> None:
    status, body = api.call("GET", f"/connections?{query}")
    assert status == 400 and message in body["detail"], body


def test_upper_case_ops_are_the_same_actions(api: Api) -> None:
    chain = draft_chain(api)
    publish_chain(api, chain, "PUBLISH")
    flow_id = chain["flow"]["id"]
    api.ok("POST", f"/flows/{flow_id}/action?op=DISABLE")
    flow = api.ok("GET", f"/flows/{flow_id}")["items"][0]
    assert flow["state"] == "disabled" and flow["lastOperation"]["operation"] == "disable"
    api.ok("POST", f"/flows/{flow_id}/action?op=ENABLE")
    assert api.ok("GET", f"/flows/{flow_id}")["items"][0]["state"] == "enabled"


@pytest.mark.parametrize("op", ["Publish", "FINALIZE", "FINALIZE_UPDATE", "finalize"])
def test_ops_outside_the_contract_are_400(api: Api, op: str) -> None:
    chain = draft_chain(api)
    status, body = api.call("POST", f"/flows/{chain['flow']['id']}/action?op={op}")
    assert status == 400 and "op" in body["detail"], body


def test_a_run_is_found_by_its_id(api: Api) -> None:
    chain = draft_chain(api)
    publish_chain(api, chain, "publish")
    runs = api.ok("GET", f"/runs?property=flowId=={chain['flow']['id']}&count=true")
    assert runs["count"] == 1
    run = runs["items"][0]
    assert api.ok("GET", f"/runs/{run['id']}") == {"items": [run]}
    status, body = api.call("GET", "/runs/no-such-run")
    assert status == 404 and "no run with id" in body["detail"]


def test_the_official_contract_still_lists_what_the_doc_compares() -> None:
    """The comparison in docs/flow-service-contracts.md rests on these facts of Adobe's file."""
    if not OFFICIAL.is_file():
        pytest.skip(f"Adobe's contract is not at {OFFICIAL} (../shared is absent)")
    import yaml

    official = yaml.safe_load(OFFICIAL.read_text(encoding="utf-8"))
    action = official["paths"]["/flows/{FLOW_ID}/action"]["post"]
    params = {p["name"]: p for p in action["parameters"]}
    assert "PUBLISH" in params["op"]["schema"]["enum"] and params["subOp"]["required"] is True
    listing = {p["name"] for p in official["paths"]["/flows"]["get"]["parameters"]}
    assert {"property", "limit", "orderby", "continuationToken", "count"} <= listing
    create = {p["name"] for p in official["paths"]["/flows"]["post"]["parameters"]}
    assert "mode" not in create
