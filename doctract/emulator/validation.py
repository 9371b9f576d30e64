"""Request validation against the OpenAPI document: parameters and JSON bodies.

The emulator must reject what the contract rejects, with a message a doc author can act on.
Parameter and body schemas come straight from the spec and are checked with jsonschema (the
spec is OpenAPI 3.1, so its schemas are JSON Schema 2020-12); this module only maps request
parts to those schemas and converts query/header strings to the declared types.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from doctract.emulator.errors import ApiError

_METHODS = ("get", "post", "put", "patch", "delete")
SPEC_URI = "urn:doctract:flow-service"


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "query", "header" or "path"
    required: bool
    validator: Draft202012Validator
    types: tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    parameters: tuple[Parameter, ...]
    body: Draft202012Validator | None
    body_required: bool
    statuses: frozenset[str]


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def compile_operations(spec: dict[str, Any]) -> list[Operation]:
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec))

    def validator(schema: dict[str, Any]) -> Draft202012Validator:
        return Draft202012Validator(_rebase(schema), registry=registry)

    operations = []
    for template, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = []
            for raw in [*shared, *op.get("parameters", [])]:
                param = _resolve(spec, raw)
                schema = param.get("schema", {})
                types = schema.get("type", "string")
                params.append(
                    Parameter(
                        param["name"],
                        param["in"],
                        bool(param.get("required")),
                        validator(schema),
                        tuple(types) if isinstance(types, list) else (types,),
                    )
                )
            body = None
            body_required = False
            if "requestBody" in op:
                request_body = _resolve(spec, op["requestBody"])
                body_required = bool(request_body.get("required"))
                body = validator(request_body["content"]["application/json"]["schema"])
            pattern = re.compile(
                "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
            )
            operations.append(
                Operation(
                    op["operationId"],
                    method.upper(),
                    template,
                    pattern,
                    tuple(params),
                    body,
                    body_required,
                    frozenset(op.get("responses", {})),
                )
            )
    return operations


def _rebase(schema: Any) -> Any:
    """Make the spec's local `#/components/...` references resolve inside the registry."""
    if isinstance(schema, dict):
        return {
            k: (
                f"{SPEC_URI}{v}"
                if k == "$ref" and isinstance(v, str) and v.startswith("#")
                else _rebase(v)
            )
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema


def _convert(value: str, types: tuple[str, ...]) -> Any:
    if "integer" in types and re.fullmatch(r"-?\d+", value):
        return int(value)
    if "number" in types:
        try:
            return float(value)
        except ValueError:
            return value
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    return value


def validate_request(
    operation: Operation,
    path_params: Mapping[str, str],
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: Any,
    has_body: bool,
) -> None:
    """Raise a 400 ApiError listing every way the request breaks the contract."""
    errors: list[dict[str, str]] = []
    declared = {p.name for p in operation.parameters if p.location == "query"}
    for name in sorted(set(query) - declared):
        errors.append(
            {
                "path": f"query.{name}",
                "message": f"unknown query parameter {name!r}"
                + (f" (this endpoint takes {', '.join(sorted(declared))})" if declared else ""),
            }
        )
    sources = {"path": path_params, "query": query, "header": headers}
    for param in operation.parameters:
        source = sources.get(param.location, {})
        key = param.name.lower() if param.location == "header" else param.name
        raw = source.get(key)
        if raw is None:
            if param.required:
                errors.append(
                    {
                        "path": f"{param.location}.{param.name}",
                        "message": f"the required {param.location} parameter "
                        f"{param.name} is missing",
                    }
                )
            continue
        value = _convert(raw, param.types)
        for error in param.validator.iter_errors(value):
            errors.append(
                {
                    "path": f"{param.location}.{param.name}",
                    "message": f"{param.name}: {error.message}",
                }
            )
    if operation.body is not None:
        if not has_body:
            if operation.body_required:
                errors.append({"path": "body", "message": "a JSON request body is required"})
        else:
            for error in sorted(operation.body.iter_errors(body), key=lambda e: list(e.path)):
                where = "/".join(str(p) for p in error.path)
                errors.append(
                    {"path": f"body/{where}" if where else "body", "message": error.message}
                )
    if errors:
        summary = "; ".join(e["message"] for e in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise ApiError(400, f"the request does not match the API contract: {summary}{more}", errors)
