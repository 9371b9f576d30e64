"""What doctract learns from an OpenAPI document: operations, parameters, credentials, bodies.

All of it is immutable and built once per contract (see `doctract.contract.build`). Schemas are
kept as JSON pointers into the document (converted to JSON Schema 2020-12), so validators can
be built lazily, once per operation, with every `$ref` resolvable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Header parameters OpenAPI says to ignore (the media type and the negotiated format are
# described by the request body and the responses); Authorization is kept because published
# contracts without security schemes declare it as a required header parameter.
IGNORED_HEADERS = frozenset({"accept", "content-type"})


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str  # path, query, header or cookie
    required: bool = False
    schema: Any = None  # JSON Schema (2020-12), or None when the contract gives none

    @property
    def key(self) -> str:
        """Header names compare case-insensitively; every other name exactly."""
        return self.name.lower() if self.location == "header" else self.name


@dataclass(frozen=True, slots=True)
class Credential:
    """Where one security scheme puts its credential."""

    scheme: str  # the scheme's name in the contract
    location: str  # header, query or cookie
    name: str  # Authorization, x-api-key, api_key, ...
    kind: str  # bearer, basic, apiKey, oauth2, openIdConnect, http
    prefix: str = ""  # "Bearer", "Basic", ... for Authorization

    def example(self) -> str:
        placeholder = "{" + _placeholder(self.name if self.prefix == "" else self.kind) + "}"
        return f"{self.prefix} {placeholder}" if self.prefix else placeholder


def _placeholder(name: str) -> str:
    upper = name.upper().replace("-", "_")
    return {"BEARER": "ACCESS_TOKEN", "OAUTH2": "ACCESS_TOKEN", "BASIC": "CREDENTIALS"}.get(
        upper, upper
    )


@dataclass(frozen=True, slots=True)
class Media:
    """A media type of a body and the pointer to its schema (None when there is none)."""

    media: str
    schema: str | None


@dataclass(frozen=True, slots=True)
class Operation:
    api: str  # the contract's name (its file name), for messages
    method: str
    template: str  # the path template as routed (base path of the server included)
    operation_id: str = ""
    parameters: tuple[Parameter, ...] = ()
    body: tuple[Media, ...] = ()
    body_required: bool = False
    responses: tuple[tuple[str, tuple[Media, ...]], ...] = ()  # ("201", ...), ("2XX", ...)
    security: tuple[tuple[Credential, ...], ...] = ()  # alternatives; () = no credential
    pointer: str = ""  # JSON pointer of the operation object in the document
    links: tuple[tuple[str, str], ...] = field(default=())  # (path parameter, response field)
    # (status, lower-case names of the headers that response declares): ("201", ("location",))
    response_headers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    opaque: bool = False  # a path item doctract cannot read: nothing about it is checked

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"

    def parameter(self, location: str, name: str) -> Parameter | None:
        key = name.lower() if location == "header" else name
        return next((p for p in self.parameters if p.location == location and p.key == key), None)

    def in_(self, location: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.responses)

    def response(self, status: int | None) -> tuple[str, tuple[Media, ...]] | None:
        """The response the contract declares for a status (exact, then `2XX`, then
        `default`); with no status, the first success response."""
        table = dict(self.responses)
        if status is None:
            for code, media in self.responses:
                if code.startswith("2"):
                    return code, media
            return None
        for code in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
            if code in table:
                return code, table[code]
        return None

    def declares_header(self, status: int, name: str) -> bool:
        """Whether the response for `status` (as `response` picks it) declares a header."""
        declared = self.response(status)
        if declared is None:
            return False
        return name.lower() in dict(self.response_headers).get(declared[0], ())

    def declares_status(self, status: int) -> bool:
        codes = set(self.statuses)
        return bool(codes & {str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"})

    def required_headers(self) -> tuple[Parameter, ...]:
        return tuple(
            p
            for p in self.parameters
            if p.location == "header" and p.required and p.key not in IGNORED_HEADERS
        )
