"""Response bodies the generic emulator builds from the contract: a resource as a response
schema shows it, a page of a list in its envelope, a receipt (an asynchronous task) and an
error in the contract's own error shape. Every body is fitted to its declared schema."""

from __future__ import annotations

import base64
import binascii
import copy
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from doctract.contract import Contract
from doctract.emulator.declared import Declared, for_status, responses
from doctract.emulator.errors import ApiError
from doctract.emulator.inference import Collection, Paging, Plan, norm
from doctract.emulator.schema_values import SchemaValues

_MESSAGE_KEYS = ("message", "detail", "error_description", "error", "title", "description", "msg")
_STATE_KEYS = frozenset({"status", "state"})
_TOTAL = frozenset(
    {"total", "totalcount", "count", "totalhits", "nbhits", "estimatedtotalhits", "totalitems"}
)
_PAGES = frozenset({"totalpages", "nbpages", "pagecount"})
_MORE = frozenset({"hasmore", "hasnext", "more"})
_NEXT = frozenset({"next", "nextcursor", "nextpagetoken", "nexttoken", "continuationtoken"})
_TOKEN = re.compile(r"^offset:(\d+)$")
_STAMPED = re.compile(r"^(created|updated|modified|enqueued|started|finished)", re.IGNORECASE)
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_UPDATED = re.compile(r"^(updated|modified)", re.IGNORECASE)
_DOCUMENTED = ("default", "example", "examples", "const")


@dataclass(frozen=True)
class Page:
    """Where a list request starts and how many it takes (None: all)."""

    offset: int
    limit: int | None


