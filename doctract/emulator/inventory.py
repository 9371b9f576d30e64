"""What a live run left behind on the emulator: the items in every collection a POST creates
in, as the emulator's contract lists them (Flow Service entities and Data Prep mapping sets)."""

from __future__ import annotations

from typing import Any

import requests

from doctract.specs import load_spec

_HEADERS = {
    "Authorization": "Bearer doctract-inventory",
    "x-api-key": "doctract-inventory",
    "x-gw-ims-org-id": "DOCTRACT@AdobeOrg",
    "x-sandbox-name": "prod",
}


def creatable_collections(spec: dict[str, Any]) -> tuple[str, ...]:
    """The paths a POST creates items under and a GET lists them from (with operations on an
    item path below them)."""
    paths = spec.get("paths", {})
    return tuple(
        path
        for path, item in paths.items()
        if "post" in item
        and "get" in item
        and any(
            other.startswith(f"{path}/{{") and other.count("/") == path.count("/") + 1
            for other in paths
        )
    )


def left_behind(base: str) -> dict[str, int]:
    """Items per collection (the emulator's own; a sandbox needs real credentials)."""
    counts = {}
    with requests.Session() as http:
        for path in creatable_collections(load_spec()):
            url = f"{base.rstrip('/')}{path}"
            for _ in range(10):  # the faults apply to this listing too
                try:
                    response = http.get(url, headers=_HEADERS, timeout=10)
                except requests.RequestException:
                    continue
                if response.status_code == 200:
                    counts[path.rsplit("/", 1)[-1]] = len(_items(response.json()))
                    break
            else:
                raise RuntimeError(f"cannot list {path} at {base}")
    return counts


def _items(body: Any) -> list[Any]:
    """A listing's entries: `items` (Flow Service) or `data` (Data Prep)."""
    if isinstance(body, dict):
        for key in ("items", "data"):
            if isinstance(body.get(key), list):
                return list(body[key])
    return []
