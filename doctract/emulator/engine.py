"""The generic stateful emulator: any OpenAPI contract served as an ASGI app.

Requests are routed through the contract's own router (`doctract.contract.router`), under the
servers' base path or without it: an unknown path is 404, another method 405 (with Allow),
missing credentials 401 (the security requirements' headers, query parameters or cookies), a
body of a media type the operation does not take 415, and anything the contract's schemas
reject 400 with every violation listed. What valid requests do is inferred from the contract
(`doctract.emulator.inference`: collections, items, singletons, receipts, paging, etags) and
kept in memory; operations it cannot infer answer their documented example, and the emulator
says which at start. Errors take the contract's own error shape. The contract is served at
GET /openapi.json. The access log names method, path and status only.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from doctract.contract import Contract, ContractSource
from doctract.contract.model import Operation
from doctract.emulator.answers import Answers
from doctract.emulator.behaviours import Behaviours, Outcome
from doctract.emulator.declared import Declared
from doctract.emulator.errors import ApiError
from doctract.emulator.generic_store import GenericStore
from doctract.emulator.incoming import Call, Wording, check_credentials, read_body, validate
from doctract.emulator.inference import Behaviour, Plan, infer
from doctract.emulator.schema_values import Fresh, SchemaValues

log = logging.getLogger("doctract.emulator")
CONTRACT_PATH = "/openapi.json"

# A profile's rule (what a contract cannot say: drafts, publish order): given a checked call,
# its inferred behaviour and the emulator (its store, its behaviours), it answers the call
# itself (an Outcome), refuses it (raises ApiError) or leaves it to the behaviour (None).
Rule = Callable[[Call, Behaviour, "GenericEmulator"], Outcome | None]


class Hooks:
    """What a profile changes in how the engine checks a request and words its errors, in
    the order the engine asks: credentials, a check before the body is read, reading the
    body, the query, the wording of contract errors, its rules (what valid requests do), and
    the body of every error. Each default is the engine's own, from the contract."""

    wording: Wording = Wording()

    def reset(self) -> None:
        """Forget what the profile's rules keep (the engine's store is reset beside it)."""

    def authorize(
        self,
        op: Operation,
        headers: Mapping[str, str],
        query: Mapping[str, list[str]],
        accepted: Mapping[str, str],
    ) -> None:
        """Raise ApiError (401) unless the request carries the credentials it needs."""
        check_credentials(op, headers, query, accepted)

    def before_body(self, op: Operation, headers: Mapping[str, str]) -> None:
        """Refuse a request before its body is read (428 for a missing If-Match)."""

    def read_body(
        self, op: Operation, raw: bytes, content_type: str
    ) -> tuple[Any, bool, str | None]:
        """(body, whether one was sent, its media type); 415 or 400 when unreadable."""
        return read_body(op, raw, content_type)

    def query(self, op: Operation, query: dict[str, list[str]]) -> dict[str, list[str]]:
        """The query as the contract checks it (a client's spelling repaired)."""
        return query

    def rules(self) -> tuple[Rule, ...]:
        """The profile's rules, asked before the inferred behaviour (see `Rule`)."""
        return ()

    def error(self, status: int, detail: str, errors: list[Any]) -> tuple[Any, str] | None:
        """(body, media type) of an error in the API's own shape; None: the contract's."""
        return None


