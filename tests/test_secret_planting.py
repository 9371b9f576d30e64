"""Distinctive secrets planted everywhere a real run meets them (the environment, the
configuration, doc bodies, headers, query strings, URL userinfo, forms, responses a local
echo server sends back with cookies, redirects and tokens of its own, and the credential
cleanup's DELETE carries where the contract puts one) never reach a file doctract writes nor
its output, sharded runs and `report merge` included; and scrubbing takes credentials, not
words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qsl, unquote_plus, urlsplit

import pytest

from conftest import serving

# --- values resolved for placeholders from the environment and the configuration ----------
ENV = {
    "DOCTRACT_ACCESS_TOKEN": "atok-PLANT01-7d3f9c2e",
    "DOCTRACT_API_KEY": "akey-PLANT02-41b8e6d0",
    "DOCTRACT_ORG_ID": "ORG-PLANT03-9e2c@AdobeOrg",
    "CONNECTION_STRING": (
        "DefaultEndpointsProtocol=https;AccountName=acme;"
        "AccountKey=PLANT04acctKey9f8e7d6c5b4a==;EndpointSuffix=core.windows.net"
    ),
    "DOCTRACT_CLIENT_SECRET": "cs-PLANT07-5e6f7a8b",
    "DOCTRACT_PASSWORD": "pw-PLANT08-c9d0e1f2",
    "SESSION_COOKIE": "sess-PLANT09-a3b4c5d6",
    "DB_DSN": "postgres://app:PLANT10dbpw77@db.internal/app",
    "DOCTRACT_ECHO_CREDENTIAL": "ec-PLANT12-1c2d3e4f",
    # sent only by cleanup, in the header the contract's security scheme names for the
    # DELETE, under a name that does not look secret: a secret because of where it is sent
    "X_OWNER": "owner-plant46-0a9b8c7d",  # lower case: no credential by its look
}
CONFIG_VALUES = {
    "SAS_URI": "https://acme.blob.core.windows.net/box?sv=2022-11-02&sig=PLANT05sasSig3c2b1a",
    "ACCOUNT_KEY": "PLANT06-acctkey-0b1c2d3e4f",
    "TENANT_HINT": "tenant-PLANT11-e7f8a9b0",
}
# what doctract must keep readable: declared public, built-in public, and a spec's name
PUBLIC = {"SANDBOX_NAME": "prod", "DEPLOYMENT_SLOT": "slot-blue-0042"}
SPEC_NAME = "Basic Authentication"

# --- literal secrets written in the tutorial -----------------------------------------------
LIT_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJQTEFOVDEzIn0.PLANT13sigABCdef012"
LIT_API_KEY = "lk-PLANT14-9a8b7c6d"
LIT_ORG = "PLANT15ORG0A1B2C3D@AdobeOrg"
LIT_COOKIE = "PLANT16cookie5e4d3c"
LIT_USER_PW = "PLANT17upw-4f5e6d"
LIT_URL_PW = "PLANT18urlpw-8c7b6a"
LIT_Q_TOKEN = "PLANT19qtok2b3c4d"
LIT_Q_KEY = "PLANT20qkey6e7f8a"
LIT_SIG = "PLANT21litsig9b0c1d"
LIT_FORM_CS = "PLANT22formcs3e4f5a"
LIT_PASSWORD = "PLANT23jsonpw7b8c9d"
LIT_NOTE_JWT = "eyJ0eXAiOiJKV1QifQ.eyJqdGkiOiJQTEFOVDI0In0.PLANT24jwtsig0d1e2f"
LIT_PEM = "MIIEvPLANT25pemBody3a4b5c6d"
LIT_ACCOUNT_KEY = "PLANT26litacct8e9f0a"
LIT_ENTROPY = "Zk3PLANT27qR9xLm2VbN8tYw4HjC6sDf"
LIT_HDR_TOKEN = "PLANT28hdrtok1a2b3c"
LIT_HDR_SECRET = "PLANT29hdrsec4d5e6f"
LIT_FORM_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJQTEFOVDMwIn0.PLANT30formjwt7a8b"
LIT_CONTRACT_HDR = "PLANT31contracthdr9c0d"
LIT_CONTRACT_Q = "PLANT32contractq1e2f"
LIT_EXAMPLE_TOKEN = "PLANT44docresp2b3c"
LIT_WRITE_ONLY = "PLANT45writeonly7f8a"

# --- secrets the echo server makes up and sends back ---------------------------------------
RESP_COOKIE = "PLANT33setcookie5a6b"
RESP_LOCATION = "PLANT34loctok7c8d"
RESP_WWW = "PLANT35wwwsig9e0f"
RESP_HEADER = "PLANT36refresh1a2b"
RESP_SESSION = "PLANT37sesstok3c4d"
RESP_JWT = "eyJraWQiOiJ4In0.eyJzdWIiOiJQTEFOVDM4In0.PLANT38respjwt5e6f"
RESP_PEM = "MIIPLANT39respPem7a8b"
RESP_SAK = "PLANT40respSAK9c0d"
RESP_ENTROPY = "Xq7PLANT41Lm3Vb9Nt2Yw8Hj4Cs6Df1Gk5"
RESP_FORM_TOKEN = "PLANT42formresp3e4f"
RESP_FORM_REFRESH = "PLANT43formrefresh5a6b"

PLANTED: dict[str, str] = {
    **{f"env {k}": v for k, v in ENV.items()},
    **{f"config {k}": v for k, v in CONFIG_VALUES.items()},
    **{k: str(v) for k, v in globals().items() if k.startswith(("LIT_", "RESP_"))},
}
# the distinctive part each one is searched by (a whole JWT, or its marked part)
NEEDLES = {where: value for where, value in PLANTED.items()} | {
    "env CONNECTION_STRING": "PLANT04acctKey9f8e7d6c5b4a",
    "config SAS_URI": "PLANT05sasSig3c2b1a",
    "env DB_DSN": "PLANT10dbpw77",
}

FORM = "&".join(
    (
        "grant_type=client_credentials",
        f"client_secret={LIT_FORM_CS}",
        f"assertion={LIT_FORM_JWT}",
        "extra={CLIENT_SECRET}",
    )
)
STORAGE = f"DefaultEndpointsProtocol=https;AccountName=x;AccountKey={LIT_ACCOUNT_KEY}==;"
READ_URL = (
    f"https://svc:{LIT_URL_PW}@api.example.com/v1/connections/"
    "4e9a3c07-2d1b-4f4e-9a3c-072d1b8f4e11"
    f"?access_token={LIT_Q_TOKEN}&api_key={LIT_Q_KEY}&password={{PASSWORD}}"
    "&code={ACCOUNT_KEY}&slot={DEPLOYMENT_SLOT}"
)
DOC = f"""# Connect the echo service

