"""Rules that compare documented requests and responses with the API's OpenAPI contract.

A request is matched to its operation by method and templated path (see
`doctract.contract.router`); requests no contract owns (another API's, another host's) are
left alone, and without a contract these rules are silent.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from doctract.checks.registry import Hit, rule
from doctract.contract import Operation, Target
from doctract.corpus import Corpus, DocSet
from doctract.extractors.jsonparse import locate
from doctract.findings import Severity
from doctract.model import CurlRequest, JsonDoc, Step, Tutorial
from doctract.rule_ids import (
    CURL_MISSING_COMMAND,
    CURL_MISSING_URL,
    CURL_UNBALANCED_QUOTE,
    MISSING_PARAMETER,
    REQUEST_BODY_SCHEMA,
    RESPONSE_EXAMPLE_SCHEMA,
    STATUS_UNDOCUMENTED,
    UNKNOWN_OPERATION,
    UNKNOWN_PARAMETER,
)
from doctract.urls import is_placeholder, query_pairs, split_url

# body fields whose values are never quoted in a message, whatever the contract says
_SECRET_WORDS = frozenset({"password", "secret", "token", "apiKey", "api_key", "client_secret"})
_BROKEN = frozenset({CURL_MISSING_URL, CURL_UNBALANCED_QUOTE, CURL_MISSING_COMMAND})


def _target(request: CurlRequest, corpus: Corpus) -> Target | None:
    if not request.url:
        return None
    if request.diagnostics and any(d.code in _BROKEN for d in request.diagnostics):
        return None
    return corpus.resolve(request.method, request.url)


def _json(media: str) -> bool:
    media = media.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json") or media == "*/*"


@dataclass(frozen=True, slots=True)
class Violation:
    """A place where a doc and the contract disagree, and what disagrees (the signature: the
    same for every doc that makes the same claim, wherever it is)."""

    hit: Hit
    signature: tuple[Any, ...]


Producer = Callable[[Tutorial, Corpus], Iterator[Violation]]
DISPUTED_BY = 2  # documents that make the same claim against the contract


def _violations(rule_id: str, producer: Producer, tutorial: Tutorial, corpus: Corpus) -> list[Any]:
    """The tutorial's violations of one rule, found once for its `collect` and its check."""
    return corpus.memo(tutorial, rule_id, lambda: list(producer(tutorial, corpus)))


def _collector(rule_id: str, producer: Producer) -> Callable[[Tutorial, Corpus], Iterator[Any]]:
    def collect(tutorial: Tutorial, corpus: Corpus) -> Iterator[Any]:
        """What the document claims against the contract (its violations' signatures)."""
        for violation in _violations(rule_id, producer, tutorial, corpus):
            yield violation.signature

    return collect


def agreeing(docs: DocSet, signature: Hashable) -> int:
    """How many documents make this claim against the contract, when that is enough to doubt
    the contract (else 0: a question whose answer changes only where the finding does)."""
    count = docs.claims[signature]
    return count if count >= DISPUTED_BY else 0


