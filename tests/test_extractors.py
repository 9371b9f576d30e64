"""Extraction: the tutorial model recovered from Markdown and rendered pages, at exact lines."""

from __future__ import annotations

from doctract.extractors import detect_form, extract
from doctract.extractors.curl import parse_curl
from doctract.extractors.jsonparse import keys_in, locate, parse_json
from doctract.model import CodeLines, SourceLine


def block(text: str, first_line: int = 10, column: int = 1) -> CodeLines:
    return CodeLines.of(
        SourceLine(t, first_line + i, column) for i, t in enumerate(text.split("\n"))
    )


# --- curl -----------------------------------------------------------------------------------


def test_curl_method_url_headers_and_json_body() -> None:
    (req,) = parse_curl(
        block("""curl -X PATCH \\
  'https://platform.adobe.io/data/foundation/flowservice/flows/abc' \\
  -H 'If-Match: "etag-1"' \\
  -H "x-api-key: {API_KEY}" \\
  --data-raw '[{"op": "add", "path": "/name", "value": "x"}]'""")
    )
    assert req.method == "PATCH"
    assert req.url == "https://platform.adobe.io/data/foundation/flowservice/flows/abc"
    assert (req.url_pos.line, req.url_pos.column) == (11, 4)
    if_match = req.header("if-match")
    api_key = req.header("X-API-KEY")
    assert if_match is not None and if_match.value == '"etag-1"'
    assert api_key is not None and api_key.value == "{API_KEY}"
    assert req.body is not None and req.body.valid
    assert req.body.value == [{"op": "add", "path": "/name", "value": "x"}]
    assert req.diagnostics == ()


def test_curl_implied_post_get_flag_and_file_body() -> None:
    (post,) = parse_curl(block("curl https://x.io/a --data-binary '{\"a\": 1}'"))
    assert post.method == "POST" and post.body is not None and post.body.value == {"a": 1}
    (get,) = parse_curl(block("curl -G https://x.io/a -d 'q=1'"))
    # with -G the data goes into the query string, as curl sends it
    assert get.method == "GET" and get.body is None and get.body_text is None
    assert get.url == "https://x.io/a?q=1"
    (upload,) = parse_curl(block("curl -X PUT https://x.io/a -d @body.json"))
    assert upload.body is None and upload.body_text is None
    (plain,) = parse_curl(block("curl --url https://x.io/b -sS"))
    assert plain.method == "GET" and plain.url == "https://x.io/b"


def test_curl_double_quoted_body_with_escapes_and_pipe() -> None:
    (req,) = parse_curl(
        block('curl -X POST "https://x.io/a" -d "{\\"name\\": \\"$NAME\\"}" | jq .')
    )
    assert req.body is not None and req.body.value == {"name": "$NAME"}
    assert req.diagnostics == ()


def test_curl_json_body_positions_map_to_the_file() -> None:
    (req,) = parse_curl(
        block(
            """curl -X POST https://x.io/a \\
  -d '{
    "a": 1,
    "b": oops
  }'""",
            first_line=40,
            column=3,
        )
    )
    assert req.body is not None and not req.body.valid
    (error,) = req.body.errors
    assert (error.pos.line, error.pos.column) == (43, 3 + 9)


def test_curl_missing_command_broken_continuation_and_dangling() -> None:
    (req,) = parse_curl(
        block("""  'https://x.io/flows?mode=draft' \\
  -H 'Authorization: Bearer {ACCESS_TOKEN}'
  -H 'If-Match: "1"' \\
  -d '{"a": 1}' \\""")
    )
    codes = [(d.code, d.pos.line) for d in req.diagnostics]
    assert codes == [
        ("curl-missing-command", 10),
        ("curl-broken-continuation", 11),
        ("curl-dangling-continuation", 13),
    ]
    assert req.method == "POST"  # the body after the break still counts: the request as meant
    assert req.header("If-Match") is not None


