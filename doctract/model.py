"""The tutorial model: what extraction recovers from a doc, with exact source positions.

Everything here is immutable; extraction builds it once and every later stage only reads it.
Lines and columns are 1-based and always refer to the original file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, overload


@dataclass(frozen=True, slots=True)
class Pos:
    line: int
    column: int = 1


# a position is a value: extraction takes the many equal ones (a document's lines, columns 1 to
# a few dozen, the same in document after document) from one bounded cache instead of making a
# frozen object for each of the about 160 a tutorial has
at = lru_cache(maxsize=4096)(Pos)


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One line of a code block: its text and where that text starts in the file."""

    text: str
    line: int
    column: int = 1


@dataclass(frozen=True, slots=True)
class CodeLines(Sequence[SourceLine]):
    """The lines of a code block (or of a JSON example in one) as one table: each line's text,
    its line in the file and the column its text starts at. A sequence of SourceLine, each made
    when asked for: a document has hundreds of code lines, and extraction reads most of them
    only as text (`texts`) and places only what it reports (`pos`)."""

    texts: tuple[str, ...] = ()
    numbers: tuple[int, ...] = ()  # each text's line in the file
    columns: tuple[int, ...] = ()  # each text's first column

    @classmethod
    def of(cls, lines: Iterable[SourceLine]) -> CodeLines:
        table = tuple(lines)
        return cls(
            tuple(sl.text for sl in table),
            tuple(sl.line for sl in table),
            tuple(sl.column for sl in table),
        )

    def pos(self, index: int, offset: int = 0) -> Pos:
        """Where the text of line `index` (of this table) is, `offset` characters in."""
        return at(self.numbers[index], self.columns[index] + offset)

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> SourceLine: ...

    @overload
    def __getitem__(self, index: slice) -> CodeLines: ...

    def __getitem__(self, index: int | slice) -> SourceLine | CodeLines:
        if isinstance(index, slice):
            return CodeLines(self.texts[index], self.numbers[index], self.columns[index])
        return SourceLine(self.texts[index], self.numbers[index], self.columns[index])

    def __iter__(self) -> Iterator[SourceLine]:
        for text, line, column in zip(self.texts, self.numbers, self.columns, strict=True):
            yield SourceLine(text, line, column)


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
    lines: CodeLines
    value: Any = None
    valid: bool = False
    errors: tuple[Diagnostic, ...] = ()

    @property
    def pos(self) -> Pos:
        return self.lines.pos(0) if self.lines.texts else Pos(1, 1)


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
    lines: CodeLines
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
