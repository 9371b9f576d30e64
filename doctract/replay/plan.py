"""A tutorial as an ordered list of calls to replay: what the doc sends and what it shows back.

Pure: built from the tutorial model. A call whose request the doc breaks (no `curl`, a lost
`\\`, an open quote, a header name HTTP cannot carry, a body that is not JSON) keeps the
request as meant plus the static finding that stops it from being sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from doctract.extractors.curl import sendable_header_name
from doctract.model import CurlRequest, Pos, Tutorial
from doctract.rule_ids import (
    CURL_BROKEN_CONTINUATION,
    CURL_MISSING_COMMAND,
    CURL_MISSING_URL,
    CURL_UNBALANCED_QUOTE,
    HEADER_SYNTAX,
    JSON_SYNTAX,
)

# static problems that stop a documented request from running as written
BREAKING_CODES = (
    CURL_MISSING_COMMAND,
    CURL_BROKEN_CONTINUATION,
    CURL_UNBALANCED_QUOTE,
    CURL_MISSING_URL,
)


@dataclass(frozen=True, slots=True)
class Broken:
    rule: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Call:
    index: int
    step: str
    line: int
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    status: int | None
    example: str | None
    example_line: int
    broken: Broken | None


def plan(tutorial: Tutorial) -> list[Call]:
    calls: list[Call] = []
    for step in tutorial.steps:
        for request in step.requests:
            broken = next(
                (
                    Broken(d.code, d.pos.line, d.message)
                    for d in request.diagnostics
                    if d.code in BREAKING_CODES
                ),
                None,
            )
            if broken is None:
                broken = _unsendable_header(request)
            if broken is None and request.body is not None and request.body.errors:
                first = request.body.errors[0]
                broken = Broken(JSON_SYNTAX, first.pos.line, first.message)
            response = next(
                (r for r in step.responses if r.status is None or r.status < 400),
                step.responses[0] if step.responses else None,
            )
            example = (
                response.body.text if response and response.body and response.body.valid else None
            )
            example_pos = response.pos if response else Pos(request.pos.line)
            calls.append(
                Call(
                    len(calls) + 1,
                    step.title,
                    request.pos.line,
                    request.method,
                    request.url,
                    tuple((h.name, h.value) for h in request.headers),
                    _body(request.body_text),
                    response.status if response else None,
                    example,
                    example_pos.line,
                    broken,
                )
            )
    return calls


def _unsendable_header(request: CurlRequest) -> Broken | None:
    """A header whose name HTTP cannot carry (typographic quotes around it, a space inside):
    the request cannot be sent as documented, and no HTTP client would send it."""
    for header in request.headers:
        if not sendable_header_name(header.name):
            message = next(
                (
                    d.message
                    for d in request.diagnostics
                    if d.code == HEADER_SYNTAX and d.pos.line == header.pos.line
                ),
                f"the header name {header.name!r} is not a valid header name",
            )
            return Broken(HEADER_SYNTAX, header.pos.line, message)
    return None


def _body(text: str | None) -> str | None:
    if text is None:
        return None
    lines = text.strip("\n").split("\n")
    indent = min((len(ln) - len(ln.lstrip()) for ln in lines[1:] if ln.strip()), default=0)
    return "\n".join([lines[0].strip(), *(ln[indent:] for ln in lines[1:])]).rstrip()
