"""Secrets never reach a file doctract writes (features, cassettes, reports, history, the
emulator's log) nor its output, including tracebacks under --debug."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from conftest import EXAMPLES, ROOT, serving
from doctract.emulator.server import free_port
from doctract.secrets import SCRUBBED, Scrubber
from doctract.secrets import scrubber as scrubber_module

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


# --- the scrubber (doctract.secrets): by value, by name, by look; credentials, not words ---


def test_every_value_a_placeholder_resolves_to_is_secret_unless_public() -> None:
    from doctract.secrets.values import secret_values

    env = {
        "CONNECTION_STRING": "DefaultEndpointsProtocol=https;AccountKey=abc123==",
        "DOCTRACT_SAS_URI": "https://acme.blob.core.windows.net/c?sig=s1g-value-77",
        "DOCTRACT_SANDBOX_NAME": "sandbox-for-docs-1",  # an id-like name: public
        "DOCTRACT_DEBUG": "1",  # doctract's own setting
        "DOCTRACT_CHROMIUM": "/usr/bin/chromium",
        "HOME": "/root/of/all/things",  # not a placeholder the docs use
        "GITHUB_TOKEN": "ghp_ci-token-000111",  # secret-looking, whatever its use
    }
    config = {"ACCOUNT_KEY": "acct-key-9f8e7d", "REGION_SLOT": "slot-blue-0042", "MODE": "prod"}
    found = secret_values(
        env, config, public=["REGION_SLOT"], names=["CONNECTION_STRING", "SANDBOX_NAME"]
    )
    assert found == {
        env["CONNECTION_STRING"],
        env["DOCTRACT_SAS_URI"],
        env["GITHUB_TOKEN"],
        config["ACCOUNT_KEY"],
    }


def test_public_placeholders_built_in_and_declared() -> None:
    from doctract.secrets.names import is_public_placeholder

    for name in ("SANDBOX_NAME", "CONNECTION_SPEC_ID", "indexUid", "HOST", "MEILI_URL", "LIMIT"):
        assert is_public_placeholder(name), name
    for name in ("ORG_ID", "CLIENT_ID", "TENANT_ID", "ACCESS_TOKEN", "SAS_URI", "ACCOUNT_KEY"):
        assert not is_public_placeholder(name), name
    assert is_public_placeholder("DEPLOYMENT_SLOT", ["DEPLOYMENT_SLOT"])


def test_ordinary_short_values_are_not_scrubbed_as_words() -> None:
    from doctract.secrets import Scrubber
    from doctract.secrets.values import maskable

    assert not any(map(maskable, ("prod", "dev", "10", "true", "staging", "production")))
    assert all(map(maskable, ("pw-c0de", "hunter22", "slot-blue-0042", "correcthorsebattery")))
    text = "Use the prod sandbox in production."
    assert Scrubber(frozenset({"pw-c0de-doctract"})).text(text) == text


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ('"specName": "Basic Authentication"', True),
        ("Sign in with Basic Authentication or a Bearer token.", True),
        ("x-api-key: the key your administrator gave you", True),
        ("Token: get one from the console", True),
        ("Authorization: Bearer {ACCESS_TOKEN}", True),
        ("-H 'Cookie: session={SESSION}'", True),
        ("curl -u 'admin:$PASSWORD'", True),
        ("https://git@github.com/org/repo", True),
        ("token_type=bearer&expires_in=3600", True),
        ("Authorization: Basic dXNlcjpwYXNz", False),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", False),
        ("-H 'x-api-key: 1234realkey'", False),
        ("-H 'Cookie: sid=abcdef'", False),
        ("curl -u admin:hunter2pw https://x", False),
        ("https://svc:hunter2pw@api.example.com/v1", False),
        ("GET /v1/items?access_token=abc123&page=2", False),
    ],
)
def test_credentials_are_scrubbed_not_words(text: str, kept: bool) -> None:
    from doctract.secrets import SCRUBBED, Scrubber

    scrubbed = Scrubber().text(text)
    assert (scrubbed == text) is kept, scrubbed
    if not kept:
        assert SCRUBBED in scrubbed


def test_secret_header_names() -> None:
    from doctract.secrets.names import is_secret_header

    secret = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Auth-Token"]
    secret += ["X-Service-Token", "Ocp-Apim-Subscription-Key", "X-Client-Secret-Value"]
    for name in secret:
        assert is_secret_header(name), name
    for name in ("Content-Type", "x-sandbox-name", "If-Match", "Location", "WWW-Authenticate"):
        assert not is_secret_header(name), name
    assert is_secret_header("X-Echo-Credential", {"x-echo-credential"})  # the contract's


def test_urls_lose_userinfo_and_secret_query_parameters_keep_the_rest() -> None:
    from doctract.secrets import Scrubber

    url = "https://svc:pw-9@host/v1/a?sig=abc&access_token=t&api_key=k&client_secret=c&x=1"
    assert Scrubber().url(url) == (
        "https://svc:<SCRUBBED>@host/v1/a?sig=<SCRUBBED>&access_token=<SCRUBBED>"
        "&api_key=<SCRUBBED>&client_secret=<SCRUBBED>&x=1"
    )
    assert Scrubber().query("property=name==%22X%22&password=p") == (
        "property=name==%22X%22&password=<SCRUBBED>"  # the other pairs as written
    )


JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
CONN = "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k3yVALUE==;EndpointSuffix=x"
RANDOM = "Zk3qR9xLm2VbN8tYw4HjC6sDfP0a"


def test_secret_looking_values_under_innocuous_keys_in_json_and_form_bodies() -> None:
    import json

    from doctract.secrets import SCRUBBED, Scrubber

    kept = {
        "path": "/data/foundation/flowservice/flows/4e9a3c07-2d1b-4f4e-9a3c-072d1b8f4e11/runs",
        "query": "property=flowId==9561f06c-2ba0-4553-a8c2-bca3a52b2391",
        "file": "examples__docs__flow-service__draft-and-publish-a-dataflow.yaml",
        "id": "4e9a3c07-2d1b-4f4e-9a3c-072d1b8f4e11",
        "hex": "0123456789abcdef0123456789abcdef",
        "name": "MyDataflowForSalesforce2023Q4",
        "spec": "Basic Authentication",
        "count": 3,
        "password": True,  # a flag, not a credential: the shape stays
    }
    body = {"a": JWT, "b": PEM, "c": CONN, "d": RANDOM, "nested": [{"e": JWT}], **kept}
    scrubbed = json.loads(str(Scrubber().body(json.dumps(body))))
    assert scrubbed == {"a": SCRUBBED, "b": SCRUBBED, "c": SCRUBBED, "d": SCRUBBED,
                        "nested": [{"e": SCRUBBED}], **kept}  # fmt: skip
    form = f"grant_type=client_credentials&assertion={JWT}&note={RANDOM}&client_secret=s&scope=x"
    assert Scrubber().body(form) == (
        "grant_type=client_credentials&assertion=<SCRUBBED>&note=<SCRUBBED>"
        "&client_secret=<SCRUBBED>&scope=x"
    )


def test_pem_blocks_keep_their_line_count() -> None:
    from doctract.secrets import Scrubber

    text = f"before\n{PEM}\nafter"
    scrubbed = Scrubber().text(text)
    assert "MIIEvQ" not in scrubbed and scrubbed.count("\n") == text.count("\n")
    assert scrubbed.splitlines()[-1] == "after"
    key_file = "k3y-line-one\nk3y-line-two"  # a multi-line value from the environment
    assert Scrubber(frozenset({key_file})).text(f"a\n{key_file}\nb").split("\n") == [
        "a",
        "<SCRUBBED>",
        "<SCRUBBED>",
        "b",
    ]


def test_recorded_responses_lose_cookies_tokens_in_location_and_challenges() -> None:
    from doctract.replay.cassettes import _scrub_response
    from doctract.secrets import Scrubber

    json_body = b'{"sessionToken": "t0k", "echo": "known-value-1"}'
    response = {
        "status": {"code": 302, "message": "Found"},
        "headers": {
            "Set-Cookie": ["session=s3ss10n; HttpOnly"],
            "X-Refresh-Token": ["r3fresh-token-1"],
            "Location": ["https://app/cb?token=l0cat10n-tok&state=ok"],
            "WWW-Authenticate": ['Bearer realm="x", error_uri="https://e/?sig=ch4llenge"'],
            "Content-Type": ["application/json"],
        },
        "body": {"string": json_body},
    }
    scrubbed = _scrub_response(response, lambda: Scrubber(frozenset({"known-value-1"})))
    text = repr(scrubbed)
    for leaked in ("s3ss10n", "r3fresh", "l0cat10n", "ch4llenge", "t0k", "known-value-1"):
        assert leaked not in text, leaked
    assert scrubbed["headers"]["Location"] == ["https://app/cb?token=<SCRUBBED>&state=ok"]
    assert json_body != scrubbed["body"]["string"]


def test_markup_stays_well_formed_and_text_streams_are_scrubbed() -> None:
    import io
    import xml.etree.ElementTree as ET

    from doctract.report.junit import junit_xml
    from doctract.secrets import Scrubber
    from doctract.secrets.stream import scrubbing

    finding = {"rule": "request-rejected", "severity": "error", "path": "a.md", "line": 3,
               "column": 1, "message": f"refused {JWT}", "hint": "", "evidence": None}  # fmt: skip
    tutorial = {"path": "a.md", "status": "failed", "findings": [finding], "requests": []}
    xml = junit_xml([tutorial], scrubber=Scrubber())
    assert JWT not in xml.decode()
    assert ET.fromstring(xml).find(".//failure") is not None  # still XML
    out = io.StringIO()
    scrubbing(out, Scrubber(frozenset({"known-value-1"}))).write("a known-value-1 b\n")
    assert out.getvalue() == "a <SCRUBBED> b\n"


def test_the_report_masks_credentials_in_the_doc_excerpt() -> None:
    from doctract.report.html import html_report
    from doctract.report.results import run_results

    doc = [
        "# T",
        "```shell",
        "curl -X POST 'https://svc:pw-literal-1@api.example.com/x?access_token=qtok-1' \\",
        f"  -H 'Authorization: Bearer {JWT}' \\",
        "  -u 'admin:upw-literal-1' \\",
        '  -d \'{"password": "jpw-literal-1", "specName": "Basic Authentication"}\'',
        "```",
    ]
    finding = {"rule": "request-rejected", "severity": "error", "path": "t.md", "line": 3,
               "column": 1, "message": "rejected", "hint": "", "evidence": None}  # fmt: skip
    request = {"index": 1, "line": 3, "step": "T", "method": "POST", "path": "/x", "query": "",
               "request_body": None, "status": 400, "response": "", "sent": True,
               "failed": True}  # fmt: skip
    tutorial = {"path": "t.md", "status": "failed", "findings": [finding], "requests": [request]}
    page = html_report(run_results([tutorial], "offline"), read=lambda path: doc)
    for leaked in ("pw-literal-1", "qtok-1", JWT, "upw-literal-1", "jpw-literal-1"):
        assert leaked not in page, leaked
    assert "Basic Authentication" in page and "&lt;SCRUBBED&gt;" in page


def test_generate_turns_literal_credentials_into_placeholders(tmp_path: Path) -> None:
    from doctract.replay.generate import generate

    doc = tmp_path / "t.md"
    doc.write_text(
        "# T\n\n## Step\n\n```shell\n"
        "curl -X POST 'https://svc:urlpw-77a@api.example.com/x?access_token=qtok-77b&page=2' \\\n"
        "  -u 'admin:upw-77c' \\\n"
        "  -H 'x-gw-ims-org-id: 77D0RG@AdobeOrg' \\\n"
        "  -H 'Cookie: sid=cookie-77e; theme={THEME}' \\\n"
        "  -H 'X-Service-Token: hdr-77f' \\\n"
        "  -H 'x-sandbox-name: prod' \\\n"
        "  -d 'grant_type=client_credentials&client_secret=form-77g&scope=read'\n```\n"
    )
    (feature,) = generate([str(doc)], tmp_path / "out").written
    text = feature.read_text()
    for literal in ("urlpw-77a", "qtok-77b", "upw-77c", "77D0RG", "cookie-77e", "hdr-77f"):
        assert literal not in text, literal
    assert "form-77g" not in text
    assert "https://svc:{PASSWORD}@api.example.com/x?access_token={ACCESS_TOKEN}&page=2" in text
    assert "Cookie: sid={SID}; theme={THEME}" in text
    assert "X-Service-Token: {X_SERVICE_TOKEN}" in text and "x-sandbox-name: prod" in text
    assert "grant_type=client_credentials&client_secret={CLIENT_SECRET}&scope=read" in text


def test_internal_errors_never_echo_configured_values_whatever_their_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import doctract.cli

    connection = "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c0nfigured=="
    (tmp_path / ".doctract.toml").write_text(
        f'[placeholders]\nCONNECTION_STRING = "{connection}"\nSANDBOX_NAME = "prod"\n'
    )
    monkeypatch.chdir(tmp_path)

    def failing(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"cannot use {connection} for Basic Authentication in prod")

    monkeypatch.setattr(doctract.cli, "lint_paths", failing)
    monkeypatch.setattr(sys, "argv", ["doctract", "--debug", "lint", "."])
    (tmp_path / "a.md").write_text("# A\n")
    with pytest.raises(SystemExit):
        doctract.cli.run()
    err = capsys.readouterr().err
    assert "c0nfigured" not in err and "AccountKey" not in err.replace("AccountKey=<SCRUBBED>", "")
    assert "for Basic Authentication in prod" in err


def test_offline_replay_without_the_secret_matches_its_scrubbed_recording() -> None:
    """A value scrubbed from a recorded body (it was a secret) matches the placeholder the doc
    has there when the secret is not set offline; other values still have to be equal."""
    from vcr.request import Request

    from doctract.replay.cassettes import _scrubbed_body_matcher

    recorded = Request("POST", "http://x/c", '{"target": "<SCRUBBED>", "name": "a"}', {})
    offline = Request("POST", "http://x/c", '{"name": "a", "target": "{CONNECTION_STRING}"}', {})
    _scrubbed_body_matcher(recorded, offline)  # no AssertionError: they match
    other = Request("POST", "http://x/c", '{"name": "b", "target": "{CONNECTION_STRING}"}', {})
    with pytest.raises(AssertionError):
        _scrubbed_body_matcher(recorded, other)


# --- numbers are not credentials ----------------------------------------------------------

CHAT_CONTRACT = """
openapi: 3.1.0
info: {title: chats, version: "1"}
servers: [{url: "http://localhost:7700"}]
security: [{Bearer: []}]
paths:
  /chats/{workspace}/chat/completions:
    post:
      parameters: [{name: workspace, in: path, required: true, schema: {type: string}}]
      requestBody:
        content: {application/json: {schema: {type: object}}}
      responses:
        "200":
          description: the completion and what it cost
          content:
            application/json:
              schema:
                type: object
                required: [id, choices, usage]
                properties:
                  id: {type: string}
                  choices: {type: array, items: {type: object}}
                  session_token: {type: string}
                  usage:
                    type: object
                    required: [completion_tokens, prompt_tokens, total_tokens]
                    properties:
                      completion_tokens: {type: integer}
                      prompt_tokens: {type: integer}
                      total_tokens: {type: integer}
                      prompt_tokens_details:
                        type: object
                        properties:
                          cached_tokens: {type: integer}
                          audio_tokens: {type: [integer, "null"]}
                      tokens_estimated: {type: boolean}
