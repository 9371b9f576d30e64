"""Cleaning up after a live run: delete everything it created, newest first, with the contract's
DELETE on the item's path; say by name what stays.

What a run created is known from the POST's answer (its id), or, when that answer was lost after
the request may have been processed (doctract.replay.retry.ambiguous), looked up in the
contract's list operation for the collection by the `name` the POST sent (and its other plain
fields). What cannot be deleted (no DELETE in the contract, a remote host without
--allow-destructive, a DELETE that keeps failing) or cannot be looked up is a finding naming
it, so nothing is left behind silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests

from doctract.contract import Contract, Operation
from doctract.replay.http import Attempts, Message, send
from doctract.rule_ids import CLEANUP_FAILED, LEFT_BEHIND

MAX_PAGES = 20  # of a listing read to find what an ambiguous POST may have created


@dataclass(frozen=True)
class Created:
    """A resource a POST created (`item_id` known) or may have created (`item_id` None: its
    answer was lost, `body` is what it sent)."""

    contract: Contract
    create: Operation  # the contract's POST
    collection_url: str  # as sent, without query
    line: int  # the doc's line of the POST
    item_id: str | None = None
    body: Any = None
    failure: str = ""  # how an ambiguous POST failed, e.g. "status 503"

    @property
    def collection(self) -> str:
        return self.create.template.rstrip("/").rsplit("/", 1)[-1]

    @property
    def id_pointer(self) -> tuple[str, ...]:
        """Where the POST's answer holds the created item's id: the contract's link from it to
        the item path (`$response.body#/data/id` -> ("data", "id")), else `id`."""
        pointers = dict(self.create.links)
        delete = self.contract.delete_for(self.create)
        param = delete.template.rstrip("/").rsplit("/", 1)[-1][1:-1] if delete else ""
        pointer = pointers.get(param) or next(iter(pointers.values()), "id")
        return tuple(pointer.split("/"))

    @property
    def id_field(self) -> str:
        """The field of a listed item holding its id."""
        return self.id_pointer[-1]

    def id_in(self, answer: Any) -> str | None:
        """The created item's id in the POST's answer, if it holds one."""
        for part in self.id_pointer:
            answer = answer.get(part) if isinstance(answer, dict) else None
        if isinstance(answer, str | int) and not isinstance(answer, bool):
            return str(answer)
        return None

    def item_url(self, item_id: str) -> str:
        return f"{self.collection_url.rstrip('/')}/{item_id}"


@dataclass(frozen=True)
class Left:
    """Something a run leaves (or may leave) behind, as a finding at the POST's line."""

    rule: str
    line: int
    message: str
    hint: str


@dataclass(frozen=True)
class Cleanup:
    deleted: tuple[str, ...] = ()  # "connections 4e9a..." for each resource deleted
    left: tuple[Left, ...] = ()
    found: int = 0  # resources found by a lookup after an ambiguous POST

    def summary(self) -> dict[str, int]:
        return {"deleted": len(self.deleted), "left": len(self.left), "found": self.found}


