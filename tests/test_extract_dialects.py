"""Extraction of what other APIs' docs write: curl's real options, MDX and MyST, elided JSON."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import lint, lint_text
from doctract.extractors import extract
from doctract.extractors.curl import looks_like_curl, parse_curl
from doctract.extractors.jsonparse import parse_json
from doctract.model import CodeLines, SourceLine


def block(text: str, first_line: int = 10, column: int = 1) -> CodeLines:
    return CodeLines.of(
        SourceLine(t, first_line + i, column) for i, t in enumerate(text.split("\n"))
    )


def codes(text: str) -> list[str]:
    return [d.code for r in parse_curl(block(text)) for d in r.diagnostics]


# --- curl: data, forms and the options real docs use ----------------------------------------


def test_repeated_data_flags_are_joined_like_curl() -> None:
    (req,) = parse_curl(
        block("""curl -X POST https://auth.example/oauth/token \\
  -d grant_type=client_credentials \\
  --data 'client_id={CLIENT_ID}' \\
  --data-raw '@literal' \\
  --data-binary client_secret=s3cr3t""")
    )
    assert req.body_text == (
        "grant_type=client_credentials&client_id={CLIENT_ID}&@literal&client_secret=s3cr3t"
    )
    assert req.body is None and req.diagnostics == ()


def test_data_urlencode_encodes_the_value_part() -> None:
    (req,) = parse_curl(
        block(
            "curl https://x.io/token --data-urlencode 'scope=read write' "
            "--data-urlencode '=a&b' --data-urlencode 'redirect_uri={REDIRECT_URI}' "
            "--data-urlencode 'name@file.txt' -d @more.txt"
        )
    )
    assert req.method == "POST"
    assert req.body_text == (
        "scope=read%20write&a%26b&redirect_uri={REDIRECT_URI}&name@file.txt&@more.txt"
    )


def test_get_flag_moves_the_data_into_the_query() -> None:
    (req,) = parse_curl(
        block("curl -G 'https://x.io/search?limit=5' -d q=shoes --data-urlencode 'f=a b'")
    )
    assert req.method == "GET"
    assert req.url == "https://x.io/search?limit=5&q=shoes&f=a%20b"
    assert req.body_text is None and req.body is None


def test_form_fields_are_kept() -> None:
    (req,) = parse_curl(
        block("curl https://x.io/upload -F 'file=@photo.png' --form name=holiday -F 'x=<notes.txt'")
    )
    assert req.method == "POST"
    assert [(f.name, f.value) for f in req.form] == [
        ("file", "@photo.png"),
        ("name", "holiday"),
        ("x", "<notes.txt"),
    ]
    content_type = req.header("Content-Type")
    assert content_type is not None and content_type.value == "multipart/form-data"
    assert req.body_text is None and req.diagnostics == ()


def test_json_option_sets_body_and_implies_headers() -> None:
    (req,) = parse_curl(block("""curl --json '{"q": "x"}' https://x.io/indexes/movies/search"""))
    assert req.method == "POST"
    assert req.body is not None and req.body.value == {"q": "x"}
    assert req.headers == ()  # nothing written with -H ...
    content_type = req.header("content-type")  # ... but curl sends them
    accept = req.header("Accept")
    assert content_type is not None and content_type.value == "application/json"
    assert accept is not None and accept.value == "application/json"
    (explicit,) = parse_curl(block("curl --json @doc.json -H 'Accept: text/plain' https://x.io/a"))
    chosen = explicit.header("accept")
    assert chosen is not None and chosen.value == "text/plain"  # written headers win
    assert explicit.body_text is None


def test_repeated_json_pieces_are_concatenated() -> None:
    (req,) = parse_curl(block("""curl https://x.io/a --json '{"a": ' --json '1}'"""))
    assert req.body_text == '{"a": 1}'


def test_credentials_count_as_authorization_without_the_password() -> None:
    (basic,) = parse_curl(block("curl -u admin:hunter2 https://x.io/keys"))
    auth = basic.header("Authorization")
    assert basic.user == "admin"
    assert auth is not None and auth.value == "Basic"
    assert "hunter2" not in repr(basic)
    (bearer,) = parse_curl(block("curl --oauth2-bearer '{TOKEN}' https://x.io/keys"))
    token = bearer.header("authorization")
    assert token is not None and token.value == "Bearer {TOKEN}"
    assert bearer.diagnostics == ()