def _report(rule_id: str, producer: Producer, tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """The violations as findings; one that several documents make alike is softened to info:
    docs that agree with each other against the contract point at the contract."""
    for violation in _violations(rule_id, producer, tutorial, corpus):
        docs = corpus.ask(agreeing, violation.signature)
        if docs:
            hit = violation.hit
            yield replace(
                hit,
                message=f"{hit.message} ({docs} documents agree on this: the contract is the "
                "more likely one to be out of date)",
                hint="check the contract and the API before changing the docs",
                severity=Severity.INFO,
            )
        else:
            yield violation.hit


def _normal_path(path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    return tuple("*" if isinstance(p, int) else p for p in path)


def _operation_violations(tutorial: Tutorial, corpus: Corpus) -> Iterator[Violation]:
    for step in tutorial.steps:
        for request in step.requests:
            target = _target(request, corpus)
            if target is not None:
                yield from _unknown(target, request.method, split_url(request.url)[1], request)
        fmt = step.api_format
        if fmt is not None and not step.requests:
            target = corpus.resolve(fmt.method, fmt.path)
            if target is not None:
                yield from _unknown(target, fmt.method, fmt.path, None, fmt.pos)


@rule(
    UNKNOWN_OPERATION,
    Severity.ERROR,
    collect=_collector(UNKNOWN_OPERATION, _operation_violations),
)
def unknown_operation(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request's method and path match no operation of the API's OpenAPI contract.

    The hint names the closest path template (`/connection/{id}` -> `/connections/{connectionId}`)
    or the methods the path does have. A step with an API format line but no curl command has
    its API format line checked instead. An operation that two or more documents call alike
    is info: the contract more likely lacks it.
    """
    return _report(UNKNOWN_OPERATION, _operation_violations, tutorial, corpus)


def _unknown(
    target: Target, method: str, path: str, request: CurlRequest | None, pos: Any = None
) -> Iterator[Violation]:
    where = request.url_pos if request is not None else pos
    match = target.match
    name = target.contract.name
    if match is None:
        close = target.contract.router.closest(target.path)
        hit = Hit(
            where,
            f"no operation of {name} matches {method} {path}",
            f"did you mean {close}?" if close else "check the path against the API reference",
        )
        yield Violation(hit, ("unknown-path", method, _shape(target.path)))
    elif match.operation is None:
        allowed = ", ".join(match.allowed)
        hit = Hit(
            (request.method_pos or request.pos) if request is not None else where,
            f"{name} has no {method} on {match.template} (it has {allowed})",
            f"use one of {allowed}",
        )
        yield Violation(hit, ("unknown-method", method, match.template))


def _shape(path: str) -> str:
    """A path with its ids and placeholders as `{}`: what two docs calling alike share."""
    return "/".join(
        "{}" if is_placeholder(seg) or "{" in seg or any(c.isdigit() for c in seg) else seg
        for seg in path.split("/")
    )


def _body_violations(tutorial: Tutorial, corpus: Corpus) -> Iterator[Violation]:
    for step in tutorial.steps:
        for request in step.requests:
            body = request.body
            if body is None or not body.valid:
                continue
            target = _target(request, corpus)
            op = target.operation if target is not None else None
            if op is None or target is None:
                continue
            media = next((m for m in op.body if _json(m.media) and m.schema), None)
            if media is None or media.schema is None:
                continue
            errors = target.contract.schemas.errors(media.schema, body.value, "request")
            what = f"the request schema of {op.label}"
            secret = target.contract.secrets.fields | _SECRET_WORDS
            for error, hit in _schema_hits(body, errors, what, secret_fields=secret):
                yield Violation(
                    hit, (op.label, _normal_path(error.path), error.keyword, error.claim)
                )


@rule(
    REQUEST_BODY_SCHEMA,
    Severity.ERROR,
    collect=_collector(REQUEST_BODY_SCHEMA, _body_violations),
)
def request_body_schema(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A documented request body breaks the operation's request schema in the contract.

    Validated with jsonschema in the OpenAPI dialect (3.0 `nullable` and 3.1 JSON Schema,
    `$ref`s, `oneOf` with discriminators); a `readOnly` property sent in a request is an error.
    A placeholder (`"{START_TIME}"`) stands for any value. When two or more documents send the
    same thing the contract refuses, the finding is info: the contract is more likely wrong.
    """
    return _report(REQUEST_BODY_SCHEMA, _body_violations, tutorial, corpus)


def _schema_hits(
    doc: JsonDoc,
    errors: list[Any],
    what: str,
    skip: frozenset[str] = frozenset(),
    secret_fields: frozenset[str] = frozenset(),
) -> Iterator[tuple[Any, Hit]]:
    seen: set[int] = set()
    for error in errors:
        if error.keyword in skip:
            continue
        pos = locate(doc, list(error.path))
        if pos.line in seen:
            continue  # one finding a line: the most specific error there
        seen.add(pos.line)
        message = _short(error.message)
        if secret_fields and any(str(p) in secret_fields for p in error.path):
            message = f"its value breaks the {error.keyword} check"  # a password is never shown
        yield error, Hit(pos, f"{error.field} breaks {what}: {message}", _hint(error))


def _short(message: str, limit: int = 200) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _hint(error: Any) -> str:
    kind, expected = error.keyword, error.expected
    if kind == "required":
        return "add the required field(s) the contract names"
    if kind == "type":
        return f"use a JSON {' or '.join(expected) if isinstance(expected, list) else expected}"
    if kind == "enum":
        return f"use one of {', '.join(_json_text(v) for v in expected)}"
    if kind in ("additionalProperties", "unevaluatedProperties"):
        return "remove the field, or check its spelling against the contract"
    if kind == "readOnly":
        return "remove the field: the API sets it"
    return "make the example satisfy the contract's schema"


def _json_text(value: Any) -> str:
    """An enum value as JSON writes it (`null`, `true`), strings bare."""
    return value if isinstance(value, str) else json.dumps(value)


def _request_of(step: Step, corpus: Corpus) -> tuple[CurlRequest, Target] | None:
    """The one request a step's response examples answer (None when that is unclear)."""
    if not step.requests:
        return None
    found = [(r, t) for r in step.requests if (t := _target(r, corpus)) is not None and t.operation]
    ops = {t.operation.label for _, t in found if t.operation is not None}
    return found[0] if found and len(ops) == 1 else None


def _response_violations(tutorial: Tutorial, corpus: Corpus) -> Iterator[Violation]:
    for step in tutorial.steps:
        pair = _request_of(step, corpus)
        if pair is None:
            continue
        _, target = pair
        op = target.operation
        assert op is not None
        for response in step.responses:
            body = response.body
            if body is None or not body.valid:
                continue
            declared = op.response(response.status)
            if declared is None:
                continue
            code, media = declared
            schema = next((m.schema for m in media if _json(m.media) and m.schema), None)
            if schema is None:
                continue
            errors = target.contract.schemas.errors(schema, body.value, "response")
            what = f"the {code} response schema of {op.label}"
            for error, hit in _schema_hits(body, errors, what, frozenset({"required"})):
                yield Violation(
                    hit,
                    (op.label, code, _normal_path(error.path), error.keyword, error.claim),
                )


@rule(
    RESPONSE_EXAMPLE_SCHEMA,
    Severity.WARNING,
    collect=_collector(RESPONSE_EXAMPLE_SCHEMA, _response_violations),
)
def response_example_schema(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A documented response example breaks the contract's schema for that response.

    The schema is the one of the status the doc states, or of the operation's success
    response. Docs abbreviate examples, so fields the schema requires may be left out; a value
    of the wrong type, a value outside an enum, an undeclared field where the schema allows
    none, or a `writeOnly` field shown are reported (as info when two or more documents show
    the same: the contract is then more likely wrong).
    """
    return _report(RESPONSE_EXAMPLE_SCHEMA, _response_violations, tutorial, corpus)


@rule(STATUS_UNDOCUMENTED, Severity.WARNING)
def status_undocumented(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """The doc states a response status the operation does not declare in the contract."""
    for step in tutorial.steps:
        pair = _request_of(step, corpus)
        if pair is None:
            continue
        op = pair[1].operation
        assert op is not None
        for response in step.responses:
            if response.status is not None and not op.declares_status(response.status):
                declared = ", ".join(op.statuses) or "none"
                yield Hit(
                    response.status_pos or response.pos,
                    f"the doc states status {response.status} but {op.label} declares {declared}",
                    "state the status the API answers, or update the contract",
                )


def _missing_violations(tutorial: Tutorial, corpus: Corpus) -> Iterator[Violation]:
    for step in tutorial.steps:
        for request in step.requests:
            target = _target(request, corpus)
            op = target.operation if target is not None else None
            if op is None:
                continue
            have = {k for k, _ in query_pairs(split_url(request.url)[2])}
            for param in op.in_("query"):
                if param.required and param.name not in have:
                    hit = Hit(
                        request.url_pos,
                        f"the request lacks the query parameter {param.name} that "
                        f"{op.label} requires",
                        f"add {param.name}={_example(param.schema)} to the URL",
                    )
                    yield Violation(hit, (op.label, param.name, "missing"))


@rule(
    MISSING_PARAMETER,
    Severity.ERROR,
    collect=_collector(MISSING_PARAMETER, _missing_violations),
)
def missing_parameter(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request lacks a query parameter its operation requires in the contract.

    Required headers are `missing-header`'s; path parameters are part of the path.
    """
    return _report(MISSING_PARAMETER, _missing_violations, tutorial, corpus)


def _example(schema: Any) -> str:
    if isinstance(schema, dict):
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return str(schema["enum"][0])
        if isinstance(schema.get("items"), dict):
            return _example(schema["items"])
    return "{VALUE}"


def _parameter_violations(tutorial: Tutorial, corpus: Corpus) -> Iterator[Violation]:
    for step in tutorial.steps:
        for request in step.requests:
            target = _target(request, corpus)
            op = target.operation if target is not None else None
            if op is None or target is None:
                continue
            yield from _query_violations(request, op, target)


@rule(
    UNKNOWN_PARAMETER,
    Severity.ERROR,
    collect=_collector(UNKNOWN_PARAMETER, _parameter_violations),
)
def unknown_parameter(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request sends a query parameter its operation lacks, or a value it does not allow.

    A typo such as `mdoe=draft`, or `op=publish` where the contract says `PUBLISH`.
    Placeholders stand for any value.
    """
    return _report(UNKNOWN_PARAMETER, _parameter_violations, tutorial, corpus)


def _query_violations(request: CurlRequest, op: Operation, target: Target) -> Iterator[Violation]:
    if op.opaque:
        return
    known = op.in_("query")
    names = [p.name for p in known]
    credentials = {c.name for alt in op.security for c in alt if c.location == "query"}
    secrets = target.contract.secrets.query | credentials
    for key, value in query_pairs(split_url(request.url)[2]):
        if key in secrets:
            continue  # a credential the security scheme puts in the query; never echoed
        param = op.parameter("query", key) or op.parameter("query", key.removesuffix("[]"))
        if param is None:
            if _free_form(known):
                continue
            close = difflib.get_close_matches(key, names, 1, 0.6)
            hint = (
                f"did you mean {close[0]}?"
                if close
                else (f"its query parameters: {', '.join(names)}" if names else "it takes none")
            )
            hit = Hit(request.url_pos, f"{op.label} has no query parameter {key}", hint)
            yield Violation(hit, (op.label, key, "unknown"))
            continue
        if not value or is_placeholder(value) or "{" in value:
            continue
        schema = target.contract.schemas.resolve(param.schema)
        typed = _typed(value, schema)
        for error in target.contract.schemas.value_errors(param.schema, typed):
            hit = Hit(
                request.url_pos,
                f"{key}={value} is not allowed by {op.label}: {_short(error.message)}",
                _hint(error),
            )
            yield Violation(hit, (key, value, error.keyword))
            break


_BOOLEAN_WORDS = {"true": True, "false": False, "on": True, "off": False, "yes": True, "no": False}


def _free_form(params: tuple[Any, ...]) -> bool:
    """An object-typed query parameter (`style: form, explode`) takes any key."""
    return any(isinstance(p.schema, dict) and p.schema.get("type") == "object" for p in params)


def _typed(value: str, schema: Any) -> Any:
    """A query value as the schema's type would read it ("5" for an integer is 5); with no
    type, as its enum's values are typed (`enum: [10, 20]`, YAML's `on`/`off` booleans)."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    kinds = kind if isinstance(kind, list) else [kind]
    enum = schema.get("enum") if isinstance(schema, dict) else None
    if kind is None and isinstance(enum, list):
        for option in enum:
            if isinstance(option, bool) and value.lower() in _BOOLEAN_WORDS:
                return _BOOLEAN_WORDS[value.lower()]
            if not isinstance(option, bool) and isinstance(option, int | float):
                try:
                    return type(option)(value)
                except ValueError:
                    continue
        return value
    if "array" in kinds:
        return [_typed(v, schema.get("items") or {}) for v in value.split(",")]
    if "integer" in kinds and value.lstrip("-").isdigit():
        return int(value)
    if "number" in kinds:
        try:
            return float(value)
        except ValueError:
            return value
    if "boolean" in kinds and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value
