"""Values from JSON Schemas: a minimal valid instance of a schema, and a value made to fit one.

The generic emulator answers with what it stored, what the contract documents (examples) and,
where neither says enough, with values it builds from the schema. `build` prefers what the
contract writes (`const`, `example(s)`, `default`, `enum`) and otherwise the smallest value of
the declared type that meets its bounds; formats that mean time or identity (`date-time`,
`uuid`) take fresh values from the engine's clock and id source. `conform` keeps as much of a
value as the schema allows and rebuilds the rest, so every answer passes the contract's own
response schema even where its examples do not (a published example that breaks its schema is
a contract defect; the emulator answers the nearest valid value instead).

Schemas are addressed by JSON pointer into the contract document (already JSON Schema 2020-12,
see `doctract.contract.dialect`) so that every `$ref` resolves and validators are cached.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from doctract.contract.pointers import follow, lookup, pointer
from doctract.contract.validation import Schemas

_ROOT = "urn:doctract:emulator"
MAX_DEPTH = 12  # deeper schemas (recursive ones) are built as their smallest value
_TYPE_OF = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


def _write_only(
    validator: Any, value: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if value is True:
        yield ValidationError("is write-only: the API never returns it")


_RESPONSE: Any = extend(Draft202012Validator, {"writeOnly": _write_only})  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class Fresh:
    """Where values that must differ each time come from: the engine's clock and ids."""

    now: Callable[[], str]  # an RFC 3339 date-time
    uuid: Callable[[], str]


def json_type(value: Any) -> str:
    return _TYPE_OF.get(type(value), "object")


class SchemaValues:
    """Builds and fits values for the schemas of one contract document."""

    def __init__(self, document: dict[str, Any], schemas: Schemas, fresh: Fresh) -> None:
        self.document = document
        self.schemas = schemas
        self.fresh = fresh
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_ROOT, resource)
        self._validators: dict[str, Any] = {}

    # --- reading schemas --------------------------------------------------------------------

    def resolve(self, at: str) -> tuple[dict[str, Any], str]:
        """The schema at a pointer with its `$ref`s followed, and the pointer it ends at."""
        node, where = follow(self.document, lookup(self.document, at), at)
        return (node if isinstance(node, dict) else {}), where

    def valid(self, at: str, value: Any) -> bool:
        """Whether a response value passes the schema as a client checks it: formats
        asserted (`uuid`, `date-time`), write-only properties absent."""
        validator = self._validators.get(at)
        if validator is None:
            schema = {"$ref": f"{_ROOT}#{at}"}
            validator = _RESPONSE(
                schema, registry=self._registry, format_checker=_RESPONSE.FORMAT_CHECKER
            )
            self._validators[at] = validator
        try:
            return bool(validator.is_valid(value))
        except Exception:  # an unresolvable or broken schema: nothing to fit to
            return True

    def types(self, at: str) -> list[str]:
        schema, _ = self.resolve(at)
        kind = schema.get("type")
        if isinstance(kind, str):
            return [kind]
        if isinstance(kind, list):
            return [str(k) for k in kind]
        if "properties" in schema or "required" in schema:
            return ["object"]
        if "items" in schema or "prefixItems" in schema:
            return ["array"]
        return []

    def properties(self, at: str) -> dict[str, str]:
        """Declared property names -> their schema pointers (allOf branches included)."""
        schema, where = self.resolve(at)
        found: dict[str, str] = {}
        for index, branch in enumerate(schema.get("allOf") or []):
            if isinstance(branch, dict):
                found.update(self.properties(f"{where}/allOf/{index}"))
        for name in schema.get("properties") or {}:
            found[str(name)] = f"{where}{pointer('properties', str(name))}"
        return found

    def required(self, at: str) -> set[str]:
        schema, where = self.resolve(at)
        names = {str(n) for n in schema.get("required") or [] if isinstance(n, str)}
        for index, branch in enumerate(schema.get("allOf") or []):
            if isinstance(branch, dict):
                names |= self.required(f"{where}/allOf/{index}")
        return names

    def items(self, at: str) -> str | None:
        schema, where = self.resolve(at)
        if isinstance(schema.get("items"), dict):
            return f"{where}/items"
        return None

    def closed(self, at: str) -> bool:
        """Whether the schema refuses properties it does not declare."""
        schema, _ = self.resolve(at)
        return schema.get("additionalProperties") is False or (
            schema.get("unevaluatedProperties") is False
        )

    # --- building ---------------------------------------------------------------------------

    def build(self, at: str, depth: int = 0) -> Any:
        """A valid instance of the schema at `at`: what the contract documents, else the
        smallest value of its type."""
        schema, where = self.resolve(at)
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        for candidate in _documented(schema):
            if self.valid(where, candidate):
                return copy.deepcopy(candidate)
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return copy.deepcopy(next((v for v in enum if v is not None), enum[0]))
        if depth > MAX_DEPTH:
            return None if "null" in self.types(where) else _smallest(self.types(where))
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                pointers = [f"{where}/{key}/{i}" for i in range(len(branches))]
                index = next((i for i, p in enumerate(pointers) if self.types(p) != ["null"]), 0)
                return self.build(pointers[index], depth + 1)
        kinds = self.types(where)
        kind = next((k for k in kinds if k != "null"), kinds[0] if kinds else "object")
        if kind == "object":
            return self._build_object(where, depth)
        if kind == "array":
            item = self.items(where)
            count = int(schema.get("minItems") or 0)
            return [self.build(item, depth + 1) if item else None for _ in range(count)]
        if kind == "string":
            return self._build_string(schema)
        if kind in ("integer", "number"):
            return _build_number(schema, kind)
        if kind == "boolean":
            return False
        return None

    def _build_object(self, where: str, depth: int) -> dict[str, Any]:
        props = self.properties(where)
        value: dict[str, Any] = {}
        for name in sorted(self.required(where)):
            value[name] = self.build(props[name], depth + 1) if name in props else None
        for name, at in props.items():
            if name in value:
                continue
            schema, _ = self.resolve(at)
            if any(k in schema for k in ("default", "example", "examples", "const")):
                built = self.build(at, depth + 1)
                if built is not None:
                    value[name] = built
        return value

    def _build_string(self, schema: dict[str, Any]) -> str:
        fmt = schema.get("format")
        if fmt == "date-time":
            text = self.fresh.now()
        elif fmt == "date":
            text = self.fresh.now()[:10]
        elif fmt == "uuid":
            text = self.fresh.uuid()
        elif fmt == "email":
            text = "user@example.com"
        elif fmt in ("uri", "url", "iri", "uri-reference"):
            text = "https://example.com/"
        elif fmt == "ipv4":
            text = "127.0.0.1"
        else:
            text = "string"
        low = int(schema.get("minLength") or 0)
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and not _search(pattern, text):
            high = schema.get("maxLength")
            found = matching(pattern, low, high if isinstance(high, int) else None)
            if found is not None:
                return found
        if len(text) < low:
            text += "x" * (low - len(text))
        high = schema.get("maxLength")
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text

    # --- fitting ----------------------------------------------------------------------------

    def conform(self, at: str, value: Any, depth: int = 0) -> Any:
        """`value` made to pass the schema at `at`: the parts it allows are kept, the others
        dropped (optional properties) or rebuilt (required ones, wrong types)."""
        _, where = self.resolve(at)
        if self.valid(where, value):
            return value
        fitted = self._fit(where, value, depth)
        if self.valid(where, fitted):
            return fitted
        return self.build(where, depth)

    def _fit(self, where: str, value: Any, depth: int) -> Any:
        schema, _ = self.resolve(where)
        if depth > MAX_DEPTH:
            return self.build(where, depth)
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                mine = json_type(value)
                for index in range(len(branches)):
                    branch = f"{where}/{key}/{index}"
                    if mine in self.types(branch) or (
                        mine == "integer" and "number" in self.types(branch)
                    ):
                        return self.conform(branch, value, depth + 1)
                return self.build(where, depth)
        kinds = self.types(where)
        mine = json_type(value)
        if kinds and mine not in kinds and not (mine == "integer" and "number" in kinds):
            return self.build(where, depth)
        if isinstance(value, dict):
            return self._fit_object(where, value, depth)
        if isinstance(value, list):
            item = self.items(where)
            kept = [self.conform(item, v, depth + 1) for v in value] if item else list(value)
            high = schema.get("maxItems")
            return kept[:high] if isinstance(high, int) else kept
        return self.build(where, depth)

    def _fit_object(self, where: str, value: dict[str, Any], depth: int) -> dict[str, Any]:
        props = self.properties(where)
        closed = self.closed(where)
        fitted: dict[str, Any] = {}
        for name, item in value.items():
            if name in props:
                schema, _ = self.resolve(props[name])
                if schema.get("writeOnly") is True:
                    continue
                fitted[name] = self.conform(props[name], item, depth + 1)
            elif not closed:
                fitted[name] = item
        for name in self.required(where) - set(fitted):
            fitted[name] = self.build(props[name], depth + 1) if name in props else None
        return fitted


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return True  # a pattern Python cannot read: nothing to match


