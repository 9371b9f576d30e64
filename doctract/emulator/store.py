"""The emulator's in-memory Flow Service: entities, drafts, etags, specs, runs, mapping sets.

Pure state and rules, no HTTP: every method takes plain values and returns the response body or
raises `ApiError`. The rules are those the docs state (see the spec's description): drafts with
`mode=draft`, publishing in dependency order, quoted etags that change on every write, JSON
Patch updates guarded by If-Match, and bodies checked against the JSON Schemas that connection
specs and flow specs publish. Lists take the paging parameters of Adobe's published contract
(`limit`, `continuationToken`, `orderby`, `count`; docs/flow-service-contracts.md).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import re
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

import jsonpatch
from jsonpointer import JsonPointerException
from jsonschema import Draft7Validator
from jsonschema.exceptions import SchemaError

from doctract.emulator.errors import ApiError
from doctract.profiles.flow_service import ENTITY_COLLECTIONS

_SINGULAR = {
    "connections": "base connection",
    "sourceConnections": "source connection",
    "targetConnections": "target connection",
    "flows": "flow",
}
_READ_ONLY = frozenset(
    {
        "id",
        "etag",
        "version",
        "state",
        "createdAt",
        "updatedAt",
        "createdBy",
        "updatedBy",
        "createdClient",
        "updatedClient",
        "sandboxName",
        "imsOrgId",
        "connectionSpec",
        "flowSpec",
        "inheritedAttributes",
        "runs",
        "lastOperation",
    }
)
_SECRET = re.compile(r"pass|secret|token|key|credential", re.IGNORECASE)
FLOW_SERVICE = "/data/foundation/flowservice"
_TOKEN = re.compile(r"^offset:(\d+)$")
_EPOCH_MS = 1_767_225_600_000  # 2026-01-01, the deterministic clock's start
MASK = "********"


def load_catalog() -> dict[str, Any]:
    text = files("doctract.emulator").joinpath("catalog.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(frozen=True)
class Caller:
    """Who is calling: the sandbox and org from the request headers (never the credentials)."""

    sandbox: str = "prod"
    org: str = ""


@dataclass(frozen=True)
class Paging:
    """A list request's filters (`property`, repeatable), order, page size and position."""

    filters: tuple[str, ...] = ()
    orderby: str | None = None
    limit: int | None = None
    token: str | None = None
    count: bool = False

    def offset(self) -> int:
        if self.token is None:
            return 0
        padded = self.token + "=" * (-len(self.token) % 4)
        try:
            m = _TOKEN.match(base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii"))
        except (ValueError, binascii.Error, UnicodeError):
            m = None
        if m is None:
            raise ApiError(
                400,
                f"continuationToken {self.token!r} was not issued by this API; follow the "
                "previous page's _links.next.href",
            )
        return int(m.group(1))

    def next_href(self, path: str, offset: int) -> str:
        token = base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")
        query: list[tuple[str, str]] = [("property", f) for f in self.filters]
        if self.orderby is not None:
            query.append(("orderby", self.orderby))
        query += [("limit", str(self.limit)), ("continuationToken", token)]
        if self.count:
            query.append(("count", "true"))
        return f"{path}?{urlencode(query)}"


@dataclass
class Store:
    deterministic: bool = False
    seed_specs: bool = True
    entities: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {c: {} for c in ENTITY_COLLECTIONS}
    )
    connection_specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    flow_specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    mapping_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    counter: int = 0

    def __post_init__(self) -> None:
        if self.seed_specs:
            catalog = load_catalog()
            self.connection_specs = {s["id"]: s for s in catalog["connectionSpecs"]}
            self.flow_specs = {s["id"]: s for s in catalog["flowSpecs"]}

    # --- identities, etags, clock -----------------------------------------------------------

    def _tick(self) -> int:
        self.counter += 1
        return self.counter

    def new_id(self, kind: str) -> str:
        n = self._tick()
        if self.deterministic:
            digest = hashlib.sha256(f"{kind}:{n}".encode()).digest()
            return str(uuid.UUID(bytes=digest[:16], version=4))
        return str(uuid.uuid4())

    def new_etag(self) -> str:
        n = self._tick()
        tail = n if self.deterministic else int(time.time() * 1000)
        return f'"{n:08x}-0000-0200-0000-{tail & 0xFFFFFFFFFFFF:012x}"'

    def now(self) -> int:
        return _EPOCH_MS + 1000 * self.counter if self.deterministic else int(time.time() * 1000)

    # --- lookups ----------------------------------------------------------------------------

    def entity(self, collection: str, entity_id: str) -> dict[str, Any]:
        found = self.entities[collection].get(entity_id)
        if found is None:
            raise ApiError(404, self._not_found(collection, entity_id))
        return found

    def _not_found(self, collection: str, entity_id: str) -> str:
        message = f"no {_SINGULAR[collection]} with id {entity_id}"
        for other, items in self.entities.items():
            if other != collection and entity_id in items:
                return f"{message}: {entity_id} is a {_SINGULAR[other]}; use /{other}/{entity_id}"
        return message

    def _reference(self, collection: str, entity_id: str, field_name: str) -> dict[str, Any]:
        found = self.entities[collection].get(entity_id)
        if found is None:
            detail = self._not_found(collection, entity_id)
            raise ApiError(400, f"{field_name}: {detail}")
        return found

    def _connection_spec(self, ref: Any) -> dict[str, Any]:
        spec_id = ref.get("id") if isinstance(ref, dict) else None
        spec = self.connection_specs.get(str(spec_id))
        if spec is None:
            raise ApiError(400, f"connectionSpec.id {spec_id} is not a known connection spec")
        return spec

    def _flow_spec(self, ref: Any) -> dict[str, Any]:
        spec_id = ref.get("id") if isinstance(ref, dict) else None
        spec = self.flow_specs.get(str(spec_id))
        if spec is None:
            raise ApiError(400, f"flowSpec.id {spec_id} is not a known flow spec")
        return spec

    # --- validation against published JSON Schemas ------------------------------------------

    @staticmethod
    def _check_schema(instance: Any, schema: Mapping[str, Any], where: str, what: str) -> None:
        try:
            errors = sorted(
                Draft7Validator(schema).iter_errors(instance), key=lambda e: list(e.path)
            )
        except SchemaError as exc:  # pragma: no cover - the catalog's schemas are valid
            raise ApiError(500, f"the {what} schema is invalid: {exc.message}") from None
        if errors:
            listed = [
                {"path": "/".join([where, *map(str, e.path)]), "message": e.message} for e in errors
            ]
            raise ApiError(400, f"{where} does not match the {what}: {errors[0].message}", listed)

    def _validate_connection(self, body: Mapping[str, Any]) -> None:
        spec = self._connection_spec(body.get("connectionSpec"))
        auth_specs = spec.get("authSpec") or []
        if not auth_specs:
            return
        auth = body.get("auth")
        names = [a.get("name") for a in auth_specs]
        if not isinstance(auth, dict):
            raise ApiError(
                400, f"auth is required by connection spec {spec['name']} (specName one of {names})"
            )
        chosen = next((a for a in auth_specs if a.get("name") == auth.get("specName")), None)
        if chosen is None:
            raise ApiError(
                400,
                f"auth.specName {auth.get('specName')!r} is not an authSpec of "
                f"connection spec {spec['name']}; use one of {names}",
            )
        self._check_schema(
            auth.get("params"),
            chosen["spec"],
            "auth/params",
            f"authSpec '{chosen['name']}' of {spec['name']}",
        )

    def _validate_source(self, body: Mapping[str, Any]) -> None:
        spec = self._connection_spec(body.get("connectionSpec"))
        base_id = body.get("baseConnectionId")
        if base_id is not None:
            self._reference("connections", str(base_id), "baseConnectionId")
        elif spec.get("authSpec"):
            raise ApiError(400, f"baseConnectionId is required for connection spec {spec['name']}")
        source = spec.get("sourceSpec")
        if isinstance(source, dict) and isinstance(source.get("spec"), dict):
            self._check_schema(
                body.get("params", {}), source["spec"], "params", f"sourceSpec of {spec['name']}"
            )

    def _validate_target(self, body: Mapping[str, Any]) -> None:
        spec = self._connection_spec(body.get("connectionSpec"))
        base_id = body.get("baseConnectionId")
        if base_id is not None:
            self._reference("connections", str(base_id), "baseConnectionId")
        target = spec.get("targetSpec")
        if isinstance(target, dict) and isinstance(target.get("spec"), dict):
            self._check_schema(
                body.get("params", {}), target["spec"], "params", f"targetSpec of {spec['name']}"
            )

    def _validate_flow(self, body: Mapping[str, Any]) -> None:
        spec = self._flow_spec(body.get("flowSpec"))
        accepted_sources = spec.get("sourceConnectionSpecIds") or []
        for index, source_id in enumerate(body.get("sourceConnectionIds") or []):
            source = self._reference(
                "sourceConnections", str(source_id), f"sourceConnectionIds[{index}]"
            )
            source_spec = source["connectionSpec"]["id"]
            if accepted_sources and source_spec not in accepted_sources:
                raise ApiError(
                    400,
                    f"flow spec {spec['name']} does not accept source "
                    f"connections of connection spec {source_spec}",
                )
        for index, target_id in enumerate(body.get("targetConnectionIds") or []):
            self._reference("targetConnections", str(target_id), f"targetConnectionIds[{index}]")
        schedule = spec.get("scheduleSpec")
        if "scheduleParams" in body and isinstance(schedule, dict) and "spec" in schedule:
            self._check_schema(
                body["scheduleParams"],
                schedule["spec"],
                "scheduleParams",
                f"scheduleSpec of {spec['name']}",
            )
        by_name = {t.get("name"): t for t in spec.get("transformationSpecs") or []}
        for index, trans in enumerate(body.get("transformations") or []):
            known = by_name.get(trans.get("name"))
            if known is None:
                raise ApiError(
                    400,
                    f"transformations[{index}].name {trans.get('name')!r} is not "
                    f"a transformation of flow spec {spec['name']}; use one of "
                    f"{sorted(map(str, by_name))}",
                )
            self._check_schema(
                trans.get("params"),
                known["spec"],
                f"transformations/{index}/params",
                f"transformationSpec '{known['name']}' of {spec['name']}",
            )

    def _validate(self, collection: str, body: Mapping[str, Any]) -> None:
        validators = {
            "connections": self._validate_connection,
            "sourceConnections": self._validate_source,
            "targetConnections": self._validate_target,
            "flows": self._validate_flow,
        }
        validators[collection](body)

    # --- entity lifecycle -------------------------------------------------------------------

    def create(
        self, collection: str, body: dict[str, Any], draft: bool, caller: Caller
    ) -> dict[str, Any]:
        self._validate(collection, body)
        if collection == "flows" and not draft:
            self._require_published_dependencies(body, "create an enabled flow")
        entity_id = self.new_id(collection)
        etag = self.new_etag()
        stamp = self.now()
        entity = copy.deepcopy(body)
        entity.update(
            {
                "id": entity_id,
                "state": "draft" if draft else "enabled",
                "etag": etag,
                "version": etag,
                "createdAt": stamp,
                "updatedAt": stamp,
                "createdBy": "acme@AdobeID",
                "updatedBy": "acme@AdobeID",
                "createdClient": "doctract-emulator",
                "updatedClient": "doctract-emulator",
                "sandboxName": caller.sandbox,
                "imsOrgId": caller.org,
            }
        )
        if collection == "flows":
            entity["runs"] = f"/runs?property=flowId=={entity_id}"
            if self._is_streaming(entity):
                digest = hashlib.sha256(entity_id.encode()).hexdigest()
                entity.setdefault("options", {})["inletUrl"] = (
                    f"https://dcs.adobedc.net/collection/{digest}"
                )
            if not draft:
                self._start_run(entity)
        self.entities[collection][entity_id] = entity
        return {"id": entity_id, "etag": etag}

    def _is_streaming(self, flow: Mapping[str, Any]) -> bool:
        spec = self.flow_specs.get(flow.get("flowSpec", {}).get("id", ""), {})
        return bool(spec.get("attributes", {}).get("isStreaming"))

    def _require_published_dependencies(self, entity: Mapping[str, Any], action: str) -> None:
        for collection, key in (
            ("sourceConnections", "sourceConnectionIds"),
            ("targetConnections", "targetConnectionIds"),
        ):
            for dep_id in entity.get(key) or []:
                dep = self.entities[collection].get(dep_id)
                if dep is not None and dep["state"] == "draft":
                    raise ApiError(
                        409,
                        f"cannot {action}: its {_SINGULAR[collection]} {dep_id} "
                        f"is still a draft; publish it first",
                    )

    def read(self, collection: str, entity_id: str) -> dict[str, Any]:
        return {"items": [self.public(collection, self.entity(collection, entity_id))]}

    def public(self, collection: str, entity: Mapping[str, Any]) -> dict[str, Any]:
        """An entity as the API shows it: secret auth values masked."""
        shown = copy.deepcopy(dict(entity))
        auth = shown.get("auth")
        if collection == "connections" and isinstance(auth, dict):
            params = auth.get("params")
            if isinstance(params, dict):
                auth["params"] = {k: (MASK if _SECRET.search(k) else v) for k, v in params.items()}
        return shown

    def listing(self, collection: str, paging: Paging) -> dict[str, Any]:
        items = [e for e in self.entities[collection].values() if _matches(e, paging.filters)]
        page = _page(items, paging, f"{FLOW_SERVICE}/{collection}")
        page["items"] = [self.public(collection, e) for e in page["items"]]
        return page

    def delete(self, collection: str, entity_id: str) -> None:
        self.entity(collection, entity_id)
        del self.entities[collection][entity_id]
        if collection == "flows":
            for run_id in [r for r, run in self.runs.items() if run["flowId"] == entity_id]:
                del self.runs[run_id]

    def update(
        self, collection: str, entity_id: str, if_match: str | None, patch: list[dict[str, Any]]
    ) -> dict[str, Any]:
        entity = self.entity(collection, entity_id)
        if if_match is None:
            raise ApiError(428, "PATCH requires an If-Match header with the entity's current etag")
        if if_match.strip() not in (entity["etag"], "*"):
            raise ApiError(
                412,
                f"If-Match {if_match.strip()} does not match the current etag of "
                f"{_SINGULAR[collection]} {entity_id}; GET it for the latest etag "
                "(etags are quoted strings)",
            )
        for index, op in enumerate(patch):
            top = str(op.get("path", "")).split("/")[1:2]
            if top and top[0] in _READ_ONLY:
                raise ApiError(
                    400, f"patch operation {index} changes /{top[0]}, which is read-only"
                )
        editable = {k: v for k, v in entity.items() if k not in _READ_ONLY}
        editable["connectionSpec"] = entity.get("connectionSpec")
        editable["flowSpec"] = entity.get("flowSpec")
        try:
            changed = jsonpatch.apply_patch(editable, patch)
        except (jsonpatch.JsonPatchException, JsonPointerException) as exc:
            raise ApiError(400, f"the JSON Patch cannot be applied: {exc}") from None
        if not isinstance(changed.get("name"), str) or not changed.get("name"):
            raise ApiError(400, "name must stay a non-empty string")
        self._validate(collection, {k: v for k, v in changed.items() if v is not None})
        entity.update({k: v for k, v in changed.items() if k not in _READ_ONLY})
        for key in [k for k in entity if k not in changed and k not in _READ_ONLY]:
            del entity[key]
        return self._touch(entity)

    def _touch(self, entity: dict[str, Any]) -> dict[str, Any]:
        etag = self.new_etag()
        entity.update({"etag": etag, "version": etag, "updatedAt": self.now()})
        return {"id": entity["id"], "etag": etag}

    def action(self, collection: str, entity_id: str, op: str) -> dict[str, Any]:
        """`op` in the tutorials' lower case (`PUBLISH` and the like arrive lowered)."""
        entity = self.entity(collection, entity_id)
        kind = _SINGULAR[collection]
        op = op.lower()
        if op == "publish":
            if entity["state"] != "draft":
                raise ApiError(
                    409,
                    f"{kind} {entity_id} is not a draft (state "
                    f"{entity['state']}): only drafts can be published",
                )
            if collection in ("sourceConnections", "targetConnections"):
                base_id = entity.get("baseConnectionId")
                base = self.entities["connections"].get(str(base_id))
                if base is not None and base["state"] == "draft":
                    raise ApiError(
                        409,
                        f"cannot publish {kind} {entity_id}: its base "
                        f"connection {base_id} is still a draft; publish it first",
                    )
            if collection == "flows":
                self._require_published_dependencies(entity, f"publish flow {entity_id}")
            entity["state"] = "enabled"
        elif collection != "flows" or op not in ("enable", "disable"):
            raise ApiError(400, f"op={op} is not an action of {kind}s")
        elif entity["state"] == "draft":
            raise ApiError(409, f"flow {entity_id} is a draft: publish it before op={op}")
        else:
            entity["state"] = "enabled" if op == "enable" else "disabled"
        entity["lastOperation"] = {"started": self.now(), "updated": self.now(), "operation": op}
        if collection == "flows" and entity["state"] == "enabled":
            self._start_run(entity)
        return self._touch(entity)

    # --- runs, explore, specs, mapping sets -------------------------------------------------

    def _start_run(self, flow: Mapping[str, Any]) -> None:
        run_id = self.new_id("runs")
        stamp = self.now()
        self.runs[run_id] = {
            "id": run_id,
            "flowId": flow["id"],
            "etag": self.new_etag(),
            "createdAt": stamp,
            "updatedAt": stamp,
            "metrics": {
                "durationSummary": {"startedAtUTC": stamp, "completedAtUTC": stamp + 55_000},
                "recordSummary": {
                    "inputRecordCount": 100,
                    "outputRecordCount": 100,
                    "failedRecordCount": 0,
                },
                "statusSummary": {"status": "success"},
            },
            "activities": [{"id": "copyActivity", "statusSummary": {"status": "success"}}],
        }

    def list_runs(self, paging: Paging) -> dict[str, Any]:
        items = [run for run in self.runs.values() if _matches(run, paging.filters)]
        return _page(items, paging, f"{FLOW_SERVICE}/runs")

    def run(self, run_id: str) -> dict[str, Any]:
        if run_id not in self.runs:
            raise ApiError(404, f"no run with id {run_id}")
        return {"items": [self.runs[run_id]]}

    def explore(self, connection_id: str, query: Mapping[str, str]) -> Any:
        connection = self.entity("connections", connection_id)
        spec = self.connection_specs.get(connection["connectionSpec"]["id"], {})
        explore = spec.get("exploreSpec") or {}
        request_spec = explore.get("requestSpec")
        object_type = query.get("objectType", "root")
        request: dict[str, Any] = {
            k: v for k, v in query.items() if k in ("objectType", "object", "fileType")
        }
        if "preview" in query:
            request["preview"] = query["preview"] == "true"
        if isinstance(request_spec, dict):
            self._check_schema(request, request_spec, "query", f"exploreSpec of {spec['name']}")
        if explore.get("type") == "REST" or object_type == "rest":
            return {
                "format": "hierarchical",
                "schema": {
                    "type": "object",
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
                "data": [{"id": 6106699702801, "name": "test"}],
            }
        if object_type == "file":
            return {
                "format": query.get("fileType", "delimited"),
                "schema": {
                    "columns": [
                        {"name": "id", "type": "string"},
                        {"name": "email", "type": "string"},
                    ]
                },
                "data": [{"id": "1", "email": "ada@example.com"}],
            }
        base = query.get("object", "/") if object_type == "folder" else "/"
        return [
            {
                "type": "folder",
                "name": "acme",
                "path": f"{base.rstrip('/')}/acme",
                "canPreview": False,
                "canFetchSchema": False,
            },
            {
                "type": "file",
                "name": "accounts.csv",
                "path": f"{base.rstrip('/')}/accounts.csv",
                "canPreview": True,
                "canFetchSchema": True,
            },
        ]

    def specs(self, kind: str, filters: Iterable[str]) -> dict[str, Any]:
        catalog = self.connection_specs if kind == "connectionSpecs" else self.flow_specs
        return {"items": [s for s in catalog.values() if _matches(s, filters)]}

    def spec(self, kind: str, spec_id: str) -> dict[str, Any]:
        catalog = self.connection_specs if kind == "connectionSpecs" else self.flow_specs
        if spec_id not in catalog:
            raise ApiError(404, f"no {kind[:-1]} with id {spec_id}")
        return {"items": [catalog[spec_id]]}

    def create_mapping_set(self, body: dict[str, Any]) -> dict[str, Any]:
        mapping_id = self.new_id("mappingSets").replace("-", "")
        stamp = self.now()
        record = {
            "id": mapping_id,
            "version": int(body.get("version") or 0),
            "createdDate": stamp,
            "modifiedDate": stamp,
            "createdBy": "acme@AdobeID",
            "modifiedBy": "acme@AdobeID",
            "xdmSchema": body["xdmSchema"],
            "mappings": body["mappings"],
        }
        self.mapping_sets[mapping_id] = record
        return {
            k: record[k]
            for k in ("id", "version", "createdDate", "modifiedDate", "createdBy", "modifiedBy")
        }

    def mapping_set(self, mapping_id: str) -> dict[str, Any]:
        if mapping_id not in self.mapping_sets:
            raise ApiError(404, f"no mapping set with id {mapping_id}")
        return self.mapping_sets[mapping_id]


_FILTER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_.]*)(?P<op>==|!=)(?P<value>.*)$")


