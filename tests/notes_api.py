"""A small live Notes API for replay tests (the contract is tests/fixtures/apis/notes/
openapi.yaml): a threaded http.server on 127.0.0.1, in memory, guarded by an `X-Auth-Token`
header (the feed by a `feed_key` query parameter), that echoes the token back in a response
header the way some APIs hand out a refreshed one. Every request it receives is logged."""

from __future__ import annotations

import itertools
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from conftest import FIXTURES, serving

NOTES = FIXTURES / "apis" / "notes"


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int = 0


@dataclass
class NotesState:
    token: str
    feed_key: str
    notebooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    notes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    tags: dict[str, dict[str, Any]] = field(default_factory=dict)
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    tasks: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    lock: threading.Lock = field(default_factory=threading.Lock)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


def _etag(notebook: str, version: int) -> str:
    """Etags no doc can guess: the doc's `"1"` has to be mapped to the live one."""
    return f'"{notebook[-4:]}.{version}"'


def _handler(state: NotesState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(
            self, status: int, body: Any = None, headers: dict[str, str] | None = None
        ) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            state.seen[-1].status = status

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return json.loads(raw) if raw else None
            except ValueError:
                return None

        def _task(self) -> dict[str, Any]:
            return {"taskId": next(state.tasks), "status": "enqueued", "enqueuedAt": _now()}

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            segs = [s for s in parts.path.split("/") if s]
            query = parse_qs(parts.query)
            state.seen.append(
                Seen(self.command, parts.path, query, {k: v for k, v in self.headers.items()})
            )
            body = self._body()
            with state.lock:
                if len(segs) == 3 and segs[0] == "notebooks" and segs[2] == "feed":
                    if query.get("feed_key") != [state.feed_key]:
                        return self._send(401, {"message": "a valid feed key is required"})
                    notes = list(state.notes.get(segs[1], {}).values())
                    return self._send(200, {"items": notes})
                if self.headers.get("X-Auth-Token") != state.token:
                    return self._send(401, {"message": "a valid X-Auth-Token is required"})
                echo = {"X-Auth-Token": state.token}  # a "refreshed" token, echoed back
                return self._route(self.command, segs, body, echo)

        def _route(self, method: str, segs: list[str], body: Any, echo: dict[str, str]) -> None:
            if segs == ["notebooks"] and method == "POST":
                if not isinstance(body, dict) or not body.get("name"):
                    return self._send(400, {"message": "name is required"})
                nid = _id("nb")
                state.notebooks[nid] = {
                    "id": nid,
                    "name": body["name"],
                    "createdAt": _now(),
                    "lastOpened": _now(),
                    "noteCount": 0,
                }
                state.versions[nid] = 1
                state.notes[nid] = {}
                headers = {**echo, "Location": f"/notebooks/{nid}", "ETag": _etag(nid, 1)}
                return self._send(201, state.notebooks[nid], headers)
            if len(segs) >= 2 and segs[0] == "notebooks":
                nid = segs[1]
                if nid not in state.notebooks:
                    return self._send(404, {"message": f"no notebook {nid}"})
                return self._notebook(method, nid, segs[2:], body, echo)
            if segs == ["tags"] and method == "POST":
                state.tags[body["slug"]] = body
                return self._send(202, self._task(), echo)
            if len(segs) == 2 and segs[0] == "tags" and method == "DELETE":
                state.tags.pop(segs[1], None)
                return self._send(202, self._task(), echo)
            if segs == ["exports"] and method == "POST":
                eid = _id("exp")
                state.exports[eid] = {
                    "exportId": eid,
                    "notebookId": body.get("notebookId"),
                    "status": "ready",
                }
                return self._send(201, state.exports[eid], echo)
            return self._send(404, {"message": "no such route"})

        def _notebook(
            self, method: str, nid: str, rest: list[str], body: Any, echo: dict[str, str]
        ) -> None:
            book = state.notebooks[nid]
            book["noteCount"] = len(state.notes[nid])
            etag = _etag(nid, state.versions[nid])
            if not rest and method == "GET":
                return self._send(200, book, {**echo, "ETag": etag})
            if not rest and method == "PUT":
                if self.headers.get("If-Match") != etag:
                    return self._send(412, {"message": "the notebook has changed"})
                book["name"] = body["name"]
                state.versions[nid] += 1
                return self._send(200, book, {**echo, "ETag": _etag(nid, state.versions[nid])})
            if not rest and method == "DELETE":
                del state.notebooks[nid], state.notes[nid]
                return self._send(204, None, echo)
            if rest == ["notes"] and method == "POST":
                handle = _id("note")
                state.notes[nid][handle] = {"handle": handle, **body, "updated": _now()}
                return self._send(201, state.notes[nid][handle], echo)
            if len(rest) == 2 and rest[0] == "notes" and method == "DELETE":
                if state.notes[nid].pop(rest[1], None) is None:
                    return self._send(404, {"message": f"no note {rest[1]}"})
                return self._send(204, None, echo)
            return self._send(404, {"message": "no such route"})

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    return Handler


@contextmanager
def notes_api(token: str, feed_key: str) -> Iterator[tuple[str, NotesState]]:
    """(base URL, state) of a fresh Notes API on a free loopback port."""
    state = NotesState(token, feed_key)
    with serving(_handler(state), daemon_threads=True) as base:
        yield base, state
