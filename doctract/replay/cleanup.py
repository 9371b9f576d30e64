"""Cleaning up after a live run: delete everything it created (doctract.replay.created), newest
first, with the contract's DELETE on the item's path and the credentials the contract names for
it (doctract.replay.credentials: header, query or cookie); say by name what stays.

What a run created is known from the POST's answer (its id), or, when that answer was lost after
the request may have been processed (doctract.replay.retry.ambiguous) or named no id, looked up
in the contract's list operation for the collection by the `name` the POST sent (and its other
plain fields). Nothing is left behind silently; what stays is a finding at the POST's line:

- `cleanup-unavailable` (info): the contract offers no way to delete it: no DELETE on its
  collection's item path, or no contract describes the POST at all (a 201 Created for an
  operation doctract knows nothing of);
- `left-behind` (warning): the contract could delete it, but this run did not: the API is not
  local and --allow-destructive was not given;
- `cleanup-failed` (error): the DELETE kept failing, or what an ambiguous POST may have created
  cannot be looked up (no list operation, no name in its body, the listing fails).

Each counts in the tutorial's `cleanup.left`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests

from doctract.contract import Operation
from doctract.replay.created import Created, find_id
from doctract.replay.credentials import Credentials
from doctract.replay.http import Attempts, send
from doctract.rule_ids import CLEANUP_FAILED, CLEANUP_UNAVAILABLE, LEFT_BEHIND

MAX_PAGES = 20  # of a listing read to find what an ambiguous POST may have created


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
    """Deletes what a run created. `credentials` fills the credentials an operation needs,
    `destructive_ok` says whether a DELETE may go to a URL's host, `persistent` whether the API
    outlives the run (a live base URL, not a throw-away emulator: only then is what stays
    reported)."""

    http: requests.Session
    credentials: Credentials
    destructive_ok: Callable[[str], bool]
    retries: int
    attempts: Attempts
    persistent: bool = True

    def run(self, created: Sequence[Created], uncharted: Sequence[Left] = ()) -> Cleanup:
        """Delete `created`, newest first; `uncharted`: what POSTs no contract describes
        created, which stays."""
        known = {c.id for c in created if c.id is not None}
        deleted: list[str] = []
        left: list[Left] = []
        found = 0
        for item in reversed(created):
            if item.id is not None:
                items = [item]
            else:
                looked_up = self._look_up(item, known)
                if isinstance(looked_up, str):
                    left.append(_maybe_left(item, looked_up))
                    continue
                items = looked_up
                found += len(items)
            for one in items:
                problem = self._delete(one)
                if problem is None:
                    deleted.append(one.what)
                else:
                    left.append(problem)
        left += uncharted
        if not self.persistent:
            left = []  # nothing outlives a throw-away emulator
        return Cleanup(tuple(deleted), tuple(left), found)

    def _delete(self, item: Created) -> Left | None:
        what = f"the {item.what} this run created ({urlsplit(item.url).path})"
        if item.delete is None:
            return Left(
                CLEANUP_UNAVAILABLE,
                item.line,
                f"{what} is left behind: the contract has no DELETE for it",
                "delete it by hand, or add its DELETE to the contract",
            )
        if not self.destructive_ok(item.url):
            host = urlsplit(item.url).hostname
            return Left(
                LEFT_BEHIND,
                item.line,
                f"{what} is left behind: DELETE is not sent to {host} without --allow-destructive",
                "pass --allow-destructive, or delete it by hand",
            )
        message = self.credentials.for_operation(item.delete, item.url, "DELETE")
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

    def _look_up(self, item: Created, known: set[str]) -> list[Created] | str:
        """What an ambiguous POST created (none when it created nothing), or why that cannot
        be told."""
        create = item.create
        listing = None
        if create is not None and create.operation is not None:
            listing = create.contract.list_for(create.operation)
        if create is None or listing is None:
            return f"the contract has no list operation for {item.collection}"
        body = item.request if isinstance(item.request, dict) else {}
        name = body.get("name")
        if not isinstance(name, str) or not name:
            return "its body has no name to look it up by"
        # the name, and the other plain values it sent, as the listing shows them
        sent = {k: v for k, v in body.items() if isinstance(v, str | int | float | bool)}
        query = urlencode({"name": name}) if listing.parameter("query", "name") else ""
        items: list[Created] = []
        for page in self._pages(listing, item.url, query):
            if isinstance(page, str):
                return page
            for entry in page:
                if entry.get("name") != name:
                    continue
                found = find_id(create, None, entry, None)
                if found is None:
                    continue
                item_id, id_field = found
                same = all(entry.get(k, v) == v for k, v in sent.items() if k != id_field)
                if same and item_id not in known:
                    items.append(item.found(item_id))
        return items

    def _pages(
        self, listing: Operation, url: str, query: str
    ) -> Iterator[list[dict[str, Any]] | str]:
        """The items of each page of a listing (following `_links.next.href`), or a reason it
        cannot be read to the end."""
        next_url: str | None = f"{url}?{query}" if query else url
        for _ in range(MAX_PAGES):
            if next_url is None:
                return
            message = self.credentials.for_operation(listing, next_url, "GET")
            try:
                response = send(self.http, message, self.retries, self.attempts)
            except requests.RequestException as exc:
                yield f"listing {urlsplit(url).path} failed ({type(exc).__name__})"
                return
            try:
                data = response.json() if response.status_code == 200 else None
            except (ValueError, RecursionError):
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
    """What a POST no contract describes said it created (201): no contract tells how to
    delete it."""
    return Left(
        CLEANUP_UNAVAILABLE,
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
        f"POST {urlsplit(item.url).path} failed ({item.failure}) after it may have "
        f"reached the API, so it may have created a {item.collection} resource; doctract "
        f"cannot look it up ({reason}) and it may be left behind",
        f"look for it in {item.collection} and delete it by hand",
    )
