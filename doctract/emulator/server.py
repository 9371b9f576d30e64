"""Serving the emulator with uvicorn, in the foreground (CLI) or in a background thread (tests,
benchmarks, live runs)."""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import uvicorn
from starlette.types import ASGIApp

from doctract.emulator import create_app
from doctract.emulator.engine import GenericEmulator, Hooks
from doctract.emulator.faults import STATS_PATH, FaultInjector, FaultPlan, QuietDrops

if TYPE_CHECKING:
    from doctract.contract import Contract

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _config(
    host: str,
    port: int,
    deterministic: bool,
    seed_specs: bool,
    log_level: str,
    faults: FaultPlan | None = None,
) -> uvicorn.Config:
    app = create_app(deterministic=deterministic, seed_specs=seed_specs)
    return _app_config(app, host, port, log_level, faults)


def _app_config(
    app: ASGIApp, host: str, port: int, log_level: str, faults: FaultPlan | None
) -> uvicorn.Config:
    # uvicorn's access log prints query strings; ours (doctract.emulator) prints paths only
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


def serve_contract(
    contract: Contract,
    host: str = "127.0.0.1",
    port: int = 8080,
    deterministic: bool = False,
    log_level: str = "info",
    faults: FaultPlan | None = None,
) -> None:
    """Serve any contract with the generic emulator, in the foreground; the log says at start
    which operations it could not infer (they answer their documented example)."""
    logging.basicConfig(level=log_level.upper(), format=LOG_FORMAT, stream=sys.stderr)
    if port == 0:
        port = free_port(host)
    emulator = GenericEmulator(contract, deterministic=deterministic)
    log = logging.getLogger("doctract.emulator")
    log.info(
        "emulator of %s on http://%s:%d (contract at /openapi.json)", contract.name, host, port
    )
    _log_plan(emulator)
    if faults is not None and faults.active:
        log.info("injecting faults: %s (counts at %s)", faults, STATS_PATH)
    uvicorn.Server(_app_config(emulator, host, port, log_level, faults)).run()


def _log_plan(emulator: GenericEmulator) -> None:
    log = logging.getLogger("doctract.emulator")
    limits = emulator.describe()
    total = len(emulator.plan.behaviours)
    log.info(
        "%d of %d operations are stateful (%d collections, %d singletons); %d answer only "
        "their documented example",
        total - len(limits),
        total,
        len(emulator.plan.collections),
        len(emulator.plan.singletons),
        len(limits),
    )
    for line in limits:
        log.info("  %s", line)


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
    with _in_thread(server, host, port) as base:
        yield base


@contextmanager
def running_generic_emulator(
    contract: Contract,
    deterministic: bool = True,
    faults: FaultPlan | None = None,
    host: str = "127.0.0.1",
    hooks: Callable[[bool], Hooks] | None = None,
) -> Iterator[str]:
    """Serve any contract with the generic emulator on a free loopback port in a thread;
    yields its base URL (the contract's base path not included: the emulator takes requests
    with or without it). `hooks`: a profile's emulator rules, made for `deterministic`."""
    port = free_port(host)
    rules = hooks(deterministic) if hooks is not None else None
    emulator = GenericEmulator(contract, deterministic=deterministic, hooks=rules)
    _log_plan(emulator)
    server = uvicorn.Server(_app_config(emulator, host, port, "warning", faults))
    with _in_thread(server, host, port) as base:
        yield base


@contextmanager
def _in_thread(server: uvicorn.Server, host: str, port: int) -> Iterator[str]:
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
