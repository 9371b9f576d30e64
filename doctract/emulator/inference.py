"""What the generic emulator infers from a contract: collections, what each operation does,
and the shape of what it answers. Pure: a contract in, an immutable plan out.

Rules (each a guess a real API of the usual kind confirms; where none applies, the operation
answers its documented example and the plan says so):

- A **collection** is a path ending in a literal segment (`/indexes`, `/pets/{petId}/notes`)
  whose child is one whole parameter segment, the **item** path (`/indexes/{index_uid}`).
  A collection nested under another's item belongs to that item: it exists only while the
  item does, and deleting the item deletes it.
- On a collection: GET lists; POST creates, or lists when its success response is a list
  (a search written as POST); an array body (PUT, or POST where the schema allows one)
  stores each element (POST replaces, PUT merges); DELETE clears it. On an item: GET reads,
  PUT replaces, PATCH patches (an array body is a JSON Patch, an object a JSON merge patch;
  the media type decides where it names one), DELETE removes.
- The **id field** is the first of these the item's schemas declare: the path parameter's
  name, that name without the singular prefix (`document_id` -> `id`), `id`, `uid`, `key`,
  `uuid`, `name`, `<singular>Id`; else `id` (elements of an array body without it: their
  first field ending in `id`). Ids are **chosen by the client** when the create body
  declares the id field or no properties at all, or when no operation creates items;
  otherwise the emulator generates them per the path parameter's schema (integers count up,
  strings are UUIDs). Where the client chooses ids, PUT to a missing item creates it, PATCH
  too when no operation creates items, and so does a write under a missing item (settings
  of an index that does not exist yet) and a write it cannot infer that answers 202 Accepted
  (documents added to a new index); a DELETE the API queues (202 Accepted) under a missing
  item is accepted and changes nothing, as such an API checks when the task runs (a setting
  of an index that does not exist yet reset); everything else under a missing item is 404.
- A **singleton** is a path that is neither collection nor item, with GET and PUT or PATCH
  (`/indexes/{uid}/settings`): GET answers what the last write stored (at first its
  documented example), PUT replaces, PATCH patches, DELETE resets.
- A response **shows the resource** when its schema declares the id field, is the item
  schema, or declares nothing; it is a **list** when it is an array or an object holding an
  array of items (the others are paging metadata, filled by name: `offset`, `limit`,
  `total`, `page`, `next`, ...); any other schema is a **receipt** (an asynchronous task):
  its documented example, with the fields that name a collection's id (`indexUid`,
  `taskUid`) filled in and its date-times now; a receipt that names the id of a collection
  no operation creates (`taskUid` for `/tasks/{task_id}`) also stores a record there, built
  from that collection's documented item with the receipt's fields, in its documented state
  (`succeeded`): writes apply at once.
- What an answer shows starts from what the contract documents: a new item holds, for each
  property its schema declares that the request leaves out, the value in the contract's
  example of an item (the item read's, else the create's, else the list's first), else the
  property's own default or example; a field of it naming another collection's id takes the
  request's or is left out, date-times are now and uuids new. Later writes change only what
  they say (what was created is what is read). A list's envelope and a summary of an item
  keep their documented example's other fields (`facetDistribution`, `processingTimeMs`).
- Paging parameters are recognised by name: `limit`, `per_page`, `pageSize`, `size`,
  `offset`, `skip`, `page`, `continuationToken`, `cursor`, `pageToken`; other list query
  parameters named like a field (or its plural or singular) filter by equality.
- ETags only where declared: an `ETag` response header is sent where the contract declares
  one, `If-Match` is checked (412 stale, 428 missing when required) where it declares that
  parameter; a body property named `etag` carries the current etag.
- The contract's statuses win where it leaves a choice: a create whose client-chosen id is
  taken is 409 where the operation declares 409, else accepted with nothing changed (as an
  API that queues the write and fails it later); a DELETE of a missing item is 404 where
  declared, else a success (DELETE is idempotent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from doctract.contract import Contract
from doctract.contract.model import Operation
from doctract.contract.router import segments
from doctract.emulator.declared import Declared, is_json, responses, success
from doctract.emulator.schema_values import SchemaValues

_PARAM = re.compile(r"^\{([^{}]+)\}$")
_LIST_NAMES = ("results", "items", "data", "hits", "records", "values", "entries", "content")
LIMIT_NAMES = frozenset(
    {"limit", "perpage", "pagesize", "size", "top", "maxresults", "maxitems", "hitsperpage"}
)
OFFSET_NAMES = frozenset({"offset", "skip", "start"})
PAGE_NAMES = frozenset({"page", "pagenumber", "pageindex"})
TOKEN_NAMES = frozenset(
    {"continuationtoken", "cursor", "pagetoken", "nextpagetoken", "starttoken", "marker"}
)


_GENERIC_IDS = frozenset({"id", "uid", "key", "uuid", "name", "slug"})


class Kind(Enum):
    CREATE = "create"
    LIST = "list"
    STORE_MANY = "store many"
    CLEAR = "clear"
    READ = "read"
    REPLACE = "replace"
    PATCH = "patch"
    DELETE = "delete"
    STATE_READ = "read state"
    STATE_REPLACE = "replace state"
    STATE_PATCH = "patch state"
    STATE_RESET = "reset state"
    EXAMPLE = "example"


class Shape(Enum):
    RESOURCE = "resource"
    LIST = "list"
    RECEIPT = "receipt"
    EMPTY = "empty"


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def singular(name: str) -> str:
    if name.endswith("ies") and len(name) > 4:
        return name[:-3] + "y"
    if re.search(r"(xes|ches|shes|sses)$", name):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


@dataclass(frozen=True)
class Collection:
    path: str  # /indexes/{index_uid}/documents
    item: str  # /indexes/{index_uid}/documents/{document_id}
    param: str  # document_id
    name: str  # documents
    id_field: str
    id_types: tuple[str, ...]  # JSON types of the item parameter
    client_ids: bool
    item_schema: str | None  # pointer: the schema of one item as reads show it
    has_create: bool

    @property
    def singular(self) -> str:
        return singular(self.name)

    def names_id(self, field_name: str) -> bool:
        """Whether a field names this collection's id (`indexUid`, `task_id`)."""
        n = norm(field_name)
        one = norm(self.singular)
        names = {one + "id", one + "uid", one + "key"}
        if norm(self.param) not in _GENERIC_IDS:
            names.add(norm(self.param))
        return n in names