Sign in with {SPEC_NAME} or a token; use the prod sandbox.

## Get a token

```shell
curl -X POST 'https://api.example.com/v1/oauth/token' \\
  -u 'admin:{LIT_USER_PW}' \\
  -H 'Content-Type: application/x-www-form-urlencoded' \\
  -d '{FORM}'
```

## Create a connection

```shell
curl -X POST 'https://api.example.com/v1/connections?passphrase_q={LIT_CONTRACT_Q}' \\
  -H 'Authorization: Bearer {{ACCESS_TOKEN}}' \\
  -H 'x-api-key: {{API_KEY}}' \\
  -H 'x-gw-ims-org-id: {{ORG_ID}}' \\
  -H 'x-sandbox-name: {{SANDBOX_NAME}}' \\
  -H 'X-Echo-Credential: {{ECHO_CREDENTIAL}}' \\
  -H 'X-Tenant: {{TENANT_HINT}}' \\
  -H 'Cookie: session={{SESSION_COOKIE}}' \\
  -H 'Content-Type: application/json' \\
  -d '{{
      "name": "Echo connection",
      "slot": "{{DEPLOYMENT_SLOT}}",
      "auth": {{
          "specName": "{SPEC_NAME}",
          "params": {{
              "password": "{LIT_PASSWORD}",
              "phrase": "{LIT_WRITE_ONLY}",
              "note": "{LIT_NOTE_JWT}",
              "cert": "-----BEGIN PRIVATE KEY-----\\n{LIT_PEM}\\n-----END PRIVATE KEY-----",
              "storage": "{STORAGE}",
              "container": "https://acme.blob.core.windows.net/c?sv=2022&sig={LIT_SIG}",
              "opaque": "{LIT_ENTROPY}",
              "target": "{{CONNECTION_STRING}}",
              "location": "{{SAS_URI}}",
              "value": "{{ACCOUNT_KEY}}",
              "dsn": "{{DB_DSN}}"
          }}
      }}
  }}'
```

