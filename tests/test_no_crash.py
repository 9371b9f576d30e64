"""Property-based: no input makes extraction or lint crash; the result is findings, always."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import lint_text
from doctract.extractors import extract
from doctract.extractors.curl import parse_curl
from doctract.extractors.jsonparse import locate, parse_json
from doctract.findings import Finding
from doctract.model import CodeLines, SourceLine

FRAGMENTS = [
    "```",
    "```json",
    "```shell",
    "```http",
    "```jsn",
    "~~~",
    "\n",
    "\n\n",
    " ",
    "  ",
    "\\",
    "\\\n",
    "'",
    '"',
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "curl",
    "curl -X POST",
    "-X",
    "-H",
    "-d",
    "--data-raw",
    "--url",
    "-G",
    "@file",
    "|",
    "#",
    "# Title",
    "## Step {#step}",
    "**API format**",
    "**Request**",
    "**Response**",
    "POST /flows?mode=draft",
    "GET /runs?property=flowId=={ID}",
    "PATCH /flows/{FLOW_ID}",
    "'https://platform.adobe.io/data/foundation/flowservice/flows'",
    "https://platform-int.adobe.io/x/connections/1/action?op=publish",
    "-H 'Authorization: Bearer {ACCESS_TOKEN}'",
    "-H 'If-Match: 1'",
    '"id": "f9377f50-607a-4818-b77f-50607a181860"',
    '"etag": "\\"1\\""',
    "{HOST}",
    "<TOKEN>",
    "$TOKEN",
    "null",
    "true",
    "12",
    "-1e5",
    "| a | b |",
    "| --- | --- |",
    "| `{X}` | y |",
    ">[!NOTE]",
    ">",
    "[!DNL X]",
    "+++",
    "<!--",
    "-->",
    "code language-json",
    "code language-shell",
    "accordion",
    "Parameter",
    "Description",
    "HTTP status 204",
    "/connections endpoint",
    "---",
    "title: x",
    "\x00",
    "\r",
    "\t",
    "é",
    "\u2028",
    "\ufeff",
    "😀",
]

fragment_lists = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=60)
documents = fragment_lists.map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from(["doc.md", "page.txt"]))
def test_lint_never_raises(text: str, path: str) -> None:
    result = lint_text(text, path)
    assert all(isinstance(f, Finding) for f in result.findings)
    assert not any(f.rule == "internal-error" for f in result.findings), result.findings
    assert all(f.line >= 1 and f.column >= 1 for f in result.findings)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_extract_never_raises(text: str) -> None:
    extract("doc.md", text)
    extract("page.txt", text)


@settings(max_examples=400, deadline=None)
@given(fragment_lists)
def test_curl_parser_never_raises(parts: list[str]) -> None:
    lines = CodeLines.of(SourceLine(t, i + 1) for i, t in enumerate("".join(parts).split("\n")))
    for request in parse_curl(lines):
        assert all(d.pos.line >= 1 for d in request.diagnostics)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(
    json_values,
    st.lists(
        st.tuples(
            st.integers(0, 200),
            st.sampled_from(['"', ",", "}", "]", "{", ":", "{X}", "\n", "//", "'"]),
        ),
        max_size=4,
    ),
)
def test_json_parser_on_mutated_json(value: object, edits: list[tuple[int, str]]) -> None:
    import json

    text = json.dumps(value, indent=2)
    for index, insert in edits:
        index = min(index, len(text))
        text = text[:index] + insert + text[index:]
    lines = CodeLines.of(SourceLine(t, i + 1) for i, t in enumerate(text.split("\n")))
    doc = parse_json(lines)
    if doc.valid:
        assert doc.errors == ()
    else:
        assert doc.errors and all(1 <= e.pos.line <= len(lines) for e in doc.errors)
    locate(doc, ["a", 0, "b"])
