"""Rules comparing the endpoint a step documents in its API format, prose and curl URL."""

from __future__ import annotations

from collections.abc import Iterator

from doctract.checks.registry import Hit, rule
from doctract.corpus import Corpus
from doctract.entities import action_target, collection_in_text, collections_in_path
from doctract.findings import Severity
from doctract.model import Step, Tutorial
from doctract.urls import PLACEHOLDER, path_matches, query_pairs, split_url, template_regex


def step_entity(step: Step) -> str | None:
    """The collection a step is about: its heading first, then its API format."""
    named = collection_in_text(step.title)
    if named:
        return named
    if step.api_format is not None:
        found = collections_in_path(step.api_format.path)
        if found:
            return found[-1][0]
    return None


@rule("api-format-mismatch", Severity.ERROR)
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


@rule(
    "publish-endpoint-mismatch",
    Severity.ERROR,
    supersedes=("api-format-mismatch", "prose-endpoint-mismatch"),
)
def publish_endpoint_mismatch(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """An action (publish, enable, ...) is sent to another collection than the step's entity.

    For example `/connections/{id}/action?op=publish` in a section about source connections:
    the API answers 404 because the id is not a base connection.
    """
    for step in tutorial.steps:
        entity = step_entity(step)
        if entity is None:
            continue
        for request in step.requests:
            _, path, _ = split_url(request.url)
            target = action_target(path)
            if target is None or target[0] == entity:
                continue
            op = dict(query_pairs(split_url(request.url)[2])).get("op", "the action")
            yield Hit(
                request.url_pos,
                f"{op} is sent to /{target[0]}/ but this step is about {entity}",
                f"use /{entity}/{{ID}}/action",
                f"heading: {step.title}",
            )


@rule("prose-endpoint-mismatch", Severity.WARNING)
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
