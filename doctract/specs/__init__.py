"""The API contracts doctract ships: the Flow Service OpenAPI document."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

FLOW_SERVICE = "flow-service.yaml"


def spec_text(name: str = FLOW_SERVICE) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def load_spec(name: str = FLOW_SERVICE) -> dict[str, Any]:
    """The parsed OpenAPI document (cached; treat it as read-only)."""
    data = yaml.safe_load(spec_text(name))
    if not isinstance(data, dict):
        raise ValueError(f"{name} is not an OpenAPI document")
    return data
