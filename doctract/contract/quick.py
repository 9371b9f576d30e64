"""A quick yes for the instances a schema accepts.

Most documented bodies are valid, and jsonschema's general machinery (a validator evolved for
every subschema, errors gathered lazily) costs several times the check itself. Here a schema is
turned once into nested functions: the keywords that apply subschemas (properties, items,
additionalProperties, allOf, anyOf, oneOf, not) are walked here with jsonschema's meaning, every
other keyword the validator asserts runs through jsonschema's own function for it, keywords it
does not assert are annotations. A schema with a keyword this cannot follow (`$ref`,
`patternProperties`, `if`, `unevaluatedProperties`, ...) gets no quick check. The answer is
exact, but only a yes is used: for a no, jsonschema finds the errors and words them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

# keywords that apply subschemas in ways not followed here: no quick check for such a schema
_NOT_FOLLOWED = frozenset(
    {
        "$ref",
        "$dynamicRef",
        "contains",
        "dependentSchemas",
        "if",
        "patternProperties",
        "prefixItems",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
        "dependencies",
    }
)
_MAX_DEPTH = 64
# _LOOPS: the checks below loop instead of calling all() or any() on a generator: they run for
# every node of every documented body, where a generator's set-up is a third of the time


class _CannotFollow(Exception):
    pass


def quick_check(validator: Any) -> Check | None:
    """A function telling whether `validator` (a jsonschema validator) accepts an instance
    without asking it; None when its schema uses a keyword this does not follow."""
    try:
        check = _compile(validator.schema, validator, 0)
    except Exception:  # _CannotFollow, or a schema too broken to read (jsonschema decides)
        return None

    def accepts(instance: Any) -> bool:
        try:
            return check(instance)
        except Exception:  # whatever jsonschema makes of it, it is not a quick yes
            return False

    return accepts


def _compile(schema: Any, validator: Any, depth: int) -> Check:
    if schema is True:
        return _yes
    if schema is False:
        return _no
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        raise _CannotFollow
    asserted: Mapping[str, Any] = validator.VALIDATORS
    checks: list[Check] = []
    for key, value in schema.items():
        if key not in asserted:
            continue  # an annotation (description, example, discriminator, x-...)
        if key in _NOT_FOLLOWED:
            raise _CannotFollow
        if key == "type":
            checks.append(_type(value, validator))
        elif key == "required":
            checks.append(_required(value))
        elif key == "properties":
            checks.append(_properties(value, validator, depth))
        elif key == "additionalProperties":
            checks.append(_additional(value, schema, validator, depth))
        elif key == "items":
            checks.append(_items(value, validator, depth))
        elif key in ("allOf", "anyOf", "oneOf"):
            if not isinstance(value, list):
                raise _CannotFollow
            subs = [_compile(s, validator, depth + 1) for s in value]
            checks.append(_combined(key, subs))
        elif key == "not":
            checks.append(_not(_compile(value, validator, depth + 1)))
        elif key in _SIZES:
            checks.append(_size(key, value, validator))
        else:
            checks.append(_keyword(asserted[key], value, schema, validator))
    if not checks:
        return _yes
    if len(checks) == 1:
        return checks[0]
    return _every(checks)


def _every(checks: list[Check]) -> Check:
    def check(instance: Any) -> bool:
        for one in checks:  # noqa: SIM110 (see _LOOPS)
            if not one(instance):
                return False
        return True

    return check


def _yes(instance: Any) -> bool:
    return True


def _no(instance: Any) -> bool:
    return False


def _predicate(name: Any, validator: Any) -> Check:
    """jsonschema's own test for a type name (its `is_type`, without the lookup each time)."""
    checker = validator.TYPE_CHECKER
    table = getattr(checker, "_type_checkers", None)
    if table is None or not isinstance(name, str) or name not in table:
        is_type = validator.is_type
        return lambda instance: bool(is_type(instance, name))
    function = table[name]
    return lambda instance: bool(function(checker, instance))


def _type(types: Any, validator: Any) -> Check:
    names = types if isinstance(types, list) else [types]
    tests = [_predicate(name, validator) for name in names]
    if len(tests) == 1:
        return tests[0]

    def check(instance: Any) -> bool:
        for test in tests:  # noqa: SIM110 (see _LOOPS)
            if test(instance):
                return True
        return False

    return check


def _required(names: Any) -> Check:
    def check(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True
        for name in names:  # noqa: SIM110 (see _LOOPS)
            if name not in instance:
                return False
        return True

    return check


# keywords that bound a size or a value of one type, as jsonschema tests them
_SIZES = {
    "minLength": ("string", len, False),
    "maxLength": ("string", len, True),
    "minItems": ("array", len, False),
    "maxItems": ("array", len, True),
    "minimum": ("number", None, False),
    "maximum": ("number", None, True),
}


def _size(key: str, bound: Any, validator: Any) -> Check:
    kind, measure, upper = _SIZES[key]
    applies = _predicate(kind, validator)
    if measure is None:
        if upper:
            return lambda instance: not applies(instance) or not instance > bound
        return lambda instance: not applies(instance) or not instance < bound
    if upper:
        return lambda instance: not applies(instance) or not len(instance) > bound
    return lambda instance: not applies(instance) or not len(instance) < bound


def _properties(properties: Any, validator: Any, depth: int) -> Check:
    if not isinstance(properties, dict):
        raise _CannotFollow
    subs = [(name, _compile(sub, validator, depth + 1)) for name, sub in properties.items()]

    def check(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True
        for name, sub in subs:  # noqa: SIM110 (see _LOOPS)
            if name in instance and not sub(instance[name]):
                return False
        return True

    return check


def _additional(extra: Any, schema: dict[str, Any], validator: Any, depth: int) -> Check:
    known = schema.get("properties", {})
    if validator.is_type(extra, "object"):
        sub = _compile(extra, validator, depth + 1)

        def check(instance: Any) -> bool:
            if not isinstance(instance, dict):
                return True
            return all(sub(value) for key, value in instance.items() if key not in known)

        return check
    if extra:
        return _yes
    return lambda instance: not isinstance(instance, dict) or all(k in known for k in instance)


def _items(items: Any, validator: Any, depth: int) -> Check:
    if items is False:
        return lambda instance: not isinstance(instance, list) or not instance
    sub = _compile(items, validator, depth + 1)

    def check(instance: Any) -> bool:
        if not isinstance(instance, list):
            return True
        for item in instance:  # noqa: SIM110 (see _LOOPS)
            if not sub(item):
                return False
        return True

    return check


def _combined(key: str, subs: list[Check]) -> Check:
    if key == "allOf":
        return _every(subs)
    if key == "anyOf":
        return lambda instance: any(sub(instance) for sub in subs)
    return lambda instance: sum(1 for sub in subs if sub(instance)) == 1


def _not(sub: Check) -> Check:
    return lambda instance: not sub(instance)


def _keyword(function: Any, value: Any, schema: dict[str, Any], validator: Any) -> Check:
    """A keyword that applies no subschema, checked by jsonschema's own function for it."""
    return lambda instance: next(function(validator, value, instance, schema), None) is None
