"""Rules about what a documented request sends: headers and host."""

from __future__ import annotations

from collections.abc import Iterator

from doctract.checks.registry import Hit, rule
from doctract.corpus import Corpus
from doctract.findings import Severity
from doctract.model import Tutorial
from doctract.urls import split_url

REQUIRED_HEADERS = ("Authorization", "x-api-key", "x-gw-ims-org-id", "x-sandbox-name")
_INTERNAL_MARKERS = ("-int.", "-stage.", "-dev.", "-qa.", "localhost", "internal", "127.0.0.1")


@rule("missing-header", Severity.ERROR)
def missing_header(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request lacks a header the API requires.

    Always Authorization, x-api-key, x-gw-ims-org-id and x-sandbox-name (configurable as
    `required-headers`); Content-Type when the request has a body; If-Match on PATCH.
    """
    required = corpus.required_headers or REQUIRED_HEADERS
    for step in tutorial.steps:
        for request in step.requests:
            if any(d.code == "curl-unbalanced-quote" for d in request.diagnostics):
                continue  # the headers after an open quote are not headers; one defect, one finding
            needed = list(required)
            if request.body_text is not None:
                needed.append("Content-Type")
            if request.method == "PATCH":
                needed.append("If-Match")
            for name in needed:
                if request.header(name) is None:
                    yield Hit(
                        request.pos,
                        f"the {request.method} request has no {name} header",
                        f"add -H '{name}: {_example(name)}'",
                    )


def _example(name: str) -> str:
    return {
        "authorization": "Bearer {ACCESS_TOKEN}",
        "x-api-key": "{API_KEY}",
        "x-gw-ims-org-id": "{ORG_ID}",
        "x-sandbox-name": "{SANDBOX_NAME}",
        "content-type": "application/json",
        "if-match": '"{ETAG}"',
    }.get(name.lower(), "{VALUE}")


@rule("host-mismatch", Severity.WARNING)
def host_mismatch(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request goes to another host than the one the doc set uses everywhere else.

    Typically an internal or staging host (`platform-int.adobe.io`) that readers cannot reach.
    The usual host is the most common request host across all linted docs, or `host` in config.
    """
    usual = corpus.expected_host or corpus.usual_host
    if usual is None:
        return
    for step in tutorial.steps:
        for request in step.requests:
            host = split_url(request.url)[0].lower()
            if not host or host == usual or "{" in host:
                continue
            internal = any(m in host for m in _INTERNAL_MARKERS)
            kind = "an internal host" if internal else "a host"
            yield Hit(
                request.url_pos,
                f"the request goes to {kind} {host}, not to {usual}",
                f"use https://{usual}",
            )