**Response**

```json
{{
    "id": "4e9a3c07-2d1b-4f4e-9a3c-072d1b8f4e11",
    "sessionToken": "{LIT_EXAMPLE_TOKEN}"
}}
```

## Read it back

```shell
curl -X GET '{READ_URL}' \\
  -H 'Authorization: Bearer {LIT_JWT}' \\
  -H 'x-api-key: {LIT_API_KEY}' \\
  -H 'x-gw-ims-org-id: {LIT_ORG}' \\
  -H 'Cookie: sid={LIT_COOKIE}' \\
  -H 'X-Service-Token: {LIT_HDR_TOKEN}' \\
  -H 'X-Client-Secret-Value: {LIT_HDR_SECRET}' \\
  -H 'X-Echo-Credential: {LIT_CONTRACT_HDR}'
```

## Try an unsupported sign-in

```shell
curl -X POST 'https://api.example.com/v1/reject' \\
  -H 'Authorization: Bearer {{ACCESS_TOKEN}}' \\
  -H 'Content-Type: application/json' \\
  -d '{{"specName": "{SPEC_NAME}"}}'
```
"""

CONTRACT = """openapi: 3.0.3
info: {title: Echo, version: "1"}
servers: [{url: "https://api.example.com/v1"}]
components:
  securitySchemes:
    echoHeader: {type: apiKey, in: header, name: X-Echo-Credential}
    echoQuery: {type: apiKey, in: query, name: passphrase_q}
    owner: {type: apiKey, in: header, name: X-Owner}
paths:
  /oauth/token:
    post: {responses: {"200": {description: ok}}}
  /connections:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                auth:
                  type: object
                  properties:
                    params:
                      type: object
                      properties:
                        phrase: {type: string, writeOnly: true}
      responses: {"201": {description: created}}
  /connections/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      responses: {"200": {description: ok}}
    delete:
      security: [{owner: []}]
      responses: {"204": {description: deleted}, "403": {description: not the owner}}
  /reject:
    post: {responses: {"400": {description: rejected}}}
