"""Flow Service rules about where a step sends its action (publish, enable, ...)."""

from __future__ import annotations

from collections.abc import Iterator

from doctract.checks.registry import Hit, rule
from doctract.corpus import Corpus
from doctract.findings import Severity
from doctract.model import Step, Tutorial
from doctract.profiles.flow_service.rule_ids import PUBLISH_ENDPOINT_MISMATCH
from doctract.rule_ids import (
    API_FORMAT_MISMATCH,
    ID_WRONG_COLLECTION,
    PROSE_ENDPOINT_MISMATCH,
    UNKNOWN_PARAMETER,
)
from doctract.urls import query_pairs, segments, split_url

PROFILE = "flow-service"


def action_target(path: str) -> tuple[str, int] | None:
    """For `/x/{id}/action`, the collection x and its segment index."""
    segs = segments(path)
    if len(segs) >= 3 and segs[-1] == "action":
        return segs[-3], len(segs) - 3
    return None


def step_entity(step: Step, corpus: Corpus) -> str | None:
    """The collection a step is about: its heading first, then its API format."""
    named = corpus.api.profile.collection_in_text(step.title)
    if named:
        return named
    if step.api_format is not None:
        found = corpus.api.vocabulary.collections_in_path(step.api_format.path)
        if found:
            return found[-1][0]
    return None


@rule(
    PUBLISH_ENDPOINT_MISMATCH,
    Severity.ERROR,
    supersedes=(
        API_FORMAT_MISMATCH,
        PROSE_ENDPOINT_MISMATCH,
        UNKNOWN_PARAMETER,
        ID_WRONG_COLLECTION,
    ),
    profile=PROFILE,
)
def publish_endpoint_mismatch(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """An action (publish, enable, ...) is sent to another collection than the step's entity.

    For example `/connections/{id}/action?op=publish` in a section about source connections:
    the API answers 404 because the id is not a base connection.
    """
    for step in tutorial.steps:
        entity = step_entity(step, corpus)
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
