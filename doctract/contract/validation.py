"""Validating documented bodies and parameter values against the contract's schemas.

One jsonschema validator per schema pointer, built on first use and cached. The document is
registered whole, so every `#/components/...` reference resolves. Requests must not send
`readOnly` properties and responses must not show `writeOnly` ones (OpenAPI's rule for both
versions); placeholders (`"{START_TIME}"`) stand for any value, so a placeholder where a number
or an enum value is due is not an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from doctract.contract.pointers import follow, lookup
from doctract.contract.quick import Check, quick_check
from doctract.urls import ANY_PLACEHOLDER

_ROOT = "urn:doctract:contract"
_VERDICTS = 8192  # schema verdicts kept by content
_TOLERATED_FOR_PLACEHOLDERS = frozenset(
    {
        "type",
        "enum",
        "const",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "pattern",
        "minLength",
        "maxLength",
        "multipleOf",
    }
)


def _read_only(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if value is True:
        yield ValidationError("is read-only: the API sets it, a request must not send it")


def _write_only(
    validator: Any, value: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if value is True:
        yield ValidationError("is write-only: the API never returns it")


_VALIDATORS = {
    "request": extend(Draft202012Validator, {"readOnly": _read_only}),  # type: ignore[no-untyped-call]
    "response": extend(Draft202012Validator, {"writeOnly": _write_only}),  # type: ignore[no-untyped-call]
}


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One way an instance breaks a schema: where (a path into the instance) and why."""

    path: tuple[str | int, ...]
    message: str
    keyword: str
    expected: Any
    claim: str = ""  # what the instance says there: its value for enum/const, else its type

    @property
    def field(self) -> str:
        return ".".join(str(p) for p in self.path) or "the body"


class Schemas:
    """Validators over one contract document (JSON Schema 2020-12)."""

    def __init__(self, document: dict[str, Any]) -> None:
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_ROOT, resource)
        self._document = document
        self._cache: dict[tuple[str, str], Any] = {}
        self._quick: dict[tuple[str, str], Check | None] = {}
        # parameter schemas by identity (kept alive here, so an id is never reused)
        self._values: dict[int, tuple[Any, Any, Check | None]] = {}
        self._verdicts: dict[tuple[str, str, str], list[SchemaError]] = {}

    def validator(self, pointer: str, direction: str) -> Any:
        key = (pointer, direction)
        found = self._cache.get(key)
        if found is None:
            schema = self._inlined(pointer)
            found = _VALIDATORS[direction](schema, registry=self._registry)
            self._cache[key] = found
        return found

    def _inlined(self, pointer: str) -> Any:
        """The schema at `pointer` with its local `$ref`s replaced by what they point at (a
        `$ref` looked up on every validation cost most of the time); a recursive reference
        stays a reference, made absolute."""
        target = self._at(pointer)
        if target is None:
            return {"$ref": f"{_ROOT}#{pointer}"}
        return _inline(target, self._at, (pointer,), 0)

    def _at(self, pointer: str) -> Any:
        return lookup(self._document, pointer)

    def errors(self, pointer: str, instance: Any, direction: str) -> list[SchemaError]:
        """Every error of `instance` against the schema at `pointer`, most specific first;
        an error a placeholder explains is dropped. Most examples are valid, which a quick
        check tells (doctract.contract.quick); doc sets repeat their examples (the same body
        in every tutorial that creates a thing), so the other verdicts are kept by content."""
        if self._accepts(pointer, direction, instance):
            return []
        try:
            key = (pointer, direction, json.dumps(instance, sort_keys=True))
        except (TypeError, ValueError):
            return self._errors(pointer, instance, direction)
        found = self._verdicts.get(key)
        if found is None:
            if len(self._verdicts) >= _VERDICTS:
                self._verdicts.clear()  # bounded: a large doc set of unique bodies gains nothing
            found = self._verdicts[key] = self._errors(pointer, instance, direction)
        return found

    def _accepts(self, pointer: str, direction: str, instance: Any) -> bool:
        key = (pointer, direction)
        if key not in self._quick:
            self._quick[key] = quick_check(self.validator(pointer, direction))
        accepts = self._quick[key]
        return accepts is not None and accepts(instance)

    def _errors(self, pointer: str, instance: Any, direction: str) -> list[SchemaError]:
        try:
            raw = list(self.validator(pointer, direction).iter_errors(instance))
        except Exception:  # an unresolvable or broken schema checks nothing
            return []
        found: list[SchemaError] = []
        for error in raw:
            for leaf in _leaves(error):
                if _placeholder_explains(leaf):
                    continue
                found.append(_error(leaf))
        unique = list({(e.path, e.message): e for e in found}.values())
        return sorted(unique, key=lambda e: (len(e.path), [str(p) for p in e.path]))

    def value_errors(self, schema: Any, value: Any) -> list[SchemaError]:
        """Errors of a parameter value against its (inline) schema; its local `$ref`s point
        into the contract document."""
        if not isinstance(schema, dict):
            return []
        known = self._values.get(id(schema))
        if known is None or known[0] is not schema:  # the parameter's own schema object
            key = (repr(sorted(schema.items(), key=str)), "value")
            validator = self._cache.get(key)
            if validator is None:
                validator = _VALIDATORS["request"](_rooted(schema), registry=self._registry)
                self._cache[key] = validator
            known = self._values[id(schema)] = (schema, validator, quick_check(validator))
        _, validator, accepts = known
        if accepts is not None and accepts(value):
            return []
        try:
            return [_error(e) for e in validator.iter_errors(value) if not _placeholder_explains(e)]
        except Exception:
            return []

    def verbatim_errors(self, schema: Any, instance: Any) -> list[ValidationError]:
        """jsonschema's own errors of `instance` against a schema (a pointer into the
        document, or an inline schema whose `#/...` references point into it), as jsonschema
        reports and words them: no placeholder tolerated, no `readOnly` rule. For an emulator
        of an API whose errors quote them."""
        if isinstance(schema, str):
            key, target = (schema, "verbatim"), {"$ref": f"{_ROOT}#{schema}"}
        elif isinstance(schema, dict):
            key, target = (repr(sorted(schema.items(), key=str)), "verbatim"), _rooted(schema)
        else:
            return []
        validator = self._cache.get(key)
        if validator is None:
            validator = Draft202012Validator(target, registry=self._registry)
            self._cache[key] = validator
        return list(validator.iter_errors(instance))

    def resolve(self, schema: Any) -> Any:
        """A schema with its top-level local `$ref` followed (to read its type or enum)."""
        found, _ = follow(self._document, schema, "")
        return found if isinstance(found, dict) else {}