def test_known_real_options_are_not_unknown() -> None:
    text = """curl --unix-socket /var/run/meili.sock --url http://localhost/health \\
  --request-target '*' --data-ascii a=1 -H @headers.txt --header 'X-A: 1' \\
  --location-trusted --http3 --retry 3 --retry-delay 2 --retry-max-time 30 \\
  --retry-all-errors --retry-connrefused --no-progress-meter --tlsv1.2 --tlsv1.3 \\
  --no-verbose --compressed -fsSL -sS -vvv --max-time 10 -o out.json -w '%{http_code}'"""
    (req,) = parse_curl(block(text))
    assert req.diagnostics == ()
    assert req.url == "http://localhost/health"
    assert req.method == "POST" and req.body_text == "a=1"
    assert [h.name for h in req.headers] == ["X-A"]


def test_method_is_normalised_and_short_options_combine() -> None:
    (lower,) = parse_curl(block("curl -X post https://x.io/a"))
    assert lower.method == "POST"
    (joined,) = parse_curl(block("curl -sSXdelete https://x.io/a/1"))
    assert joined.method == "DELETE" and joined.diagnostics == ()
    (head,) = parse_curl(block("curl -I https://x.io/a"))
    assert head.method == "HEAD"
    (upload,) = parse_curl(block("curl -T doc.json https://x.io/a"))
    assert upload.method == "PUT"


def test_unknown_options_are_still_reported() -> None:
    assert codes("curl --frobnicate https://x.io/a") == ["curl-unknown-flag"]
    # -z takes an argument, so the URL is eaten: curl sees no URL
    assert codes("curl -sz https://x.io/a") == ["curl-missing-url"]
    assert codes("curl -sQ1 -% https://x.io/a") == ["curl-unknown-flag"]


# --- curl: malformed header lines ------------------------------------------------------------


def test_space_before_the_colon_is_a_header_syntax_error_but_the_header_is_meant() -> None:
    (req,) = parse_curl(block("curl https://x.io/a \\\n  -H 'x-api-key : {API_KEY}'"))
    (diag,) = req.diagnostics
    assert diag.code == "header-syntax"
    assert (diag.pos.line, diag.pos.column) == (11, 7)
    assert "x-api-key" in diag.message and "{API_KEY}" not in diag.message
    header = req.header("x-api-key")  # what the author meant: no "missing header" as well
    assert header is not None and header.value == "{API_KEY}"


def test_header_without_a_colon_is_reported_and_not_present() -> None:
    (req,) = parse_curl(block("curl https://x.io/a -H 'x-api-key s3cr3t-value' -H Authorization"))
    assert [d.code for d in req.diagnostics] == ["header-syntax", "header-syntax"]
    assert all("s3cr3t" not in d.message + d.hint for d in req.diagnostics)
    assert req.header("x-api-key") is None and req.header("Authorization") is None
    assert req.headers == ()


def test_valid_header_forms_are_not_syntax_errors() -> None:
    (req,) = parse_curl(
        block("curl https://x.io/a -H 'A:b' -H 'X-Empty;' -H @headers.txt -H 'B: c: d'")
    )
    assert req.diagnostics == ()
    assert [(h.name, h.value) for h in req.headers] == [("A", "b"), ("X-Empty", ""), ("B", "c: d")]


def test_a_whole_header_from_a_variable_or_placeholder_is_not_a_syntax_error() -> None:
    (req,) = parse_curl(
        block(
            'curl https://x.io/a -H "$AUTH_HEADER" -H "${EXTRA}" -H \'{HEADER}\' '
            "-H '<HEADER NAME>: v'"
        )
    )
    assert req.diagnostics == ()


def test_header_name_with_a_space_inside_is_reported() -> None:
    (req,) = parse_curl(block("curl https://x.io/a -H 'Authorization Bearer: {TOKEN}'"))
    assert [d.code for d in req.diagnostics] == ["header-syntax"]


# --- shell blocks that are not curl ----------------------------------------------------------


def test_a_url_alone_is_a_page_to_open_not_a_curl_command() -> None:
    assert parse_curl(block("http://localhost:7700/")) == []
    assert parse_curl(block("open https://www.meilisearch.com/cloud")) == []
    assert (
        parse_curl(block("# the dashboard\nhttp://localhost:7700/\nhttp://localhost:7700/x")) == []
    )
    assert not looks_like_curl(block("http://localhost:7700/"))
    text = "# T\n\n## Open\n\n```bash\nhttp://localhost:7700/\n```\n\n```\nhttps://x.io/a\n```\n"
    (step,) = extract("t.md", text).steps
    assert step.requests == ()


def test_a_url_followed_by_curl_options_lost_its_curl() -> None:
    assert codes("'https://x.io/a' \\\n  -H 'A: b'") == ["curl-missing-command"]
    assert codes("https://x.io/a -d q=1") == ["curl-missing-command"]
    assert codes("https://x.io/a\n  -H 'A: b'") == [
        "curl-missing-command",
        "curl-broken-continuation",
    ]
    assert looks_like_curl(block("'https://x.io/a' \\\n  -H 'A: b'"))
    assert looks_like_curl(block("https://x.io/a\n-H 'A: b'"))
    assert looks_like_curl(block("https://x.io/a -H 'A: b'"))


