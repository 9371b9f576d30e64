"""Rules about placeholder names: API format vs parameter table, and across the doc set."""

from __future__ import annotations

from collections.abc import Iterator

from doctract.checks.registry import Hit, rule
from doctract.corpus import Corpus, DocSet, placeholder_fields
from doctract.extractors.jsonparse import locate
from doctract.findings import Severity
from doctract.model import Pos, Tutorial
from doctract.rule_ids import PLACEHOLDER_INCONSISTENT, PLACEHOLDER_MISMATCH
from doctract.urls import placeholder_name, placeholder_names


def cell_name(cell: str) -> str:
    """The name a table's first cell documents, without Markdown emphasis or code marks."""
    return cell.strip().strip("`*_ ").strip()


@rule(PLACEHOLDER_MISMATCH, Severity.WARNING)
def placeholder_mismatch(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A parameter table documents a placeholder that the step's API format does not use.

    For example the API format says `DELETE /connections/{CONNECTION_ID}` while the table
    below it explains `{BASE_CONNECTION_ID}`.
    """
    for step in tutorial.steps:
        fmt = step.api_format
        if fmt is None:
            continue
        used = set(placeholder_names(fmt.path + "?" + fmt.query))
        for table in step.tables:
            for row in table.rows:
                name = cell_name(row.cells[0]) if row.cells else ""
                documented = placeholder_name(name)
                if documented and documented not in used:
                    listed = ", ".join(f"{{{u}}}" for u in sorted(used)) or "no placeholder"
                    yield Hit(
                        row.pos,
                        f"the table documents {name} but the API format uses {listed}",
                        "use the same placeholder name in both",
                        f"API format (line {fmt.pos.line})",
                    )


@rule(PLACEHOLDER_INCONSISTENT, Severity.INFO)
def placeholder_inconsistent(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A header or body field uses a placeholder name that the rest of the doc set names otherwise.

    E.g. `x-gw-ims-org-id: {IMS_ORG}` where the other tutorials write `{ORG_ID}`: readers and
    the replay configuration then need two names for one value.
    """
    reported: set[tuple[str, str]] = set()
    for step in tutorial.steps:
        for request in step.requests:
            for header in request.headers:
                for name in placeholder_names(header.value):
                    key = header.name.lower()
                    hit = corpus.ask(DocSet.usual_placeholder, "header", key, name)
                    if hit and (key, name) not in reported:
                        reported.add((key, name))
                        yield _hit(header.pos, f"header {header.name}", name, hit)
            if request.body is None or not request.body.valid:
                continue
            for path, field_name, where in placeholder_fields(request.body):
                hit = corpus.ask(DocSet.usual_placeholder, "field", path, field_name)
                if hit and (path, field_name) not in reported:
                    reported.add((path, field_name))
                    yield _hit(locate(request.body, where), f"field {path}", field_name, hit)


def _hit(pos: Pos, what: str, name: str, usual: tuple[str, int]) -> Hit:
    return Hit(
        pos,
        f"{what} uses {{{name}}} where {usual[1]} other tutorials use {{{usual[0]}}}",
        f"rename it to {{{usual[0]}}}",
    )