@dataclass(frozen=True)
class Paging:
    limit: str | None = None
    offset: str | None = None
    page: str | None = None
    token: str | None = None
    default_limit: int | None = None

    @property
    def names(self) -> frozenset[str]:
        return frozenset(n for n in (self.limit, self.offset, self.page, self.token) if n)


@dataclass(frozen=True)
class Behaviour:
    operation: Operation
    kind: Kind
    answer: Declared | None
    shape: Shape
    collection: Collection | None = None
    ancestors: tuple[Collection, ...] = ()  # collections whose items this path lies under
    list_field: str | None = None  # the array property of a list envelope
    paging: Paging = field(default_factory=Paging)
    if_match: bool = False  # the operation declares If-Match
    if_match_required: bool = False
    reason: str = ""  # why an EXAMPLE operation could not be inferred


@dataclass(frozen=True)
class Plan:
    behaviours: dict[tuple[str, str], Behaviour]  # (METHOD, template) -> behaviour
    collections: tuple[Collection, ...]
    singletons: frozenset[str]
    declared: dict[tuple[str, str], tuple[Declared, ...]]  # every response each declares

    def answer(self, method: str, template: str) -> Declared | None:
        found = self.behaviours.get((method, template))
        return found.answer if found else None

    def behaviour(self, op: Operation) -> Behaviour:
        return self.behaviours[(op.method, op.template)]

    def example_only(self) -> list[Behaviour]:
        return [b for b in self.behaviours.values() if b.kind is Kind.EXAMPLE]


