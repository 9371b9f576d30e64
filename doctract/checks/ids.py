"""Rules that follow ids and etags from step to step, in the order a reader runs them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from doctract.checks.registry import Hit, rule
from doctract.corpus import Corpus, DocSet, ids_in
from doctract.extractors.jsonparse import locate
from doctract.findings import Severity
from doctract.model import CurlRequest, JsonDoc, Pos, Step, Tutorial
from doctract.rule_ids import (
    API_FORMAT_MISMATCH,
    ETAG_UNCHANGED,
    ID_NOT_FROM_EARLIER_STEP,
    ID_UNKNOWN,
    ID_WRONG_COLLECTION,
    IF_MATCH_STALE,
    IF_MATCH_UNQUOTED,
    PROSE_ENDPOINT_MISMATCH,
    UNKNOWN_OPERATION,
)
from doctract.urls import HEX_ID, UUID, query_pairs, split_url
from doctract.vocabulary import Vocabulary

_WRITE_METHODS = frozenset({"PATCH", "PUT"})


@dataclass(frozen=True, slots=True)
class IdRef:
    """An id a request uses; its position inside a body is located only when reported."""

    id: str
    collection: str | None
    where: Pos | tuple[JsonDoc, tuple[str | int, ...]]

    @property
    def pos(self) -> Pos:
        if isinstance(self.where, Pos):
            return self.where
        doc, path = self.where
        return locate(doc, path)


@dataclass(frozen=True)
class Trail:
    """What the reader has seen before a step: ids produced, entities created, latest etags.
    Each step gives a new trail (`after`), so the trails of a walk can be kept and shared."""

    produced: frozenset[str] = frozenset()
    created: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    etags: dict[str, tuple[str, JsonDoc]] = field(default_factory=dict)

    def after(self, step: Step, vocabulary: Vocabulary) -> Trail:
        produced = set(self.produced)
        produced |= _ids(step.prose)
        for table in step.tables:
            for row in table.rows:
                produced |= _ids(" ".join(row.cells))
        created = self.created
        etags = self.etags
        collection: str | None = None
        looked_up = False  # the step's created collection, found for its first entity
        for response in step.responses:
            body = response.body
            if body is None or not body.valid:
                continue
            produced |= _ids(body.text)
            entity = _entity_of(body.value)
            if entity is None:
                continue
            entity_id, etag = entity
            if not looked_up:
                collection, looked_up = _created_collection(step, vocabulary), True
            acted_on = any(entity_id in r.url.lower() for r in step.requests)
            if collection and entity_id and not acted_on:  # an action answers with its entity
                made = (*created.get(collection, ()), (entity_id, response.pos.line))
                created = {**created, collection: made}
            if entity_id and etag:
                etags = {**etags, entity_id: (etag, body)}
        return Trail(frozenset(produced), created, etags)


@lru_cache(maxsize=1024)  # a few documents' texts: memory stays flat on large doc sets
def _ids(text: str) -> frozenset[str]:
    """The ids in a text (a query, a prose block), found once for the rules that ask."""
    return frozenset(ids_in(text))


def clear_cache() -> None:
    _ids.cache_clear()


def _entity_of(value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict) and isinstance(value.get("items"), list) and value["items"]:
        value = value["items"][0]
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        return None
    etag = value.get("etag")
    return value["id"].lower(), _bare_etag(etag) if isinstance(etag, str) else ""


def _etag_line(doc: JsonDoc) -> int:
    if isinstance(doc.value, dict) and "items" in doc.value:
        return locate(doc, ["items", 0, "etag"]).line
    return locate(doc, ["etag"]).line


def _bare_etag(text: str) -> str:
    text = text.strip()
    if text.startswith("W/"):
        text = text[2:]
    return text.strip('"').strip("\\").strip('"')


def _created_collection(step: Step, vocabulary: Vocabulary) -> str | None:
    for request in step.requests:
        if request.method != "POST":
            continue
        found = vocabulary.collections_in_path(split_url(request.url)[1])
        if found and found[-1][1] is None:
            return found[-1][0]
    return None


def _is_id(text: str) -> bool:
    return bool(UUID.fullmatch(text) or HEX_ID.fullmatch(text))


def references(request: CurlRequest, vocabulary: Vocabulary) -> Iterator[IdRef]:
    """Entity ids a request uses: in its path, its query, and id fields of its body."""
    _, path, query = split_url(request.url)
    for collection, entity_id in vocabulary.collections_in_path(path):
        if entity_id and _is_id(entity_id) and collection not in vocabulary.lookups:
            yield IdRef(entity_id.lower(), collection, request.url_pos)
    for found in sorted(_ids(query)):
        yield IdRef(found, _query_collection(query, vocabulary), request.url_pos)
    body = request.body
    if body is not None and body.valid:
        yield from _body_refs(body, body.value, [], vocabulary)


def _query_collection(query: str, vocabulary: Vocabulary) -> str | None:
    """The collection of the id a query filters by (`property=flowId==...`)."""
    for key, value in query_pairs(query):
        for name in (key, value.split("==", 1)[0] if "==" in value else ""):
            if name and (collection := vocabulary.collection_of_field(name)):
                return collection
    return None


def _body_refs(
    doc: JsonDoc, value: Any, path: list[str | int], vocabulary: Vocabulary
) -> Iterator[IdRef]:
    if isinstance(value, dict):
        for key, item in value.items():
            collection = vocabulary.collection_of_field(key)
            values = item if isinstance(item, list) else [item]
            if collection is not None:
                for index, one in enumerate(values):
                    if isinstance(one, str) and _is_id(one):
                        where = (*path, key, index) if isinstance(item, list) else (*path, key)
                        yield IdRef(one.lower(), collection, (doc, where))
            else:
                yield from _body_refs(doc, item, [*path, key], vocabulary)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _body_refs(doc, item, [*path, index], vocabulary)


def _walk(tutorial: Tutorial, corpus: Corpus) -> list[tuple[Step, Trail]]:
    """Each step with what the reader has seen before it; walked once for the five rules."""

    def walk() -> list[tuple[Step, Trail]]:
        vocabulary = corpus.api.vocabulary
        trail = Trail()
        steps = []
        for step in tutorial.steps:
            steps.append((step, trail))
            trail = trail.after(step, vocabulary)
        return steps

    return corpus.memo(tutorial, "ids.walk", walk)


def _references(request: CurlRequest, tutorial: Tutorial, corpus: Corpus) -> list[IdRef]:
    """The ids a request uses (found once per tutorial for the rules that follow them)."""

    def every() -> dict[int, list[IdRef]]:
        vocabulary = corpus.api.vocabulary
        return {
            id(request): list(references(request, vocabulary))
            for step in tutorial.steps
            for request in step.requests
        }

    refs: dict[int, list[IdRef]] = corpus.memo(tutorial, "ids.references", every)
    return refs[id(request)]


@rule(ID_NOT_FROM_EARLIER_STEP, Severity.WARNING)
def id_not_from_earlier_step(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request uses an id other than the one the tutorial created for that entity earlier.

    E.g. the tutorial creates base connection `7038...` and later updates `139f...`: a reader
    following the steps gets 404, and a replay cannot chain the ids.
    """
    for hit, _ in _id_hits(tutorial, corpus):
        if hit is not None:
            yield hit


