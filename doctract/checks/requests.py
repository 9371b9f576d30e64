"""Rules about what a documented request sends: headers and host."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from doctract.checks.registry import Hit, rule
from doctract.contract import Credential, Operation, Target
from doctract.corpus import Corpus, DocSet
from doctract.findings import Severity
from doctract.model import CurlRequest, Tutorial
from doctract.rule_ids import CURL_UNBALANCED_QUOTE, HOST_MISMATCH, MISSING_HEADER
from doctract.urls import is_host_placeholder, query_pairs, split_url

_INTERNAL_MARKERS = ("-int.", "-stage.", "-dev.", "-qa.", "localhost", "internal", "127.0.0.1")
_EXAMPLES = {
    "authorization": "Bearer {ACCESS_TOKEN}",
    "content-type": "application/json",
    "if-match": '"{ETAG}"',
}


@dataclass(frozen=True, slots=True)
class Need:
    """A header (or query credential) a request must send, and who says so."""

    name: str
    example: str
    source: str  # "the contract's security scheme Bearer", "configuration", ...
    location: str = "header"


@rule(MISSING_HEADER, Severity.ERROR)
def missing_header(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request lacks a header the API requires.

    What is required comes from the OpenAPI contract, per operation: the credentials of its
    security requirement (any one alternative satisfies it) and its required header
    parameters, `If-Match` only where the operation declares it; Content-Type when a JSON
    body is sent. `required-headers` in the configuration replaces the contract's list.
    Without a contract, only Authorization, and only where most of the doc set sends it.
    """
    examples = _examples(corpus)
    for step in tutorial.steps:
        for request in step.requests:
            if any(d.code == CURL_UNBALANCED_QUOTE for d in request.diagnostics):
                continue  # the headers after an open quote are not headers; one defect, one finding
            malformed = {name.lower() for name in request.malformed}
            for need in needs(request, corpus, examples):
                if _has(request, need.name, need.location) or need.name.lower() in malformed:
                    continue  # present, or written without ':' (header-syntax says so)
                what = {"query": "query parameter", "cookie": "cookie"}.get(need.location, "header")
                hint = {
                    "query": f"add {need.name}={need.example} to the query",
                    "cookie": f"add -b '{need.name}={need.example}'",
                }.get(need.location, f"add -H '{need.name}: {need.example}'")
                yield Hit(
                    request.pos,
                    f"the {request.method} request has no {need.name} {what}",
                    hint,
                    need.source or None,
                )


def _examples(corpus: Corpus) -> dict[str, str]:
    """Example values of headers, by lower-case name: the profile's credentials' first."""
    return {
        **_EXAMPLES,
        **{k.lower(): v for k, v in corpus.api.profile.credential_examples.items()},
    }


def needs(request: CurlRequest, corpus: Corpus, examples: dict[str, str]) -> list[Need]:
    """What this request must send, by configuration, contract or doc-set convention
    (`examples`: see `_examples`)."""
    found: list[Need] = []
    if corpus.required_headers is not None:
        found += [
            Need(n, examples.get(n.lower(), "{VALUE}"), "required-headers in the configuration")
            for n in corpus.required_headers
        ]
    else:
        target = corpus.resolve(request.method, request.url)
        if target is not None:
            found += _contract_needs(request, target, examples)
        elif (
            not corpus.api.contracts
            and request.header("authorization") is None
            and "authorization" not in {m.lower() for m in request.malformed}
            and corpus.ask(DocSet.mostly_sent, "authorization")
        ):  # asked only where the answer can make a finding
            found.append(
                Need(
                    "Authorization",
                    examples["authorization"],
                    "most requests of the doc set send it",
                )
            )
    if _json_body(request) and not any(n.name.lower() == "content-type" for n in found):
        found.append(Need("Content-Type", "application/json", "the request sends a JSON body"))
    return found


def _contract_needs(request: CurlRequest, target: Target, examples: dict[str, str]) -> list[Need]:
    contract = target.contract
    op: Operation | None = target.operation
    security = op.security if op is not None else contract.shared_security
    headers = op.required_headers() if op is not None else contract.shared_headers
    where = f"{contract.name}: {op.label}" if op is not None else contract.name
    found: list[Need] = []
    if security and not any(all(_has_credential(request, c) for c in alt) for alt in security):
        for cred in security[0]:
            example = examples.get(cred.name.lower()) or cred.example()
            found.append(
                Need(
                    cred.name,
                    example,
                    f"security scheme {cred.scheme} ({where})",
                    cred.location,
                )
            )
    named = {n.name.lower() for n in found}
    for param in headers:
        if param.key in named:
            continue
        found.append(
            Need(
                param.name,
                examples.get(param.key, "{" + param.name.upper().replace("-", "_") + "}"),
                f"required header parameter ({where})",
            )
        )
    return found


def _has_credential(request: CurlRequest, cred: Credential) -> bool:
    return _has(request, cred.name, cred.location)


def _has(request: CurlRequest, name: str, location: str) -> bool:
    """Whether the request sends `name` in the header, query or cookie (`location`)."""
    if location == "query":
        return any(k == name for k, _ in query_pairs(split_url(request.url)[2]))
    if location == "cookie":
        cookie = request.header("Cookie")
        return cookie is not None and f"{name}=" in cookie.value
    return request.header(name) is not None


def _json_body(request: CurlRequest) -> bool:
    if request.body_text is None:
        return False
    text = request.body_text.lstrip()
    return text.startswith(("{", "[")) or (request.body is not None and request.body.valid)


def _domain(host: str) -> str:
    """The registrable part of a host, roughly: `platform-int.adobe.io` -> `adobe.io`."""
    return ".".join(host.split(".")[-2:])


@rule(HOST_MISMATCH, Severity.WARNING)
def host_mismatch(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request goes to another host than the one the doc set uses everywhere else.

    Typically an internal or staging host (`platform-int.adobe.io`) that readers cannot reach:
    a host of the same domain as the usual one, or one that looks internal (`-int.`,
    `localhost`). Another vendor's service (a webhook, a model API) is not reported, unless
    `host` is configured: then every other host is. Without it, the usual host is the most
    common request host across all linted docs.
    """
    expected = corpus.expected_host
    for step in tutorial.steps:
        for request in step.requests:
            written = split_url(request.url)[0]
            host = written.lower()
            if not host or host == expected or is_host_placeholder(written):
                continue
            # with `host` configured every other host is a slip; else the doc set decides
            usual = expected or corpus.ask(slipped_from, host)
            if usual is None:
                continue
            kind = "an internal host" if _internal(host) else "a host"
            yield Hit(
                request.url_pos,
                f"the request goes to {kind} {host}, not to {usual}",
                f"use https://{usual}",
            )


def slipped_from(docs: DocSet, host: str) -> str | None:
    """The doc set's usual host, when a request to `host` is a slip away from it."""
    usual = docs.usual_host()
    if usual is None or host == usual:
        return None
    if not _internal(host) and _domain(host) != _domain(usual):
        return None  # another vendor's service (a webhook, a model API), not a slip
    return usual


def _internal(host: str) -> bool:
    return any(m in host for m in _INTERNAL_MARKERS)
