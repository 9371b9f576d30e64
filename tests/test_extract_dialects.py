"""Extraction of what other APIs' docs write: curl's real options, MDX and MyST, elided JSON."""

from __future__ import annotations

from conftest import lint_text
from doctract.extractors import extract
from doctract.extractors.curl import looks_like_curl, parse_curl
from doctract.extractors.jsonparse import parse_json
from doctract.model import SourceLine


def block(text: str, first_line: int = 10, column: int = 1) -> list[SourceLine]:
    return [SourceLine(t, first_line + i, column) for i, t in enumerate(text.split("\n"))]


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