def infer(contract: Contract, values: SchemaValues) -> Plan:
    ops = [op for op in contract.operations if not op.opaque]
    by_template: dict[str, dict[str, Operation]] = {}
    for op in ops:
        by_template.setdefault(op.template, {})[op.method] = op
    declared = {(op.method, op.template): responses(contract.document, op) for op in ops}
    collections = _collections(by_template, declared, values)
    items = {c.item: c for c in collections}
    paths = {c.path: c for c in collections}
    singletons = frozenset(
        t
        for t, methods in by_template.items()
        if t not in items
        and t not in paths
        and "GET" in methods
        and ({"PUT", "PATCH"} & set(methods))
    )
    behaviours = {}
    for op in ops:
        key = (op.method, op.template)
        ancestors = _ancestors(op.template, collections)
        behaviour = _behaviour(op, declared[key], paths, items, singletons, ancestors, values)
        if op.template in singletons:
            behaviour = _state_shape(behaviour, declared[("GET", op.template)], values)
        behaviours[key] = behaviour
    return Plan(behaviours, tuple(collections), singletons, declared)


def _collections(
    by_template: dict[str, dict[str, Operation]],
    declared: dict[tuple[str, str], tuple[Declared, ...]],
    values: SchemaValues,
) -> list[Collection]:
    found = []
    for template, methods in by_template.items():
        segs = segments(template)
        if len(segs) < 2 or not _PARAM.match(segs[-1]) or "{" in segs[-2]:
            continue
        parent = "/" + "/".join(segs[:-1])
        param = _PARAM.match(segs[-1]).group(1)  # type: ignore[union-attr]
        siblings = by_template.get(parent, {})
        create = siblings.get("POST")
        item_schema = _item_schema(methods.get("GET"), declared, values, param, segs[-2])
        create_body = _json_body(create)
        create_shape_list = False
        if create is not None:
            answer = success(declared[("POST", parent)], ("201", "200", "202"))
            create_shape_list = bool(
                answer and answer.schema and _list_field(values, answer.schema, None) is not None
            )
        if create_shape_list:
            create = None  # a POST that answers a list is a search, not a create
            create_body = None
        names: list[str] = []
        for at in (item_schema, create_body):
            if at:
                names.extend(values.properties(at))
        if create is not None:
            answer = success(declared[("POST", parent)], ("201", "200", "202"))
            if answer and answer.schema:
                names.extend(values.properties(answer.schema))
        id_field = _id_field(param, segs[-2], names)
        param_schema = next(
            (
                p.schema
                for op in methods.values()
                for p in op.parameters
                if p.location == "path" and p.name == param
            ),
            None,
        )
        types = _types(values, param_schema)
        client = create is None or (
            create_body is not None
            and (id_field in values.properties(create_body) or _free_form(values, create_body))
        )
        found.append(
            Collection(
                parent,
                template,
                param,
                segs[-2],
                id_field,
                types,
                client,
                item_schema,
                create is not None,
            )
        )
    return found


def _free_form(values: SchemaValues, at: str) -> bool:
    """A body schema that declares no properties (a document of the client's own fields)."""
    kinds = values.types(at)
    return not values.properties(at) and (not kinds or "object" in kinds or "array" in kinds)


def _types(values: SchemaValues, schema: Any) -> tuple[str, ...]:
    if not isinstance(schema, dict):
        return ("string",)
    resolved = values.schemas.resolve(schema)
    kind = resolved.get("type", "string")
    return tuple(kind) if isinstance(kind, list) else (str(kind),)


def _json_body(op: Operation | None) -> str | None:
    if op is None:
        return None
    return next((m.schema for m in op.body if m.schema and is_json(m.media)), None)


