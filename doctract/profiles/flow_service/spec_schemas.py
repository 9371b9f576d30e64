"""Validate request bodies against the JSON Schemas that other docs of the set publish.

A connection-spec lookup publishes `authSpec[].spec` and `sourceSpec.spec`; a flow-spec lookup
publishes `scheduleSpec.spec` and `transformationSpecs[].spec`. A request that names that spec
id must send parameters those schemas accept.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import SchemaError

from doctract.checks.registry import Hit, rule
from doctract.corpus import Corpus, DocSet
from doctract.extractors.jsonparse import locate
from doctract.findings import Severity
from doctract.model import JsonDoc, Tutorial
from doctract.profiles.flow_service.facts import PublishedSchema, SpecFacts
from doctract.profiles.flow_service.rule_ids import SPEC_SCHEMA_VIOLATION
from doctract.urls import ANY_PLACEHOLDER, split_url

PROFILE = "flow-service"


@rule(SPEC_SCHEMA_VIOLATION, Severity.ERROR, profile=PROFILE)
def spec_schema_violation(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A request body breaks the JSON Schema that a spec lookup in the doc set publishes.

    Base connections' `auth.params` are checked against the connection spec's authSpec,
    source connections' `params` against its sourceSpec, flows' `scheduleParams` and
    `transformations[].params` against the flow spec's scheduleSpec and transformationSpecs.
    """
    for step in tutorial.steps:
        for request in step.requests:
            body = request.body
            if request.method != "POST" or body is None or not body.valid:
                continue
            if not isinstance(body.value, dict):
                continue
            path = split_url(request.url)[1].rstrip("/")
            for where, instance, schema, what in _targets(path, body.value, corpus):
                yield from _validate(body, where, instance, schema, what)


def published(docs: DocSet, kind: str, spec_id: str, name: str = "") -> PublishedSchema | None:
    """The schema a spec lookup of the doc set publishes: `kind` is auth, source, schedule or
    transformation; auth and transformation schemas are per name within the spec."""
    facts = docs.profile
    if not isinstance(facts, SpecFacts):
        return None
    if kind == "auth":
        return facts.auth_specs.get((spec_id, name))
    if kind == "transformation":
        return facts.transformation_specs.get((spec_id, name))
    return (facts.source_specs if kind == "source" else facts.schedule_specs).get(spec_id)


def _targets(
    path: str, value: dict[str, Any], corpus: Corpus
) -> Iterator[tuple[list[str | int], Any, PublishedSchema, str]]:
    spec_id = _id_of(value.get("connectionSpec"))
    if path.endswith("/connections") and spec_id:
        auth = value.get("auth")
        if isinstance(auth, dict):
            name = str(auth.get("specName", ""))
            schema = corpus.ask(published, "auth", spec_id, name)
            if schema is not None and "params" in auth:
                yield ["auth", "params"], auth["params"], schema, f"authSpec '{name}'"
    if path.endswith("/sourceConnections") and spec_id:
        schema = corpus.ask(published, "source", spec_id)
        if schema is not None:
            yield ["params"], value.get("params", {}), schema, "sourceSpec"
    flow_spec = _id_of(value.get("flowSpec"))
    if path.endswith("/flows") and flow_spec:
        schema = corpus.ask(published, "schedule", flow_spec) if "scheduleParams" in value else None
        if schema is not None:
            yield ["scheduleParams"], value["scheduleParams"], schema, "scheduleSpec"
        for index, trans in enumerate(value.get("transformations") or []):
            if not isinstance(trans, dict):
                continue
            name = str(trans.get("name", ""))
            schema = corpus.ask(published, "transformation", flow_spec, name)
            if schema is not None and "params" in trans:
                yield (
                    ["transformations", index, "params"],
                    trans["params"],
                    schema,
                    f"transformationSpec '{trans.get('name')}'",
                )


def _id_of(ref: Any) -> str | None:
    if isinstance(ref, dict) and isinstance(ref.get("id"), str):
        return str(ref["id"]).lower()
    return None


def _validate(
    doc: JsonDoc, where: list[str | int], instance: Any, published: PublishedSchema, what: str
) -> Iterator[Hit]:
    try:
        validator = Draft7Validator(published.schema)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    except SchemaError as exc:
        yield Hit(
            doc.pos,
            f"the published {what} is not a valid JSON Schema: {exc.message}",
            "",
            f"schema: {published.where}",
        )
        return
    for error in errors:
        if _is_placeholder_type_error(error.validator, error.instance):
            continue
        loc: Sequence[str | int] = [*where, *error.path]
        field = ".".join(str(p) for p in loc)
        yield Hit(
            locate(doc, loc),
            f"{field} breaks the {what} schema: {error.message}",
            _hint(error.validator, error.validator_value),
            f"schema published at {published.where}",
        )


def _is_placeholder_type_error(kind: Any, instance: Any) -> bool:
    """`"{START_TIME}"` where an integer is due is a template value, not a doc error."""
    return (
        kind in ("type", "enum", "format", "minimum", "maximum")
        and isinstance(instance, str)
        and bool(ANY_PLACEHOLDER.fullmatch(instance))
    )


def _hint(kind: Any, expected: Any) -> str:
    if kind == "required":
        return f"provide {', '.join(map(str, expected))} as the schema names them (case matters)"
    if kind == "type":
        return f"use a JSON {expected}"
    if kind == "enum":
        return f"use one of {', '.join(map(str, expected))}"
    return "make the example satisfy the published schema"