class GenericEmulator:
    """One contract, its inferred plan and an in-memory store, as an ASGI app."""

    def __init__(
        self,
        contract: Contract,
        deterministic: bool = False,
        rules: tuple[Rule, ...] = (),
        credentials: Mapping[str, str] | None = None,
        hooks: Hooks | None = None,
    ) -> None:
        """`credentials` pins the one value a security scheme accepts (scheme name -> token
        or key, without the `Bearer ` prefix); by default any non-empty one is taken, since
        an emulator cannot know the real API's keys. `hooks`: a profile's checks, wording
        and rules (its rules run before `rules`)."""
        self.hooks = hooks or Hooks()
        self.contract = contract
        self.credentials = dict(credentials or {})
        self.store = GenericStore(deterministic=deterministic)
        fresh = Fresh(now=lambda: self.store.now(), uuid=lambda: self.store.new_uuid())
        self.values = SchemaValues(contract.document, contract.schemas, fresh)
        self.plan: Plan = infer(contract, self.values)
        self.answers = Answers(contract, self.values, self.plan)
        self.base = next((b for b in contract.bases if b), "")
        self.behaviours = Behaviours(self.plan, self.store, self.values, self.answers, self.base)
        self.rules = (*self.hooks.rules(), *rules)
        self._credential_names = frozenset(
            c.name
            for op in contract.operations
            for alternative in op.security
            for c in alternative
            if c.location == "query"
        )

    def reset(self) -> None:
        """Forget everything stored (a fresh emulator, the same plan)."""
        self.store.reset()
        self.hooks.reset()

    def describe(self) -> list[str]:
        """What the emulator could not infer: one line per operation answering its example."""
        return [
            f"{b.operation.label}: {b.reason}; answers its documented example"
            for b in sorted(self.plan.example_only(), key=lambda b: b.operation.label)
        ]

    # --- ASGI -------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":  # pragma: no cover - websockets are not part of an API
            return
        request = Request(scope, receive)
        started = time.perf_counter()
        response = await self.handle(request)
        log.info(
            "%s %s %d %.1fms",
            request.method,
            request.url.path,
            response.status_code,
            1000 * (time.perf_counter() - started),
        )
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        declared: tuple[Declared, ...] = ()
        try:
            # the path as sent (decoded): `request.url.path` drops characters a URL cannot
            # hold (`%0A`), which would make `/items/%0A` the list `/items/`
            raw_path = request.scope["path"]
            path = self._relative(raw_path)
            match = self.contract.router.match(request.method, path)
            if match is None and request.method == "GET" and path == CONTRACT_PATH:
                return JSONResponse(self.contract.raw)
            if match is None:
                raise ApiError(404, f"no such endpoint: {raw_path}")
            op = match.operation
            if op is None:
                allowed = ", ".join(match.allowed)
                raise ApiError(
                    405,
                    f"{request.method} is not allowed on {raw_path}; use {allowed}",
                    headers={"Allow": allowed},
                )
            if op.opaque:
                raise ApiError(501, f"{op.label} is defined outside this contract")
            declared = self.plan.declared.get((op.method, op.template), ())
            headers = {k.lower(): v for k, v in request.headers.items()}
            query: dict[str, list[str]] = {}
            for name, value in request.query_params.multi_items():
                query.setdefault(name, []).append(value)
            hooks = self.hooks
            hooks.authorize(op, headers, query, self.credentials)
            hooks.before_body(op, headers)
            body, has_body, media = hooks.read_body(
                op, await request.body(), headers.get("content-type", "")
            )
            query = hooks.query(op, query)
            call = Call(op, path, dict(match.values), query, headers, body, has_body, media)
            call = validate(call, self.contract.schemas, self._credential_names, hooks.wording)
            behaviour = self.plan.behaviour(op)
            outcome = None
            for rule in self.rules:
                outcome = rule(call, behaviour, self)
                if outcome is not None:
                    break
            if outcome is None:
                outcome = self.behaviours.run(call, behaviour)
            return _response(outcome)
        except ApiError as exc:
            body, media = self._error(declared, exc.status, exc.detail, exc.errors)
            return _response(Outcome(exc.status, body, media, exc.headers))
        except Exception as exc:  # never a traceback to the client; logged without secrets
            log.exception("internal error on %s %s", request.method, request.url.path)
            message = f"internal error: {type(exc).__name__}"
            body, media = self._error(declared, 500, message, [])
            return _response(Outcome(500, body, media))

    def _error(
        self, declared: tuple[Declared, ...], status: int, detail: str, errors: list[Any]
    ) -> tuple[Any, str]:
        own = self.hooks.error(status, detail, errors)
        return own if own is not None else self.answers.error(declared, status, detail, errors)

    def _relative(self, path: str) -> str:
        for base in self.contract.bases:
            if base and (path == base or path.startswith(base + "/")):
                return path[len(base) :] or "/"
        return path


def _response(outcome: Outcome) -> Response:
    if (outcome.media is None and outcome.body is None) or outcome.status in (204, 304):
        return Response(status_code=outcome.status, headers=outcome.headers)
    media = outcome.media or "application/json"
    if isinstance(outcome.body, str) and not media.lower().endswith("json"):
        content = outcome.body.encode("utf-8")
    elif outcome.body is None and not media.lower().endswith("json"):
        content = b""
    else:  # compact, as Starlette's JSONResponse writes it
        content = json.dumps(outcome.body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, outcome.status, outcome.headers, media_type=media)


def load_contract(path: str) -> Contract:
    """The contract at a path (JSON or YAML), for `doctract emulator --openapi`."""
    return Contract.load(ContractSource(path))
