"""The contract rules on an API other than the Flow Service, and the contract machinery under
them: routing, the OpenAPI 3.0/3.1 dialect, loading errors and the `openapi` configuration.

`tests/fixtures/apis/search-engine/` is a Meilisearch-style doc set written for these tests:
its own OpenAPI 3.1 contract (`openapi.yaml`, and the 3.0 dialect in `openapi-3.0.yaml`), a
`pyproject.toml` naming it (no profile), a clean tutorial and one with planted defects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, RULE_FIXTURES, invoke, lint, lint_text
from doctract.config import Config, ConfigError, from_table, load_config
from doctract.contract import Contract, ContractError, ContractSet, ContractSource
from doctract.contract.document import read_document
from doctract.findings import Finding, Severity
from doctract.lint import lint_documents

FOLDER = FIXTURES / "apis" / "search-engine"
CONTRACT = FOLDER / "openapi.yaml"
CONTRACT_30 = FOLDER / "openapi-3.0.yaml"
CLEAN = FOLDER / "docs" / "getting-started.md"
DEFECTS = FOLDER / "docs" / "defects.md"
SEARCH_ENGINE = Config(openapi=(ContractSource(str(CONTRACT)),))
FLOW_SERVICE_HEADERS = ("x-api-key", "x-gw-ims-org-id", "x-sandbox-name", "if-match")

# (line, rule) of every error and warning in docs/defects.md, one planted defect a section
PLANTED = {
    (28, "missing-header"),  # POST search without Authorization (GET /health at 16 is fine)
    (42, "unknown-operation"),  # /indexes/movies/serach: did you mean .../search?
    # PATCH on ranking-rules (it has GET, PUT); reported at `curl \`, the method is on 56:
    # see test_wrong_method_is_reported_at_the_method_line
    (56, "unknown-operation"),
    (75, "request-body-schema"),  # "limit": "20", a string for an integer
    (92, "request-body-schema"),  # "attributesToHighlite" (additionalProperties: false)
    (109, "request-body-schema"),  # "matchingStrategy": "first"
    (140, "response-example-schema"),  # "processingTimeMs": "1ms"
    (161, "status-undocumented"),  # "HTTP status 201" for an operation that declares 202
    (179, "unknown-parameter"),  # attributesToRetreive=title
    (191, "unknown-parameter"),  # limit=ten
    (209, "request-body-schema"),  # "uid" is readOnly: a request must not send it
}


def _noisy(findings: tuple[Finding, ...] | list[Finding], path: Path) -> set[tuple[int, str]]:
    return {
        (f.line, f.rule)
        for f in findings
        if f.path.endswith(str(path.relative_to(FOLDER))) and f.severity is not Severity.INFO
    }


def _finding(findings: tuple[Finding, ...], line: int, rule: str) -> Finding:
    return next(f for f in findings if f.line == line and f.rule == rule)


# --- the search-engine doc set -------------------------------------------------------------


def test_every_planted_defect_is_found_at_its_line() -> None:
    result = lint(DEFECTS, config=SEARCH_ENGINE)
    assert _noisy(result.findings, DEFECTS) == PLANTED


def test_the_clean_tutorial_has_no_findings() -> None:
    result = lint(CLEAN, config=SEARCH_ENGINE)
    assert [f for f in result.findings if f.severity is not Severity.INFO] == []


def test_both_tutorials_together_give_the_same_findings() -> None:
    """Cross-document rules see both files; the clean one stays clean beside the defects."""
    result = lint(FOLDER / "docs", config=SEARCH_ENGINE)
    assert _noisy(result.findings, DEFECTS) == PLANTED
    assert _noisy(result.findings, CLEAN) == set()


def test_cli_from_the_doc_set_folder_uses_its_pyproject() -> None:
    code, out = invoke("lint", "docs", "--format", "json", cwd=FOLDER)
    assert code == 1
    findings = json.loads(out)["findings"]
    found = {
        (f["line"], f["rule"])
        for f in findings
        if f["path"].endswith("defects.md") and f["severity"] != "info"
    }
    assert found == PLANTED
    assert not [f for f in findings if f["path"].endswith("getting-started.md")]


def test_cli_on_the_clean_tutorial_exits_zero() -> None:
    code, out = invoke("lint", "docs/getting-started.md", cwd=FOLDER)
    assert code == 0, out


def test_hints_name_what_the_contract_says() -> None:
    findings = lint(DEFECTS, config=SEARCH_ENGINE).findings
    assert _finding(findings, 42, "unknown-operation").hint == (
        "did you mean /indexes/{index_uid}/search?"
    )
    assert "GET, PUT" in (_finding(findings, 56, "unknown-operation").hint or "")
    assert "attributesToHighlite" in _finding(findings, 92, "request-body-schema").message
    assert _finding(findings, 109, "request-body-schema").hint == "use one of last, all, frequency"
    assert "read-only" in _finding(findings, 209, "request-body-schema").message
    assert "202" in _finding(findings, 161, "status-undocumented").message
    assert _finding(findings, 179, "unknown-parameter").hint == "did you mean attributesToRetrieve?"
    assert "integer" in _finding(findings, 191, "unknown-parameter").message


def test_only_the_request_without_a_key_needs_authorization() -> None:
    """/health declares `security: []`: no credential; the search route needs the Bearer key."""
    findings = lint(DEFECTS, config=SEARCH_ENGINE).findings
    missing = [f for f in findings if f.rule == "missing-header"]
    assert [(f.line, "Authorization" in f.message) for f in missing] == [(28, True)]
    assert "Bearer" in (missing[0].evidence or "")


def test_placeholders_are_not_defects() -> None:
    """`MEILISEARCH_KEY`, `{INDEX_UID}`, `"limit": "{LIMIT}"` and `{TASK_UID}` stand for values."""
    findings = lint(DEFECTS, config=SEARCH_ENGINE).findings
    text = DEFECTS.read_text(encoding="utf-8").split("\n")
    placeholder_lines = {
        n for n, line in enumerate(text, 1) if "{INDEX_UID}" in line or "{LIMIT}" in line
    } | {n for n, line in enumerate(text, 1) if "{TASK_UID}" in line}
    assert len(placeholder_lines) == 4  # the prose naming {INDEX_UID}, and three requests
    assert [f for f in findings if f.line in placeholder_lines] == []


def test_unknown_body_field_is_reported_at_its_line() -> None:
    findings = lint(DEFECTS, config=SEARCH_ENGINE).findings
    assert [f.line for f in findings if "attributesToHighlite" in f.message] == [92]


def test_wrong_method_is_reported_at_the_method_line() -> None:
    findings = lint(DEFECTS, config=SEARCH_ENGINE).findings
    assert [f.line for f in findings if "has no PATCH" in f.message] == [56]


def test_undocumented_status_is_reported_where_the_doc_states_it() -> None:
    findings = lint(DEFECTS, config=SEARCH_ENGINE).findings
    assert [f.line for f in findings if f.rule == "status-undocumented"] == [161]


GET_WITH_DATA = """# Search with GET

