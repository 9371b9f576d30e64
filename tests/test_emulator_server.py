"""The emulator over real HTTP: the threaded server helper and the `doctract emulator` command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from doctract.emulator.server import running_emulator

HEADERS = {
    "Authorization": "Bearer t",
    "x-api-key": "k",
    "x-gw-ims-org-id": "o",
    "x-sandbox-name": "prod",
}


def test_running_emulator_serves_the_contract_and_the_api() -> None:
    with running_emulator() as base:
        assert httpx2.get(f"{base}/openapi.json").json()["openapi"].startswith("3.1")
        specs = httpx2.get(f"{base}/data/foundation/flowservice/flowSpecs", headers=HEADERS)
        assert specs.status_code == 200 and len(specs.json()["items"]) >= 4


def test_emulator_command_starts_and_stops() -> None:
    exe = Path(sys.executable).with_name("doctract")
    if not exe.exists():
        pytest.skip("the doctract console script is not installed next to this Python")
    proc = subprocess.Popen(
        [str(exe), "emulator", "--port", "0", "--deterministic"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        port = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert port, line
        url = f"http://127.0.0.1:{port.group(1)}/data/foundation/flowservice/flows"
        for _ in range(100):
            try:
                response = httpx2.get(url, headers=HEADERS)
                break
            except httpx2.TransportError:
                time.sleep(0.05)
        assert response.status_code == 200 and response.json() == {"items": []}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
