"""Facts gathered across every tutorial of a run, for the cross-document rules.

The usual API host, the placeholder name each header and body field usually gets, the ids that
spec lookups return, and the JSON Schemas that connection-spec and flow-spec responses publish.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from doctract.model import CurlRequest, JsonDoc, Pos, Tutorial
from doctract.urls import HEX_ID, UUID, placeholder_name, placeholder_names, split_url


@dataclass(frozen=True, slots=True)
class PublishedSchema:
    schema: dict[str, Any]
    path: str
    pos: Pos

    @property
    def where(self) -> str:
        return f"{self.path}:{self.pos.line}"


@dataclass
class Corpus:
    hosts: Counter[str] = field(default_factory=Counter)
    header_placeholders: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    field_placeholders: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    lookup_ids: set[str] = field(default_factory=set)
    auth_specs: dict[tuple[str, str], PublishedSchema] = field(default_factory=dict)
    source_specs: dict[str, PublishedSchema] = field(default_factory=dict)
    schedule_specs: dict[str, PublishedSchema] = field(default_factory=dict)
    transformation_specs: dict[tuple[str, str], PublishedSchema] = field(default_factory=dict)
    required_headers: tuple[str, ...] = ()
    expected_host: str | None = None

    @property
    def usual_host(self) -> str | None:
        if not self.hosts:
            return None
        (host, count), *rest = self.hosts.most_common(2)
        return host if not rest or count > rest[0][1] else None

    @classmethod
    def build(
        cls,
        tutorials: Sequence[Tutorial],
        required_headers: Sequence[str] = (),
        expected_host: str | None = None,
    ) -> Corpus:
        corpus = cls(required_headers=tuple(required_headers), expected_host=expected_host)
        for tutorial in tutorials:
            corpus.add(tutorial)
        return corpus

    def add(self, tutorial: Tutorial) -> None:
        seen_headers: set[tuple[str, str]] = set()
        seen_fields: set[tuple[str, str]] = set()
        for step in tutorial.steps:
            for request in step.requests:
                host = split_url(request.url)[0]
                if host and "{" not in host:
                    self.hosts[host.lower()] += 1
                for header in request.headers:
                    for name in placeholder_names(header.value):
                        seen_headers.add((header.name.lower(), name))
                if request.body is not None and request.body.valid:
                    for path, value, _ in leaf_strings(request.body.value):
                        field_name = placeholder_name(value)
                        if field_name:
                            seen_fields.add((path, field_name))
                if _is_lookup(request):
                    for response in step.responses:
                        if response.body is not None and response.body.valid:
                            self._add_lookup(response.body, tutorial.path)
        for key, name in seen_headers:
            self.header_placeholders[key][name] += 1
        for key, name in seen_fields:
            self.field_placeholders[key][name] += 1

    def _add_lookup(self, body: JsonDoc, path: str) -> None:
        self.lookup_ids.update(ids_in(body.text))
        items = body.value.get("items") if isinstance(body.value, dict) else None
        if not isinstance(items, list):
            return
        from doctract.extractors.jsonparse import locate

        for index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            spec_id = item["id"]
            for a_index, auth in enumerate(item.get("authSpec") or []):
                if isinstance(auth, dict) and isinstance(auth.get("spec"), dict):
                    pos = locate(body, ["items", index, "authSpec", a_index])
                    key = (spec_id, str(auth.get("name", "")))
                    self.auth_specs[key] = PublishedSchema(auth["spec"], path, pos)
            source = item.get("sourceSpec")
            if isinstance(source, dict) and isinstance(source.get("spec"), dict):
                pos = locate(body, ["items", index, "sourceSpec"])
                self.source_specs[spec_id] = PublishedSchema(source["spec"], path, pos)
            schedule = item.get("scheduleSpec")
            if isinstance(schedule, dict) and isinstance(schedule.get("spec"), dict):
                pos = locate(body, ["items", index, "scheduleSpec"])
                self.schedule_specs[spec_id] = PublishedSchema(schedule["spec"], path, pos)
            for t_index, trans in enumerate(item.get("transformationSpecs") or []):
                if isinstance(trans, dict) and isinstance(trans.get("spec"), dict):
                    pos = locate(body, ["items", index, "transformationSpecs", t_index])
                    key = (spec_id, str(trans.get("name", "")))
                    self.transformation_specs[key] = PublishedSchema(trans["spec"], path, pos)


def _is_lookup(request: CurlRequest) -> bool:
    path = split_url(request.url)[1]
    return request.method == "GET" and ("/connectionSpecs" in path or "/flowSpecs" in path)


def ids_in(text: str) -> set[str]:
    return {m.group().lower() for m in UUID.finditer(text)} | set(HEX_ID.findall(text))


def leaf_strings(
    value: Any, prefix: str = "", where: tuple[str | int, ...] = ()
) -> Iterator[tuple[str, str, list[str | int]]]:
    """(dotted.path, string, exact path) for every string leaf; the dotted path omits indexes."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_strings(item, f"{prefix}.{key}" if prefix else str(key), (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_strings(item, prefix, (*where, index))
    elif isinstance(value, str):
        yield prefix, value, list(where)