_INLINE_DEPTH = 64


def _inline(node: Any, at: Any, path: tuple[str, ...], depth: int) -> Any:
    """`node` with local references inlined (`{"$ref": X, ...}` becomes `{"allOf": [X'], ...}`,
    the same meaning in JSON Schema 2020-12); references back into `path` (recursion) and
    past a depth stay references into the document."""
    if isinstance(node, list):
        return [_inline(v, at, path, depth + 1) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline(v, at, path, depth + 1) for k, v in node.items() if k != "$ref"}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        pointer = ref[1:]
        target = at(pointer)
        if target is None or pointer in path or depth > _INLINE_DEPTH:
            out["$ref"] = f"{_ROOT}{ref}"
        else:
            inlined = _inline(target, at, (*path, pointer), depth + 1)
            if not out:
                return inlined
            out["allOf"] = [*out.get("allOf", []), inlined]
    elif ref is not None:
        out["$ref"] = ref
    return out


def _rooted(schema: Any) -> Any:
    """An inline schema whose `#/...` references are made absolute into the contract."""
    if isinstance(schema, dict):
        out = {k: _rooted(v) for k, v in schema.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            out["$ref"] = f"{_ROOT}{ref}"
        return out
    if isinstance(schema, list):
        return [_rooted(v) for v in schema]
    return schema


def _error(error: ValidationError) -> SchemaError:
    path = tuple(error.absolute_path)
    if error.validator in ("enum", "const"):
        claim = repr(error.instance)
    else:
        claim = type(error.instance).__name__
    extra = _unexpected(error)
    if extra is not None:  # at the field that should not be there, not at its object
        path, claim = (*path, extra), extra
    message = error.message
    if error.validator == "enum" and isinstance(error.validator_value, list):
        allowed = ", ".join(_json(v) for v in error.validator_value)
        message = f"{_json(error.instance)} is not one of {allowed}"  # JSON spelling: null
    elif error.validator == "type":
        kinds = error.validator_value
        wanted = " or ".join(kinds) if isinstance(kinds, list) else str(kinds)
        message = f"{_short_json(error.instance)} is not of type {wanted}"
    return SchemaError(path, message, str(error.validator), error.validator_value, claim)


def _short_json(value: Any, limit: int = 60) -> str:
    text = _json(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _unexpected(error: ValidationError) -> str | None:
    """The first property an additionalProperties/unevaluatedProperties error refuses."""
    if error.validator not in ("additionalProperties", "unevaluatedProperties"):
        return None
    instance, schema = error.instance, error.schema
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return None
    declared = schema.get("properties") or {}
    patterns = list((schema.get("patternProperties") or {}).keys())
    for key in instance:
        if key in declared:
            continue
        try:
            if any(re.search(p, key) for p in patterns):
                continue
        except re.error:
            continue
        return str(key)
    return None


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """For oneOf/anyOf failures, the errors of the branch that came closest; else itself."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        by_branch: dict[int, list[ValidationError]] = {}
        for sub in error.context:
            branch = sub.schema_path[0] if sub.schema_path else 0
            by_branch.setdefault(int(branch), []).append(sub)
        # a `type: null` branch is never the one the author meant
        meant = {
            k: v
            for k, v in by_branch.items()
            if not all(e.validator == "type" and e.validator_value == "null" for e in v)
        } or by_branch
        # the branch whose errors are deepest (it matched the most) and fewest
        best = min(
            meant.values(),
            key=lambda errs: (-max(len(e.absolute_path) for e in errs), len(errs)),
        )
        if len(meant) > 1 and all(
            e.validator == "type" and len(e.absolute_path) == len(error.absolute_path) for e in best
        ):
            yield error
            return
        for sub in best:
            yield from _leaves(sub)
        return
    yield error


def _placeholder_explains(error: ValidationError) -> bool:
    instance = error.instance
    return (
        error.validator in _TOLERATED_FOR_PLACEHOLDERS
        and isinstance(instance, str)
        and bool(ANY_PLACEHOLDER.fullmatch(instance.strip()))
    )
