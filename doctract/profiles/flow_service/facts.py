"""The JSON Schemas that Flow Service connection-spec and flow-spec lookups publish.

A connection spec publishes `authSpec[].spec` and `sourceSpec.spec`; a flow spec publishes
`scheduleSpec.spec` and `transformationSpecs[].spec`. Tutorials that create a connection or a
flow with that spec id must send parameters those schemas accept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from doctract.extractors.jsonparse import locate
from doctract.model import CurlRequest, JsonDoc, Pos, Tutorial
from doctract.profile import Facts
from doctract.urls import split_url

LOOKUPS = frozenset({"connectionSpecs", "flowSpecs"})


@dataclass(frozen=True, slots=True)
class PublishedSchema:
    schema: dict[str, Any]
    path: str
    pos: Pos

    @property
    def where(self) -> str:
        return f"{self.path}:{self.pos.line}"


@dataclass
class SpecFacts:
    auth_specs: dict[tuple[str, str], PublishedSchema] = field(default_factory=dict)
    source_specs: dict[str, PublishedSchema] = field(default_factory=dict)
    schedule_specs: dict[str, PublishedSchema] = field(default_factory=dict)
    transformation_specs: dict[tuple[str, str], PublishedSchema] = field(default_factory=dict)

    def add(self, tutorial: Tutorial) -> None:
        for step in tutorial.steps:
            for request in step.requests:
                if not is_lookup(request):
                    continue
                for response in step.responses:
                    if response.body is not None and response.body.valid:
                        self._add_lookup(response.body, tutorial.path)

    def merge(self, other: Facts) -> None:
        """Another document's facts, added after this one's (a later document's schema for
        the same spec wins, as with `add`)."""
        if isinstance(other, SpecFacts):
            self.auth_specs.update(other.auth_specs)
            self.source_specs.update(other.source_specs)
            self.schedule_specs.update(other.schedule_specs)
            self.transformation_specs.update(other.transformation_specs)

    def published_ids(self) -> set[str]:
        ids = {spec_id for spec_id, _ in self.auth_specs}
        ids |= {spec_id for spec_id, _ in self.transformation_specs}
        ids |= set(self.source_specs) | set(self.schedule_specs)
        return {i.lower() for i in ids}

    def _add_lookup(self, body: JsonDoc, path: str) -> None:
        items = body.value.get("items") if isinstance(body.value, dict) else None
        if not isinstance(items, list):
            return
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


def is_lookup(request: CurlRequest) -> bool:
    path = split_url(request.url)[1]
    return request.method == "GET" and any(f"/{name}" in path for name in LOOKUPS)
