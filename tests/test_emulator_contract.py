"""schemathesis drives the emulator in-process against the OpenAPI contract it serves.

Two runs: every operation with generated and explicit cases, and stateful workflows that follow
the contract's links (create -> get / publish / update with the returned etag / delete). A
body strategy mixes the docs' valid example bodies into the generated ones so that workflows
get past creation, and a call log proves that they did.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
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

from doctract.emulator import create_app
from doctract.specs import load_spec

AUTH_TOML = """
[auth.openapi.bearerAuth]
bearer = "emulator-test-token"
[auth.openapi.apiKey]
api_key = "emulator-test-key"
[auth.openapi.imsOrg]
api_key = "ACME@AdobeOrg"
"""
CONFIG = SchemathesisConfig.from_str(AUTH_TOML)
# Workflows test the happy paths between operations; negative data is covered per operation.
STATEFUL_CONFIG = SchemathesisConfig.from_str(AUTH_TOML + '[generation]\nmode = "positive"\n')
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    ignored_auth,
]
RESPONSE_CHECKS = CHECKS[:5]
AZURE = {"id": "be5ec48c-5b78-49d5-b8fa-7c89ec4569b8", "version": "1.0"}
DATA_LAKE = {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c", "version": "1.0"}
VALID_BODIES: dict[str, list[Any]] = {
    "createConnection": [
        {
            "name": "ACME base connection",
            "auth": {
                "specName": "Basic Authentication",
                "params": {
                    "host": "acme.file.core.windows.net",
                    "userid": "acme",
                    "password": "not-a-real-password",
                },
            },
            "connectionSpec": AZURE,
        }
    ],
    "createTargetConnection": [
        {
            "name": "ACME dataset",
            "data": {
                "schema": {
                    "id": "https://ns.adobe.com/acme/schemas/1",
                    "version": "application/vnd.adobe.xed-full+json;version=1",
                }
            },
            "params": {"dataSetId": "5f3c3b1400000000acme0001"},
            "connectionSpec": DATA_LAKE,
        }
    ],
    "updateConnection": [[{"op": "replace", "path": "/name", "value": "ACME renamed"}]],
    "updateTargetConnection": [[{"op": "add", "path": "/description", "value": "ACME data"}]],
    "createMappingSet": [
        {
            "version": 0,
            "xdmSchema": "https://ns.adobe.com/acme/schemas/1",
            "xdmVersion": "1.0",
            "mappings": [{"sourceType": "ATTRIBUTE", "source": "id", "destination": "_acme.id"}],
        }
    ],
}

app = create_app(deterministic=True)
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
stateful_schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=STATEFUL_CONFIG)
calls: Counter[tuple[str, int]] = Counter()


@stateful_schema.hook
@schema.hook
def before_generate_body(context: schemathesis.HookContext, strategy: Any) -> Any:
    operation = context.operation
    examples = (
        VALID_BODIES.get(operation.definition.raw.get("operationId", "")) if operation else None
    )
    return st.one_of(strategy, st.sampled_from(examples)) if examples else strategy


@stateful_schema.hook
@schema.hook
def before_generate_query(context: schemathesis.HookContext, strategy: Any) -> Any:
    operation = context.operation
    if operation is not None and "mode" in str(operation.definition.raw.get("parameters", "")):
        return st.one_of(strategy, st.just({"mode": "draft"}))
    return strategy


@stateful_schema.hook
@schema.hook
def after_call(
    context: schemathesis.HookContext, case: schemathesis.Case[Any], response: schemathesis.Response
) -> None:
    calls[(case.operation.definition.raw["operationId"], response.status_code)] += 1


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(checks=CHECKS)


class Workflows(stateful_schema.as_state_machine()):  # type: ignore[misc]
    def setup(self) -> None:
        # a fresh deterministic store per run: replays see the same ids, so draws are stable
        app.reset()

    def validate_response(
        self, response: schemathesis.Response, case: schemathesis.Case[Any], **kwargs: object
    ) -> None:
        case.validate_response(response, checks=RESPONSE_CHECKS)


def test_stateful_workflows_follow_the_links() -> None:
    calls.clear()
    run_state_machine_as_test(
        Workflows,
        settings=settings(
            max_examples=100,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    # an operation "reached" an entity when the id it was given existed: the link carried it
    reached = {op for (op, status) in calls if status not in (400, 401, 403, 404)}
    log = "\n".join(f"{k}: {v}" for k, v in sorted(calls.items()))
    assert reached & {
        "getConnection",
        "updateConnection",
        "deleteConnection",
        "connectionAction",
        "getTargetConnection",
        "targetConnectionAction",
    }, log


SPEC = load_spec()
HEADERS = {
    "Authorization": "Bearer emulator-test-token",
    "x-api-key": "emulator-test-key",
    "x-gw-ims-org-id": "ACME@AdobeOrg",
    "x-sandbox-name": "prod",
}


def _create(operation_id: str, body: dict[str, Any], draft: bool = True) -> dict[str, Any]:
    """Create through the contract; prerequisites are created published (no mode=draft)."""
    query = {"mode": "draft"} if draft and operation_id != "createMappingSet" else {}
    response = (
        schema.find_operation_by_id(operation_id).Case(body=body, query=query).call(headers=HEADERS)
    )
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def _source_body() -> dict[str, Any]:
    base = _create("createConnection", VALID_BODIES["createConnection"][0], draft=False)
    return {
        "name": "ACME files",
        "baseConnectionId": base["id"],
        "connectionSpec": AZURE,
        "params": {"path": "/acme/accounts.csv"},
    }


def _flow_body() -> dict[str, Any]:
    source = _create("createSourceConnection", _source_body(), draft=False)
    target = _create(
        "createTargetConnection", VALID_BODIES["createTargetConnection"][0], draft=False
    )
    return {
        "name": "ACME flow",
        "flowSpec": {"id": "9753525b-82c7-4dce-8a9b-5ccfce2b9876"},
        "sourceConnectionIds": [source["id"]],
        "targetConnectionIds": [target["id"]],
    }


LINK_SOURCES: dict[str, Any] = {  # a valid request body for each operation with links
    "createConnection": lambda: VALID_BODIES["createConnection"][0],
    "createSourceConnection": _source_body,
    "createTargetConnection": lambda: VALID_BODIES["createTargetConnection"][0],
    "createFlow": _flow_body,
    "createMappingSet": lambda: VALID_BODIES["createMappingSet"][0],
}
_EXPRESSION = re.compile(r"\{?\$response\.body#(/[^}]*)\}?")


def _evaluate(template: Any, body: dict[str, Any]) -> Any:
    """A link's runtime expressions (`$response.body#/id`, `flowId=={$response.body#/id}`)."""
    if isinstance(template, dict):
        return {k: _evaluate(v, body) for k, v in template.items()}
    if not isinstance(template, str):
        return template
    if template.startswith("$response.body#"):
        return body[template.split("#/", 1)[1]]
    return _EXPRESSION.sub(lambda m: str(body[m.group(1).lstrip("/")]), template)