## Search

```bash
curl -G 'MEILISEARCH_URL/indexes/movies/search' \\
  -H 'Authorization: Bearer MEILISEARCH_KEY' \\
  --data-urlencode 'q=dark knight' \\
  --data-urlencode 'limit=ten' \\
  -d 'attributesToRetreive=title'
```
"""


def test_get_with_data_options_checks_the_query_they_build() -> None:
    findings = lint_text(GET_WITH_DATA, "get.md", SEARCH_ENGINE).findings
    assert sorted(f.message for f in findings if f.rule == "unknown-parameter") == [
        "GET /indexes/{index_uid}/search has no query parameter attributesToRetreive",
        'limit=ten is not allowed by GET /indexes/{index_uid}/search: "ten" is not of type integer',
    ]


@pytest.mark.xfail(
    strict=True,
    reason="with `curl -G`, unknown-parameter reports a query value that a data option adds at "
    "the URL's line (6), not at the `--data-urlencode` / `-d` line that wrote it (9, 10)",
)
def test_get_with_data_options_points_at_the_data_lines() -> None:
    findings = lint_text(GET_WITH_DATA, "get.md", SEARCH_ENGINE).findings
    assert sorted(f.line for f in findings if f.rule == "unknown-parameter") == [9, 10]


MEILISEARCH_STYLE_RESPONSE = """# Add documents

