"""The Flow Service emulator: the generic engine (`doctract.emulator.engine`) serving this
profile's contract with this profile's rules.

The engine routes (404, 405 with Allow), validates against the contract (400 listing every
violation) and logs; what the contract cannot say comes from here (`FlowServiceHooks`):
- credentials: `Authorization: Bearer ...` missing or malformed is 401, a missing `x-api-key`
  or `x-gw-ims-org-id` 403;
- a PATCH without If-Match is 428 before its body is read; bodies are JSON (or a JSON Patch),
  another media type is 415;
- an unencoded `orderby=+name` arrives as " name" and is read as "+name";
- contract errors are quoted as jsonschema words them, and every error takes Adobe's shape
  (`{type: https://ns.adobe.com/aep/errors/FLOW-<status>, title, status, detail, errors?}`);
- each operation is answered by the Flow Service store (`doctract.emulator.store.Store`):
  drafts with `mode=draft`, publishing in dependency order, etags, JSON Patch, and bodies
  checked against the connection and flow spec schemas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from typing import Any

from doctract.contract import Contract
from doctract.contract.model import Operation
from doctract.emulator.behaviours import Outcome
from doctract.emulator.bodies import parse_json
from doctract.emulator.engine import GenericEmulator, Hooks, Rule
from doctract.emulator.errors import ApiError
from doctract.emulator.incoming import Call, Wording
from doctract.emulator.inference import Behaviour
from doctract.emulator.store import Caller, Paging, Store

_BEARER = re.compile(r"^Bearer\s+\S+$")
_JSON_TYPES = ("application/json", "application/json-patch+json")
ERROR_TYPE = "https://ns.adobe.com/aep/errors/FLOW-{status}"


def error_body(status: int, detail: str, errors: list[Any] | None = None) -> dict[str, Any]:
    """An error as the Flow Service writes it."""
    body: dict[str, Any] = {
        "type": ERROR_TYPE.format(status=status),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


@dataclass(frozen=True)
class FlowCall:
    """One validated request, as the store's handlers see it."""

    store: Store
    params: dict[str, str]
    query: dict[str, str]  # the last value of each parameter
    filters: list[str]  # every `property` filter
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


Handler = Callable[[FlowCall], tuple[int, Any]]


def _entity_handlers(collection: str, id_param: str, singular: str) -> dict[str, Handler]:
    def create(c: FlowCall) -> tuple[int, Any]:
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


class FlowServiceHooks(Hooks):
    """The Flow Service's rules for the generic engine (see the module's docstring)."""

    wording = Wording(
        takes="this endpoint takes", body_required="a JSON request body is required", verbatim=True
    )

    def __init__(self, deterministic: bool = False, seed_specs: bool = True) -> None:
        self.deterministic = deterministic
        self.seed_specs = seed_specs
        self.store = Store(deterministic=deterministic, seed_specs=seed_specs)

    def reset(self) -> None:
        self.store = Store(deterministic=self.deterministic, seed_specs=self.seed_specs)

    def authorize(
        self,
        op: Operation,
        headers: Mapping[str, str],
        query: Mapping[str, list[str]],
        accepted: Mapping[str, str],
    ) -> None:
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

    def before_body(self, op: Operation, headers: Mapping[str, str]) -> None:
        if op.method == "PATCH" and "if-match" not in headers:
            raise ApiError(428, "PATCH requires an If-Match header with the entity's current etag")

    def read_body(
        self, op: Operation, raw: bytes, content_type: str
    ) -> tuple[Any, bool, str | None]:
        if not op.body or not raw.strip():
            return None, False, None
        media = content_type.split(";")[0].strip().lower()
        if media not in _JSON_TYPES:
            raise ApiError(
                415,
                f"send the body as application/json (Content-Type was {media or 'missing'})",
            )
        return parse_json(raw), True, media

    def query(self, op: Operation, query: dict[str, list[str]]) -> dict[str, list[str]]:
        orderby = query.get("orderby")
        if orderby and orderby[-1].startswith(" "):  # an unencoded `+name` decodes to " name"
            return {**query, "orderby": [*orderby[:-1], "+" + orderby[-1][1:]]}
        return query

    def rules(self) -> tuple[Rule, ...]:
        return (self.answer,)

    def answer(self, call: Call, behaviour: Behaviour, emulator: GenericEmulator) -> Outcome:
        """Every operation goes to the store's handler for it."""
        headers = call.headers
        flow_call = FlowCall(
            self.store,
            call.params,
            {name: values[-1] for name, values in call.query.items() if values},
            list(call.query.get("property", [])),
            headers,
            call.body,
            Caller(headers.get("x-sandbox-name", "prod"), headers.get("x-gw-ims-org-id", "")),
        )
        status, payload = HANDLERS[call.operation.operation_id](flow_call)
        if status == 204:
            return Outcome(204)
        return Outcome(status, payload, "application/json")

    def error(self, status: int, detail: str, errors: list[Any]) -> tuple[Any, str] | None:
        return error_body(status, detail, errors), "application/json"


@lru_cache(maxsize=1)
def contract() -> Contract:
    """The profile's contract, read once (the emulator never changes it)."""
    from doctract.profiles.flow_service import PROFILE

    return Contract.load(PROFILE.contracts[0])


def hooks(deterministic: bool = False, seed_specs: bool = True) -> FlowServiceHooks:
    """The profile's emulator rules (what `Profile.emulator_rules` names)."""
    return FlowServiceHooks(deterministic=deterministic, seed_specs=seed_specs)


def flow_service_emulator(deterministic: bool = False, seed_specs: bool = True) -> GenericEmulator:
    """The Flow Service emulator: the engine on the profile's contract, with its rules and a
    fresh in-memory store (the contract at GET /openapi.json)."""
    rules = hooks(deterministic=deterministic, seed_specs=seed_specs)
    return GenericEmulator(contract(), deterministic=deterministic, hooks=rules)
