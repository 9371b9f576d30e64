"""The nouns of an API: its collections, the path parameters and body fields that carry their
ids, and the lookups that publish ids. Learned from the contract's path templates, completed by
the profile; without either, a path segment followed by an id-like segment is a collection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from doctract.urls import HEX_ID, UUID, is_placeholder, segments

_KEPT = 1024  # answers kept (a few documents' paths and fields: memory stays flat)
_ID_SUFFIX = re.compile(r"^(?P<stem>.+?)(?:Ids?|_ids?|_uids?|Uids?)$")


@dataclass(frozen=True)
class Vocabulary:
    collections: frozenset[str] = frozenset()  # empty: not known, guess from id-like segments
    param_collections: Mapping[str, str] = field(
        default_factory=dict
    )  # connectionId -> connections
    id_fields: Mapping[str, str] = field(default_factory=dict)  # body field -> collection
    lookups: frozenset[str] = frozenset()  # collections whose GETs publish ids

    # answers kept per path and per field name: every id rule asks again about each URL
    _paths: dict[str, tuple[tuple[str, str | None], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _fields: dict[str, str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def collections_in_path(self, path: str) -> tuple[tuple[str, str | None], ...]:
        """((collection, id-or-None), ...) for each collection segment of a path."""
        known = self._paths
        found = known.get(path)
        if found is None:
            if len(known) >= _KEPT:
                known.clear()
            found = known[path] = tuple(self._collections_in_path(path))
        return found

    def _collections_in_path(self, path: str) -> list[tuple[str, str | None]]:
        segs = segments(path)
        found: list[tuple[str, str | None]] = []
        for i, seg in enumerate(segs):
            nxt = segs[i + 1] if i + 1 < len(segs) else None
            if self.collections:
                if seg in self.collections:
                    entity = nxt if nxt not in self.collections and nxt != "action" else None
                    found.append((seg, entity))
            elif _id_like(seg):
                continue
            elif nxt is not None and _id_like(nxt):
                found.append((seg, nxt))
            elif nxt is None:  # `POST /things` creates a thing: the last segment names them
                found.append((seg, None))
        return found

    def collection_of_field(self, key: str) -> str | None:
        """The collection whose ids a body field holds (`flowId`, `sourceConnectionIds`)."""
        known = self._fields
        if key not in known:
            if len(known) >= _KEPT:
                known.clear()
            known[key] = self._collection_of_field(key)
        return known[key]

    def _collection_of_field(self, key: str) -> str | None:
        if key in self.id_fields:
            return self.id_fields[key]
        singular = key[:-1] if key.endswith(("Ids", "_ids", "_uids", "Uids")) else key
        if singular in self.param_collections:
            return self.param_collections[singular]
        if self.collections:
            return None
        # no contract: `flowId` and `targetConnectionIds` name the flows and targetConnections
        stem = _ID_SUFFIX.match(key)
        return f"{stem.group('stem')}s" if stem else None


def _id_like(seg: str) -> bool:
    return bool(
        UUID.fullmatch(seg)
        or HEX_ID.fullmatch(seg)
        or is_placeholder(seg)
        or (seg.startswith("{") and seg.endswith("}"))
    )