## Send documents to an index

<CodeGroup>

```bash
curl \\
  -X POST 'MEILISEARCH_URL/indexes/movies/documents' \\
  -H 'Content-Type: application/json' \\
  -H 'Authorization: Bearer MEILISEARCH_KEY' \\
  --data-binary '[{ "id": 155, "title": "The Dark Knight" }]'
```

</CodeGroup>

Meilisearch returns a summarized task object confirming your request has been accepted:

<CodeGroup>

```json
{
  "taskUid": "zero",
  "indexUid": "movies",
  "status": "enqueued",
  "type": "documentAdditionOrUpdate",
  "enqueuedAt": "2024-08-11T09:25:53.000000Z"
}
```

</CodeGroup>
"""


def test_a_response_introduced_by_prose_is_checked() -> None:
    findings = lint_text(MEILISEARCH_STYLE_RESPONSE, "add.md", SEARCH_ENGINE).findings
    assert [(f.line, f.rule) for f in findings if f.severity is not Severity.INFO] == [
        (23, "response-example-schema")
    ]


# --- nothing of the Flow Service leaks into another API ------------------------------------


def test_no_flow_service_header_is_asked_of_another_api() -> None:
    result = lint(FOLDER / "docs", config=SEARCH_ENGINE)
    for finding in result.findings:
        text = f"{finding.message} {finding.hint} {finding.evidence}".lower()
        assert not any(h in text for h in FLOW_SERVICE_HEADERS), finding
    assert not {f.rule for f in result.findings} & {
        "publish-endpoint-mismatch",
        "spec-schema-violation",
    }


def _request(title: str, path: str, auth: bool) -> str:
    header = "\n  -H 'Authorization: Bearer API_TOKEN' \\" if auth else ""
    return (
        f"## {title}\n\n```bash\ncurl \\\n  -X GET 'https://api.example.com{path}' \\{header}"
        "\n  -H 'Accept: application/json'\n```\n"
    )


CONVENTION_DOC = "# Books\n\n" + "\n".join(
    [
        _request("List books", "/books", True),
        _request("Get a book", "/books/1", True),
        _request("List authors", "/authors", True),
        _request("Get an author", "/authors/7", False),
    ]
)


def test_without_contract_or_profile_only_the_doc_sets_convention_counts() -> None:
    """No contract, no profile: Authorization only where most requests send it, nothing else."""
    findings = lint_text(CONVENTION_DOC, "books.md", Config()).findings
    missing = [f for f in findings if f.rule == "missing-header"]
    assert len(missing) == 1
    assert "Authorization" in missing[0].message
    url_line = next(n for n, t in enumerate(CONVENTION_DOC.split("\n"), 1) if "/authors/7" in t)
    assert missing[0].line == url_line - 1  # the `curl \\` line of the one request without it
    assert [
        f for f in findings if f.severity is not Severity.INFO and f.rule != "missing-header"
    ] == []
    for finding in findings:
        assert not any(
            h in f"{finding.message} {finding.hint}".lower() for h in FLOW_SERVICE_HEADERS
        )


def test_required_headers_empty_list_requires_none() -> None:
    findings = lint_text(CONVENTION_DOC, "books.md", Config(required_headers=())).findings
    assert [f for f in findings if f.rule == "missing-header"] == []
    with_contract = Config(openapi=SEARCH_ENGINE.openapi, required_headers=())
    findings = lint(DEFECTS, config=with_contract).findings
    assert [f for f in findings if f.rule == "missing-header"] == []


def test_required_headers_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.doctract]\nrequired-headers = []\n")
    (tmp_path / "books.md").write_text(CONVENTION_DOC)
    assert load_config(tmp_path).required_headers == ()
    code, out = invoke("lint", "books.md", "--format", "json", cwd=tmp_path)
    assert code == 0, out
    assert [f for f in json.loads(out)["findings"] if f["rule"] == "missing-header"] == []


# --- routing ---------------------------------------------------------------------------------

_OK = {"200": {"description": "OK"}}


def _document(paths: dict[str, Any], servers: list[str] | None = None, **extra: Any) -> str:
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "test", "version": "1"},
        "paths": paths,
        **extra,
    }
    if servers is not None:
        doc["servers"] = [{"url": url} for url in servers]
    return json.dumps(doc)


def _contract(paths: dict[str, Any], servers: list[str] | None = None, **extra: Any) -> Contract:
    return Contract.from_text(_document(paths, servers, **extra), "test.json")


def _ops(*methods: str) -> dict[str, Any]:
    return {m: {"responses": _OK} for m in methods}


ROUTED = _contract(
    {
        "/connections": _ops("get", "post"),
        "/connections/{connectionId}": _ops("get", "patch", "delete"),
        "/indexes/{index_uid}": _ops("get"),
        "/indexes/stats": _ops("get"),
        "/indexes/{index_uid}/search": _ops("get", "post"),
        "/files/{name}.json": _ops("get"),
    },
    ["https://api.example.com/v2"],
)


def test_did_you_mean_names_the_closest_template() -> None:
    assert ROUTED.router.match("GET", "/connection/abc") is None
    assert ROUTED.router.closest("/connection/{id}") == "/connections/{connectionId}"
    assert ROUTED.router.closest("/indexes/movies/serach") == "/indexes/{index_uid}/search"


def test_did_you_mean_on_the_bundled_flow_service_contract() -> None:
    """The rule fixture's `/connection/{id}` request gets the Flow Service template as hint."""
    fixture = RULE_FIXTURES / "unknown-operation" / "fail.md"
    finding = _finding(lint(fixture).findings, 18, "unknown-operation")
    assert finding.hint == "did you mean /data/foundation/flowservice/connections/{connectionId}?"


