"""Request bodies as the emulators read them: JSON parsed with a bound on nesting."""

from __future__ import annotations

import json
from typing import Any

from doctract.emulator.errors import ApiError

MAX_JSON_DEPTH = 64  # deeper bodies are refused (400) before validation recurses into them


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (iteratively: no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def parse_json(raw: bytes) -> Any:
    """The parsed body; 400 when it is not JSON or nests too deeply."""
    try:
        body = json.loads(raw)
    except RecursionError:
        raise ApiError(400, "the request body is JSON nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}") from None
    if depth(body) > MAX_JSON_DEPTH:
        raise ApiError(400, f"the request body is JSON nested over {MAX_JSON_DEPTH} levels deep")
    return body