def test_curl_unbalanced_quote_is_reported_where_the_quote_was_dropped() -> None:
    (req,) = parse_curl(
        block("""curl -X GET \\
  'https://x.io/a' \\
  -H 'x-api-key: {API_KEY} \\
  -H 'x-sandbox-name: {SANDBOX_NAME}'""")
    )
    (diag,) = [d for d in req.diagnostics if d.code == "curl-unbalanced-quote"]
    assert diag.pos.line == 12


def test_curl_unknown_flag_and_missing_url() -> None:
    (req,) = parse_curl(block("curl -X GET --frobnicate -H 'a: b'"))
    assert {d.code for d in req.diagnostics} == {"curl-unknown-flag", "curl-missing-url"}


def test_two_curl_commands_in_one_block_and_comments() -> None:
    reqs = parse_curl(
        block("""# list flows
curl https://x.io/flows
curl -X DELETE https://x.io/flows/1  # then delete one""")
    )
    assert [(r.method, r.url) for r in reqs] == [
        ("GET", "https://x.io/flows"),
        ("DELETE", "https://x.io/flows/1"),
    ]


# --- JSON -----------------------------------------------------------------------------------


def test_json_valid_and_located() -> None:
    doc = parse_json(block('{\n  "items": [\n    {"id": "x", "etag": "\\"1\\""}\n  ]\n}', 5))
    assert doc.valid and doc.value["items"][0]["etag"] == '"1"'
    assert locate(doc, ["items", 0, "etag"]).line == 7
    assert locate(doc, ["items", 3, "nothing"]).line == 6  # nearest located ancestor


def test_json_reports_every_error_with_positions() -> None:
    doc = parse_json(
        block("""{
  "name": 'single',
  "host": <HOST>,
  "port": $PORT
  "list": [1, 2,],
  // a comment
  "end": true,
}""")
    )
    found = [(e.pos.line, e.pos.column, e.message) for e in doc.errors]
    assert [(line, col) for line, col, _ in found] == [
        (11, 11),
        (12, 11),
        (13, 11),
        (13, 16),
        (14, 16),
        (15, 3),
        (16, 14),
    ]
    assert "`'single'` is not a JSON value" in found[0][2]
    assert "bare placeholder <HOST>" in found[1][2]
    assert "bare placeholder $PORT" in found[2][2]
    assert "missing ','" in found[3][2]
    assert "trailing comma before ']'" in found[4][2]
    assert "JSON has no comments" in found[5][2]
    assert "trailing comma before '}'" in found[6][2]


def test_json_placeholders_inside_strings_are_fine() -> None:
    doc = parse_json(block('{"token": "{ACCESS_TOKEN}", "q": "name==\\"X\\"", "n": "<N>"}'))
    assert doc.valid


def test_json_hostile_inputs_do_not_crash() -> None:
    assert not parse_json(block("[" * 100_000)).valid
    assert not parse_json(block("")).valid
    assert not parse_json(block('{"a": "unterminated')).valid
    assert keys_in(parse_json(block('{"a": {"b": 1}, "c": oops}'))) == {"a", "b", "c"}


# --- Markdown ------------------------------------------------------------------------------

DIALECT = """---
title: Front matter title
---
# Create a [!DNL Flow Service] draft {#top}

>[!NOTE]
>
>Drafts can be published later.

## Create a [!UICONTROL source] connection {#create-source}

Make a POST request to the `/sourceConnections` endpoint.

**API format**

```http
POST /sourceConnections?mode=draft
```

| Property | Description |
| --- | --- |
| `name` | A name: <ul><li>short</li><li>unique</li></ul> |

**Request**

+++Request

```shell
curl -X POST 'https://platform.adobe.io/data/foundation/flowservice/sourceConnections?mode=draft' \\
  -d '{"name": "x"}'
```

+++

<!--
```shell
curl this is hidden and never checked '
```
-->

**Response**

A successful response returns HTTP status 201.

```json line-numbers data-start-1
{"id": "1"}
```

A bad request returns HTTP status 400:

```json
{"message": "bad"}
```

* In a list:

  ```json
  {"a": oops}
  ```
"""