def test_trailing_slash_matches() -> None:
    match = ROUTED.router.match("GET", "/indexes/movies/search/")
    assert match is not None and match.template == "/indexes/{index_uid}/search"


@pytest.mark.parametrize("segment", ["{INDEX_UID}", "<index_uid>", "$INDEX_UID", "{{uid}}"])
def test_placeholder_segments_match_parameters(segment: str) -> None:
    match = ROUTED.router.match("POST", f"/indexes/{segment}/search")
    assert match is not None and match.operation is not None
    assert match.operation.label == "POST /indexes/{index_uid}/search"
    assert match.value("index_uid") == segment


def test_method_not_allowed_names_the_methods_there_are() -> None:
    match = ROUTED.router.match("PUT", "/connections/abc")
    assert match is not None
    assert match.template == "/connections/{connectionId}"
    assert match.operation is None
    assert match.allowed == ("DELETE", "GET", "PATCH")


def test_literal_is_preferred_over_a_parameter() -> None:
    stats = ROUTED.router.match("GET", "/indexes/stats")
    movies = ROUTED.router.match("GET", "/indexes/movies")
    placeholder = ROUTED.router.match("GET", "/indexes/{INDEX_UID}")
    assert stats is not None and stats.template == "/indexes/stats"
    assert movies is not None and movies.template == "/indexes/{index_uid}"
    assert placeholder is not None and placeholder.template == "/indexes/{index_uid}"


def test_segment_pattern_template() -> None:
    match = ROUTED.router.match("GET", "/files/report.json")
    assert match is not None and match.template == "/files/{name}.json"
    assert ROUTED.router.match("GET", "/files/report.csv") is None


