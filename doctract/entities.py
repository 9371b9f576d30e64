"""The Flow Service's collections, and how docs name them in prose."""

from __future__ import annotations

import re

from doctract.urls import segments

COLLECTIONS = (
    "connections",
    "sourceConnections",
    "targetConnections",
    "flows",
    "runs",
    "connectionSpecs",
    "flowSpecs",
    "mappingSets",
)
_PHRASES = (
    (re.compile(r"\bbase connections?\b|\bconnection\b(?! spec)|\baccount\b", re.I), "connections"),
    (re.compile(r"\bsource connections?\b", re.I), "sourceConnections"),
    (re.compile(r"\btarget connections?\b", re.I), "targetConnections"),
    (re.compile(r"\b(?:data)?flows?\b(?! spec)", re.I), "flows"),
    (re.compile(r"\bmappings?(?: sets?)?\b", re.I), "mappingSets"),
)
ID_FIELDS = {
    "baseConnectionId": "connections",
    "sourceConnectionIds": "sourceConnections",
    "targetConnectionIds": "targetConnections",
    "sourceConnectionId": "sourceConnections",
    "targetConnectionId": "targetConnections",
    "flowId": "flows",
    "mappingId": "mappingSets",
}


def collection_in_text(text: str) -> str | None:
    """The collection a heading talks about ("Publish your draft source connection")."""
    found = None
    best = -1
    for pattern, collection in _PHRASES:
        for m in pattern.finditer(text):
            # the most specific phrase wins: "source connection" beats "connection"
            if len(m.group()) > best:
                best = len(m.group())
                found = collection
    return found


def collections_in_path(path: str) -> list[tuple[str, str | None]]:
    """[(collection, id-or-None)] for each known collection segment of a path."""
    segs = segments(path)
    found = []
    for i, seg in enumerate(segs):
        if seg in COLLECTIONS:
            nxt = segs[i + 1] if i + 1 < len(segs) else None
            found.append((seg, nxt if nxt not in COLLECTIONS and nxt != "action" else None))
    return found


def action_target(path: str) -> tuple[str, int] | None:
    """For `/x/{id}/action`, the collection x and its segment index."""
    segs = segments(path)
    if len(segs) >= 3 and segs[-1] == "action":
        return segs[-3], len(segs) - 3
    return None
