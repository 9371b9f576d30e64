"""Odd but valid OpenAPI documents load and give no false findings; broken ones are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import invoke
from doctract.config import Config
from doctract.contract import Contract, ContractError, ContractSource
from doctract.lint import lint_documents

DOC = """# Pets

## Create a pet

```bash
curl -X POST 'https://api.example.com/v1/pets' \\
  -H 'Authorization: Bearer {TOKEN}' \\
  -H 'Content-Type: application/json' \\
  -d '{"name": "Rex"}'
```

**Response**

```json
{"id": "0b8f5a52-6c1e-4d7a-9a55-3f0e6c1d2a11", "name": "Rex"}
```

## Look it up

```bash
curl 'https://api.example.com/v1/pets/0b8f5a52-6c1e-4d7a-9a55-3f0e6c1d2a11' \\
  -H 'Authorization: Bearer {TOKEN}'
```

## Tell the team

```bash
curl -X POST 'https://hooks.slack.com/services/T000/B000/XXXX' -d 'payload=hi'
```
"""

HEAD = """openapi: 3.1.0
info: {title: pets, version: "1"}
servers: [{url: "https://api.example.com/v1"}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
"""
PETS = """
      post:
        requestBody:
          content:
            application/json:
              schema: {type: object, properties: {name: {type: string}}}
        responses:
          201: {description: created}
"""


def _lint(tmp_path: Path, contract: str, doc: str = DOC, name: str = "api.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(contract, encoding="utf-8")
    result = lint_documents([("doc.md", doc)], Config(openapi=(ContractSource(str(path)),)))
    return [f"{f.line} {f.rule}" for f in result.findings if f.severity.value != "info"]


def test_integer_response_codes_and_a_numeric_version_load(tmp_path: Path) -> None:
    contract = (
        HEAD.replace('version: "1"', "version: 1.0")
        + f"""paths:
  /pets:{PETS}  /pets/{{petId}}:
    get:
      responses:
        200: {{description: ok}}
"""
    )
    assert _lint(tmp_path, contract) == []


def test_a_path_item_given_by_reference_is_followed(tmp_path: Path) -> None:
    contract = (
        HEAD.replace(
            "components:\n",
            "components:\n  pathItems:\n    Pets:"
            + PETS.replace("\n      ", "\n        ").rstrip()
            + "\n",
        )
        + """paths:
  /pets: {$ref: "#/components/pathItems/Pets"}
  /pets/{petId}:
    get: {responses: {"200": {description: ok}}}
"""
    )
    assert _lint(tmp_path, contract) == []


def test_a_path_item_in_another_file_is_not_a_false_unknown_operation(tmp_path: Path) -> None:
    contract = (
        HEAD
        + """paths:
  /pets: {$ref: "pets.yaml#/Pets"}
  /pets/{petId}: {$ref: "pets.yaml#/Pet"}
"""
    )
    assert _lint(tmp_path, contract) == []


def test_a_contract_without_servers_owns_no_real_host(tmp_path: Path) -> None:
    contract = HEAD.replace('servers: [{url: "https://api.example.com/v1"}]\n', "") + (
        "paths:\n  /v2/other:\n    get: {responses: {'200': {description: ok}}}\n"
    )
    assert _lint(tmp_path, contract) == []


def test_a_full_url_must_carry_the_base_path(tmp_path: Path) -> None:
    contract = (
        HEAD.replace("/v1", "")
        + f"""paths:
  /v1/pets:{PETS}  /v1/pets/{{petId}}:
    get: {{responses: {{"200": {{description: ok}}}}}}
"""
    )
    wrong = DOC.replace("api.example.com/v1/pets'", "api.example.com/pets'")
    assert _lint(tmp_path, contract, wrong) == ["6 unknown-operation"]


def test_collections_sharing_a_parameter_name_are_still_collections(tmp_path: Path) -> None:
    contract = Contract.from_text(
        """openapi: 3.1.0
info: {title: x, version: "1"}
paths:
  /pets/{id}: {get: {responses: {"200": {description: ok}}}}
  /users/{id}: {get: {responses: {"200": {description: ok}}}}
  /pets: {post: {responses: {"201": {description: ok}}}}
  /files/{id}.{format}: {delete: {responses: {"204": {description: ok}}}}
  /files: {post: {responses: {"201": {description: ok}}}}
""",
        "x.yaml",
    )
    assert contract.collection_names == {"pets", "users"}
    assert "id" not in contract.collections  # ambiguous: says nothing
    files = next(op for op in contract.operations if op.template == "/files")
    assert contract.delete_for(files) is None  # /files/{id}.{format} is not its item


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x: &a [*a]\n", "nests too deeply"),
        ("- a\n- b\n", "expected a mapping"),
        ("swagger: '2.0'\npaths: {}\n", "Swagger 2.0"),
        ("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /a: [\n", ":5: not valid YAML"),
    ],
)
def test_broken_documents_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContractError, match=message):
        Contract.load(ContractSource(str(path)))
    code, out = invoke("lint", "--openapi", str(path), str(tmp_path))
    assert code == 2 and "Traceback" not in out


def test_a_folder_given_as_the_contract_is_one_line(tmp_path: Path) -> None:
    code, out = invoke("lint", "--openapi", str(tmp_path), str(tmp_path))
    assert code == 2 and "is a folder" in out and "Usage:" not in out


QUERY_CONTRACT = """openapi: 3.0.3
info: {title: tasks, version: "1"}
servers: [{url: "https://api.example.com"}]
components:
  securitySchemes:
    key: {type: apiKey, in: query, name: api_key}
    session: {type: apiKey, in: cookie, name: session}
  schemas:
    Status: {type: string, enum: [enqueued, processing, succeeded, failed]}
    Login:
      type: object
      properties:
        user: {type: string}
        pin: {type: string, format: password, minLength: 8}
paths:
  /tasks:
    get:
      security: [{key: []}]
      parameters:
        - {name: statuses, in: query, schema: {$ref: "#/components/schemas/Status"}}
        - {name: limit, in: query, schema: {enum: [10, 20, 50]}}
        - {name: verbose, in: query, schema: {enum: [on, off]}}
      responses: {"200": {description: ok}}
  /login:
    post:
      security: [{session: []}]
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Login"}
      responses: {"200": {description: ok}}
"""


def _doc(*curls: str) -> str:
    steps = "".join(f"\n## Step {i}\n\n```bash\n{c}\n```\n" for i, c in enumerate(curls, 1))
    return f"# Tasks\n{steps}"


def test_query_values_are_typed_as_their_schema_says(tmp_path: Path) -> None:
    doc = _doc(
        "curl 'https://api.example.com/tasks?api_key=sk_live_SECRET123&limit=10&verbose=on'",
        "curl 'https://api.example.com/tasks?api_key=sk_live_SECRET123&statuses=succeded'",
    )
    path = tmp_path / "tasks.yaml"
    path.write_text(QUERY_CONTRACT, encoding="utf-8")
    result = lint_documents([("doc.md", doc)], Config(openapi=(ContractSource(str(path)),)))
    found = [(f.line, f.rule, f.message) for f in result.findings]
    # the credential is not a parameter to report, a number and YAML's on fit their enums, and
    # the $ref'd enum catches the typo
    assert [(line, rule) for line, rule, _ in found] == [(12, "unknown-parameter")]
    assert '"succeded" is not one of "enqueued"' in found[0][2]
    assert not any("SECRET123" in message for *_, message in found)


def test_a_cookie_credential_is_asked_for_as_a_cookie(tmp_path: Path) -> None:
    doc = _doc(
        "curl -X POST 'https://api.example.com/login' -H 'Content-Type: application/json' "
        '-d \'{"user": "ann", "pin": "hunter2"}\'',
        "curl -X POST 'https://api.example.com/login' -H 'Cookie: session=abc' "
        "-H 'Content-Type: application/json' -d '{\"user\": \"ann\"}'",
    )
    path = tmp_path / "tasks.yaml"
    path.write_text(QUERY_CONTRACT, encoding="utf-8")
    result = lint_documents([("doc.md", doc)], Config(openapi=(ContractSource(str(path)),)))
    found = {(f.line, f.rule): f for f in result.findings}
    assert set(found) == {(6, "missing-header"), (6, "request-body-schema")}
    assert found[(6, "missing-header")].message.endswith("has no session cookie")
    assert found[(6, "missing-header")].hint.startswith("add -b 'session=")
    assert "hunter2" not in found[(6, "request-body-schema")].message  # a password, never shown


def test_an_operation_two_documents_call_is_more_likely_missing_from_the_contract(
    tmp_path: Path,
) -> None:
    doc = _doc("curl -X POST 'https://api.example.com/events' -d '{}'")
    path = tmp_path / "tasks.yaml"
    path.write_text(QUERY_CONTRACT, encoding="utf-8")
    config = Config(openapi=(ContractSource(str(path)),))
    alone = lint_documents([("a.md", doc)], config).findings
    both = lint_documents([("a.md", doc), ("b.md", doc)], config).findings
    assert [(f.rule, f.severity.value) for f in alone if f.rule == "unknown-operation"] == [
        ("unknown-operation", "error")
    ]
    assert {(f.path, f.severity.value) for f in both if f.rule == "unknown-operation"} == {
        ("a.md", "info"),
        ("b.md", "info"),
    }


def test_another_vendors_host_is_not_a_host_mismatch() -> None:
    doc = _doc(
        "curl 'https://api.example.com/tasks'",
        "curl 'https://api.example.com/tasks'",
        "curl -X POST 'https://hooks.slack.com/services/T0/B0/X' -d 'payload=hi'",
        "curl 'https://api-int.example.com/tasks'",
    )
    result = lint_documents([("doc.md", doc)], Config())
    assert [(f.line, f.rule) for f in result.findings] == [(24, "host-mismatch")]


SEARCH_API = """openapi: 3.1.0
info: {title: search, version: "1"}
servers: [{url: "https://api.example.com/search"}]
paths:
  /indexes:
    get: {responses: {"200": {description: ok}}}
"""
AUTH_API = """openapi: 3.1.0
info: {title: auth, version: "1"}
servers: [{url: "https://api.example.com/auth"}]
paths:
  /token:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {type: object}
      responses: {"200": {description: ok}}
"""


def test_several_contracts_each_own_their_prefix(tmp_path: Path) -> None:
    (tmp_path / "search.yaml").write_text(SEARCH_API, encoding="utf-8")
    (tmp_path / "auth.yaml").write_text(AUTH_API, encoding="utf-8")
    doc = _doc(
        "curl -X POST 'https://api.example.com/auth/token' -d 'grant_type=client_credentials'",
        "curl 'https://api.example.com/search/indexes'",
        "curl 'https://api.example.com/search/indexs'",
        "curl 'https://api.example.com/auth/tokens'",
        "curl 'https://api.example.com/billing/invoices'",
    )
    config = Config(
        openapi=(
            ContractSource(str(tmp_path / "search.yaml"), ("https://api.example.com/search",)),
            ContractSource(str(tmp_path / "auth.yaml"), ("/auth",)),
        )
    )
    found = [
        (f.line, f.rule, f.message) for f in lint_documents([("doc.md", doc)], config).findings
    ]
    # each request is matched against its own API; /billing belongs to neither and is left alone
    assert [(line, rule) for line, rule, _ in found] == [
        (18, "unknown-operation"),
        (24, "unknown-operation"),
    ]
    assert "search.yaml" in found[0][2] and "auth.yaml" in found[1][2]