def test_base_path_from_servers_is_stripped() -> None:
    target = ROUTED.resolve("GET", "https://api.example.com/v2/indexes/movies")
    assert target is not None and target.operation is not None
    assert target.path == "/indexes/movies"
    assert target.operation.template == "/indexes/{index_uid}"
    placeholder_host = ROUTED.resolve("GET", "API_URL/v2/indexes/movies")
    assert placeholder_host is not None and placeholder_host.operation is not None
    written_alone = ROUTED.resolve("GET", "/indexes/movies")
    assert written_alone is not None and written_alone.operation is not None


def test_a_request_to_another_host_is_not_owned() -> None:
    assert ROUTED.resolve("GET", "https://other.example.org/v2/indexes/movies") is None
    assert ROUTED.resolve("GET", "https://api.example.com/v1/indexes/movies") is None
    assert ContractSet([ROUTED]).resolve("GET", "https://cdn.example.net/movies.json") is None


def test_a_request_to_another_host_gets_no_contract_finding() -> None:
    """Beside tutorials that call the API through `MEILISEARCH_URL`, a download from another
    host is none of the contract's business."""
    doc = (
        "# Import\n\n## Download the dataset\n\n```bash\ncurl \\\n"
        "  -X GET 'https://www.example.org/datasets/movies.json' \\\n"
        "  -H 'Accept: application/json'\n```\n"
    )
    documents = [(str(CLEAN), CLEAN.read_text(encoding="utf-8")), ("import.md", doc)]
    findings = lint_documents(documents, SEARCH_ENGINE).findings
    assert [f for f in findings if f.severity is not Severity.INFO] == []


THIRD_PARTY_DOC = """# Configure the OpenAI embedder

## Check your OpenAI key

```bash
curl \\
  -X POST 'https://api.openai.com/v1/embeddings' \\
  -H 'Content-Type: application/json' \\
  -H 'Authorization: Bearer OPENAI_API_KEY' \\
  --data-binary '{ "input": "hello", "model": "text-embedding-3-small" }'
```

## List the models

```bash
curl \\
  -X GET 'https://api.openai.com/v1/models' \\
  -H 'Authorization: Bearer OPENAI_API_KEY'
```

## Search

```bash
curl \\
  -X POST 'MEILISEARCH_URL/indexes/movies/search' \\
  -H 'Content-Type: application/json' \\
  -H 'Authorization: Bearer MEILISEARCH_KEY' \\
  --data-binary '{ "q": "batman" }'
```
"""


def test_a_third_party_host_used_most_is_still_not_the_apis() -> None:
    findings = lint_text(THIRD_PARTY_DOC, "openai.md", SEARCH_ENGINE).findings
    assert [f for f in findings if f.severity is not Severity.INFO] == []


def test_prefixes_decide_ownership() -> None:
    owned = Contract.from_text(
        _document({"/indexes": _ops("get")}), "p.json", ("https://search.example.com/v1",)
    )
    assert owned.resolve("GET", "https://search.example.com/v1/indexes") is not None
    assert owned.resolve("GET", "https://other.example.com/v1/indexes") is None
    assert owned.resolve("GET", "https://search.example.com/v2/indexes") is None


# --- the OpenAPI dialect ---------------------------------------------------------------------


def _errors(contract: Contract, label: str, body: Any, direction: str = "request") -> list[Any]:
    op = next(o for o in contract.operations if o.label == label)
    media = op.body if direction == "request" else op.response(None)[1]  # type: ignore[index]
    pointer = media[0].schema
    assert pointer is not None
    return contract.schemas.errors(pointer, body, direction)


SEARCH_30 = Contract.load(ContractSource(str(CONTRACT_30)))
SEARCH_31 = Contract.load(ContractSource(str(CONTRACT)))
POST_SEARCH = "POST /indexes/{index_uid}/search"