def page_of(paging: Paging, values: dict[str, Any]) -> Page:
    limit = values.get(paging.limit) if paging.limit else None
    if not isinstance(limit, int):
        limit = paging.default_limit
    offset = values.get(paging.offset) if paging.offset else None
    if not isinstance(offset, int):
        offset = 0
        page = values.get(paging.page) if paging.page else None
        if isinstance(page, int) and limit:
            offset = max(page - 1, 0) * limit
        token = values.get(paging.token) if paging.token else None
        if isinstance(token, str) and token:
            offset = decode_token(token, paging.token or "token")
    return Page(max(offset, 0), limit if limit is None else max(limit, 0))


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_token(token: str, name: str) -> int:
    padded = token + "=" * (-len(token) % 4)
    try:
        m = _TOKEN.match(base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii"))
    except (ValueError, binascii.Error, UnicodeError):
        m = None
    if m is None:
        raise ApiError(400, f"{name} {token!r} was not issued by this API")
    return int(m.group(1))


class Answers:
    """Builds response bodies for one contract."""

    def __init__(self, contract: Contract, values: SchemaValues, plan: Plan) -> None:
        self.contract = contract
        self.values = values
        self.plan = plan
        self.collections = plan.collections
        self._errors: dict[int, Declared | None] = {}

    # --- resources ---------------------------------------------------------------------------

    def stamp(
        self,
        collection: Collection,
        value: Any,
        created: bool,
        refs: dict[str, Any] | None = None,
    ) -> Any:
        """A stored item with its server-set fields: date-time fields named created... or
        updated... set to now, and the rest fitted to the item schema (its required fields
        built), so that every read shows the same values. A new item starts from what the
        contract documents of one (`documented_item`), the request's values over it."""
        if not isinstance(value, dict) or collection.item_schema is None:
            return value
        at = collection.item_schema
        if created:  # in the schema's order of properties, then the request's own fields
            merged = {**self.documented_item(collection, refs or {}), **value}
            declared = self.values.properties(at)
            value = {k: merged[k] for k in declared if k in merged}
            value.update((k, v) for k, v in merged.items() if k not in declared)
        for name, prop in self.values.properties(at).items():
            schema, _ = self.values.resolve(prop)
            if schema.get("format") != "date-time" or not _STAMPED.match(name):
                continue
            if created or _UPDATED.match(name):
                value[name] = self.values.fresh.now()
        return self.values.conform(at, value)

    def documented_item(self, collection: Collection, refs: dict[str, Any]) -> dict[str, Any]:
        """What the contract documents of an item beyond what a request says: for each
        property the item schema declares, the value of the documented example of an item
        (`item_example`), else the property's own default or example. The id is left to the
        caller; fields naming another collection's id take this request's (`refs`) or are
        left out, and date-times are now."""
        if collection.item_schema is None:
            return {}
        example = self.item_example(collection)
        found = self.documented(collection.item_schema, example, refs)
        for name, at in self.values.properties(collection.item_schema).items():
            schema, _ = self.values.resolve(at)
            if name in found or not any(k in schema for k in _DOCUMENTED):
                continue
            value = self.values.build(at)
            found.update(self.documented(collection.item_schema, {name: value}, refs))
        found.pop(collection.id_field, None)
        return found

    def item_example(self, collection: Collection) -> dict[str, Any]:
        """The contract's example of one item: the item read's, else the create's, else the
        first item of the list's, where they show the item schema; {} when none does."""
        if collection.item_schema is None:
            return {}
        shown = self.values.resolve(collection.item_schema)[1]
        read = self.plan.answer("GET", collection.item)
        create = self.plan.answer("POST", collection.path)
        for answer in (read, create):
            if (
                answer is not None
                and answer.has_example
                and isinstance(answer.example, dict)
                and answer.schema is not None
                and self.values.resolve(answer.schema)[1] == shown
            ):
                return answer.example
        listing = self.plan.behaviours.get(("GET", collection.path))
        if listing is not None and listing.answer is not None and listing.answer.has_example:
            found = listing.answer.example
            if listing.list_field and isinstance(found, dict):
                found = found.get(listing.list_field)
            if isinstance(found, list) and found and isinstance(found[0], dict):
                return found[0]
        return {}

    def documented(self, at: str, example: Any, refs: dict[str, Any]) -> dict[str, Any]:
        """The fields of a documented example that the schema at `at` declares, made this
        request's: a field naming a collection's id takes the id of this request (`refs`)
        or is left out (the example's id is another resource's); date-times are now, and
        uuids new."""
        if not isinstance(example, dict):
            return {}
        props = self.values.properties(at)
        found: dict[str, Any] = {}
        for name, value in example.items():
            if name not in props:
                continue
            filled = self._reference(name, refs, {})
            if filled is not _NONE:
                found[name] = filled
            elif any(c.names_id(name) for c in self.collections):
                continue
            elif value is not None and self._is_time(props[name], value):
                found[name] = self.values.fresh.now()
            elif value is not None and self._is_uuid(props[name]):
                found[name] = self.values.fresh.uuid()  # the example's is another's
            else:
                found[name] = copy.deepcopy(value)
        return found

    def view(
        self,
        schema: str | None,
        value: Any,
        etag: str | None,
        item_schema: str | None,
        example: Any = None,
        refs: dict[str, Any] | None = None,
    ) -> Any:
        """An item as a response schema shows it: a summary schema (not the item's own)
        shows only what it declares, and what the item does not hold from the response's
        documented `example`; the item's current etag where a property holds it."""
        shown = copy.deepcopy(value)
        if schema is None:
            return shown
        props = self.values.properties(schema)
        if isinstance(shown, dict):
            for name in props:
                if norm(name) == "etag" and etag is not None:
                    shown[name] = etag
            same = item_schema is not None and (
                self.values.resolve(item_schema)[1] == self.values.resolve(schema)[1]
            )
            if props and not same:
                shown = {k: v for k, v in shown.items() if k in props}
                shown = {**self.documented(schema, example, refs or {}), **shown}
        return self.values.conform(schema, shown)

    def listing(
        self,
        answer: Declared,
        field: str | None,
        shown: Sequence[Any],
        total: int,
        page: Page,
        paging: Paging,
        refs: dict[str, Any] | None = None,
    ) -> Any:
        """One page in the list response's envelope, its paging fields filled by name and
        its other fields those of the documented example."""
        if answer.schema is None:
            return list(shown)
        if not field:
            return self.values.conform(answer.schema, list(shown))
        end = page.offset + len(shown)
        more = end < total
        example = answer.example if answer.has_example else None
        envelope: dict[str, Any] = self.documented(answer.schema, example, refs or {})
        envelope[field] = list(shown)
        for name, at in self.values.properties(answer.schema).items():
            n = norm(name)
            numeric = bool({"integer", "number"} & set(self.values.types(at)))
            if n in ("offset", "skip", "start") and numeric:
                envelope[name] = page.offset
            elif n in ("limit", "perpage", "pagesize", "hitsperpage", "size") and numeric:
                envelope[name] = page.limit if page.limit is not None else len(shown)
            elif n in _TOTAL and numeric:
                envelope[name] = total
            elif n in ("page", "pagenumber") and numeric:
                envelope[name] = page.offset // page.limit + 1 if page.limit else 1
            elif n in _PAGES and numeric:
                envelope[name] = -(-total // page.limit) if page.limit else 1
            elif n in _MORE:
                envelope[name] = more
            elif n in _NEXT:
                envelope[name] = encode_token(end) if more else None
            elif n == "links" and more and paging.token:
                envelope[name] = {"next": {"href": f"?{paging.token}={encode_token(end)}"}}
            elif n == "links":
                envelope.pop(name, None)  # the example's links lead to its own pages
        return self.values.conform(answer.schema, envelope)

    # --- receipts and examples ----------------------------------------------------------------

    def example(self, answer: Declared) -> Any:
        if answer.has_example:
            return copy.deepcopy(answer.example)
        if answer.schema is not None:
            return self.values.build(answer.schema)
        return None

    def receipt(self, answer: Declared, refs: dict[str, Any], fresh_ids: dict[str, Any]) -> Any:
        """The documented example with the fields that name a collection's id set to the ids
        of this request (`refs`: collection path -> id) or to a new record's (`fresh_ids`),
        and its date-times to now."""
        value = self.example(answer)
        if answer.schema is None or not answer.json:
            return value
        if isinstance(value, dict):
            props = self.values.properties(answer.schema)
            for name in set(props) | set(value):
                filled = self._reference(name, refs, fresh_ids)
                if filled is not _NONE:
                    value[name] = filled
                elif name in value and self._is_time(props.get(name), value[name]):
                    value[name] = self.values.fresh.now()
        return self.values.conform(answer.schema, value)

    def _reference(self, name: str, refs: dict[str, Any], fresh: dict[str, Any]) -> Any:
        for collection in self.collections:
            if collection.names_id(name):
                if collection.path in refs:
                    return refs[collection.path]
                if collection.path in fresh:
                    return fresh[collection.path]
        return _NONE

    def _is_time(self, at: str | None, value: Any) -> bool:
        """A date-time by its schema's format, or by a value written as one."""
        if isinstance(value, str) and _DATE_TIME.match(value):
            return True
        if at is None or value is None:
            return False
        schema, _ = self.values.resolve(at)
        return schema.get("format") == "date-time"

    def _is_uuid(self, at: str) -> bool:
        schema, _ = self.values.resolve(at)
        return schema.get("format") == "uuid"

    def record(self, collection: Collection, read: Declared | None, receipt: Any, key: Any) -> Any:
        """What a collection of records (`/tasks/{task_id}`) shows for a receipt: its read
        example with the receipt's fields, except the state, which stays the example's
        (finished): the emulator applies every write at once."""
        base: Any = {}
        if read is not None:
            base = self.example(read)
            if collection.item_schema and read.schema != collection.item_schema:
                base = self.values.build(collection.item_schema)
        if not isinstance(base, dict):
            base = {}
        props = self.values.properties(collection.item_schema) if collection.item_schema else {}
        if isinstance(receipt, dict):
            for name, value in receipt.items():
                if name in props and name not in _STATE_KEYS and name != collection.id_field:
                    base[name] = value
        base[collection.id_field] = key
        for name, at in props.items():
            if name in base and self._is_time(at, base[name]) and base[name] is not None:
                base[name] = self.values.fresh.now()
        if collection.item_schema:
            return self.values.conform(collection.item_schema, base)
        return base

    # --- errors -------------------------------------------------------------------------------

    def error(
        self, declared: tuple[Declared, ...], status: int, message: str, details: list[Any]
    ) -> tuple[Any, str]:
        """(body, media type) of an error in the contract's shape for this status: the
        operation's own declaration, else any 4xx/5xx declaration of the contract; RFC 7807
        problem details where the contract declares none."""
        answer = for_status(declared, status)
        if answer is None or answer.schema is None or not answer.json:
            answer = self._contract_error(status)
        if answer is None or answer.schema is None:
            body: dict[str, Any] = {
                "type": "about:blank",
                "title": HTTPStatus(status).phrase,
                "status": status,
                "detail": message,
            }
            if details:
                body["errors"] = details
            return body, "application/problem+json"
        # the operation's own example for this status, else a value built from the schema:
        # another status's example would say the wrong thing (an `auth` error for a 415)
        documented = answer.code == str(status) and answer in declared and answer.has_example
        value = self.example(answer) if documented else self.values.build(answer.schema)
        if not isinstance(value, dict):
            value = self.values.build(answer.schema)
        if isinstance(value, dict):
            self._explain(answer.schema, value, status, message, details, documented)
        return self.values.conform(answer.schema, value), answer.media or "application/json"

    def _explain(
        self,
        at: str,
        value: dict[str, Any],
        status: int,
        message: str,
        details: list[Any],
        documented: bool,
    ) -> None:
        """The message, status and code of an error set in its body, where the schema has
        room for them; a code from the contract's enum, the one nearest the status phrase."""
        props = self.values.properties(at)
        key = next((k for k in _MESSAGE_KEYS if k in props or k in value), None)
        if key is not None:
            value[key] = message
        if "status" in props and "integer" in self.values.types(props["status"]):
            value["status"] = status
        phrase = HTTPStatus(status).phrase
        slug = phrase.lower().replace(" ", "_").replace("-", "_")
        for name, words in (("code", slug), ("title", phrase)):
            if name not in props:
                continue
            schema, _ = self.values.resolve(props[name])
            if self._free_text(props[name]) and (name not in value or not documented):
                value[name] = words
            elif isinstance(schema.get("enum"), list) and not documented:
                options = [str(v) for v in schema["enum"] if isinstance(v, str)]
                nearest = difflib.get_close_matches(slug, options, 1, 0.6)
                if nearest:
                    value[name] = nearest[0]
        if details and not self.values.closed(at):
            value.setdefault("errors", details)

    def _free_text(self, at: str) -> bool:
        schema, _ = self.values.resolve(at)
        return schema.get("type") == "string" and "enum" not in schema and "const" not in schema

    def _contract_error(self, status: int) -> Declared | None:
        if status not in self._errors:
            found: Declared | None = None
            for op in self.contract.operations:
                if op.opaque:
                    continue
                for d in responses(self.contract.document, op):
                    if d.code[:1] in ("4", "5") and d.schema is not None and d.json:
                        if found is None or d.code == str(status):
                            found = d
                        if d.code == str(status):
                            break
                if found is not None and found.code == str(status):
                    break
            self._errors[status] = found
        return self._errors[status]


_NONE = object()
