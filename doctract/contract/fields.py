"""What a schema says about the fields of the bodies it describes: the properties an object
declares (through `$ref` and `allOf`/`anyOf`/`oneOf`), and the fields whose values change from
call to call by their format (`date-time`, `uuid`, ...), wherever they nest."""

from __future__ import annotations

from typing import Any

from doctract.contract.model import Operation
from doctract.contract.pointers import follow, lookup

# formats whose values a server makes up on each call: never compared by value
VOLATILE_FORMATS = frozenset({"date-time", "date", "time", "uuid"})
_COMBINATORS = ("allOf", "anyOf", "oneOf")
_MAX_DEPTH = 32


def response_schema(document: Any, operation: Operation, status: int | None) -> Any:
    """The JSON schema of the response the operation declares for `status`, or None."""
    declared = operation.response(status)
    if declared is None:
        return None
    _, media = declared
    pointer = next((m.schema for m in media if m.schema and "json" in m.media.lower()), None)
    pointer = pointer or next((m.schema for m in media if m.schema), None)
    return lookup(document, pointer) if pointer else None


def properties(document: Any, schema: Any) -> dict[str, dict[str, Any]]:
    """The properties an object schema declares, its combinators' included (first one wins),
    each with its own `$ref` followed."""
    found: dict[str, dict[str, Any]] = {}
    _collect(document, schema, found, 0)
    return found


def _collect(document: Any, schema: Any, found: dict[str, dict[str, Any]], depth: int) -> None:
    schema, _ = follow(document, schema, "")
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return
    for name, sub in (schema.get("properties") or {}).items():
        resolved, _ = follow(document, sub, "")
        if isinstance(resolved, dict):
            found.setdefault(str(name), _merged(resolved, sub))
    for key in _COMBINATORS:
        for branch in schema.get(key) or ():
            _collect(document, branch, found, depth + 1)


def _merged(resolved: dict[str, Any], written: Any) -> dict[str, Any]:
    """A property's schema as it reads: its `$ref`'s target with the keywords written beside
    the reference (`readOnly`, `format`, ...) on top."""
    if isinstance(written, dict) and written is not resolved:
        return {**resolved, **{k: v for k, v in written.items() if k != "$ref"}}
    return resolved


def is_volatile(schema: dict[str, Any]) -> bool:
    fmt = schema.get("format")
    return isinstance(fmt, str) and fmt in VOLATILE_FORMATS


def volatile_fields(document: Any, schema: Any) -> frozenset[str]:
    """Names of the fields (at any depth) whose schema gives a volatile format."""
    found: set[str] = set()
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(schema, 0)]
    while stack:
        node, depth = stack.pop()
        node, _ = follow(document, node, "")
        if not isinstance(node, dict) or id(node) in seen or depth > _MAX_DEPTH:
            continue
        seen.add(id(node))
        for name, sub in (node.get("properties") or {}).items():
            resolved, _ = follow(document, sub, "")
            if isinstance(resolved, dict) and is_volatile(_merged(resolved, sub)):
                found.add(str(name))
            stack.append((sub, depth + 1))
        for key in _COMBINATORS:
            stack += [(branch, depth + 1) for branch in node.get(key) or ()]
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                stack.append((node[key], depth + 1))
    return frozenset(found)