def _item_schema(
    get: Operation | None,
    declared: dict[tuple[str, str], tuple[Declared, ...]],
    values: SchemaValues,
    param: str,
    name: str,
) -> str | None:
    """The schema of one item as its GET shows it (inside a `{"items": [...]}` envelope)."""
    if get is None:
        return None
    answer = success(declared[("GET", get.template)], ("200",))
    if answer is None or answer.schema is None:
        return None
    props = values.properties(answer.schema)
    id_field = _id_field(param, name, list(props))
    if id_field in props:
        return answer.schema
    envelope = _list_field(values, answer.schema, None)
    if envelope is not None:
        return values.items(props[envelope]) if envelope in props else None
    return answer.schema


def _id_field(param: str, collection: str, names: list[str]) -> str:
    one = singular(collection)
    stripped = re.sub(rf"^{re.escape(norm(one))}[_-]?", "", param.lower())
    candidates = [
        param,
        stripped,
        "id",
        "uid",
        "key",
        "uuid",
        "name",
        f"{one}Id",
        f"{one}_id",
    ]
    by_norm = {norm(n): n for n in reversed(names)}
    for candidate in candidates:
        if candidate in names:
            return candidate
    for candidate in candidates:
        if norm(candidate) in by_norm:
            return by_norm[norm(candidate)]
    return "id"


def _list_field(values: SchemaValues, at: str, id_field: str | None) -> str | None:
    """The array property of a list envelope (`results`, `items`), or "" when the schema
    itself is an array; None when the schema is not a list."""
    kinds = values.types(at)
    if "array" in kinds:
        return ""
    props = values.properties(at)
    if not props or (id_field is not None and id_field in props):
        return None
    arrays = [n for n, p in props.items() if "array" in values.types(p)]
    for name in _LIST_NAMES:
        if name in arrays:
            return name
    if len(arrays) == 1:
        item = values.items(props[arrays[0]])
        if item is not None and "object" in values.types(item):
            return arrays[0]
    return None


def _ancestors(template: str, collections: list[Collection]) -> tuple[Collection, ...]:
    segs = segments(template)
    found = [
        c
        for c in collections
        if len(segments(c.item)) < len(segs) and segs[: len(segments(c.item))] == segments(c.item)
    ]
    return tuple(sorted(found, key=lambda c: len(segments(c.item))))


def _shape(
    values: SchemaValues, answer: Declared | None, collection: Collection | None
) -> tuple[Shape, str | None]:
    if answer is None or answer.media is None:
        return Shape.EMPTY, None
    if answer.schema is None:
        return (Shape.RECEIPT if answer.has_example else Shape.RESOURCE), None
    if not answer.json:
        return Shape.RECEIPT, None
    id_field = collection.id_field if collection else None
    props = values.properties(answer.schema)
    if collection and collection.item_schema and answer.schema == collection.item_schema:
        return Shape.RESOURCE, None
    if id_field and id_field in props:
        return Shape.RESOURCE, None
    envelope = _list_field(values, answer.schema, id_field)
    if envelope is not None:
        return Shape.LIST, envelope
    if (not props and "object" in values.types(answer.schema)) or not values.types(answer.schema):
        return Shape.RESOURCE, None
    return Shape.RECEIPT, None


def _state_shape(
    behaviour: Behaviour, read: tuple[Declared, ...], values: SchemaValues
) -> Behaviour:
    """A singleton's write answers its new state when it declares the read's schema."""
    if behaviour.kind is Kind.STATE_READ:
        return replace(behaviour, shape=Shape.RESOURCE)
    shown = success(read, ("200",))
    answer = behaviour.answer
    if (
        shown is not None
        and shown.schema is not None
        and answer is not None
        and answer.schema is not None
        and values.resolve(shown.schema)[1] == values.resolve(answer.schema)[1]
    ):
        return replace(behaviour, shape=Shape.RESOURCE)
    if behaviour.shape is not Shape.EMPTY:
        return replace(behaviour, shape=Shape.RECEIPT)
    return behaviour