@rule(ID_UNKNOWN, Severity.INFO)
def id_unknown(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request uses an id that no earlier response, table, prose or spec lookup produced.

    Usually a prerequisite from another tutorial; worth a link so readers know where it comes
    from, and a replay needs it configured.
    """
    for _, hit in _id_hits(tutorial, corpus):
        if hit is not None:
            yield hit


def _id_hits(tutorial: Tutorial, corpus: Corpus) -> list[tuple[Hit | None, Hit | None]]:
    return corpus.memo(tutorial, "ids.hits", lambda: list(_find_id_hits(tutorial, corpus)))


def _find_id_hits(tutorial: Tutorial, corpus: Corpus) -> Iterator[tuple[Hit | None, Hit | None]]:
    seen: set[str] = set()
    for step, trail in _walk(tutorial, corpus):
        for request in step.requests:
            for ref in _references(request, tutorial, corpus):
                if ref.id in seen or ref.id in trail.produced:
                    continue
                if corpus.ask(DocSet.looked_up, ref.id):
                    continue
                seen.add(ref.id)
                created = trail.created.get(ref.collection or "")
                if created:
                    made, line = created[-1]
                    yield (
                        Hit(
                            ref.pos,
                            f"the request uses {ref.collection} id {ref.id}, but the "
                            f"tutorial created {made} (line {line})",
                            f"use {made}, the id returned earlier",
                        ),
                        None,
                    )
                else:
                    what = f"{ref.collection} id" if ref.collection else "id"
                    yield (
                        None,
                        Hit(
                            ref.pos,
                            f"the {what} {ref.id} comes from no earlier step of this tutorial",
                            "say where the reader gets this id",
                        ),
                    )


@rule(
    ID_WRONG_COLLECTION,
    Severity.ERROR,
    supersedes=(API_FORMAT_MISMATCH, PROSE_ENDPOINT_MISMATCH, UNKNOWN_OPERATION),
)
def id_wrong_collection(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request uses, under one collection, an id the tutorial created in another.

    E.g. the id that the POST to `/sourceConnections` returned, sent to
    `/connections/{id}/action`: the API answers 404. Collections come from the contract's path
    templates (and the profile's id fields).
    """
    vocabulary = corpus.api.vocabulary
    for step, trail in _walk(tutorial, corpus):
        made_in = {
            entity_id: (collection, line)
            for collection, made in trail.created.items()
            for entity_id, line in made
        }
        for request in step.requests:
            for ref in _references(request, tutorial, corpus):
                origin = made_in.get(ref.id)
                if ref.collection is None or origin is None or origin[0] == ref.collection:
                    continue
                if ref.collection not in trail.created and ref.collection not in (
                    vocabulary.collections
                ):
                    continue  # a collection only guessed from a field's name (no contract)
                yield Hit(
                    ref.pos,
                    f"{ref.id} is a {origin[0]} id (created at line {origin[1]}) but the "
                    f"request uses it as a {ref.collection} id",
                    f"use the {ref.collection} id, or send it to /{origin[0]}",
                )


@rule(IF_MATCH_UNQUOTED, Severity.ERROR)
def if_match_unquoted(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """An If-Match header carries a bare etag; etags are quoted strings and the API rejects it."""
    for step in tutorial.steps:
        for request in step.requests:
            header = request.header("If-Match")
            if header is None:
                continue
            value = header.value.strip()
            if value.startswith(('"', 'W/"', '\\"')) or value == "*":
                continue
            if value.startswith("{") and value.endswith("}"):
                continue  # a placeholder that stands for the quoted etag
            yield Hit(
                header.pos,
                f"the If-Match etag {value} is not quoted",
                f"write -H 'If-Match: \"{value}\"'",
            )


@rule(IF_MATCH_STALE, Severity.WARNING)
def if_match_stale(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """An If-Match etag differs from the latest etag the tutorial showed for that entity.

    Following the steps, the API answers 412 Precondition Failed.
    """
    vocabulary = corpus.api.vocabulary
    for step, trail in _walk(tutorial, corpus):
        for request in step.requests:
            header = request.header("If-Match")
            if header is None:
                continue
            ids = [i for c, i in vocabulary.collections_in_path(split_url(request.url)[1]) if i]
            if not ids or ids[-1].lower() not in trail.etags:
                continue
            want, shown = trail.etags[ids[-1].lower()]
            have = _bare_etag(header.value)
            if have and "{" not in have and have != want:
                line = _etag_line(shown)
                yield Hit(
                    header.pos,
                    f"If-Match {have} is not the etag the tutorial showed for "
                    f"this entity ({want}, line {line})",
                    f'use "{want}"',
                )


@rule(ETAG_UNCHANGED, Severity.WARNING)
def etag_unchanged(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """An update or action response shows the same etag the entity had before the change.

    Every write gives an entity a new etag; a response example that repeats the old one was
    copied, and readers who reuse it in If-Match get 412.
    """
    for step, trail in _walk(tutorial, corpus):
        writes = [
            r
            for r in step.requests
            if r.method in _WRITE_METHODS or split_url(r.url)[1].endswith("/action")
        ]
        if not writes:
            continue
        for response in step.responses:
            body = response.body
            if body is None or not body.valid:
                continue
            entity = _entity_of(body.value)
            if entity is None or not entity[1] or entity[0] not in trail.etags:
                continue
            before, shown = trail.etags[entity[0]]
            if before == entity[1]:
                line = _etag_line(shown)
                where: list[str | int] = ["items", 0, "etag"] if "items" in body.value else ["etag"]
                yield Hit(
                    locate(body, where),
                    f"the {writes[0].method} response repeats the "
                    f"etag {before} shown before the change (line {line})",
                    "show a new etag in the response example",
                )
