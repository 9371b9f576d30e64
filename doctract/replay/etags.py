"""Etags carried in headers: the live `ETag` each item last answered with (where the contract
declares that header), and the doc's `If-Match` values mapped to them.

A doc cannot know the live etag; it shows one of its own and sends it back in `If-Match`. The
first time the doc sends an etag for an item, it stands for the item's current live etag; the
same doc etag sent again later stands for the same live one, so a doc that sends a stale etag
still gets the API's 412, as it would without the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


def _key(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


@dataclass
class Etags:
    current: dict[str, str] = field(default_factory=dict)  # item path -> its latest live etag
    paired: dict[tuple[str, str], str] = field(default_factory=dict)  # (path, doc) -> live

    def saw(self, url: str, etag: str) -> None:
        """The API answered with `ETag: etag` for the item at `url`."""
        if etag.strip():
            self.current[_key(url)] = etag.strip()

    def live(self, url: str, doc_etag: str) -> str | None:
        """The live etag a doc's `If-Match` value stands for at `url`, None when no ETag
        header was seen for that item (the value is then sent as the doc writes it)."""
        key = (_key(url), doc_etag.strip())
        if key not in self.paired:
            current = self.current.get(key[0])
            if current is None:
                return None
            self.paired[key] = current
        return self.paired[key]
