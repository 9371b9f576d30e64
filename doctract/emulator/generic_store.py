"""The generic emulator's state: items by concrete collection path, singleton values by path,
and the ids, etags and clock it hands out. No HTTP and no contract: plain values in and out.

Items live under their concrete collection path (`/indexes/movies/documents`), so deleting an
item (`/indexes/movies`) deletes everything stored under its path as well.
"""

from __future__ import annotations

import copy
import hashlib
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # the deterministic clock's start


@dataclass
class Item:
    value: Any
    etag: str


@dataclass
class GenericStore:
    deterministic: bool = False
    collections: dict[str, dict[str, Item]] = field(default_factory=dict)
    states: dict[str, Any] = field(default_factory=dict)
    counter: int = 0
    sequences: dict[str, int] = field(default_factory=dict)

    def reset(self) -> None:
        """Forget everything (in place: the behaviours hold this store)."""
        self.collections.clear()
        self.states.clear()
        self.sequences.clear()
        self.counter = 0

    # --- identities, etags, clock -----------------------------------------------------------

    def tick(self) -> int:
        self.counter += 1
        return self.counter

    def new_uuid(self) -> str:
        n = self.tick()
        if self.deterministic:
            digest = hashlib.sha256(f"doctract:{n}".encode()).digest()
            return str(uuid.UUID(bytes=digest[:16], version=4))
        return str(uuid.uuid4())

    def next_number(self, collection: str) -> int:
        """Sequential integer ids per collection template, from 1."""
        self.tick()
        self.sequences[collection] = self.sequences.get(collection, 0) + 1
        return self.sequences[collection]

    def new_etag(self) -> str:
        n = self.tick()
        seed = f"{n}" if self.deterministic else f"{n}:{time.time_ns()}"
        return '"' + hashlib.sha256(seed.encode()).hexdigest()[:16] + '"'

    def now(self) -> str:
        if self.deterministic:
            moment = _EPOCH + timedelta(seconds=self.counter)
        else:
            moment = datetime.now(UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    # --- items ------------------------------------------------------------------------------

    def items(self, path: str) -> dict[str, Item]:
        return self.collections.get(path, {})

    def get(self, path: str, key: str) -> Item | None:
        return self.collections.get(path, {}).get(key)

    def put(self, path: str, key: str, value: Any) -> Item:
        item = Item(copy.deepcopy(value), self.new_etag())
        self.collections.setdefault(path, {})[key] = item
        return item

    def remove(self, path: str, key: str) -> None:
        self.collections.get(path, {}).pop(key, None)
        self.remove_under(f"{path}/{key}")

    def clear(self, path: str) -> None:
        for key in list(self.collections.get(path, {})):
            self.remove(path, key)

    def remove_under(self, prefix: str) -> None:
        """Everything stored below a path: an item's nested collections and singletons."""
        below = prefix.rstrip("/") + "/"
        for path in [p for p in self.collections if p.startswith(below)]:
            del self.collections[path]
        for path in [p for p in self.states if p.startswith(below) or p == prefix]:
            del self.states[path]
