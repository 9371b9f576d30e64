"""Rules comparing property tables with the bodies they describe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from doctract.checks.placeholders import cell_name
from doctract.checks.registry import Hit, rule
from doctract.corpus import Corpus
from doctract.extractors.jsonparse import keys_in
from doctract.findings import Severity
from doctract.model import JsonDoc, Tutorial
from doctract.rule_ids import TABLE_FIELD_MISSING
from doctract.urls import PLACEHOLDER, query_pairs, split_url

_FIELD_TABLE_HEADS = frozenset({"property", "parameter", "field", "attribute", "name", "key"})


@rule(TABLE_FIELD_MISSING, Severity.WARNING)
def table_field_missing(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A property table documents a field that the example body does not have.

    The table and the example drifted apart: either the body lost the field or the table
    describes another API version. Fields of the step's response examples count too.
    """
    for step in tutorial.steps:
        docs = [r.body for r in step.requests if r.body is not None] + list(step.request_bodies)
        if not docs:
            continue
        docs += [r.body for r in step.responses if r.body is not None]
        query_keys = {k for r in step.requests for k, _ in query_pairs(split_url(r.url)[2])}
        if step.api_format is not None:
            query_keys |= {k for k, _ in query_pairs(step.api_format.query)}
        for table in step.tables:
            if not table.header or cell_name(table.header[0]).lower() not in _FIELD_TABLE_HEADS:
                continue
            rows = [
                (row, name)
                for row in table.rows
                if (name := cell_name(row.cells[0]).rstrip(".") if row.cells else "")
                and " " not in name
                and "=" not in name
                and not PLACEHOLDER.search(name)
                and name not in query_keys
            ]
            missing = [
                (row, name) for row, name in rows if not any(_has_field(d, name) for d in docs)
            ]
            # a table that mostly documents fields the example lacks describes the schema (all
            # the fields one may send), not this example: only drift from the example counts
            drifted = any(
                "." in name and any(_has_field(d, name.rsplit(".", 1)[0]) for d in docs)
                for _, name in missing
            )  # `mappings.sourceAttribute` beside the example's `mappings`: this body drifted
            if len(missing) * 2 > len(rows) and not drifted:
                continue
            for row, name in missing:
                yield Hit(
                    row.pos,
                    f"the table documents `{name}` but the example body has no such field",
                    "document the fields the body has, or add it",
                )


def _has_field(doc: JsonDoc, dotted: str) -> bool:
    """The field is in the body: from the top, or nested (a table may describe the fields of
    one object of the body, `system` for `prompts.system`)."""
    parts = dotted.split(".")
    if not doc.valid:
        return set(parts) <= keys_in(doc)
    return _path_anywhere(doc.value, parts)


def _path_anywhere(value: Any, parts: list[str]) -> bool:
    if _path_exists(value, parts):
        return True
    if isinstance(value, dict):
        return any(_path_anywhere(v, parts) for v in value.values())
    if isinstance(value, list):
        return any(_path_anywhere(v, parts) for v in value)
    return False


def _path_exists(value: Any, parts: list[str]) -> bool:
    if not parts:
        return True
    if isinstance(value, list):
        return any(_path_exists(item, parts) for item in value)
    if isinstance(value, dict):
        head = parts[0].removesuffix("[]")
        return head in value and _path_exists(value[head], parts[1:])
    return False
