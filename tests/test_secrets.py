"""Secrets never reach a file doctract writes (features, cassettes, reports, history, the
emulator's log) nor its output, including tracebacks under --debug."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import EXAMPLES, ROOT
from doctract.emulator.server import free_port

SECRETS = {
    "DOCTRACT_ACCESS_TOKEN": "eyJ-tok-5f1e-doctract-secret",
    "DOCTRACT_API_KEY": "key-9a7c-doctract-secret",
    "DOCTRACT_ORG_ID": "ORG-71bd-doctract-secret@AdobeOrg",
    "DOCTRACT_PASSWORD": "pw-c0de-doctract-secret",
    "DOCTRACT_CLIENT_SECRET": "cs-6e6e-doctract-secret",
}
LITERAL_PASSWORD = "literal-pw-doctract-secret"
LITERAL_TOKEN = "literal-token-doctract-secret"
ALL_SECRETS = [*SECRETS.values(), LITERAL_PASSWORD, LITERAL_TOKEN]

LEAKY_DOC = f"""# Create a connection with a password

## Create a base connection

**Request**

```shell
curl -X POST \\
  'https://platform.adobe.io/data/foundation/flowservice/connections' \\
  -H 'Authorization: Bearer {{ACCESS_TOKEN}}' \\
  -H 'x-api-key: {{API_KEY}}' \\
  -H 'x-gw-ims-org-id: {{ORG_ID}}' \\
  -H 'x-sandbox-name: {{SANDBOX_NAME}}' \\
  -H 'Content-Type: application/json' \\
  -d '{{
      "name": "Leaky connection",
      "auth": {{
          "specName": "Basic Authentication",
          "params": {{
              "host": "files.example.com",
              "userid": "acme",
              "password": "{LITERAL_PASSWORD}",
              "accessToken": "{LITERAL_TOKEN}",
              "clientSecret": "{{CLIENT_SECRET}}"
          }}
      }},
      "connectionSpec": {{"id": "be5ec48c-5b78-49d5-b8fa-7c89ec4569b8", "version": "1.0"}}
  }}'
```

**Response**

```json
{{
    "id": "4e9a3c07-2d1b-4f4e-9a3c-072d1b8f4e11",
    "etag": "\\"0a00a1b1-0000-0200-0000-65b1a0000000\\""
}}
```
"""


def _exe() -> str:
    exe = Path(sys.executable).with_name("doctract")
    if not exe.exists():
        pytest.skip("the doctract console script is not installed")
    return str(exe)


def test_a_live_record_with_real_looking_secrets_writes_none_of_them(tmp_path: Path) -> None:
    exe = _exe()
    env = {**os.environ, **SECRETS, "CI": "1"}
    docs = tmp_path / "docs"
    shutil.copytree(EXAMPLES / "flow-service", docs)
    (docs / "leaky.md").write_text(LEAKY_DOC)
    port = free_port()
    log = (tmp_path / "emulator.log").open("w")
    emulator = subprocess.Popen(
        [exe, "emulator", "--port", str(port), "--log-level", "debug"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/openapi.json", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        commands = [
            [exe, "generate", str(docs), "--out", str(tmp_path / "features")],
            [
                exe,
                "run",
                str(tmp_path / "features"),
                "--live",
                base,
                "--record",
                "all",
                "--cassettes",
                str(tmp_path / "cassettes"),
                "--report-dir",
                str(tmp_path / "report-live"),
                "--history",
                str(tmp_path / "history"),
            ],
            [
                exe,
                "run",
                str(tmp_path / "features"),
                "--cassettes",
                str(tmp_path / "cassettes"),
                "--report-dir",
                str(tmp_path / "report-offline"),
                "--format",
                "json",
            ],
            [exe, "diff", str(tmp_path / "cassettes"), str(tmp_path / "cassettes")],
            *(
                [exe, "lint", str(docs), "--format", fmt]
                for fmt in ("text", "json", "sarif", "github", "markdown")
            ),
            [
                exe,
                "--debug",
                "baseline",
                "write",
                str(docs),
                "--baseline",
                str(tmp_path / "baseline.json"),
            ],
        ]
        outputs: list[str] = []
        statuses = []
        for command in commands:
            done = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
            )
            outputs += [done.stdout, done.stderr]
            statuses.append(done.returncode)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
        log.close()
    assert statuses[0] == 0 and statuses[1] in (0, 1) and 2 not in statuses, outputs
    written = {  # every file doctract wrote (the docs are the test's input)
        p: p.read_text(errors="replace")
        for p in tmp_path.rglob("*")
        if p.is_file() and not p.is_relative_to(docs)
    }
    kinds = {p.suffix for p in written}
    assert {".feature", ".yaml", ".html", ".xml", ".json", ".log"} <= kinds
    assert "POST /data/foundation/flowservice/connections" in written[tmp_path / "emulator.log"]
    for secret in ALL_SECRETS:
        leaks = [str(p) for p, text in written.items() if secret in text]
        leaks += [f"output {i}" for i, text in enumerate(outputs) if secret in text]
        assert leaks == [], f"{secret} leaked into {leaks}"


def test_debug_tracebacks_and_error_lines_never_echo_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import doctract.cli

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)

    def failing(*args: object, **kwargs: object) -> None:
        token = SECRETS["DOCTRACT_ACCESS_TOKEN"]
        raise RuntimeError(f"upstream refused Authorization: Bearer {token} for {LITERAL_TOKEN}x")

    monkeypatch.setattr(doctract.cli, "lint_paths", failing)
    for argv in (["doctract", "--debug", "lint", "docs"], ["doctract", "lint", "docs"]):
        monkeypatch.setattr(sys, "argv", argv)
        monkeypatch.delenv("DOCTRACT_DEBUG", raising=False)
        with pytest.raises(SystemExit) as exited:
            doctract.cli.run()
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert "doctract: internal error: RuntimeError: upstream refused" in err
        assert ("Traceback (most recent call last)" in err) == ("--debug" in argv)
        assert SECRETS["DOCTRACT_ACCESS_TOKEN"] not in err
        assert "Bearer <SCRUBBED>" in err
