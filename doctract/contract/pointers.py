"""JSON pointers into an OpenAPI document, and the local `$ref`s that use them."""

from __future__ import annotations

from typing import Any

MAX_HOPS = 32  # a chain of references longer than this is a cycle


def pointer(*parts: str) -> str:
    """A JSON pointer from unescaped parts."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def parts(at: str) -> list[str]:
    """A JSON pointer's unescaped parts (`/paths/~1pets/get` -> `paths`, `/pets`, `get`):
    what `pointer` was made from."""
    if not at.strip("/"):
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in at.lstrip("/").split("/")]


def lookup(document: Any, at: str) -> Any:
    """The node a JSON pointer (`/components/schemas/Pet`) names, or None."""
    node = document
    for part in parts(at):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def follow(document: Any, obj: Any, where: str) -> tuple[Any, str]:
    """Follow local `$ref`s (`#/components/...`); (object, its pointer). A reference doctract
    cannot follow (another file, nothing there) gives ({}, where): nothing is checked
    against it."""
    hops = 0
    while isinstance(obj, dict) and isinstance(obj.get("$ref"), str) and hops < MAX_HOPS:
        ref = obj["$ref"]
        if not ref.startswith("#/"):
            return {}, where
        target = lookup(document, ref[1:])
        if target is None:
            return {}, where
        obj, where, hops = target, ref[1:], hops + 1
    return obj, where