def test_openapi_30_nullable_allows_null() -> None:
    body = {"q": None, "filter": None, "matchingStrategy": None, "limit": 1, "offset": 0}
    assert _errors(SEARCH_30, POST_SEARCH, body) == []
    errors = _errors(SEARCH_30, POST_SEARCH, {"q": 5})
    assert [e.path for e in errors] == [("q",)]


def test_openapi_30_boolean_exclusive_minimum() -> None:
    errors = _errors(SEARCH_30, POST_SEARCH, {"limit": 0})
    assert [(e.path, e.keyword) for e in errors] == [(("limit",), "exclusiveMinimum")]
    assert _errors(SEARCH_30, POST_SEARCH, {"offset": 0}) == []  # exclusiveMinimum: false


def test_openapi_30_and_31_agree_on_the_same_body() -> None:
    good = {"q": "batman", "limit": 5, "matchingStrategy": "last", "filter": ["year > 2000"]}
    bad = {"q": "batman", "matchingStrategy": "first"}
    assert _errors(SEARCH_30, POST_SEARCH, good) == _errors(SEARCH_31, POST_SEARCH, good) == []
    assert [e.path for e in _errors(SEARCH_30, POST_SEARCH, bad)] == [("matchingStrategy",)]
    assert [e.path for e in _errors(SEARCH_31, POST_SEARCH, bad)] == [("matchingStrategy",)]


def test_openapi_30_doc_set_lints_like_31() -> None:
    doc = (
        "# Search\n\n## Search\n\n```bash\ncurl \\\n"
        "  -X POST 'MEILISEARCH_URL/indexes/movies/search' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        "  -H 'Authorization: Bearer MEILISEARCH_KEY' \\\n"
        "  --data-binary '{\n"
        '    "q": null,\n'
        '    "limit": 0,\n'
        '    "filter": null\n'
        "  }'\n```\n\n## Health\n\n```bash\ncurl -X GET 'MEILISEARCH_URL/health'\n```\n"
    )
    config = Config(openapi=(ContractSource(str(CONTRACT_30)),))
    findings = lint_text(doc, "search.md", config).findings
    assert [(f.line, f.rule) for f in findings if f.severity is not Severity.INFO] == [
        (12, "request-body-schema")
    ]


NULLABLE_ENUM_DOC = (
    "# Search\n\n## Search\n\n```bash\ncurl \\\n"
    "  -X POST 'MEILISEARCH_URL/indexes/movies/search' \\\n"
    "  -H 'Content-Type: application/json' \\\n"
    "  -H 'Authorization: Bearer MEILISEARCH_KEY' \\\n"
    '  --data-binary \'{"matchingStrategy": "first"}\'\n```\n'
)


def _nullable_enum_finding() -> Finding:
    config = Config(openapi=(ContractSource(str(CONTRACT_30)),))
    findings = lint_text(NULLABLE_ENUM_DOC, "s.md", config).findings
    return next(f for f in findings if f.rule == "request-body-schema")


def test_nullable_enum_hint_says_null() -> None:
    assert _nullable_enum_finding().hint == "use one of last, all, frequency, null"


def test_nullable_enum_message_says_null() -> None:
    assert "None" not in _nullable_enum_finding().message


def test_read_only_is_an_error_in_requests_only() -> None:
    body = {"uid": "films", "primaryKey": "id"}
    errors = _errors(SEARCH_31, "PATCH /indexes/{index_uid}", body)
    assert [(e.path, e.keyword) for e in errors] == [(("uid",), "readOnly")]
    shown = {"uid": "movies", "primaryKey": "id", "createdAt": "2024-08-11T09:25:53Z"}
    assert _errors(SEARCH_31, "GET /indexes/{index_uid}", shown, "response") == []


