"""Which side is most likely wrong when a replayed request diverges: the doc, the API or the
contract. The three are compared together:

- the doc's request or response example breaks the contract and the API's response conforms:
  the doc (stale or broken);
- the API's response breaks the contract and the doc conforms: the API (a regression);
- the doc and the API break the contract the same way (the same field, the same claim, or the
  same undeclared status): the contract.

Anything else (both break it differently, neither does) names no side. The doc's side is
checked with the contract's own validators, as lint does (a response example may leave out
required fields: docs abbreviate); the API's side with the same validators plus schemathesis'
verdict on the whole response.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from doctract.contract import Contract, Operation

DOC, API, CONTRACT = "the doc", "the API", "the contract"


@dataclass(frozen=True, slots=True)
class Evidence:
    """What one request shows of each side."""

    doc_request: Any = None  # the doc's request body, parsed (None: none, or not JSON)
    doc_example: Any = None  # the doc's response example, parsed (None: the doc shows none)
    doc_status: int | None = None  # the status the doc states (None: it states none)
    live_status: int | None = None
    live_body: Any = None
    api_violation: str | None = None  # schemathesis' summary when the response breaks it


@dataclass(frozen=True, slots=True)
class Verdict:
    side: str  # DOC, API or CONTRACT
    reason: str

    def hint(self, hint: str) -> str:
        """The finding's hint with the verdict first."""
        return f"most likely {self.side} is wrong: {self.reason}" + (f"; {hint}" if hint else "")


@dataclass(frozen=True, slots=True)
class _Break:
    signature: tuple[Any, ...]  # the same on both sides when they make the same claim
    text: str


def judge(contract: Contract, operation: Operation, evidence: Evidence) -> Verdict | None:
    doc = _doc_breaks(contract, operation, evidence)
    api = _api_breaks(contract, operation, evidence)
    if api and not doc:
        return Verdict(API, f"its response breaks the contract ({api[0].text}), the doc conforms")
    if doc and not api:
        return Verdict(
            DOC, f"its example breaks the contract ({doc[0].text}), the API's response conforms"
        )
    shared = [b for b in doc if b.signature in {a.signature for a in api}]
    if shared:
        return Verdict(
            CONTRACT,
            f"the doc and the API agree where the contract differs ({shared[0].text})",
        )
    return None


def _doc_breaks(contract: Contract, op: Operation, evidence: Evidence) -> list[_Break]:
    found: list[_Break] = []
    if evidence.doc_status is not None and not op.declares_status(evidence.doc_status):
        found.append(_status(op, evidence.doc_status))
    media = next((m for m in op.body if m.schema and _json(m.media)), None)
    if media is not None and media.schema and evidence.doc_request is not None:
        for error in contract.schemas.errors(media.schema, evidence.doc_request, "request"):
            found.append(_Break(("request", error.path, error.keyword), _text("request", error)))
    if evidence.doc_example is not None:
        status = evidence.doc_status if evidence.doc_status is not None else evidence.live_status
        pointer = _response_pointer(op, status)
        if pointer:
            for error in contract.schemas.errors(pointer, evidence.doc_example, "response"):
                if error.keyword != "required":  # examples abbreviate
                    found.append(_response_break(error))
    return found


def _api_breaks(contract: Contract, op: Operation, evidence: Evidence) -> list[_Break]:
    if evidence.live_status is None:
        return []
    found: list[_Break] = []
    if op.statuses and not op.declares_status(evidence.live_status):
        found.append(_status(op, evidence.live_status))
    pointer = _response_pointer(op, evidence.live_status)
    if pointer and evidence.live_body is not None:
        found += [
            _response_break(e)
            for e in contract.schemas.errors(pointer, evidence.live_body, "response")
        ]
    if not found and evidence.api_violation:
        found.append(_Break(("schemathesis",), evidence.api_violation))
    return found


def _status(op: Operation, status: int) -> _Break:
    declared = ", ".join(op.statuses) or "none"
    return _Break(("status", status), f"status {status} is not declared: {declared}")


def _response_break(error: Any) -> _Break:
    return _Break(("response", error.path, error.keyword, error.claim), _text("", error))


def _text(where: str, error: Any) -> str:
    field = f"{where} {error.field}".strip() if where else error.field
    message = error.message if len(error.message) <= 120 else error.message[:119] + "…"
    return f"{field}: {message}"


def _response_pointer(op: Operation, status: int | None) -> str | None:
    declared = op.response(status)
    if declared is None:
        return None
    return next((m.schema for m in declared[1] if m.schema and _json(m.media)), None)


def _json(media: str) -> bool:
    media = media.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json") or media == "*/*"