@dataclass
class Cleaner:
    """Deletes what a run created. `credentials` gives the headers an operation needs,
    `destructive_ok` whether a DELETE may go to a URL's host, `persistent` whether the API
    outlives the run (a live base URL, not a throw-away emulator: only then is what stays
    reported)."""

    http: requests.Session
    credentials: Callable[[Operation], dict[str, str]]
    destructive_ok: Callable[[str], bool]
    retries: int
    attempts: Attempts
    persistent: bool = True

    def run(self, created: Sequence[Created]) -> Cleanup:
        known = {c.item_id for c in created if c.item_id is not None}
        deleted: list[str] = []
        left: list[Left] = []
        found = 0
        for item in reversed(created):
            if item.item_id is not None:
                ids = [item.item_id]
            else:
                looked_up = self._look_up(item, known)
                if isinstance(looked_up, str):
                    left.append(_maybe_left(item, looked_up))
                    continue
                ids = looked_up
                found += len(ids)
            for item_id in ids:
                problem = self._delete(item, item_id)
                if problem is None:
                    deleted.append(f"{item.collection} {item_id}")
                else:
                    left.append(problem)
        if not self.persistent:
            left = []  # nothing outlives a throw-away emulator
        return Cleanup(tuple(deleted), tuple(left), found)

    def _delete(self, item: Created, item_id: str) -> Left | None:
        what = f"the {item.collection} {item_id} this run created"
        delete = item.contract.delete_for(item.create)
        if delete is None:
            return Left(
                LEFT_BEHIND,
                item.line,
                f"{what} is left behind: the contract has no DELETE for {item.collection}",
                "delete it by hand",
            )
        url = item.item_url(item_id)
        if not self.destructive_ok(url):
            host = urlsplit(url).hostname
            return Left(
                LEFT_BEHIND,
                item.line,
                f"{what} is left behind: DELETE is not sent to {host}",
                "pass --allow-destructive, or delete it by hand",
            )
        message = Message("DELETE", url, tuple(self.credentials(delete).items()), None)
        try:
            response = send(self.http, message, self.retries, self.attempts)
        except requests.RequestException as exc:
            reason = type(exc).__name__
        else:
            if response.status_code < 400 or response.status_code == 404:
                return None
            reason = f"status {response.status_code}"
        return Left(
            CLEANUP_FAILED,
            item.line,
            f"{what} could not be deleted ({reason}); it is left behind",
            "delete it by hand",
        )

    def _look_up(self, item: Created, known: set[str]) -> list[str] | str:
        """The ids of what an ambiguous POST created (none when it created nothing), or why
        that cannot be told."""
        listing = item.contract.list_for(item.create)
        if listing is None:
            return f"the contract has no list operation for {item.collection}"
        body = item.body if isinstance(item.body, dict) else {}
        name = body.get("name")
        if not isinstance(name, str) or not name:
            return "its body has no name to look it up by"
        # the name, and the other plain values it sent, as the listing shows them
        fields = {
            k: v
            for k, v in body.items()
            if isinstance(v, str | int | float | bool) and k != item.id_field
        }
        query = urlencode({"name": name}) if listing.parameter("query", "name") else ""
        headers = tuple(self.credentials(listing).items())
        ids: list[str] = []
        pages = _pages(self.http, item.collection_url, query, headers, self.retries, self.attempts)
        for page in pages:
            if isinstance(page, str):
                return page
            for entry in page:
                same = all(entry.get(k, v) == v for k, v in fields.items())
                if same and entry.get("name") == name:
                    value = entry.get(item.id_field)
                    if isinstance(value, str | int) and str(value) not in known:
                        ids.append(str(value))
        return ids


def _pages(
    http: requests.Session,
    url: str,
    query: str,
    headers: tuple[tuple[str, str], ...],
    retries: int,
    attempts: Attempts,
) -> Iterator[list[dict[str, Any]] | str]:
    """The items of each page of a listing (following `_links.next.href`), or a reason it
    cannot be read to the end."""
    next_url: str | None = f"{url}?{query}" if query else url
    for _ in range(MAX_PAGES):
        if next_url is None:
            return
        try:
            response = send(http, Message("GET", next_url, headers, None), retries, attempts)
        except requests.RequestException as exc:
            yield f"listing {urlsplit(url).path} failed ({type(exc).__name__})"
            return
        try:
            data = response.json() if response.status_code == 200 else None
        except ValueError:
            data = None
        if data is None:
            yield f"listing {urlsplit(url).path} answered {response.status_code}"
            return
        yield _items(data)
        link = data.get("_links", {}).get("next", {}) if isinstance(data, dict) else {}
        href = link.get("href") if isinstance(link, dict) else None
        next_url = urljoin(next_url, href) if isinstance(href, str) and href else None
    if next_url is not None:
        yield f"listing {urlsplit(url).path} has more than {MAX_PAGES} pages"


def _items(data: Any) -> list[dict[str, Any]]:
    """A listing's entries: the body itself when it is a list, else its first list of
    objects (`items`, `data`, ...)."""
    if isinstance(data, list):
        return [e for e in data if isinstance(e, dict)]
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list) and all(isinstance(e, dict) for e in value):
                return value
    return []


def uncharted(url: str, line: int) -> Left:
    """What a POST no contract describes said it created (201): nothing tells how to delete
    it."""
    return Left(
        LEFT_BEHIND,
        line,
        f"POST {urlsplit(url).path} answered 201 Created, and no contract describes the "
        "operation, so doctract cannot delete what it created: it is left behind",
        "give the API's OpenAPI document (--openapi, or a profile) so cleanup can delete it, "
        "or delete it by hand",
    )


def _maybe_left(item: Created, reason: str) -> Left:
    return Left(
        CLEANUP_FAILED,
        item.line,
        f"POST {urlsplit(item.collection_url).path} failed ({item.failure}) after it may have "
        f"reached the API, so it may have created a {item.collection} resource; doctract "
        f"cannot look it up ({reason}) and it may be left behind",
        f"look for it in {item.collection} and delete it by hand",
    )