DIALECT = _contract(
    {
        "/keys": {
            "post": {
                "requestBody": {"$ref": "#/components/requestBodies/NewKey"},
                "responses": {
                    "201": {
                        "description": "The key",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Key"}}
                        },
                    }
                },
            }
        },
        "/search": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/Query"},
                                    {"type": "null"},
                                ]
                            }
                        }
                    }
                },
                "responses": _OK,
            }
        },
    },
    components={
        "requestBodies": {
            "NewKey": {
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Key"}}}
            }
        },
        "schemas": {
            "Key": {"$ref": "#/components/schemas/KeyObject"},
            "KeyObject": {
                "type": "object",
                "required": ["actions"],
                "properties": {
                    "actions": {"$ref": "#/components/schemas/Actions"},
                    "key": {"type": "string", "readOnly": True},
                    "secret": {"type": "string", "writeOnly": True},
                },
            },
            "Actions": {"type": "array", "items": {"$ref": "#/components/schemas/Action"}},
            "Action": {"type": "string", "enum": ["search", "documents.add"]},
            "Query": {
                "type": "object",
                "required": ["q"],
                "properties": {"q": {"type": "string"}, "limit": {"type": "integer"}},
            },
        },
    },
)


def test_write_only_is_an_error_in_responses_only() -> None:
    assert _errors(DIALECT, "POST /keys", {"actions": ["search"], "secret": "s3cret"}) == []
    errors = _errors(DIALECT, "POST /keys", {"actions": ["search"], "secret": "x"}, "response")
    assert [(e.path, e.keyword) for e in errors] == [(("secret",), "writeOnly")]


def test_ref_chains_are_followed() -> None:
    """requestBody $ref -> schema $ref -> $ref -> array of $ref -> enum."""
    errors = _errors(DIALECT, "POST /keys", {"actions": ["search", "documents.ad"]})
    assert [(e.path, e.keyword) for e in errors] == [(("actions", 1), "enum")]
    assert [e.keyword for e in _errors(DIALECT, "POST /keys", {})] == ["required"]


def test_one_of_error_names_the_meant_branch_not_null() -> None:
    errors = _errors(DIALECT, "POST /search", {"q": "batman", "limit": "ten"})
    assert [(e.path, e.keyword) for e in errors] == [(("limit",), "type")]
    assert "null" not in errors[0].message


def test_one_of_error_inside_an_array_item() -> None:
    errors = _errors(SEARCH_31, POST_SEARCH, {"filter": ["genres = Drama", 5]})
    assert [e.path for e in errors] == [("filter", 1)]
    assert "null" not in errors[0].message


# --- loading errors --------------------------------------------------------------------------

BROKEN_YAML = 'openapi: 3.1.0\ninfo:\n  title: x\n  version: "1"\npaths:\n  /a: [\n'


def _message(path: Path) -> str:
    with pytest.raises(ContractError) as caught:
        read_document(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_broken_yaml_is_one_line_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN_YAML)
    assert _message(path).startswith(f"{path}:7: not valid YAML")


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "openapi": "3.1.0",\n  "paths": {,}\n}\n')
    assert _message(path).startswith(f"{path}:3: not valid JSON")


def test_swagger_2_is_named(tmp_path: Path) -> None:
    path = tmp_path / "swagger.yaml"
    path.write_text('swagger: "2.0"\ninfo: {title: x, version: "1"}\npaths: {}\n')
    assert "Swagger 2.0" in _message(path)


def test_missing_paths_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nopaths.yaml"
    path.write_text('openapi: 3.1.0\ninfo: {title: x, version: "1"}\n')
    assert "`paths`" in _message(path)


def test_unsupported_version_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "v4.yaml"
    path.write_text('openapi: 4.0.0\ninfo: {title: x, version: "1"}\npaths: {}\n')
    assert "4.0.0 is not supported" in _message(path)
    assert "no such OpenAPI document" in _message(tmp_path / "absent.yaml")


def test_structurally_invalid_document_names_where(tmp_path: Path) -> None:
    path = tmp_path / "invalid.yaml"
    path.write_text(
        'openapi: 3.1.0\ninfo: {title: x, version: "1"}\n'
        "paths:\n  /a:\n    get:\n      responses: 42\n"
    )
    assert "paths/" in _message(path)


