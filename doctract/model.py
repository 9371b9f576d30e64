"""The tutorial model: what extraction recovers from a doc, with exact source positions.

Everything here is immutable; extraction builds it once and every later stage only reads it.
Lines and columns are 1-based and always refer to the original file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Pos:
    line: int
    column: int = 1


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One line of a code block: its text and where that text starts in the file."""

    text: str
    line: int
    column: int = 1


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found while extracting; checks turn diagnostics into findings."""

    code: str
    message: str
    pos: Pos
    hint: str = ""


@dataclass(frozen=True, slots=True)
class JsonDoc:
    """A JSON example: its text, the parsed value when it is valid, and syntax errors."""

    text: str
    lines: tuple[SourceLine, ...]
    value: Any = None
    valid: bool = False
    errors: tuple[Diagnostic, ...] = ()

    @property
    def pos(self) -> Pos:
        first = self.lines[0] if self.lines else SourceLine("", 1)
        return Pos(first.line, first.column)


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    value: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class FormField:
    """One `-F name=value` field of a multipart form (`@file` and `<file` values kept as is)."""

    name: str
    value: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class CurlRequest:
    """A documented curl command as the author meant it, with what was wrong with it.

    `headers` are the `-H` headers as written. `implied_headers` are the ones curl sends
    because of another option: `--json` (Content-Type and Accept: application/json),
    `--oauth2-bearer` (Authorization: Bearer), `-u` (Authorization: Basic, credentials left
    out), `-F` (Content-Type: multipart/form-data). `header(name)` finds either, the written
    one first. `body_text` is every data option combined as curl sends it; with `-G` the data
    went into the URL's query instead. `user` is the `-u` user name (never the password).
    """

    method: str
    url: str
    url_pos: Pos
    headers: tuple[Header, ...]
    body: JsonDoc | None
    body_text: str | None
    pos: Pos
    diagnostics: tuple[Diagnostic, ...] = ()
    form: tuple[FormField, ...] = ()
    implied_headers: tuple[Header, ...] = ()
    user: str | None = None
    method_pos: Pos | None = None  # where `-X METHOD` is written, when it is
    malformed: tuple[str, ...] = ()  # names of -H lines curl does not send (header-syntax)

    def header(self, name: str) -> Header | None:
        wanted = name.lower()
        for header in self.headers:
            if header.name.lower() == wanted:
                return header
        for header in self.implied_headers:
            if header.name.lower() == wanted:
                return header
        return None


@dataclass(frozen=True, slots=True)
class ApiFormat:
    """The `METHOD /path?query` line that states the endpoint a step calls."""

    method: str
    path: str
    query: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class TableRow:
    cells: tuple[str, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class EndpointMention:
    """Prose that names an endpoint: "make a POST request to the `/flows` endpoint"."""

    path: str
    method: str | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class ResponseExample:
    status: int | None
    body: JsonDoc | None
    pos: Pos
    status_pos: Pos | None = None  # where the prose states the status


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Any fenced or recognised code block, kept for fence-level checks."""

    lang: str
    info: str
    lines: tuple[SourceLine, ...]
    pos: Pos
    fenced: bool = True


@dataclass(frozen=True, slots=True)
class Step:
    title: str
    anchor: str
    pos: Pos
    prose: str = ""
    api_format: ApiFormat | None = None
    requests: tuple[CurlRequest, ...] = ()
    request_bodies: tuple[JsonDoc, ...] = ()
    responses: tuple[ResponseExample, ...] = ()
    tables: tuple[Table, ...] = ()
    mentions: tuple[EndpointMention, ...] = ()
    other_json: tuple[JsonDoc, ...] = ()
    blocks: tuple[CodeBlock, ...] = ()

    @property
    def request(self) -> CurlRequest | None:
        return self.requests[0] if self.requests else None


@dataclass(frozen=True, slots=True)
class Tutorial:
    path: str
    title: str
    form: str  # "markdown" or "rendered"
    steps: tuple[Step, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default=())
