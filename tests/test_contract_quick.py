"""The quick check says yes exactly where jsonschema finds no error: on every body the example
and fixture docs validate against their contracts, on mutations of them, and on random JSON
against schemas that use every keyword it follows; it steps aside for keywords it does not."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conftest import EXAMPLES, FIXTURES, FLOW_SERVICE, SEEDS
from doctract.config import Config
from doctract.contract import ContractSource
from doctract.contract import validation as schemas_module
from doctract.contract.quick import quick_check
from doctract.lint import lint_paths

SEARCH_ENGINE = FIXTURES / "apis" / "search-engine"
MEILISEARCH = FIXTURES.parent.parent.parent / "shared" / "corpora" / "meilisearch"
_REPLACEMENTS: list[Any] = [None, 0, 1.5, -3, "", "x" * 300, True, [], {}, ["a"], {"k": 1}]


def _validated(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """(validator, instance) for every body and query value the docs' lint validates."""
    seen: list[tuple[Any, Any]] = []
    errors = schemas_module.Schemas.errors
    value_errors = schemas_module.Schemas.value_errors

    def recording(self: Any, pointer: str, instance: Any, direction: str) -> Any:
        seen.append((self.validator(pointer, direction), copy.deepcopy(instance)))
        return errors(self, pointer, instance, direction)

    def recording_values(self: Any, schema: Any, value: Any) -> Any:
        found = value_errors(self, schema, value)
        if isinstance(schema, dict):
            seen.append((self._values[id(schema)][1], copy.deepcopy(value)))
        return found

    monkeypatch.setattr(schemas_module.Schemas, "errors", recording)
    monkeypatch.setattr(schemas_module.Schemas, "value_errors", recording_values)
    lint_paths([str(EXAMPLES), str(FIXTURES / "rules")], FLOW_SERVICE, jobs=1)
    if SEEDS.is_dir():
        lint_paths([str(SEEDS)], FLOW_SERVICE, jobs=1)
    for contract in ("openapi.yaml", "openapi-3.0.yaml"):
        config = Config(openapi=(ContractSource(str(SEARCH_ENGINE / contract)),))
        lint_paths([str(SEARCH_ENGINE / "docs")], config, jobs=1)
    if MEILISEARCH.is_dir():
        config = Config(openapi=(ContractSource(str(MEILISEARCH / "openapi.json")),))
        lint_paths([str(MEILISEARCH)], config, jobs=1)
    return seen


def _mutations(value: Any) -> Iterator[Any]:
    """The value with one leaf replaced, one key dropped or one unknown key added."""
    yield value
    if isinstance(value, dict):
        yield {**value, "zzUnknownField": 1}
        for key in value:
            yield {k: v for k, v in value.items() if k != key}
            for inner in _mutations(value[key]):
                yield {**value, key: inner}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for inner in _mutations(item):
                yield [*value[:index], inner, *value[index + 1 :]]
        yield []
    else:
        yield from _REPLACEMENTS


def _valid(validator: Any, instance: Any) -> bool:
    return next(validator.iter_errors(instance), None) is None


def test_quick_yes_is_jsonschema_no_error_on_the_docs_bodies_and_their_mutations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compared = followed = 0
    done: set[tuple[int, str]] = set()
    for validator, instance in _validated(monkeypatch):
        key = (id(validator), repr(instance))
        if key in done:
            continue
        done.add(key)
        accepts = quick_check(validator)
        if accepts is None:
            continue
        followed += 1
        for mutated in _mutations(instance):
            assert accepts(mutated) == _valid(validator, mutated), (validator.schema, mutated)
            compared += 1
    assert followed > 20 and compared > 1000


KEYWORDS: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1, "pattern": "^[a-z]"},
        "count": {"type": ["integer", "null"], "minimum": 0, "maximum": 3},
        "short": {"type": "string", "maxLength": 1},
        "few": {"maxItems": 1, "minItems": 0},
        "mode": {"enum": ["draft", "published", 1]},
        "id": {"const": "x", "readOnly": True},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "none": {"type": "array", "items": False},
        "either": {"oneOf": [{"type": "string"}, {"type": "integer"}, {"const": 1.0}]},
        "any": {"anyOf": [{"type": "boolean"}, {"type": "object", "additionalProperties": {}}]},
        "all": {"allOf": [{"type": "number"}, {"not": {"const": 2}}]},
        "open": {"additionalProperties": {"type": "integer"}, "properties": {"a": True}},
    },
}
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 5) | st.sampled_from([1.0, 2.5, "", "a", "Z"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "name", "mode"]), inner, max_size=3)
    ),
    max_leaves=6,
)
_instances = st.fixed_dictionaries(
    {},
    optional={name: _json for name in [*KEYWORDS["properties"], "extra"]},
)
REQUEST = schemas_module._VALIDATORS["request"](KEYWORDS)


@settings(max_examples=400, deadline=None)
@given(_instances)
def test_quick_check_agrees_with_jsonschema_on_random_instances(instance: dict[str, Any]) -> None:
    accepts = quick_check(REQUEST)
    assert accepts is not None
    assert accepts(instance) == _valid(REQUEST, instance)


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#/$defs/a", "$defs": {"a": {}}},
        {"properties": {"a": {"if": {"type": "string"}, "then": {"minLength": 2}}}},
        {"patternProperties": {"^x": {}}, "additionalProperties": False},
        {"type": "array", "prefixItems": [{"type": "string"}]},
        {"unevaluatedProperties": False},
    ],
)
def test_keywords_it_does_not_follow_leave_the_schema_to_jsonschema(schema: Any) -> None:
    assert quick_check(Draft202012Validator(schema)) is None


def test_annotations_are_ignored_and_a_broken_keyword_is_no_quick_yes() -> None:
    annotated = Draft202012Validator({"description": "x", "discriminator": {}, "x-a": 1})
    check = quick_check(annotated)
    assert check is not None and check({"anything": 1})
    broken = quick_check(Draft202012Validator({"pattern": "("}))  # not a regular expression
    assert broken is not None and broken("a") is False


def test_docs_are_checked_with_the_quick_check(tmp_path: Path) -> None:
    """The search-engine docs still get their schema findings (the quick check only says yes)."""
    config = Config(openapi=(ContractSource(str(SEARCH_ENGINE / "openapi.yaml")),))
    found = lint_paths([str(SEARCH_ENGINE / "docs")], config, jobs=1).findings
    assert {f.rule for f in found} >= {"request-body-schema", "response-example-schema"}
