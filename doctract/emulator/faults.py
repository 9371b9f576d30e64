"""Fault injection for the emulator, as ASGI middleware, drawn from a seeded random generator so
a run can be repeated.

Before the request reaches the emulator (it changed nothing): latency, dropped connections,
429 with Retry-After, bursts of 500/503. After the emulator processed it (it did whatever it
does, e.g. created the resource, and the client cannot tell): `drop-after` cuts the response
mid-body, `5xx-after` answers 502/503/504 as a proxy in front of a server that timed out would.
A client that repeats a POST after one of these creates a duplicate.

GET /__doctract/faults returns the counts (for the figures of a run), and `duplicates`: POSTs
the emulator answered with success for a request it had already answered so (same path, same
body).

    doctract emulator --faults "latency=0.1,drop=0.05,429=0.05,5xx=0.05,burst=3,seed=7"
    doctract emulator --faults "drop-after=0.05,5xx-after=0.05,seed=7"
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
from collections import Counter
from dataclasses import dataclass, fields

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from doctract.errors import DoctractError

STATS_PATH = "/__doctract/faults"
_KEYS = {
    "latency": "latency",
    "delay": "delay",
    "drop": "drop",
    "429": "throttle",
    "throttle": "throttle",
    "5xx": "error",
    "error": "error",
    "drop-after": "drop_after",
    "5xx-after": "error_after",
    "error-after": "error_after",
    "burst": "burst",
    "retry-after": "retry_after",
    "seed": "seed",
}


_PROBABILITIES = ("latency", "drop", "throttle", "error", "drop_after", "error_after")
AFTER = frozenset({"drop-after", "5xx-after"})  # faults struck after the emulator acted


class FaultSpecError(DoctractError, ValueError):
    """A --faults value doctract cannot use."""


@dataclass(frozen=True)
class FaultPlan:
    latency: float = 0.0  # probability of a delay of `delay` seconds
    delay: float = 0.2
    drop: float = 0.0  # probability that the connection is cut mid-response
    throttle: float = 0.0  # probability of 429 Too Many Requests
    error: float = 0.0  # probability that a burst of 500/503 starts
    drop_after: float = 0.0  # probability that the response is cut after the emulator acted
    error_after: float = 0.0  # probability of a 502/503/504 after the emulator acted
    burst: int = 2  # requests answered 500/503 in a row once a burst starts
    retry_after: int = 1  # seconds, in the 429's Retry-After header
    seed: int = 0

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        values: dict[str, float | int] = {}
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            key, sep, raw = part.partition("=")
            name = _KEYS.get(key.strip().lower())
            if not sep or name is None:
                raise FaultSpecError(
                    f"unknown fault {part!r} (use {', '.join(sorted(_KEYS))} as key=value)"
                )
            try:
                number = float(raw)
            except ValueError:
                raise FaultSpecError(f"{key}: {raw!r} is not a number") from None
            if name in _PROBABILITIES and not 0 <= number <= 1:
                raise FaultSpecError(f"{key}: a probability is between 0 and 1, not {raw}")
            if number < 0:
                raise FaultSpecError(f"{key}: must not be negative")
            kind = {f.name: f.type for f in fields(cls)}[name]
            values[name] = int(number) if kind == "int" else number
        return cls(**values)  # type: ignore[arg-type]

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in _PROBABILITIES)


class QuietDrops(logging.Filter):
    """uvicorn logs each cut response as an error; for injected drops that is expected."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "returned without completing response" not in record.getMessage()


class FaultInjector:
    """ASGI middleware that injects the plan's faults in front of `app`."""

    def __init__(self, app: ASGIApp, plan: FaultPlan) -> None:
        self.app = app
        self.plan = plan
        self.random = random.Random(plan.seed)
        self.stats: Counter[str] = Counter()
        # successful POSTs by path, query and body digest
        self.created: Counter[tuple[str, bytes, str]] = Counter()
        self._burst_left = 0

    @property
    def duplicates(self) -> int:
        """POSTs answered with success for a request already answered so (same path, body)."""
        return sum(count - 1 for count in self.created.values())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == STATS_PATH:
            await _json(
                send,
                200,
                {"requests": self.stats.total(), **dict(self.stats)}
                | {"duplicates": self.duplicates},
            )
            return
        if scope["path"] == "/openapi.json":
            await self.app(scope, receive, send)
            return
        fault = self._draw()
        self.stats[fault or "none"] += 1
        if fault == "latency":
            await asyncio.sleep(self.plan.delay)
        elif fault == "throttle":
            await _json(
                send,
                429,
                {"type": "about:blank", "title": "Too Many Requests", "status": 429},
                [(b"retry-after", str(self.plan.retry_after).encode())],
            )
            return
        elif fault in ("error-500", "error-503"):
            await _error(send, 500 if fault == "error-500" else 503)
            return
        elif fault == "drop":
            await _cut(send)
            return
        elif fault in AFTER:
            await self._processed(scope, receive, _discard)  # its answer never leaves
            if fault == "drop-after":
                await _cut(send)
            else:  # a proxy that gave up waiting for the server
                await _error(send, self.random.choice([502, 503, 504]))
            return
        await self._processed(scope, receive, send)

    async def _processed(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The emulator handles the request; a successful POST is counted by path and body."""
        body = bytearray()
        status = 0

        async def reading() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
            return message

        async def answering(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, reading, answering)
        if scope["method"] == "POST" and 200 <= status < 300:
            digest = hashlib.sha256(bytes(body)).hexdigest()
            self.created[(scope["path"], scope.get("query_string", b""), digest)] += 1

    def _draw(self) -> str | None:
        if self._burst_left > 0:
            self._burst_left -= 1
            return self.random.choice(["error-500", "error-503"])
        roll = self.random.random()
        plan = self.plan
        for name, probability in (
            ("drop", plan.drop),
            ("throttle", plan.throttle),
            ("error", plan.error),
            ("drop-after", plan.drop_after),
            ("5xx-after", plan.error_after),
            ("latency", plan.latency),
        ):
            if roll < probability:
                if name == "error":
                    self._burst_left = max(0, plan.burst - 1)
                    return self.random.choice(["error-500", "error-503"])
                return name
            roll -= probability
        return None


_TITLES = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


async def _error(send: Send, status: int) -> None:
    await _json(send, status, {"type": "about:blank", "title": _TITLES[status], "status": status})


async def _cut(send: Send) -> None:
    """A response head and the start of a body, then nothing: the server closes the
    connection and the client sees it cut mid-response."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"cut', "more_body": True})


async def _discard(message: Message) -> None:
    """Where the emulator's answer goes when a fault after processing replaces it."""


async def _json(
    send: Send, status: int, body: object, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    data = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