# --- elided JSON -----------------------------------------------------------------------------


def test_elided_json_is_one_info_diagnostic_not_a_cascade() -> None:
    doc = parse_json(
        block("""{
  "hits": [
    …
  ],
  …
  "facetDistribution": {
    "genres": {
      "Classics": 6,
      …
    }
  },
  "query": "x"
}""")
    )
    assert not doc.valid
    assert [(e.code, e.pos.line, e.pos.column) for e in doc.errors] == [("json-elided", 12, 5)]
    assert "3 places" in doc.errors[0].message


def test_elisions_in_every_position() -> None:
    for text in (
        '{ "hits": [ ... ], "query": "x" }',
        "{ ... }",
        "[...]",
        '[{"a": 1}, ...]',
        '{"a": 1, ...}',
        '{"a": ...}',
        '{"a": 1,\n ....\n}',
        '{"a": [1, 2, …,]}',
    ):
        doc = parse_json(block(text))
        assert [e.code for e in doc.errors] == ["json-elided"], text


def test_a_string_of_dots_is_a_string() -> None:
    doc = parse_json(block('{"overview": "...", "title": "…", "n": "a...b"}'))
    assert doc.valid and doc.errors == ()


def test_real_syntax_errors_beside_an_elision_are_still_reported() -> None:
    doc = parse_json(
        block("""{
  "hits": [ … ],
  "query": 'x',
  "limit": 20,
}""")
    )
    assert [(e.code, e.pos.line) for e in doc.errors] == [
        ("json-elided", 11),
        ("json-syntax", 12),
        ("json-syntax", 13),
    ]


def test_elided_json_in_a_document_is_one_info_finding() -> None:
    text = (
        "# T\n\n## Search\n\n**Response**\n\n```json\n"
        '{\n  "hits": [ … ],\n  "query": "x"\n  …\n}\n```\n'
    )
    found = [(f.rule, f.line) for f in lint_text(text).findings if f.rule.startswith("json")]
    assert found == [("json-elided", 9)]


# --- MDX and MyST ---------------------------------------------------------------------------

MDX = """---
title: Search
---
import { Tabs, Tab } from 'nextra/components'

# Search

## Send a search

<CodeGroup>
```bash cURL
curl -X POST 'http://localhost:7700/indexes/movies/search' \\
  -H 'Content-Type: application/json' \\
  --data-binary '{ "q": "botman" }'
```
</CodeGroup>

<Tabs items={['cURL', 'JS']}>
  <Tab title="cURL">
    ```bash
    curl \\
      -X GET 'http://localhost:7700/indexes/movies'
    ```
  </Tab>
  <Tab
    title="JS"
  >
    ```javascript
    client.index('movies').getRawInfo()
    ```
  </Tab>
</Tabs>

**Response**

<Note>
```json
{ "hits": [ … ], "query": "botman" }
```
</Note>
"""


def test_mdx_components_do_not_hide_or_break_fences() -> None:
    tutorial = extract("search.mdx", MDX)
    (step,) = tutorial.steps
    assert [(b.lang, b.pos.line) for b in step.blocks] == [
        ("bash", 11),
        ("bash", 20),
        ("javascript", 28),
        ("json", 37),
    ]
    first, second = step.requests
    assert (first.method, first.pos.line, first.body is not None) == ("POST", 12, True)
    # the fence indented inside <Tab> is a fence, and its lines keep the file's columns
    assert (second.method, second.url) == ("GET", "http://localhost:7700/indexes/movies")
    assert (second.pos.line, second.pos.column) == (21, 5)
    assert (second.url_pos.line, second.url_pos.column) == (22, 15)
    (response,) = step.responses
    assert response.body is not None and response.pos.line == 38
    assert tutorial.diagnostics == ()


def test_hidden_code_in_an_html_comment_stays_hidden_in_mdx() -> None:
    text = "# T\n\n## S\n\n<!--\n<CodeGroup>\n```bash\ncurl -X GET 'x\n```\n</CodeGroup>\n-->\n"
    (step,) = extract("t.mdx", text).steps or (None,)
    assert step is None or step.requests == ()


MYST = """# Indexes

## Create an index

```{code-block} bash
:caption: Create an index
:linenos:

curl -X POST 'http://localhost:7700/indexes' --json '{"uid": "movies"}'
```

`````{tabs}
````{tab} cURL
```bash
curl -X DELETE 'http://localhost:7700/indexes/movies'
```
````
`````

::::{tab-set}
:::{tab-item} cURL
:sync: curl
```sh
curl -X GET 'http://localhost:7700/health'
```
:::
::::

:::{note}
The response:
:::

:::{code-block} json
:caption: the task
{"taskUid": 1, "status": "enqueued"}
:::

```{toctree}
:maxdepth: 2
intro
```
"""