components:
  securitySchemes:
    Bearer: {type: http, scheme: bearer}
"""
CHAT_DOC = """# Chat with your documents

## Ask a question

```bash
curl -X POST 'MEILISEARCH_URL/chats/main/chat/completions' \\
  -H 'Authorization: Bearer MEILISEARCH_KEY' \\
  -H 'Content-Type: application/json' \\
  --data-binary '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}'
```

The response:

```json
{
  "id": "chatcmpl-1",
  "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello."}}],
  "session_token": "a-session",
  "usage": {
    "completion_tokens": 3,
    "prompt_tokens": 9,
    "total_tokens": 12,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": null},
    "tokens_estimated": false
  }
}
```
"""
SESSION_TOKEN = "sess-PLANT-4b1d9e0c7a"  # a string under a token key: still scrubbed
USAGE = {
    "completion_tokens": 12,
    "prompt_tokens": 40,
    "total_tokens": 52,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": None},
    "tokens_estimated": False,
}


CHAT_AUTH: list[str] = []  # the Authorization headers the chat API received


@contextlib.contextmanager
def chat_api() -> Iterator[str]:
    """A chat completion endpoint on 127.0.0.1 that answers with token counts."""
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            CHAT_AUTH.append(self.headers.get("Authorization", ""))
            body = json.dumps(
                {
                    "id": "chatcmpl-7",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi."}}],
                    "session_token": SESSION_TOKEN,
                    "usage": USAGE,
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving(Handler) as base:
        yield base


def test_token_counts_stay_numbers_so_offline_replay_finds_what_the_live_run_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reported bug: `"usage": {"completion_tokens": 12, ...}` (keys that look like
    credentials, values that are counts) became "<SCRUBBED>" strings in the cassette, and the
    offline replay reported a response-contract-violation the live run did not. A key's name
    scrubs strings only: numbers, booleans and nulls stay as they were."""
    import yaml

    from conftest import invoke
    from doctract.secrets import SCRUBBED

    (tmp_path / "pyproject.toml").write_text('[tool.doctract]\nopenapi = "openapi.yaml"\n')
    (tmp_path / "openapi.yaml").write_text(CHAT_CONTRACT)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "chat.md").write_text(CHAT_DOC)
    monkeypatch.setenv("ACCESS_TOKEN", "meili-master-key-0042")  # the feature says {ACCESS_TOKEN}
    CHAT_AUTH.clear()
    with chat_api() as base:
        live = invoke(
            "run", "docs", "--live", base, "--record", "all", "--format", "json",
            "--no-progress", cwd=tmp_path,
        )  # fmt: skip
    offline = invoke("run", "docs", "--format", "json", "--no-progress", cwd=tmp_path)

    def findings(out: str) -> list[tuple[str, int, str]]:
        report, _ = json.JSONDecoder().raw_decode(out, out.index("{"))
        return [(f["rule"], f["line"], f["message"]) for f in report["findings"]]

    assert live[0] == 0 and findings(live[1]) == [], live[1]
    assert (offline[0], findings(offline[1])) == (live[0], findings(live[1])), offline[1]
    (cassette,) = (tmp_path / "cassettes").glob("*.yaml")
    text = cassette.read_text(encoding="utf-8")
    (interaction,) = yaml.safe_load(text)["interactions"]
    body = json.loads(interaction["response"]["body"]["string"])
    assert body["usage"] == USAGE  # the same numbers, booleans and nulls, of the same types
    assert body["session_token"] == SCRUBBED and SESSION_TOKEN not in text
    assert "meili-master-key-0042" not in text
    assert CHAT_AUTH == ["Bearer meili-master-key-0042"]  # it was sent, live only


