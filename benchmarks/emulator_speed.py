"""Emulator throughput on the draft-publish workflow, as a ratio to a bare Starlette endpoint.

    python benchmarks/emulator_speed.py [--requests 10000] [--concurrency 16]

Both servers run under uvicorn in their own process on loopback (127.0.0.1), one after the
other, and the same asyncio client (httpx2, keep-alive) sends the same number of requests with
the same concurrency to each:
- emulator: the workflow of the tutorials, repeated: create a draft base connection, publish it,
  read it back (3 requests an iteration), with the tutorials' headers;
- baseline: GET of a Starlette route that returns a constant JSON object.
The load is bounded (a fixed request count) and stops by itself. It prints requests per second
for each and the ratio emulator / baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import time
from typing import Any

import httpx2
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from doctract.emulator import create_app
from doctract.emulator.server import free_port

FLOW = "/data/foundation/flowservice"
HEADERS = {
    "Authorization": "Bearer benchmark-token",
    "x-api-key": "benchmark-key",
    "x-gw-ims-org-id": "ACME@AdobeOrg",
    "x-sandbox-name": "prod",
}
BODY = {
    "name": "ACME base connection",
    "auth": {
        "specName": "Basic Authentication",
        "params": {"host": "acme.file.core.windows.net", "userid": "acme", "password": "x"},
    },
    "connectionSpec": {"id": "be5ec48c-5b78-49d5-b8fa-7c89ec4569b8", "version": "1.0"},
}


def _bare_app() -> Starlette:
    async def constant(request: Any) -> JSONResponse:
        return JSONResponse({"id": "f9377f50-607a-4818-b77f-50607a181860", "state": "enabled"})

    return Starlette(routes=[Route("/constant", constant)])


def _serve(kind: str, port: int) -> None:
    app: Any = create_app(deterministic=True) if kind == "emulator" else _bare_app()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


async def _wait_up(client: httpx2.AsyncClient, url: str) -> None:
    for _ in range(200):
        try:
            await client.get(url)
            return
        except httpx2.TransportError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"server at {url} did not start")


async def _workflow(client: httpx2.AsyncClient, base: str) -> int:
    created = await client.post(f"{base}{FLOW}/connections?mode=draft", json=BODY, headers=HEADERS)
    entity = created.json()["id"]
    published = await client.post(
        f"{base}{FLOW}/connections/{entity}/action?op=publish", headers=HEADERS
    )
    read = await client.get(f"{base}{FLOW}/connections/{entity}", headers=HEADERS)
    assert (created.status_code, published.status_code, read.status_code) == (201, 200, 200)
    return 3


async def _constant(client: httpx2.AsyncClient, base: str) -> int:
    response = await client.get(f"{base}/constant")
    assert response.status_code == 200
    return 1


async def _load(kind: str, base: str, total: int, concurrency: int) -> tuple[int, float]:
    step = _workflow if kind == "emulator" else _constant
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(limits=limits, timeout=30) as client:
        await _wait_up(client, f"{base}/openapi.json" if kind == "emulator" else f"{base}/constant")
        sent = 0

        async def worker() -> None:
            nonlocal sent
            while sent < total:
                sent += 3 if kind == "emulator" else 1
                await step(client, base)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return sent, time.perf_counter() - started


def measure(kind: str, total: int, concurrency: int) -> float:
    port = free_port()
    server = multiprocessing.Process(target=_serve, args=(kind, port), daemon=True)
    server.start()
    try:
        sent, elapsed = asyncio.run(_load(kind, f"http://127.0.0.1:{port}", total, concurrency))
    finally:
        server.terminate()
        server.join(timeout=10)
    rate = sent / elapsed
    print(f"{kind:>9}: {sent:>6} requests in {elapsed:6.2f} s = {rate:8.0f} req/s")
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    bare = measure("baseline", args.requests, args.concurrency)
    emulator = measure("emulator", args.requests, args.concurrency)
    print(
        f"emulator / bare Starlette: {emulator / bare:.2f} "
        f"({args.requests} requests each, concurrency {args.concurrency}, loopback)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
