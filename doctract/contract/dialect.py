"""OpenAPI schema objects as JSON Schema 2020-12, so one validator serves 3.0 and 3.1.

OpenAPI 3.0 writes `nullable: true` and boolean `exclusiveMinimum`/`exclusiveMaximum`; 3.1 is
JSON Schema already. Only schema positions are rewritten (a property *named* `nullable` is left
alone): component schemas, parameter, header and media-type schemas, and what nests in them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from doctract.contract.pointers import MAX_HOPS, lookup

_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONES = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def as_json_schema(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the document whose schema objects are JSON Schema 2020-12."""
    if str(document.get("openapi", "")).startswith("3.1"):
        return document
    out = dict(document)
    components = document.get("components")
    if isinstance(components, dict):
        comps = dict(components)
        if isinstance(comps.get("schemas"), dict):
            comps["schemas"] = {k: convert(v) for k, v in comps["schemas"].items()}
        for section in ("parameters", "headers"):
            if isinstance(comps.get(section), dict):
                comps[section] = {k: _with_schema(v) for k, v in comps[section].items()}
        for section in ("requestBodies", "responses"):
            if isinstance(comps.get(section), dict):
                comps[section] = {k: _with_content(v) for k, v in comps[section].items()}
        out["components"] = comps
    paths = document.get("paths")
    if isinstance(paths, dict):
        out["paths"] = {k: _path_item(local_path_item(document, v)) for k, v in paths.items()}
    return out


def local_path_item(document: dict[str, Any], item: Any) -> Any:
    """A path item written as a local `$ref` (`#/components/pathItems/Pets`), followed; a
    remote one (another file) is left as it is: its operations are unknown."""
    hops = 0
    while isinstance(item, dict) and isinstance(item.get("$ref"), str) and hops < MAX_HOPS:
        ref = item["$ref"]
        target = lookup(document, ref[1:]) if ref.startswith("#/") else None
        if not isinstance(target, dict):
            return item
        item, hops = {**target, **{k: v for k, v in item.items() if k != "$ref"}}, hops + 1
    return item


def opaque_templates(document: dict[str, Any]) -> list[str]:
    """Path templates whose path item doctract cannot read (a remote `$ref`): requests to
    them are neither matched nor reported."""
    return [
        str(template)
        for template, item in (document.get("paths") or {}).items()
        if isinstance(item, dict) and isinstance(item.get("$ref"), str)
    ]


def _path_item(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    out = dict(item)
    if isinstance(item.get("parameters"), list):
        out["parameters"] = [_with_schema(p) for p in item["parameters"]]
    for method in METHODS:
        op = item.get(method)
        if not isinstance(op, dict):
            continue
        new = dict(op)
        if isinstance(op.get("parameters"), list):
            new["parameters"] = [_with_schema(p) for p in op["parameters"]]
        if "requestBody" in op:
            new["requestBody"] = _with_content(op["requestBody"])
        if isinstance(op.get("responses"), dict):
            new["responses"] = {k: _with_content(v) for k, v in op["responses"].items()}
        out[method] = new
    return out


def _with_schema(obj: Any) -> Any:
    if not isinstance(obj, dict) or "schema" not in obj:
        return _with_content(obj)
    out = dict(obj)
    out["schema"] = convert(obj["schema"])
    return out


def _with_content(obj: Any) -> Any:
    if not isinstance(obj, dict):
        return obj
    out = dict(obj)
    if isinstance(obj.get("content"), dict):
        out["content"] = {k: _with_schema(v) for k, v in obj["content"].items()}
    if isinstance(obj.get("headers"), dict):
        out["headers"] = {k: _with_schema(v) for k, v in obj["headers"].items()}
    return out


def convert(schema: Any) -> Any:
    """One OpenAPI 3.0 schema object as JSON Schema 2020-12."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    for key in _SCHEMA_MAPS:
        if isinstance(out.get(key), dict):
            out[key] = {k: convert(v) for k, v in out[key].items()}
    for key in _SCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [convert(v) for v in out[key]]
    for key in _SCHEMA_ONES:
        if isinstance(out.get(key), dict):
            out[key] = convert(out[key])
    for bound in ("Minimum", "Maximum"):
        flag = out.get(f"exclusive{bound}")
        if isinstance(flag, bool):
            del out[f"exclusive{bound}"]
            if flag and bound.lower() in out:
                out[f"exclusive{bound}"] = out.pop(bound.lower())
    if out.pop("nullable", False) is True:
        out = _nullable(out)
    return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
    elif kind is None:
        return {"anyOf": [schema, {"type": "null"}]}
    if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    return schema


def operations(
    document: dict[str, Any],
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(template, METHOD, path item, operation) for every operation of the document."""
    for template, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict) or "$ref" in item:
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield str(template), method.upper(), item, op
