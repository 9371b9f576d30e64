"""Rules comparing the endpoint a step documents in its API format, prose and curl URL."""

from __future__ import annotations

from collections.abc import Iterator

from doctract.checks.registry import Hit, rule
from doctract.corpus import Corpus
from doctract.findings import Severity
from doctract.model import Tutorial
from doctract.rule_ids import API_FORMAT_MISMATCH, PROSE_ENDPOINT_MISMATCH, UNKNOWN_OPERATION
from doctract.urls import PLACEHOLDER, path_matches, query_pairs, split_url, template_regex


@rule(API_FORMAT_MISMATCH, Severity.ERROR, supersedes=(UNKNOWN_OPERATION,))
def api_format_mismatch(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """The curl request does not call what the step's API format line says.

    Compares the method, the path (the URL must end with the API-format path, placeholders
    matching any segment) and each query parameter of the API format, e.g. a missing
    `?mode=draft`, or `/mappingSets` where the API format says `/conversion/mappingSets`.
    """
    for step in tutorial.steps:
        fmt = step.api_format
        if fmt is None:
            continue
        stated = f"{fmt.method} {fmt.path}" + (f"?{fmt.query}" if fmt.query else "")
        evidence = f"API format (line {fmt.pos.line}): {stated}"
        for request in step.requests:
            _, path, query = split_url(request.url)
            if request.method != fmt.method:
                yield Hit(
                    request.pos,
                    f"the request uses {request.method} but the API format says {fmt.method}",
                    f"use -X {fmt.method}",
                    evidence,
                )
            if path and not path_matches(fmt.path, path):
                yield Hit(
                    request.url_pos,
                    f"the URL path {path} does not match the API format path {fmt.path}",
                    f"make the URL end with {fmt.path}",
                    evidence,
                )
            have = dict(query_pairs(query))
            for key, want in query_pairs(fmt.query):
                if key not in have:
                    yield Hit(
                        request.url_pos,
                        f"the URL lacks the query parameter {key}="
                        f"{want} that the API format requires",
                        f"add {'&' if query else '?'}{key}={want} to the URL",
                        evidence,
                    )
                elif not PLACEHOLDER.search(have[key]) and not template_regex(want).match(
                    have[key]
                ):
                    yield Hit(
                        request.url_pos,
                        f"the URL sets {key}={have[key]} but the API format says {key}={want}",
                        f"use {key}={want}",
                        evidence,
                    )


@rule(PROSE_ENDPOINT_MISMATCH, Severity.WARNING)
def prose_endpoint_mismatch(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """The prose says "make a request to the `/x` endpoint" but the curl URL calls another one."""
    for step in tutorial.steps:
        if not step.mentions:
            continue
        for request in step.requests:
            _, path, _ = split_url(request.url)
            if not path:
                continue
            for mention in step.mentions:
                wanted = [s for s in mention.path.split("/") if s and not PLACEHOLDER.search(s)]
                have = path.split("/")
                if wanted and wanted[0] not in have:
                    yield Hit(
                        request.url_pos,
                        f"the prose names the {mention.path} endpoint but the request calls {path}",
                        "make the prose and the URL agree",
                        f"prose (line {mention.pos.line})",
                    )
                    break