@lru_cache(maxsize=256)
def matching(pattern: str, low: int = 0, high: int | None = None) -> str | None:
    """The simplest string a regular expression accepts (within the length bounds), found
    the way hypothesis finds a minimal example: deterministic, and None when there is none."""
    from hypothesis import find, settings  # imported when a pattern needs it: it is heavy
    from hypothesis import strategies as st

    def fits(text: str) -> bool:
        return len(text) >= low and (high is None or len(text) <= high)

    try:
        return str(
            find(
                st.from_regex(pattern),
                fits,
                settings=settings(database=None, max_examples=200, deadline=None),
            )
        )
    except Exception:  # NoSuchExample, a pattern hypothesis cannot read
        return None


def _documented(schema: dict[str, Any]) -> list[Any]:
    found = []
    if "example" in schema:
        found.append(schema["example"])
    examples = schema.get("examples")
    if isinstance(examples, list):
        found.extend(examples)
    if "default" in schema:
        found.append(schema["default"])
    return found


def _smallest(kinds: list[str]) -> Any:
    kind = next((k for k in kinds if k != "null"), "object")
    return {"object": {}, "array": [], "string": "", "integer": 0, "number": 0, "boolean": False}[
        kind
    ]


def _build_number(schema: dict[str, Any], kind: str) -> int | float:
    low = schema.get("minimum")
    above = schema.get("exclusiveMinimum")
    high = schema.get("maximum")
    value: float = 0
    if isinstance(low, int | float) and value < low:
        value = low
    if isinstance(above, int | float) and value <= above:
        value = above + 1 if kind == "integer" else above + 0.5
    below = schema.get("exclusiveMaximum")
    if isinstance(high, int | float) and value > high:
        value = high
    if isinstance(below, int | float) and value >= below:
        value = below - 1 if kind == "integer" else below - 0.5
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step > 0 and value % step:
        value = (value // step + 1) * step
    return int(value) if kind == "integer" else float(value)