def test_cli_with_a_broken_contract_exits_2_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN_YAML)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(CONVENTION_DOC)
    code, out = invoke("lint", "--openapi", "broken.yaml", "docs", cwd=tmp_path)
    assert code == 2
    assert "Traceback" not in out
    assert f"{tmp_path / 'broken.yaml'}:7: not valid YAML" in out


def test_cli_with_a_broken_contract_prints_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(BROKEN_YAML)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(CONVENTION_DOC)
    _, out = invoke("lint", "--openapi", "broken.yaml", "docs", cwd=tmp_path)
    assert len(out.strip().splitlines()) == 1, out


# --- configuration ---------------------------------------------------------------------------


def test_openapi_as_a_string() -> None:
    config = from_table({"openapi": "api.yaml"}, "/x/pyproject.toml")
    assert config.openapi == (ContractSource("api.yaml"),)
    assert config.root == Path("/x")


def test_openapi_as_a_list() -> None:
    config = from_table({"openapi": ["a.yaml", "b.json"]}, "/x/pyproject.toml")
    assert config.openapi == (ContractSource("a.yaml"), ContractSource("b.json"))


def test_openapi_as_tables_with_prefixes() -> None:
    table = {
        "openapi": [
            {"path": "search.yaml", "prefixes": ["https://search.example.com/v1", "/v1"]},
            {"path": "admin.yaml"},
        ]
    }
    config = from_table(table, "/x/pyproject.toml")
    assert config.openapi == (
        ContractSource("search.yaml", ("https://search.example.com/v1", "/v1")),
        ContractSource("admin.yaml"),
    )


@pytest.mark.parametrize(
    "value",
    [
        42,
        [42],
        [{"prefixes": ["/v1"]}],
        [{"path": "a.yaml", "prefixes": "/v1"}],
        [{"path": "a", "x": 1}],
    ],
)
def test_bad_openapi_values_are_config_errors(value: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        from_table({"openapi": value}, "/x/pyproject.toml")
    assert "/x/pyproject.toml" in str(caught.value)


def test_profile_must_be_a_name() -> None:
    with pytest.raises(ConfigError):
        from_table({"profile": ["flow-service"]}, "/x/pyproject.toml")
    assert from_table({"profile": "flow-service"}, "/x/pyproject.toml").profile == "flow-service"


def test_openapi_paths_are_relative_to_the_config_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # far from the doc set's folder
    config = load_config(FOLDER / "docs")
    assert config.source == str(FOLDER / "pyproject.toml")
    assert config.openapi == (ContractSource("openapi.yaml"),)
    assert config.profile is None
    result = lint(DEFECTS, config=config)
    assert _noisy(result.findings, DEFECTS) == PLANTED


def test_cli_config_option_reads_the_doc_sets_pyproject(tmp_path: Path) -> None:
    code, out = invoke(
        "lint",
        str(DEFECTS),
        "--config",
        str(FOLDER / "pyproject.toml"),
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert code == 1
    found = {(f["line"], f["rule"]) for f in json.loads(out)["findings"] if f["severity"] != "info"}
    assert found == PLANTED


def test_cli_openapi_option_is_relative_to_the_current_folder() -> None:
    code, out = invoke(
        "lint", "docs/defects.md", "--openapi", "openapi.yaml", "--format", "json", cwd=FOLDER
    )
    assert code == 1
    found = {(f["line"], f["rule"]) for f in json.loads(out)["findings"] if f["severity"] != "info"}
    assert found == PLANTED


def test_a_header_without_colon_is_one_finding_not_two() -> None:
    """`-H 'Authorization Bearer KEY'` is a header-syntax error; the missing Authorization it
    causes is the same defect, not a second finding."""
    doc = """# Keys

## List indexes

```bash
curl \\
  -X GET 'MEILISEARCH_URL/indexes' \\
  -H 'Authorization Bearer MEILISEARCH_KEY'
```
"""
    findings = lint_text(doc, "keys.md", SEARCH_ENGINE).findings
    assert [(f.line, f.rule) for f in findings] == [(8, "header-syntax")]