def _links() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for item in SPEC["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            for response in op.get("responses", {}).values():
                for name, link in response.get("links", {}).items():
                    found.append((op["operationId"], name, link))
    return found


@pytest.mark.parametrize(("source", "name", "link"), _links(), ids=[n for _, n, _ in _links()])
def test_every_link_carries_a_working_id(source: str, name: str, link: dict[str, Any]) -> None:
    """Each link of the contract, followed from a real response, reaches its target operation."""
    app.reset()
    created = _create(source, LINK_SOURCES[source]())
    target = schema.find_operation_by_id(link["operationId"])
    values = _evaluate(link.get("parameters", {}), created)
    kinds = {p.name: p.location for p in target.iter_parameters()}
    parts: dict[str, Any] = {
        "path_parameters": {k: v for k, v in values.items() if kinds.get(k) == "path"},
        "query": {k: v for k, v in values.items() if kinds.get(k) == "query"},
        "headers": {k: v for k, v in values.items() if kinds.get(k) == "header"},
    }
    if "requestBody" in link:
        parts["body"] = _evaluate(link["requestBody"], created)
    elif target.method.upper() == "PATCH":
        parts["body"] = [{"op": "replace", "path": "/name", "value": "linked"}]
    case = target.Case(**parts)
    response = case.call(headers={**HEADERS, **case.headers} if case.headers else HEADERS)
    assert response.status_code < 400, (name, response.status_code, response.text)
    case.validate_response(response, checks=RESPONSE_CHECKS)
