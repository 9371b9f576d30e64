"""What the contract declares an operation answers: status codes, media types, schemas,
documented examples and response headers, read once per operation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from doctract.contract.model import Operation
from doctract.contract.pointers import follow, lookup, pointer

_NO_EXAMPLE = object()


@dataclass(frozen=True)
class Header:
    name: str
    schema: str | None  # pointer
    required: bool


@dataclass(frozen=True)
class Declared:
    """One declared response: its status, media type, schema and documented example."""

    code: str  # as declared: "201", "2XX", "default"
    media: str | None  # None: no body
    schema: str | None  # pointer to the body schema
    example: Any = _NO_EXAMPLE
    headers: tuple[Header, ...] = ()

    @property
    def status(self) -> int:
        if self.code.isdigit():
            return int(self.code)
        return {"2": 200, "4": 400, "5": 500}.get(self.code[:1], 200)

    @property
    def has_example(self) -> bool:
        return self.example is not _NO_EXAMPLE

    @property
    def json(self) -> bool:
        return self.media is not None and is_json(self.media)

    def header(self, name: str) -> Header | None:
        return next((h for h in self.headers if h.name.lower() == name.lower()), None)


def is_json(media: str) -> bool:
    media = media.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json") or media == "*/*"


def responses(document: dict[str, Any], op: Operation) -> tuple[Declared, ...]:
    """Every response the operation declares, in the contract's order."""
    raw = lookup(document, op.pointer)
    table = raw.get("responses") if isinstance(raw, dict) else None
    found: list[Declared] = []
    for code, entry in (table or {}).items():
        response, at = follow(document, entry, f"{op.pointer}{pointer('responses', str(code))}")
        if not isinstance(response, dict):
            continue
        headers = _headers(document, response, at)
        content = response.get("content") or {}
        medias = [m for m in content if isinstance(content[m], dict)]
        if not medias:
            found.append(Declared(str(code), None, None, headers=headers))
            continue
        media = next((m for m in medias if is_json(m)), medias[0])
        where = f"{at}{pointer('content', media)}"
        spec = content[media]
        found.append(
            Declared(
                str(code),
                media,
                f"{where}/schema" if "schema" in spec else None,
                _example(document, spec),
                headers,
            )
        )
    return tuple(found)


def success(declared: tuple[Declared, ...], prefer: tuple[str, ...] = ()) -> Declared | None:
    """The success response to answer with: the first of `prefer` declared, else the first
    2xx (or 2XX), else `default`."""
    by_code = {d.code: d for d in declared}
    for code in prefer:
        if code in by_code:
            return by_code[code]
    for d in declared:
        if d.code.startswith("2"):
            return d
    return by_code.get("default")


def for_status(declared: tuple[Declared, ...], status: int) -> Declared | None:
    by_code = {d.code: d for d in declared}
    for code in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
        if code in by_code:
            return by_code[code]
    return None


def _example(document: dict[str, Any], media: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, dict):
        for entry in examples.values():
            example, _ = follow(document, entry, "")
            if isinstance(example, dict) and "value" in example:
                return example["value"]
    return _NO_EXAMPLE


def _headers(document: dict[str, Any], response: dict[str, Any], at: str) -> tuple[Header, ...]:
    found = []
    for name, entry in (response.get("headers") or {}).items():
        header, where = follow(document, entry, f"{at}{pointer('headers', str(name))}")
        if not isinstance(header, dict):
            continue
        schema = f"{where}/schema" if "schema" in header else None
        found.append(Header(str(name), schema, bool(header.get("required"))))
    return tuple(found)
