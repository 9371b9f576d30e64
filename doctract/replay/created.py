"""What a run created, read from the contract: which field of the answer (or of the request,
for ids the client chooses) holds its id, which item path takes that id, and the DELETE that
removes it again (or none). The one model of "what a run created": the replay records a
`Created` for each POST that created something, or may have, and doctract.replay.cleanup
deletes them (or says what stays).

Where the id is, in order: the create operation's links (`$response.body#/id` for the item
path's parameter); a `Location` header; the response field named like the item path's
parameter (`indexUid` for `{index_uid}`); the request body field the parameter takes (a
client-chosen id: `{"uid": "movies"}` for `{index_uid}`); a response field whose name ends
the parameter's (`id` for `{noteId}`), then one the schema marks `readOnly`, then one of
`format: uuid`, then `id`. Fields the contract marks secret (a created API key) are never
taken: the id is written in findings and URLs. The same rules read an item of the
collection's listing, when cleanup looks up what a POST whose answer was lost may have created.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as attribute
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from doctract.contract import Contract, Operation, Target
from doctract.contract.fields import properties, response_schema
from doctract.urls import segments


@dataclass(frozen=True, slots=True)
class Created:
    """One thing a run created, or may have created: its collection, its live id, its item
    URL, the contract's DELETE for it (None: the contract has none) and the doc line that
    created it.

    `id` is None when the POST may have created something but its answer does not say what:
    the answer was lost after the request may have been processed (a response cut mid-body, a
    5xx, an interrupt; doctract.replay.retry.ambiguous), or a 201 named no id. `url` is then the
    collection's URL the POST went to, `create` the POST and `request` the body it sent, so
    cleanup can look it up in the collection's listing; `failure` says how it failed."""

    collection: str
    id: str | None
    url: str
    delete: Operation | None
    line: int
    # the response body field that holds the id (`id`, `data/id`); None when the id came from
    # a header or from the request
    field: str | None = None
    create: Target | None = attribute(default=None, compare=False, repr=False)
    request: Any = attribute(default=None, compare=False, repr=False)
    failure: str = ""

    @property
    def what(self) -> str:
        return f"{self.collection} {self.id}" if self.id is not None else self.collection

    def found(self, item_id: str) -> Created:
        """What the lookup of an unknown create found: the item `item_id` of its collection."""
        base = self.url.rstrip("/")
        return Created(
            self.collection,
            item_id,
            f"{base}/{quote(item_id, safe='')}",
            self.delete,
            self.line,
            create=self.create,
        )


def created_by(
    target: Target,
    url: str,
    request_body: str | None,
    status: int | None,
    headers: Mapping[str, str],
    body: Any,
    line: int,
) -> Created | None:
    """What a successful POST to a collection created, or None: a POST that computes
    (a search) or only enqueues work creates nothing the contract can address, and one whose
    answer names no id creates nothing known (see `maybe_created`)."""
    op = target.operation
    if op is None or op.method != "POST" or status is None or not 200 <= status < 300:
        return None
    contract = target.contract
    location = _header(headers, "location")
    item = contract.item_template(op)
    if item is None and not location:
        return None
    delete = contract.delete_for(op)
    collection = _collection(op.template)
    if location:
        item_url = urljoin(url, location)
        last = segments(urlsplit(item_url).path)
        if last:
            return Created(collection, unquote(last[-1]), item_url, delete, line, create=target)
    found = find_id(target, status, body, _json(request_body))
    if found is None:
        return None
    value, where = found
    base = _collection_url(url)
    return Created(
        collection, value, f"{base}/{quote(value, safe='')}", delete, line, where, target
    )


