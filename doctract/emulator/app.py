"""The emulator as an ASGI app (Starlette): routing, credentials, content types, validation.

Requests are matched against the operations of the OpenAPI document, so the emulator serves
exactly the contract: unknown paths are 404, other methods 405 (with Allow), missing
credentials 401/403, bodies that are not JSON 415, malformed JSON 400 with the parser's
message, and anything the contract rejects 400 before the store sees it. The access log names
method, path and status only: no query string, header or body ever reaches it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from doctract.emulator.bodies import parse_json
from doctract.emulator.errors import ApiError
from doctract.emulator.store import Caller, Paging, Store
from doctract.emulator.validation import Operation, compile_operations, validate_request
from doctract.specs import load_spec

log = logging.getLogger("doctract.emulator")
_BEARER = re.compile(r"^Bearer\s+\S+$")
_JSON_TYPES = ("application/json", "application/json-patch+json")


@dataclass(frozen=True)
class Call:
    """One validated request, as handlers see it."""

    store: Store
    params: dict[str, str]
    query: dict[str, str]
    filters: list[str]
    headers: dict[str, str]
    body: Any
    caller: Caller

    @property
    def limit(self) -> int | None:
        return int(self.query["limit"]) if "limit" in self.query else None

    @property
    def paging(self) -> Paging:
        return Paging(
            tuple(self.filters),
            self.query.get("orderby"),
            self.limit,
            self.query.get("continuationToken"),
            self.query.get("count") == "true",
        )


Handler = Callable[[Call], tuple[int, Any]]


def _entity_handlers(collection: str, id_param: str, singular: str) -> dict[str, Handler]:
    def create(c: Call) -> tuple[int, Any]:
        return 201, c.store.create(collection, c.body, c.query.get("mode") == "draft", c.caller)

    return {
        f"list{singular}s": lambda c: (200, c.store.listing(collection, c.paging)),
        f"create{singular}": create,
        f"get{singular}": lambda c: (200, c.store.read(collection, c.params[id_param])),
        f"update{singular}": lambda c: (
            200,
            c.store.update(collection, c.params[id_param], c.headers.get("if-match"), c.body),
        ),
        f"delete{singular}": lambda c: (204, c.store.delete(collection, c.params[id_param])),
        f"{singular[0].lower()}{singular[1:]}Action": lambda c: (
            200,
            c.store.action(collection, c.params[id_param], c.query["op"]),
        ),
    }


HANDLERS: dict[str, Handler] = {
    **_entity_handlers("connections", "connectionId", "Connection"),
    **_entity_handlers("sourceConnections", "sourceConnectionId", "SourceConnection"),
    **_entity_handlers("targetConnections", "targetConnectionId", "TargetConnection"),
    **_entity_handlers("flows", "flowId", "Flow"),
    "exploreConnection": lambda c: (200, c.store.explore(c.params["connectionId"], c.query)),
    "listRuns": lambda c: (200, c.store.list_runs(c.paging)),
    "getRun": lambda c: (200, c.store.run(c.params["runId"])),
    "listConnectionSpecs": lambda c: (200, c.store.specs("connectionSpecs", c.filters)),
    "getConnectionSpec": lambda c: (
        200,
        c.store.spec("connectionSpecs", c.params["connectionSpecId"]),
    ),
    "listFlowSpecs": lambda c: (200, c.store.specs("flowSpecs", c.filters)),
    "getFlowSpec": lambda c: (200, c.store.spec("flowSpecs", c.params["flowSpecId"])),
    "listMappingSets": lambda c: (200, {"data": list(c.store.mapping_sets.values())[: c.limit]}),
    "createMappingSet": lambda c: (200, c.store.create_mapping_set(c.body)),
    "getMappingSet": lambda c: (200, c.store.mapping_set(c.params["mappingSetId"])),
}


class Emulator:
    """Dispatches requests to the store through the contract's operations."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.operations = compile_operations(load_spec())
        missing = {op.operation_id for op in self.operations} - set(HANDLERS)
        if missing:  # pragma: no cover - a spec/handler mismatch is a programming error
            raise RuntimeError(f"operations without a handler: {sorted(missing)}")

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        allowed = []
        for op in self.operations:
            m = op.pattern.match(path)
            if m is None:
                continue
            if op.method == method:
                return op, m.groupdict()
            allowed.append(op.method)
        if allowed:
            raise ApiError(
                405,
                f"{method} is not allowed on {path}; use {', '.join(allowed)}",
                headers={"Allow": ", ".join(sorted(set(allowed)))},
            )
        raise ApiError(404, f"no such endpoint: {path}")

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        try:
            response = await self._handle(request)
        except ApiError as exc:
            response = JSONResponse(exc.body(), exc.status, headers=exc.headers)
        except Exception as exc:  # never a traceback to the client; logged without secrets
            log.exception("internal error on %s %s", request.method, request.url.path)
            response = JSONResponse(
                ApiError(500, f"internal error: {type(exc).__name__}").body(), 500
            )
        log.info(
            "%s %s %d %.1fms",
            request.method,
            request.url.path,
            response.status_code,
            1000 * (time.perf_counter() - started),
        )
        return response

    async def _handle(self, request: Request) -> Response:
        op, params = self.match(request.method, request.url.path)
        headers = {k.lower(): v for k, v in request.headers.items()}
        _check_credentials(headers)
        if op.method == "PATCH" and "if-match" not in headers:
            raise ApiError(428, "PATCH requires an If-Match header with the entity's current etag")
        raw = await request.body()
        has_body = bool(raw.strip())
        body: Any = None
        if has_body and op.body is not None:
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            if media not in _JSON_TYPES:
                raise ApiError(
                    415,
                    f"send the body as application/json (Content-Type was {media or 'missing'})",
                )
            body = parse_json(raw)
        query = dict(request.query_params)
        if query.get("orderby", "").startswith(" "):  # an unencoded `+name` decodes to " name"
            query["orderby"] = "+" + query["orderby"][1:]
        validate_request(op, params, query, headers, body, has_body and op.body is not None)
        call = Call(
            self.store,
            params,
            query,
            request.query_params.getlist("property"),
            headers,
            body,
            Caller(headers.get("x-sandbox-name", "prod"), headers.get("x-gw-ims-org-id", "")),
        )
        status, payload = HANDLERS[op.operation_id](call)
        if status == 204:
            return Response(status_code=204)
        return JSONResponse(payload, status)


def _check_credentials(headers: dict[str, str]) -> None:
    if not _BEARER.match(headers.get("authorization", "").strip()):
        raise ApiError(
            401,
            "missing or malformed Authorization header: send "
            "'Authorization: Bearer {ACCESS_TOKEN}'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    for name in ("x-api-key", "x-gw-ims-org-id"):
        if not headers.get(name, "").strip():
            raise ApiError(403, f"the {name} header is required")


class EmulatorApp:
    """The ASGI app: every HTTP request goes to the emulator, whatever its path."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":  # pragma: no cover - websockets are not part of the API
            return
        request = Request(scope, receive)
        if request.method == "GET" and request.url.path == "/openapi.json":
            response: Response = JSONResponse(load_spec())
        else:
            response = await self.emulator.handle(request)
        await response(scope, receive, send)


def create_app(deterministic: bool = False, seed_specs: bool = True) -> EmulatorApp:
    """The emulator app with a fresh in-memory store (the contract at GET /openapi.json)."""
    return EmulatorApp(Emulator(Store(deterministic=deterministic, seed_specs=seed_specs)))
