"""What each inferred kind of operation does to the generic store, and what it answers.

Writes under an item of a collection whose ids the client chooses create that item when it is
missing (the way a PUT to a new URL does); every other request under a missing item is 404.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from doctract.contract.router import segments
from doctract.emulator.answers import Answers, page_of
from doctract.emulator.declared import Declared, for_status
from doctract.emulator.errors import ApiError
from doctract.emulator.generic_store import GenericStore, Item
from doctract.emulator.incoming import Call
from doctract.emulator.inference import Behaviour, Collection, Kind, Plan, Shape, norm, singular
from doctract.emulator.patches import apply as apply_patch
from doctract.emulator.patches import merge_patch
from doctract.emulator.schema_values import SchemaValues

_PARAM = re.compile(r"\{([^{}]+)\}")
_ALTERNATE_KEYS = ("id", "uid", "key", "uuid")
_MISSING = object()


@dataclass(frozen=True)
class Outcome:
    """A response: status, body, media type and headers. Body and media None: no body; a
    body without a media type is sent as JSON."""

    status: int
    body: Any = None
    media: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def concrete(template: str, params: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: params.get(m.group(1), m.group(0)), template)


def content_etag(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:16] + '"'


class Behaviours:
    def __init__(
        self,
        plan: Plan,
        store: GenericStore,
        values: SchemaValues,
        answers: Answers,
        base: str = "",
    ) -> None:
        self.plan = plan
        self.store = store
        self.values = values
        self.answers = answers
        self.base = base
        self._handlers: dict[Kind, Callable[[Call, Behaviour], Outcome]] = {
            Kind.CREATE: self.create,
            Kind.LIST: self.list,
            Kind.STORE_MANY: self.store_many,
            Kind.CLEAR: self.clear,
            Kind.READ: self.read,
            Kind.REPLACE: self.replace,
            Kind.PATCH: self.patch,
            Kind.DELETE: self.delete,
            Kind.STATE_READ: self.state_read,
            Kind.STATE_REPLACE: self.state_write,
            Kind.STATE_PATCH: self.state_write,
            Kind.STATE_RESET: self.state_reset,
            Kind.EXAMPLE: self.example,
        }

    def run(self, call: Call, behaviour: Behaviour) -> Outcome:
        return self._handlers[behaviour.kind](call, behaviour)

    # --- collections --------------------------------------------------------------------------

    def create(self, call: Call, b: Behaviour) -> Outcome:
        if isinstance(call.body, list):
            return self.store_many(call, b)
        coll = _collection(b)
        self._parents(call, b, create=True)
        where = concrete(coll.path, call.params)
        value = copy.deepcopy(call.body) if isinstance(call.body, dict) else {}
        chosen = value.get(coll.id_field) if coll.client_ids else None
        if chosen not in (None, ""):
            existing = self.store.get(where, str(chosen))
            if existing is not None:
                message = f"a {singular(coll.name)} with {coll.id_field} {chosen} exists already"
                return self._conflict(call, b, existing, chosen, message)
            key = chosen
        else:
            key = self._new_id(coll)
        value[coll.id_field] = key
        stamped = self.answers.stamp(coll, value, True, self._refs(call, b, None))
        item = self.store.put(where, str(key), stamped)
        return self._respond(call, b, b.answer, item=item, key=key)

    def store_many(self, call: Call, b: Behaviour) -> Outcome:
        coll = _collection(b)
        self._parents(call, b, create=True)
        where = concrete(coll.path, call.params)
        stored: list[Item] = []
        for element in call.body if isinstance(call.body, list) else []:
            if not isinstance(element, dict):
                continue
            field_name = _id_in(element, coll.id_field)
            key = element.get(field_name) if field_name else None
            value = copy.deepcopy(element)
            if key in (None, ""):
                key = self._new_id(coll)
                value[coll.id_field] = key
            old = self.store.get(where, str(key))
            if call.operation.method == "PUT" and old is not None:
                value = merge_patch(old.value, value)
            stamped = self.answers.stamp(coll, value, old is None, self._refs(call, b, None))
            stored.append(self.store.put(where, str(key), stamped))
        if b.shape is Shape.RESOURCE and b.answer is not None and b.answer.schema is not None:
            body = self.values.conform(b.answer.schema, [i.value for i in stored])
            return Outcome(b.answer.status, body, b.answer.media)
        return self._respond(call, b, b.answer)

    def list(self, call: Call, b: Behaviour) -> Outcome:
        coll = _collection(b)
        self._parents(call, b, create=False)
        answer = b.answer
        if answer is None:
            return Outcome(200)
        items = list(self.store.items(concrete(coll.path, call.params)).values())
        items = [i for i in items if self._matches(i.value, call, b, coll)]
        page = page_of(b.paging, call.values)
        end = None if page.limit is None else page.offset + page.limit
        chosen = items[page.offset : end]
        schema = self._list_item_schema(answer, b.list_field)
        example = _first_listed(answer, b.list_field)
        refs = self._refs(call, b, None)
        shown = [
            self.answers.view(schema, i.value, i.etag, coll.item_schema, example, refs)
            for i in chosen
        ]
        body = self.answers.listing(answer, b.list_field, shown, len(items), page, b.paging, refs)
        return Outcome(answer.status, body, answer.media, self._headers(call, answer, None, None))

    def clear(self, call: Call, b: Behaviour) -> Outcome:
        coll = _collection(b)
        if not self._parents(call, b, create=False, queued=self._queued(call, b)):
            return self._respond(call, b, b.answer)
        self.store.clear(concrete(coll.path, call.params))
        return self._respond(call, b, b.answer)

    # --- items --------------------------------------------------------------------------------

    def read(self, call: Call, b: Behaviour) -> Outcome:
        self._parents(call, b, create=False)
        key, item = self.find(call, _collection(b))
        return self._respond(call, b, b.answer, item=item, key=key)

    def replace(self, call: Call, b: Behaviour) -> Outcome:
        return self._write(call, b, lambda old: copy.deepcopy(call.body))

    def patch(self, call: Call, b: Behaviour) -> Outcome:
        return self._write(call, b, lambda old: apply_patch(old, call.body, call.media))

    def _write(self, call: Call, b: Behaviour, change: Callable[[Any], Any]) -> Outcome:
        coll = _collection(b)
        self._parents(call, b, create=True)
        where = concrete(coll.path, call.params)
        raw = call.params[coll.param]
        try:
            key, old = self.find(call, coll)
        except ApiError:
            # PUT creates at a URL whose id the client chooses; PATCH only where no operation
            # creates items (then it is the way to make one)
            if not coll.client_ids or (call.operation.method != "PUT" and coll.has_create):
                raise
            key, old = _typed(coll, raw), None
        self._precondition(call, b, old)
        base = copy.deepcopy(old.value) if old is not None else {coll.id_field: key}
        value = change(base)
        if not isinstance(value, dict):
            raise ApiError(400, f"the {singular(coll.name)} must stay a JSON object")
        new_key = value.get(coll.id_field, key)
        if coll.client_ids and new_key not in (None, "") and str(new_key) != str(key):
            taken = self.store.get(where, str(new_key))
            if taken is not None:
                return self._conflict(call, b, old, key, f"{coll.id_field} {new_key} is taken")
            self.store.remove(where, str(key))
            key = new_key
        value[coll.id_field] = key
        if old is not None:
            for name, kept in old.value.items():
                if re.match(r"^created", name, re.IGNORECASE):
                    value.setdefault(name, kept)
        stamped = self.answers.stamp(coll, value, old is None, self._refs(call, b, None))
        item = self.store.put(where, str(key), stamped)
        answer = b.answer
        if old is None:
            created = for_status(self._declared(b), 201)
            answer = created if created is not None and created.code == "201" else answer
        return self._respond(call, b, answer, item=item, key=key)

    def delete(self, call: Call, b: Behaviour) -> Outcome:
        coll = _collection(b)
        if not self._parents(call, b, create=False, queued=self._queued(call, b)):
            return self._respond(call, b, b.answer, key=_typed(coll, call.params[coll.param]))
        try:
            key, item = self.find(call, coll)
        except ApiError:
            if for_status(self._declared(b), 404) is not None:
                raise
            # the contract says DELETE always succeeds: deleting what is gone is done already
            return self._respond(call, b, b.answer, key=_typed(coll, call.params[coll.param]))
        self._precondition(call, b, item)
        self.store.remove(concrete(coll.path, call.params), str(key))
        return self._respond(call, b, b.answer, item=item, key=key)

    # --- singletons ---------------------------------------------------------------------------

    def _state(self, call: Call) -> Any:
        found = self.store.states.get(call.path, _MISSING)
        if found is not _MISSING:
            return found
        shown = self.plan.answer("GET", call.operation.template)
        return self.answers.example(shown) if shown is not None else None

    def state_read(self, call: Call, b: Behaviour) -> Outcome:
        self._parents(call, b, create=False)
        return self._respond(call, b, b.answer, state=self._state(call))

    def state_write(self, call: Call, b: Behaviour) -> Outcome:
        self._parents(call, b, create=True)
        if b.kind is Kind.STATE_PATCH:
            value = apply_patch(copy.deepcopy(self._state(call)), call.body, call.media)
        else:
            value = copy.deepcopy(call.body)
        self.store.tick()
        self.store.states[call.path] = value
        return self._respond(call, b, b.answer, state=value)

    def state_reset(self, call: Call, b: Behaviour) -> Outcome:
        if not self._parents(call, b, create=False, queued=self._queued(call, b)):
            return self._respond(call, b, b.answer)
        self.store.tick()
        self.store.states.pop(call.path, None)
        return self._respond(call, b, b.answer, state=self._state(call))

    def example(self, call: Call, b: Behaviour) -> Outcome:
        # a write the API accepts for processing (202) makes the item it writes under, where
        # the client names it: documents sent to an index that does not exist yet create it;
        # a search (200) under a missing item is 404
        accepted = b.answer is not None and b.answer.status == 202
        deletes = call.operation.method == "DELETE"
        self._parents(call, b, create=accepted and not deletes, queued=self._queued(call, b))
        return self._respond(call, b, b.answer)

    # --- shared -------------------------------------------------------------------------------

    def _conflict(
        self, call: Call, b: Behaviour, item: Item | None, key: Any, message: str
    ) -> Outcome:
        """409 where the operation declares it; else the write is answered as accepted and
        changes nothing (as an API that queues the write and fails it later does)."""
        if for_status(self._declared(b), 409) is not None:
            raise ApiError(409, message)
        return self._respond(call, b, b.answer, item=item, key=key)

    def _declared(self, b: Behaviour) -> tuple[Declared, ...]:
        return self.plan.declared.get((b.operation.method, b.operation.template), ())

    def _new_id(self, coll: Collection) -> Any:
        if "integer" in coll.id_types:
            return self.store.next_number(coll.item)
        return self.store.new_uuid()

    def find(self, call: Call, coll: Collection) -> tuple[Any, Item]:
        """The item a call's path names in a collection (by its id, or by another field
        that identifies it: `/keys/{key}` takes the uid too); 404 when there is none."""
        where = concrete(coll.path, call.params)
        raw = call.params[coll.param]
        item = self.store.get(where, raw)
        if item is not None:
            return _typed(coll, raw), item
        for key, other in self.store.items(where).items():
            value = other.value
            if isinstance(value, dict) and any(
                str(value.get(k)) == raw for k in _ALTERNATE_KEYS if k in value
            ):
                return _typed(coll, key), other
        raise ApiError(404, f"no {singular(coll.name)} with {coll.param} {raw}")

    def _queued(self, call: Call, b: Behaviour) -> bool:
        """A DELETE the API queues (202 Accepted): under a missing item whose id the client
        chooses it is accepted and changes nothing, as the API checks when the task runs
        (resetting a setting of an index that does not exist yet)."""
        return call.operation.method == "DELETE" and b.answer is not None and b.answer.status == 202

    def _parents(self, call: Call, b: Behaviour, create: bool, queued: bool = False) -> bool:
        """404 for a path under a missing item; a write creates it where the client chooses
        its id. False (nothing done) where a `queued` write meets such a missing item."""
        for parent in b.ancestors:
            where = concrete(parent.path, call.params)
            raw = call.params.get(parent.param)
            if raw is None:
                continue
            if self.store.get(where, raw) is not None:
                continue
            try:
                self.find(Call(call.operation, call.path, call.params, {}, {}), parent)
                continue
            except ApiError:
                if queued and parent.client_ids:
                    return False
                if not (create and parent.client_ids):
                    raise
            key = _typed(parent, raw)
            refs = {
                other.path: _typed(other, call.params[other.param])
                for other in b.ancestors
                if other is not parent and other.param in call.params
            }
            value = self.answers.stamp(parent, {parent.id_field: key}, True, refs)
            self.store.put(where, raw, value)
        return True

    def _precondition(self, call: Call, b: Behaviour, item: Item | None) -> None:
        if not b.if_match:
            return
        given = call.headers.get("if-match")
        if given is None:
            if b.if_match_required:
                raise ApiError(428, "this operation requires If-Match with the current ETag")
            return
        tags = [t.strip().removeprefix("W/") for t in given.split(",")]
        if item is not None and ("*" in tags or item.etag in tags):
            return
        current = f"; the current ETag is {item.etag}" if item is not None else ""
        raise ApiError(412, f"If-Match {given} does not match{current}")

    def _matches(self, value: Any, call: Call, b: Behaviour, coll: Collection) -> bool:
        if not isinstance(value, dict):
            return True
        declared = set(self.values.properties(coll.item_schema)) if coll.item_schema else set(value)
        by_norm = {norm(n): n for n in declared}
        by_norm.update({norm(singular(n)): n for n in declared if norm(singular(n)) not in by_norm})
        for name, wanted in call.values.items():
            if name in b.paging.names:
                continue
            field_name = by_norm.get(norm(name)) or by_norm.get(norm(singular(name)))
            if field_name is None:
                continue
            options = wanted if isinstance(wanted, list) else [wanted]
            have = value.get(field_name)
            if not any(_same(have, w) for w in options):
                return False
        return True

    def _list_item_schema(self, answer: Declared, list_field: str | None) -> str | None:
        if answer.schema is None:
            return None
        if not list_field:
            return self.values.items(answer.schema)
        prop = self.values.properties(answer.schema).get(list_field)
        return self.values.items(prop) if prop else None

    def _refs(self, call: Call, b: Behaviour, key: Any) -> dict[str, Any]:
        refs = {
            parent.path: _typed(parent, call.params[parent.param])
            for parent in b.ancestors
            if parent.param in call.params
        }
        if b.collection is not None and key is not None:
            refs[b.collection.path] = key
        return refs

    def _respond(
        self,
        call: Call,
        b: Behaviour,
        answer: Declared | None,
        item: Item | None = None,
        key: Any = None,
        state: Any = _MISSING,
    ) -> Outcome:
        if answer is None:
            return Outcome(204 if call.operation.method == "DELETE" else 200)
        headers = self._headers(call, answer, item, key)
        if answer.media is None:
            return Outcome(answer.status, headers=headers)
        coll = b.collection
        body: Any
        if b.shape is Shape.RESOURCE and item is not None and coll is not None:
            example = answer.example if answer.has_example else None
            body = self.answers.view(
                answer.schema,
                item.value,
                item.etag,
                coll.item_schema,
                example,
                self._refs(call, b, key),
            )
        elif b.shape is Shape.RESOURCE and state is not _MISSING and answer.schema is not None:
            body = self.values.conform(answer.schema, state)
            if "etag" in {h.name.lower() for h in answer.headers}:
                headers["ETag"] = content_etag(body)
        elif b.shape is Shape.LIST and item is not None and coll is not None:
            schema = self._list_item_schema(answer, b.list_field)
            refs = self._refs(call, b, key)
            example = _first_listed(answer, b.list_field)
            shown = self.answers.view(
                schema, item.value, item.etag, coll.item_schema, example, refs
            )
            body = self.answers.listing(
                answer, b.list_field, [shown], 1, page_of(b.paging, {}), b.paging, refs
            )
        else:
            body = self._receipt(call, b, answer, key)
        return Outcome(answer.status, body, answer.media, headers)

    def _receipt(self, call: Call, b: Behaviour, answer: Declared, key: Any) -> Any:
        refs = self._refs(call, b, key)
        fresh: dict[str, Any] = {}
        records = []
        if call.operation.method != "GET" and answer.schema is not None:
            for name in self.values.properties(answer.schema):
                for coll in self.plan.collections:
                    if (
                        coll.names_id(name)
                        and coll.path not in refs
                        and not coll.has_create
                        and "{" not in coll.path
                        and coll.path not in fresh
                    ):
                        fresh[coll.path] = self._new_id(coll)
                        records.append(coll)
        body = self.answers.receipt(answer, refs, fresh)
        for coll in records:
            read = self.plan.answer("GET", coll.item)
            record = self.answers.record(coll, read, body, fresh[coll.path])
            self.store.put(coll.path, str(fresh[coll.path]), record)
        return body

    def _headers(self, call: Call, answer: Declared, item: Item | None, key: Any) -> dict[str, str]:
        headers: dict[str, str] = {}
        for header in answer.headers:
            low = header.name.lower()
            if low == "etag":
                headers[header.name] = item.etag if item is not None else self.store.new_etag()
            elif low == "location" and item is not None and key is not None:
                headers[header.name] = self._location(call, key)
            elif header.required and header.schema is not None:
                headers[header.name] = str(self.values.build(header.schema))
        return headers

    def _location(self, call: Call, key: Any) -> str:
        path = call.path.rstrip("/")
        template = call.operation.template
        if segments(template) and "{" in segments(template)[-1]:
            return f"{self.base}{path}"
        return f"{self.base}{path}/{key}"


def _collection(b: Behaviour) -> Collection:
    assert b.collection is not None  # the plan gives every collection kind its collection
    return b.collection


def _typed(coll: Collection, raw: str) -> Any:
    if "integer" in coll.id_types and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    return raw


def _first_listed(answer: Declared, list_field: str | None) -> Any:
    """The first item of a list response's documented example (None without one)."""
    found = answer.example if answer.has_example else None
    if list_field and isinstance(found, dict):
        found = found.get(list_field)
    return found[0] if isinstance(found, list) and found else None


def _id_in(element: dict[str, Any], id_field: str) -> str | None:
    """The field that identifies an element of a bulk write: the id field, else the first
    field whose name ends in `id`."""
    if id_field in element:
        return id_field
    return next((k for k in element if k.lower().endswith("id")), None)


def _same(have: Any, wanted: Any) -> bool:
    if isinstance(have, bool):
        return str(have).lower() == str(wanted).lower()
    if isinstance(have, list):
        return any(_same(h, wanted) for h in have)
    return have is not None and str(have) == str(wanted)