"""


RECEIVED: list[str] = []  # every request the echo server was sent, as it came


class Echo(BaseHTTPRequestHandler):
    """Answers every request with what it received, plus secrets of its own: a session
    cookie, a redirect carrying a token, a WWW-Authenticate challenge, a refresh-token header,
    and a body full of credentials under ordinary keys. A DELETE (cleanup's) is refused with
    403 (what it received echoed all the same), so the run reports `cleanup-failed`."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        RECEIVED.append(f"{self.command} {self.path}\n{self.headers}\n{body}")
        parts = urlsplit(self.path)
        port = urlsplit(f"http://{self.headers.get('Host', '')}").port
        headers = {
            "Set-Cookie": f"session={RESP_COOKIE}; HttpOnly; Path=/",
            "Location": f"http://127.0.0.1:{port}/cb?token={RESP_LOCATION}&state=ok",
            "WWW-Authenticate": (
                f'Bearer realm="echo", error="invalid_token", '
                f'error_uri="http://127.0.0.1/e?sig={RESP_WWW}"'
            ),
            "X-Refresh-Token": RESP_HEADER,
        }
        if parts.path.endswith("/oauth/token"):
            status, kind = 200, "application/x-www-form-urlencoded"
            text = (
                f"access_token={RESP_FORM_TOKEN}&token_type=bearer"
                f"&refresh_token={RESP_FORM_REFRESH}"
            )
        else:
            received = {
                "method": self.command,
                "path": parts.path,
                "query": dict(parse_qsl(parts.query)),
                "headers": dict(self.headers.items()),
                "body": body,
            }
            issued = {
                "sessionToken": RESP_SESSION,
                "blob": RESP_JWT,
                "material": f"-----BEGIN RSA PRIVATE KEY-----\n{RESP_PEM}\n"
                "-----END RSA PRIVATE KEY-----",
                "conn": f"Endpoint=sb://x/;SharedAccessKeyName=root;SharedAccessKey={RESP_SAK}=",
                "opaque": RESP_ENTROPY,
            }
            payload: dict[str, object]
            if parts.path.endswith("/reject"):
                status = 400
                payload = {"message": f"{SPEC_NAME} is not enabled for this account", **issued}
            else:
                status = {"POST": 201, "DELETE": 403}.get(self.command, 200)
                payload = {"id": str(uuid.uuid4()), "received": received, "issued": issued}
            kind, text = "application/json", json.dumps(payload)
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def echo() -> Iterator[str]:
    RECEIVED.clear()
    with serving(Echo) as base:
        yield base


def _exe() -> str:
    exe = Path(sys.executable).with_name("doctract")
    if not exe.exists():
        pytest.skip("the doctract console script is not installed")
    return str(exe)


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "echo.md").write_text(DOC, encoding="utf-8")
    (project / "openapi.yaml").write_text(CONTRACT, encoding="utf-8")
    placeholders = "\n".join(f'{k} = "{v}"' for k, v in {**CONFIG_VALUES, **PUBLIC}.items())
    (project / ".doctract.toml").write_text(
        'openapi = "openapi.yaml"\n'
        'public-placeholders = ["DEPLOYMENT_SLOT"]\n'
        f"\n[placeholders]\n{placeholders}\n",
        encoding="utf-8",
    )
    return project


INPUTS = ("docs", "openapi.yaml", ".doctract.toml")