def parse_filter(text: str) -> tuple[str, str, str]:
    m = _FILTER.match(text)
    if not m:
        raise ApiError(400, f'property filter {text!r} must look like name=="value"')
    value = m.group("value")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return m.group("key"), m.group("op"), value


def _lookup(item: Mapping[str, Any], key: str) -> Any:
    have: Any = item
    for part in key.split("."):
        have = have.get(part) if isinstance(have, Mapping) else None
    return have


def _sort_key(value: Any) -> tuple[int, float, str]:
    """Numbers before strings before anything else, each in its natural order."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value), "")
    if isinstance(value, str):
        return (1, 0.0, value)
    return (2, 0.0, json.dumps(value, sort_keys=True, default=str))


def _page(items: Sequence[Mapping[str, Any]], paging: Paging, path: str) -> dict[str, Any]:
    """One page of a list response: sorted, cut at `limit` from the token's offset, with
    `_links.next.href` when more follow and `count` when asked for."""
    start = paging.offset()
    ordered = list(items)
    if paging.orderby:
        key = paging.orderby.lstrip("+-")
        present = [i for i in ordered if _lookup(i, key) is not None]
        missing = [i for i in ordered if _lookup(i, key) is None]
        present.sort(
            key=lambda i: _sort_key(_lookup(i, key)), reverse=paging.orderby.startswith("-")
        )
        ordered = present + missing
    end = len(ordered) if paging.limit is None else start + paging.limit
    page: dict[str, Any] = {"items": ordered[start:end]}
    if end < len(ordered):
        page["_links"] = {"next": {"href": paging.next_href(path, end)}}
    if paging.count:
        page["count"] = len(ordered)
    return page


def _matches(item: Mapping[str, Any], filters: Iterable[str]) -> bool:
    for text in filters:
        key, op, want = parse_filter(text)
        have = _lookup(item, key)
        equal = have is not None and str(have) == want
        if equal != (op == "=="):
            return False
    return True