def test_markdown_dialect_model() -> None:
    tutorial = extract("t.md", DIALECT)
    assert tutorial.form == "markdown"
    assert tutorial.title == "Front matter title"
    (step,) = tutorial.steps
    assert step.title == "Create a source connection" and step.anchor == "create-source"
    assert step.pos.line == 10
    assert step.api_format is not None
    assert (step.api_format.method, step.api_format.path, step.api_format.query) == (
        "POST",
        "/sourceConnections",
        "mode=draft",
    )
    assert step.api_format.pos.line == 17
    assert [m.path for m in step.mentions] == ["/sourceConnections"]
    (table,) = step.tables
    assert table.rows[0].pos.line == 22 and "<ul><li>short" in table.rows[0].cells[1]
    (req,) = step.requests  # the commented-out request is not extracted
    assert req.pos.line == 29
    assert [(r.status, r.pos.line) for r in step.responses] == [(201, 46), (400, 52), (None, 58)]
    listed = step.responses[2].body
    assert listed is not None
    (error,) = listed.errors  # inside a list item: the column is still the file's column
    assert (error.pos.line, error.pos.column) == (58, 9)
    info = [b.info for b in step.blocks if b.lang == "json"]
    assert "json line-numbers data-start-1" in info


def test_crlf_documents_keep_their_lines() -> None:
    tutorial = extract("t.md", DIALECT.replace("\n", "\r\n"))
    assert tutorial.steps[0].requests[0].pos.line == 29


def test_status_only_response() -> None:
    text = (
        "# T\n\n## Delete\n\n**Request**\n\n```shell\ncurl -X DELETE https://x.io/f/1\n```\n\n"
        "**Response**\n\nA successful response returns HTTP status 204 (No Content).\n"
    )
    (step,) = extract("t.md", text).steps
    assert [(r.status, r.body, r.pos.line) for r in step.responses] == [(204, None, 13)]


# --- rendered pages ------------------------------------------------------------------------

RENDERED = """Create drafts using the API

Intro prose with mode=draft.

Look up a spec look-up-a-spec
accordion
Request

code language-shell
curl -X GET \\
  'https://platform.adobe.io/data/foundation/flowservice/connectionSpecs/1' \\
  -H 'x-api-key: {API_KEY}'
accordion
Response

code language-json line-numbers data-start-1
{
  "items": []
}
Create a draft base connection create-a-draft-base-connection

To create one, make a POST request to the /connections endpoint.

API format

POST /connections?mode=draft
Parameter
Description
mode
Set mode to draft.

Request

  'https://platform.adobe.io/data/foundation/flowservice/connections' \\
  -d '{"name": "x"}'

Response

{
    "id": "f9377f50"
}
"""


def test_rendered_page_model() -> None:
    tutorial = extract("page.txt", RENDERED)
    assert tutorial.form == "rendered"
    assert tutorial.title == "Create drafts using the API"
    lookup, create = tutorial.steps
    assert (lookup.title, lookup.anchor, lookup.pos.line) == ("Look up a spec", "look-up-a-spec", 5)
    assert lookup.requests[0].url.endswith("/connectionSpecs/1")
    assert lookup.requests[0].pos.line == 10
    assert lookup.responses[0].body is not None and lookup.responses[0].pos.line == 17
    assert (create.title, create.anchor) == (
        "Create a draft base connection",
        "create-a-draft-base-connection",
    )
    assert create.api_format is not None and create.api_format.pos.line == 26
    assert create.tables[0].rows[0].cells == ("mode", "Set mode to draft.")
    assert create.tables[0].rows[0].pos.line == 29
    assert [m.path for m in create.mentions] == ["/connections"]
    (req,) = create.requests
    assert [d.code for d in req.diagnostics] == ["curl-missing-command"]
    assert req.pos.line == 34
    assert create.responses[0].body is not None and create.responses[0].pos.line == 39


def test_form_detection() -> None:
    assert detect_form("a.md", "plain text") == "markdown"
    assert detect_form("a.txt", "# Title\n\ntext") == "markdown"
    assert detect_form("a.txt", RENDERED) == "rendered"
