"""What a live run left behind on a Flow Service: the entities in each collection."""

from __future__ import annotations

import requests

from doctract.profiles.flow_service import BASE_PATH, ENTITY_COLLECTIONS

_HEADERS = {
    "Authorization": "Bearer doctract-inventory",
    "x-api-key": "doctract-inventory",
    "x-gw-ims-org-id": "DOCTRACT@AdobeOrg",
    "x-sandbox-name": "prod",
}


def left_behind(base: str) -> dict[str, int]:
    """Entities per collection (the emulator's own; a sandbox needs real credentials)."""
    counts = {}
    with requests.Session() as http:
        for collection in ENTITY_COLLECTIONS:
            url = f"{base.rstrip('/')}{BASE_PATH}/{collection}"
            for _ in range(10):  # the faults apply to this listing too
                try:
                    response = http.get(url, headers=_HEADERS, timeout=10)
                except requests.RequestException:
                    continue
                if response.status_code == 200:
                    counts[collection] = len(response.json().get("items", []))
                    break
            else:
                raise RuntimeError(f"cannot list {collection} at {base}")
    return counts
