"""A request checked against its operation: credentials (401), media type (415), body and
parameters (400 listing every violation), all from the contract's declarations."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from http.cookies import SimpleCookie
from typing import Any

from doctract.contract.model import Credential, Operation
from doctract.contract.validation import Schemas
from doctract.emulator.bodies import parse_json
from doctract.emulator.declared import is_json
from doctract.emulator.errors import ApiError

_INTEGER = re.compile(r"^-?\d+$")
_MEDIA_HEADERS = frozenset({"content-type", "accept"})  # the body's media type says it


@dataclass(frozen=True)
class Wording:
    """How an emulator words a request's contract errors. By default as doctract's contract
    checks do (JSON spellings, the branch of a `oneOf` that came closest, placeholders taken
    for any value, `readOnly` properties refused); `verbatim`: as jsonschema reports them,
    for an API whose errors quote its validator."""

    takes: str = "this operation takes"  # after an unknown query parameter: what it takes
    body_required: str = "a request body is required"
    verbatim: bool = False


@dataclass(frozen=True)
class Call:
    """One request, parsed and checked, as the behaviours see it."""

    operation: Operation
    path: str  # the path as the contract's templates see it (base path removed)
    params: dict[str, str]  # path parameter -> its (decoded) segment
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: Any = None
    has_body: bool = False
    media: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # query values as their schema types

    def first(self, name: str) -> str | None:
        found = self.query.get(name)
        return found[0] if found else None


def check_credentials(
    operation: Operation,
    headers: Mapping[str, str],
    query: Mapping[str, Any],
    accepted: Mapping[str, str] | None = None,
) -> None:
    """401 unless one of the operation's security alternatives is fully present; with
    `accepted` (scheme name -> the one credential it takes), also unless it is that one."""
    if not operation.security:
        return
    for alternative in operation.security:
        if all(_present(c, headers, query, accepted or {}) for c in alternative):
            return
    wanted = " and ".join(f"{c.name}: {c.example()}" for c in operation.security[0])
    challenge = next((c.prefix for c in operation.security[0] if c.prefix), None)
    raise ApiError(
        401,
        f"missing, malformed or unknown credentials: send {wanted}",
        headers={"WWW-Authenticate": challenge} if challenge else None,
    )


def _present(
    cred: Credential,
    headers: Mapping[str, str],
    query: Mapping[str, Any],
    accepted: Mapping[str, str],
) -> bool:
    if cred.location == "query":
        values = query.get(cred.name) or [""]
        value = str(values[0])
    elif cred.location == "cookie":
        jar = SimpleCookie()
        jar.load(headers.get("cookie", ""))
        value = jar[cred.name].value if cred.name in jar else ""
    else:
        value = headers.get(cred.name.lower(), "").strip()
        if cred.prefix:
            scheme, _, value = value.partition(" ")
            if scheme.lower() != cred.prefix.lower():
                return False
    value = value.strip()
    if cred.scheme in accepted:
        return value == accepted[cred.scheme]
    return bool(value)


def read_body(operation: Operation, raw: bytes, content_type: str) -> tuple[Any, bool, str | None]:
    """(body, whether one was sent, its media type); 415 for a media type the operation does
    not take, 400 for JSON that does not parse."""
    if not operation.body:
        return None, False, None
    declared = [m.media for m in operation.body]
    media = content_type.split(";")[0].strip().lower() or declared[0]
    if not raw.strip() and not (media.startswith("text/") and content_type):
        return None, False, None  # an empty text with its Content-Type is a body: ""
    chosen = _accepts(declared, media)
    if chosen is None:
        raise ApiError(
            415,
            f"this operation takes {', '.join(declared)}, not {media}",
        )
    if is_json(media) or (is_json(chosen) and media == chosen):
        return parse_json(raw), True, media
    if media.startswith("text/"):
        return raw.decode("utf-8", "replace"), True, media
    return raw.decode("latin-1"), True, media


def typed_text(body: Any, schema: dict[str, Any]) -> Any:
    """A text body where the schema wants another type (`false` for a boolean) read as
    JSON; the text itself otherwise."""
    if not isinstance(body, str) or "string" in _kinds(schema) or "type" not in schema:
        return body
    try:
        return json.loads(body)
    except ValueError:
        return body


def _accepts(declared: list[str], media: str) -> str | None:
    for want in declared:
        low = want.lower()
        if low == media or low == "*/*" or (low.endswith("/*") and media.startswith(low[:-1])):
            return want
    if is_json(media):
        return next((d for d in declared if is_json(d)), None)
    return None


def validate(
    call: Call,
    schemas: Schemas,
    extra_query: frozenset[str] = frozenset(),
    wording: Wording = Wording(),
) -> Call:
    """400 listing every way the request breaks the contract; the call with its query values
    converted to their declared types."""
    op = call.operation
    errors: list[dict[str, str]] = []
    declared = {p.name for p in op.in_("query")} | extra_query
    for name in sorted(set(call.query) - declared):
        takes = f" ({wording.takes} {', '.join(sorted(declared))})" if declared else ""
        errors.append(
            {"path": f"query.{name}", "message": f"unknown query parameter {name!r}{takes}"}
        )
    sources: dict[str, Mapping[str, Any]] = {
        "path": {k: [v] for k, v in call.params.items()},
        "query": call.query,
        "header": {k: [v] for k, v in call.headers.items()},
    }
    values: dict[str, Any] = {}
    for param in op.parameters:
        if param.location == "header" and param.key in _MEDIA_HEADERS:
            continue
        raw = sources.get(param.location, {}).get(param.key)
        if raw is None:
            # a missing If-Match is 428 (the behaviours say so), not 400
            if param.required and param.location != "cookie" and param.key != "if-match":
                errors.append(
                    {
                        "path": f"{param.location}.{param.name}",
                        "message": f"the required {param.location} parameter {param.name} "
                        "is missing",
                    }
                )
            continue
        value = _convert(raw, schemas.resolve(param.schema) if param.schema else {}, schemas)
        if param.location == "query":
            values[param.name] = value
        for message in _param_errors(schemas, param.schema, value, wording):
            errors.append(
                {"path": f"{param.location}.{param.name}", "message": f"{param.name}: {message}"}
            )
    media = next((m for m in op.body if m.media.lower() == call.media), None) or next(
        (m for m in op.body if call.media and _accepts([m.media], call.media)), None
    )
    if op.body and not call.has_body and op.body_required:
        errors.append({"path": "body", "message": wording.body_required})
    elif call.has_body and media is not None and media.schema is not None:
        if call.media and not is_json(call.media):
            body = typed_text(call.body, schemas.resolve({"$ref": f"#{media.schema}"}))
            call = replace(call, body=body)
        for path, message in _body_errors(schemas, media.schema, call.body, wording):
            where = "/".join(str(p) for p in path)
            errors.append({"path": f"body/{where}" if where else "body", "message": message})
    if errors:
        summary = "; ".join(e["message"] for e in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise ApiError(400, f"the request does not match the API contract: {summary}{more}", errors)
    return replace(call, values=values)


def _param_errors(schemas: Schemas, schema: Any, value: Any, wording: Wording) -> list[str]:
    if wording.verbatim:
        return [e.message for e in schemas.verbatim_errors(schema, value)]
    return [e.message for e in schemas.value_errors(schema, value)]


def _body_errors(
    schemas: Schemas, pointer: str, body: Any, wording: Wording
) -> list[tuple[tuple[str | int, ...], str]]:
    if wording.verbatim:
        found = sorted(schemas.verbatim_errors(pointer, body), key=lambda e: list(e.path))
        return [(tuple(e.path), e.message) for e in found]
    return [(e.path, e.message) for e in schemas.errors(pointer, body, "request")]


def _convert(raw: list[str], schema: dict[str, Any], schemas: Schemas) -> Any:
    kinds = _kinds(schema)
    if "array" in kinds:
        items = (
            schemas.resolve(schema.get("items")) if isinstance(schema.get("items"), dict) else {}
        )
        if raw == [""]:
            return []  # `?ids=`: an empty list
        parts = [p for v in raw for p in (v.split(",") if len(raw) == 1 else [v])]
        return [_scalar(p, _kinds(items)) for p in parts]
    return _scalar(raw[0], kinds)


def _kinds(schema: dict[str, Any]) -> tuple[str, ...]:
    kind = schema.get("type", "string")
    return tuple(kind) if isinstance(kind, list) else (str(kind),)


def _scalar(value: str, kinds: tuple[str, ...]) -> Any:
    if "integer" in kinds and _INTEGER.match(value):
        return int(value)
    if "number" in kinds:
        try:
            return float(value)
        except ValueError:
            pass
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    if "null" in kinds and value in ("", "null"):
        return None
    return value