def test_a_key_name_scrubs_strings_never_numbers_booleans_or_nulls() -> None:
    from doctract.replay.cassettes import _scrub_response
    from doctract.secrets import SCRUBBED, Scrubber

    scrubber = Scrubber()
    data = {"usage": USAGE, "max_tokens": 100, "api_key": None, "password": True}
    data |= {"access_token": "tok-1234-abcd", "tokens": ["tok-1234-abcd", 7]}
    scrubbed = scrubber.json(data)
    assert {k: scrubbed[k] for k in ("usage", "max_tokens", "api_key", "password")} == {
        "usage": USAGE, "max_tokens": 100, "api_key": None, "password": True,
    }  # fmt: skip
    assert scrubbed["access_token"] == SCRUBBED and scrubbed["tokens"] == [SCRUBBED, 7]
    # the recorder's response hook and the cassette's final text pass keep them too
    response = {"headers": {}, "body": {"string": json.dumps({"usage": USAGE}).encode()}}
    recorded = _scrub_response(response, lambda: scrubber)["body"]["string"]
    assert json.loads(recorded)["usage"] == USAGE
    assert json.loads(scrubber.text(recorded.decode()))["usage"] == USAGE


def test_equal_scrubbers_share_their_answers_and_a_new_value_is_scrubbed_at_once() -> None:
    """Each tutorial of a run builds its own scrubber: equal ones share remembered answers, and
    a scrubber that learned a value answers afresh (it never reuses the older one's answer)."""
    first = Scrubber(frozenset({"s3cr3t-value"}))
    assert first.text("token s3cr3t-value here") == f"token {SCRUBBED} here"
    again = Scrubber(frozenset({"s3cr3t-value"}))
    assert again._memo is first._memo
    assert again.body('{"a": "plain"}') == '{"a": "plain"}'
    learned = again.with_values(["plain"])
    assert learned._memo is not first._memo
    assert learned.body('{"a": "plain"}') == f'{{"a": "{SCRUBBED}"}}'


def test_remembered_answers_stay_within_their_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scrubber_module, "_MEMO_CHARS", 1_000)
    scrub = Scrubber(frozenset({"budget-test-secret"}))
    for n in range(200):
        assert scrub.text(f"line {n} budget-test-secret") == f"line {n} {SCRUBBED}"
    assert 0 < scrub._memo.chars <= 1_000
    huge = "x" * (scrubber_module._MEMO_MAX_CHARS + 1)
    scrub.text(huge)
    assert (0, huge) not in scrub._memo.answers