def test_myst_directives_are_read_and_their_code_extracted() -> None:
    tutorial = extract("indexes.md", MYST)
    (step,) = tutorial.steps
    blocks = [(b.lang, b.pos.line, [sl.line for sl in b.lines]) for b in step.blocks]
    assert blocks == [
        ("bash", 5, [9]),  # options and the blank line after them are not code
        ("bash", 14, [15]),
        ("sh", 23, [24]),
        ("json", 33, [35]),
        ("{toctree}", 38, [39, 40]),
    ]
    assert [(r.method, r.pos.line) for r in step.requests] == [
        ("POST", 9),
        ("DELETE", 15),
        ("GET", 24),
    ]
    assert step.requests[0].body is not None and step.requests[0].body.valid
    # the JSON of the colon-fenced code-block (a response, after "The response:")
    (doc,) = [*step.other_json, *(r.body for r in step.responses if r.body is not None)]
    assert doc.valid and doc.value == {"taskUid": 1, "status": "enqueued"}
    assert tutorial.diagnostics == ()


def test_myst_and_mdx_documents_lint_without_language_or_fence_noise() -> None:
    for path, text in (("search.mdx", MDX), ("indexes.md", MYST)):
        rules = {f.rule for f in lint_text(text, path).findings}
        assert not rules & {"unknown-fence-language", "unclosed-fence", "json-syntax"}, path
        assert not {r for r in rules if r.startswith("curl-")}, path


def test_mdx_files_are_linted_when_a_folder_is_walked(tmp_path: Path) -> None:
    (tmp_path / "guide.mdx").write_text(
        '# G\n\n## S\n\n<Tab>\n```json\n{"a": oops}\n```\n</Tab>\n', encoding="utf-8"
    )
    result = lint(tmp_path)
    assert result.files == 1
    assert [(f.rule, f.line) for f in result.findings] == [("json-syntax", 7)]


def test_fence_languages_real_renderers_know_and_typos() -> None:
    known = [
        *("hcl", "console", "http", "mdx", "jsx", "tsx", "dockerfile", "nginx", "rust"),
        *("json5", "ndjson", "jsonl", "env", "dotenv", "rb", "cs", "dart", "scala", "elixir"),
        *("c", "cpp", "protobuf"),
    ]
    body = "".join(f"```{lang}\nx\n```\n\n" for lang in [*known, "http request"])
    rules = [f for f in lint_text(f"# T\n\n## S\n\n{body}").findings]
    assert [f for f in rules if f.rule == "unknown-fence-language"] == []
    typos = lint_text("# T\n\n## S\n\n```jsn\n{}\n```\n\n```shel\nls\n```\n").findings
    flagged = [(f.line, f.hint) for f in typos if f.rule == "unknown-fence-language"]
    assert flagged == [(5, "did you mean `json`?"), (9, "did you mean `shell`?")]


def test_implied_headers_are_recorded_once() -> None:
    (req,) = parse_curl(
        block("curl https://x.io/a --json '{\"a\": ' --json '1}' -F a=1 -F b=2 -u me:pw")
    )
    assert [(h.name, h.value) for h in req.implied_headers] == [
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
        ("Authorization", "Basic"),
    ]


def test_unclosed_containers_are_read_in_linear_time() -> None:
    text = ":::note\n" * 20_000 + "````{tabs}\n" * 20_000 + "<Tabs>\n" * 20_000
    started = time.perf_counter()
    tutorial = extract("hostile.mdx", "# T\n\n## S\n\n" + text + "```json\n{}\n```\n")
    assert time.perf_counter() - started < 10
    assert tutorial.steps


IMPLIED = """# T

## Create a base connection

**API format**

```http
POST /connections
```

**Request**

```shell
curl https://platform.adobe.io/data/foundation/flowservice/connections \\
  --oauth2-bearer '{ACCESS_TOKEN}' \\
  -H 'x-api-key: {API_KEY}' \\
  -H 'x-gw-ims-org-id: {ORG_ID}' \\
  -H 'x-sandbox-name: {SANDBOX_NAME}' \\
  --json '{"name": "ACME", "connectionSpec": {"id": "{CONNECTION_SPEC_ID}", "version": "1.0"}}'
```
"""


def test_headers_curl_options_imply_are_not_missing() -> None:
    def missing(text: str) -> list[str]:
        found = lint_text(text).findings
        return sorted(f.message for f in found if f.rule == "missing-header")

    assert missing(IMPLIED) == []
    written = IMPLIED.replace("--json", "-d").replace("--oauth2-bearer '{ACCESS_TOKEN}'", "-sS")
    assert missing(written) == [
        "the POST request has no Authorization header",
        "the POST request has no Content-Type header",
    ]