def maybe_created(
    target: Target, url: str, request_body: str | None, line: int, failure: str
) -> Created | None:
    """What a POST to a collection may have created when its answer does not say (`failure`:
    how it ended): the id the client chose in the request, where the contract says the id is
    there (deleting it is harmless if it was never created), else an unknown one that cleanup
    looks up. None for a POST that creates nothing addressable."""
    op = target.operation
    if op is None or op.method != "POST" or target.contract.item_template(op) is None:
        return None
    request = _json(request_body)
    collection = _collection(op.template)
    delete = target.contract.delete_for(op)
    base = _collection_url(url)
    chosen = find_id(target, None, None, request)
    if chosen is not None:  # the client chose the id: nothing to look up
        value = chosen[0]
        return Created(
            collection, value, f"{base}/{quote(value, safe='')}", delete, line, None, target
        )
    return Created(collection, None, base, delete, line, None, target, request, failure)


def listed_id(target: Target, entry: Any) -> str | None:
    """The id of an item of the collection's listing, found where the create's answer holds
    it (the listing shows items as the create returns them)."""
    found = find_id(target, None, entry, None)
    return found[0] if found is not None else None


def find_id(
    target: Target, status: int | None, body: Any, request: Any
) -> tuple[str, str | None] | None:
    """The id of what a POST creates, in its answer `body` (or its `request` body, when the
    client chooses it): (id, the response field holding it, None when the request did). The
    same rules read the doc's example, so the doc's id and the live one pair up."""
    op = target.operation
    if op is None:
        return None
    contract = target.contract
    item = contract.item_template(op)
    param = _last_param(item) if item else None
    document = contract.document
    pointer = dict(op.links).get(param) if param is not None else None
    if pointer is not None and (value := _at(body, pointer)) is not None:
        return value, pointer
    schema = properties(document, response_schema(document, op, status))
    secret = contract.secrets.fields | {
        name
        for name, spec in schema.items()
        if spec.get("format") == "password" or spec.get("writeOnly") is True
    }
    live = body if isinstance(body, dict) else {}
    fields = [k for k in dict.fromkeys([*schema, *live]) if k not in secret]
    wanted = None if param is None or _secret_param(contract, item, param) else _norm(param)
    if wanted:
        for name in fields:  # named like the parameter: `indexUid` for {index_uid}
            if _norm(name) == wanted and (value := _scalar(live.get(name))) is not None:
                return value, name
        if isinstance(request, dict):  # the client chose it: `{"uid": "movies"}`
            for exact in (True, False):
                for name, given in request.items():
                    if _named(name, wanted, exact) and (value := _scalar(given)) is not None:
                        return value, None
        for name in fields:  # `id` for {noteId}
            if _named(name, wanted, False) and (value := _scalar(live.get(name))) is not None:
                return value, name
    for mark, expected in (("readOnly", True), ("format", "uuid")):
        for name in fields:
            spec = schema.get(name, {})
            if spec.get(mark) == expected and (value := _scalar(live.get(name))) is not None:
                return value, name
    value = _scalar(live.get("id"))
    return (value, "id") if value is not None and "id" not in secret else None


def _secret_param(contract: Contract, item: str | None, param: str) -> bool:
    """A path parameter whose schema says `format: password` (Meilisearch's `{key}`): the
    field of that name is a credential, so the id is looked for elsewhere."""
    for other in contract.operations:
        if other.template == item and (found := other.parameter("path", param)) is not None:
            schema = found.schema if isinstance(found.schema, dict) else {}
            return schema.get("format") == "password"
    return False


def _named(name: str, wanted: str, exact: bool) -> bool:
    norm = _norm(name)
    if exact:
        return norm == wanted
    return len(norm) >= 2 and wanted.endswith(norm)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _at(body: Any, pointer: str) -> str | None:
    """`data/id` -> body["data"]["id"], as a string."""
    node = body
    for part in pointer.split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return _scalar(node)


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if text.strip() else None


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value).strip()
    return ""


def _last_param(template: str) -> str | None:
    last = segments(template)[-1] if segments(template) else ""
    return last[1:-1] if last.startswith("{") and last.endswith("}") else None


def _collection_url(url: str) -> str:
    """The collection's URL a POST went to, without query or fragment."""
    return urlsplit(url)._replace(query="", fragment="").geturl().rstrip("/")


def _collection(template: str) -> str:
    literals = [s for s in segments(template) if "{" not in s]
    return literals[-1] if literals else template
