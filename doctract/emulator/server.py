"""Serving the emulator with uvicorn, in the foreground (CLI) or in a background thread (tests,
benchmarks, live runs)."""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from doctract.emulator.app import create_app
from doctract.emulator.faults import STATS_PATH, FaultInjector, FaultPlan, QuietDrops

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _config(
    host: str,
    port: int,
    deterministic: bool,
    seed_specs: bool,
    log_level: str,
    faults: FaultPlan | None = None,
) -> uvicorn.Config:
    # uvicorn's access log prints query strings; ours (doctract.emulator) prints paths only
    app: ASGIApp = create_app(deterministic=deterministic, seed_specs=seed_specs)
    if faults is not None and faults.active:
        app = FaultInjector(app, faults)
        logging.getLogger("uvicorn.error").addFilter(QuietDrops())
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        log_config=None,
        lifespan="on",
    )


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    deterministic: bool = False,
    seed_specs: bool = True,
    log_level: str = "info",
    faults: FaultPlan | None = None,
) -> None:
    logging.basicConfig(level=log_level.upper(), format=LOG_FORMAT, stream=sys.stderr)
    if port == 0:
        port = free_port(host)
    logging.getLogger("doctract.emulator").info(
        "Flow Service emulator on http://%s:%d (contract at /openapi.json)", host, port
    )
    if faults is not None and faults.active:
        logging.getLogger("doctract.emulator").info(
            "injecting faults: %s (counts at %s)", faults, STATS_PATH
        )
    uvicorn.Server(_config(host, port, deterministic, seed_specs, log_level, faults)).run()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_emulator(
    deterministic: bool = True,
    seed_specs: bool = True,
    host: str = "127.0.0.1",
    faults: FaultPlan | None = None,
) -> Iterator[str]:
    """Run the emulator on a free loopback port in a thread; yields its base URL."""
    port = free_port(host)
    server = uvicorn.Server(_config(host, port, deterministic, seed_specs, "warning", faults))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the emulator did not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