def test_planted_secrets_reach_no_file_and_no_output(tmp_path: Path, echo: str) -> None:
    assert len(set(NEEDLES.values())) == len(NEEDLES) >= 30
    exe = _exe()
    project = _project(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCTRACT_")}
    env |= {**ENV, "CI": "1", "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    run = [exe, "run", "features", "--cassettes", "cassettes", "--history", "history"]
    shard = [exe, "run", "docs", "--live", echo, "--record", "all", "--cassettes", "sharded"]
    merge = [exe, "report", "merge", "shard-1", "shard-2", "--report-dir", "merged"]
    commands = [
        [exe, "generate", "docs", "--out", "features"],
        [*run, "--live", echo, "--record", "all", "--report-dir", "live"],
        [*run, "--report-dir", "offline", "--format", "json"],
        [exe, "run", "docs", "--live", echo, "--record", "none", "--cassettes", "cassettes"],
        *([*shard, "--shard", f"{k}/2", "--report-dir", f"shard-{k}"] for k in (1, 2)),
        [*merge, "--history", "merged-history", "--format", "json"],
        [exe, "diff", "cassettes", "cassettes"],
        *([exe, "lint", "docs", "--format", fmt] for fmt in ("text", "json", "sarif", "github")),
        [exe, "lint", "docs", "--format", "markdown"],
        [exe, "baseline", "write", "docs"],
    ]
    outputs: dict[str, str] = {}
    for command in commands:
        done = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, check=False
        )
        name = " ".join(command[1:])
        outputs[f"stdout of {name}"] = done.stdout
        outputs[f"stderr of {name}"] = done.stderr
        assert done.returncode in (0, 1), (command, done.stdout, done.stderr)
    assert len(outputs) == 2 * len(commands)
    written = {
        str(p.relative_to(project)): p.read_text(encoding="utf-8", errors="replace")
        for p in project.rglob("*")
        if p.is_file() and not str(p.relative_to(project)).startswith(INPUTS)
    }
    assert {"live/results.json", "live/junit.xml", "live/report.html"} <= set(written)
    assert {"merged/results.json", "merged/junit.xml", "merged/report.html"} <= set(written)
    assert any(name.startswith("merged-history/") for name in written)
    # cleanup ran and failed (the echo server refuses the DELETE): its finding is written
    assert '"cleanup-failed"' in written["live/results.json"]
    assert '"cleanup-failed"' in written["merged/results.json"]
    assert any(name.startswith("cassettes/") for name in written)
    assert any(name.startswith("features/") for name in written)
    everything = {**written, **outputs}
    leaks = {
        where: [name for name, text in everything.items() if needle in text]
        for where, needle in NEEDLES.items()
    }
    found = [f"{where} in {', '.join(sorted(names))}" for where, names in leaks.items() if names]
    assert found == [], f"{len(found)} of {len(NEEDLES)} secrets leaked:\n" + "\n".join(found)
    # credentials, not words: the spec's name and public values stay readable
    for name in ("live/results.json", "live/junit.xml", "live/report.html", "merged/report.html"):
        assert SPEC_NAME in written[name], name
        assert "<SCRUBBED> is not enabled" not in written[name], name
    for replayed in commands[1:3]:  # the live run's findings and the offline run's
        assert SPEC_NAME in outputs[f"stdout of {' '.join(replayed[1:])}"], replayed
    (cassette,) = (text for name, text in written.items() if name.startswith("cassettes/"))
    assert PUBLIC["DEPLOYMENT_SLOT"] in cassette and "prod" in cassette
    assert "Cookie: session={SESSION_COOKIE}" in written["features/echo.feature"]
    assert not any(
        bad in text
        for text in everything.values()
        for bad in ("Basic <SCRUBBED>", "Basic &lt;SCRUBBED&gt;")
    )
    # and the secrets did go over the wire: the echo server saw every resolved value (the
    # owner's header only in cleanup's DELETE)
    seen = "\n".join(RECEIVED)
    deletes = [r for r in RECEIVED if r.startswith("DELETE ")]
    assert deletes and all(ENV["X_OWNER"] in r for r in deletes), RECEIVED
    for name, value in {**ENV, **CONFIG_VALUES}.items():
        assert value in unquote_plus(seen), name


def test_report_merge_scrubs_what_a_shard_did_not_know(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shards run on other machines, whose environment may not hold a secret this one knows:
    `report merge` passes the shards' results through this machine's scrubber before it
    prints or writes them."""
    from conftest import invoke
    from doctract.report.results import run_results, write_json

    secret = "pw-PLANT48-merge-7e6d5c"
    monkeypatch.setenv("DOCTRACT_PASSWORD", secret)
    finding = {
        "rule": "request-rejected", "severity": "error", "path": "docs/a.md", "line": 3,
        "column": 1, "message": f"the API refused {secret} ({SPEC_NAME})",
        "hint": f"check {secret}", "evidence": f'{{"password": "{secret}"}}',
    }  # fmt: skip
    request = {
        "index": 1, "line": 3, "step": "Sign in", "method": "POST", "path": "/login",
        "query": "", "request_body": f'{{"password": "{secret}"}}', "status": 400,
        "response": f"refused {secret}", "sent": True, "failed": True,
    }  # fmt: skip
    tutorial = {"path": "docs/a.md", "status": "failed", "findings": [finding]}
    for k, tutorials in ((1, [{**tutorial, "requests": [request]}]), (2, [])):
        results = run_results(tutorials, "offline (cassettes)")
        results["shard"] = {"index": k, "count": 2}
        write_json(tmp_path / f"shard-{k}" / "results.json", results)  # unscrubbed
    code, out = invoke(
        "report", "merge", str(tmp_path / "shard-1"), str(tmp_path / "shard-2"),
        "--report-dir", str(tmp_path / "merged"), "--history", str(tmp_path / "history"),
        "--format", "json",
    )  # fmt: skip
    assert code == 1, out
    written = {p: p.read_text(encoding="utf-8") for p in tmp_path.glob("[mh]*/*") if p.is_file()}
    assert len(written) == 4, written  # results.json, junit.xml, report.html, the history entry
    for where, text in {**{str(p): t for p, t in written.items()}, "output": out}.items():
        assert secret not in text, where
        assert SPEC_NAME in text, where  # credentials, not words