def _paging(op: Operation, values: SchemaValues) -> Paging:
    found: dict[str, str] = {}
    default: int | None = None
    for p in op.in_("query"):
        n = norm(p.name)
        kinds = _types(values, p.schema)
        numeric = "integer" in kinds or "number" in kinds
        if n in LIMIT_NAMES and numeric and "limit" not in found:
            found["limit"] = p.name
            schema = values.schemas.resolve(p.schema) if isinstance(p.schema, dict) else {}
            if isinstance(schema.get("default"), int):
                default = schema["default"]
        elif n in OFFSET_NAMES and numeric:
            found.setdefault("offset", p.name)
        elif n in PAGE_NAMES and numeric:
            found.setdefault("page", p.name)
        elif n in TOKEN_NAMES:
            found.setdefault("token", p.name)
    return Paging(
        found.get("limit"), found.get("offset"), found.get("page"), found.get("token"), default
    )


def _behaviour(
    op: Operation,
    declared: tuple[Declared, ...],
    paths: dict[str, Collection],
    items: dict[str, Collection],
    singletons: frozenset[str],
    ancestors: tuple[Collection, ...],
    values: SchemaValues,
) -> Behaviour:
    if_match = op.parameter("header", "If-Match")
    common: dict[str, Any] = {
        "ancestors": ancestors,
        "if_match": if_match is not None,
        "if_match_required": bool(if_match and if_match.required),
    }
    method = op.method
    body = _json_body(op)
    kinds = values.types(body) if body else []
    # PUT with a body that may be an array stores each element; POST only when it must be one
    stores_many = (method == "PUT" and (not kinds or "array" in kinds)) or (
        method == "POST" and kinds == ["array"]
    )
    prefer = {"POST": ("201", "200", "202"), "DELETE": ("204", "200", "202")}.get(
        method, ("200", "201", "202", "204")
    )
    answer = success(declared, prefer)
    collection = paths.get(op.template)
    kind: Kind | None = None
    reason = ""
    if collection is not None:
        shape, envelope = _shape(values, answer, collection)
        if method == "GET" or (method == "POST" and shape is Shape.LIST and not stores_many):
            kind = Kind.LIST if shape is Shape.LIST else None
            reason = "" if kind else "a list whose response holds no array of items"
        elif stores_many and body:
            kind = Kind.STORE_MANY
        elif method == "POST":
            kind = Kind.CREATE  # an array body (where the schema allows one) stores many
        elif method == "DELETE":
            kind = Kind.CLEAR
        else:
            reason = f"{method} on a collection"
    elif op.template in items:
        collection = items[op.template]
        kind = {
            "GET": Kind.READ,
            "PUT": Kind.REPLACE,
            "PATCH": Kind.PATCH,
            "DELETE": Kind.DELETE,
        }.get(method)
        reason = "" if kind else f"{method} on an item"
    elif op.template in singletons:
        kind = {
            "GET": Kind.STATE_READ,
            "PUT": Kind.STATE_REPLACE,
            "PATCH": Kind.STATE_PATCH,
            "DELETE": Kind.STATE_RESET,
        }.get(method)
        reason = "" if kind else f"{method} on a singleton"
    else:
        reason = "not a collection, an item or a singleton"
    if kind is None:
        shape, envelope = _shape(values, answer, ancestors[-1] if ancestors else None)
        if shape is not Shape.EMPTY:
            shape = Shape.RECEIPT
        return Behaviour(op, Kind.EXAMPLE, answer, shape, None, reason=reason, **common)
    shape, envelope = _shape(values, answer, collection)
    return Behaviour(
        op,
        kind,
        answer,
        shape,
        collection,
        list_field=envelope,
        paging=_paging(op, values) if kind is Kind.LIST else Paging(),
        **common,
    )
