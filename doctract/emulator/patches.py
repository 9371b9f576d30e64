"""PATCH bodies: JSON Patch (RFC 6902, through jsonpatch) and JSON Merge Patch (RFC 7386)."""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
from jsonpointer import JsonPointerException

from doctract.emulator.errors import ApiError

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge key by key, `null` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def apply(target: Any, patch: Any, media: str | None) -> Any:
    """A PATCH body applied: a JSON Patch when the media type says so or the body is an
    array of operations, else a merge patch."""
    kind = (media or "").split(";")[0].strip().lower()
    if kind == JSON_PATCH or (kind != MERGE_PATCH and isinstance(patch, list)):
        try:
            return jsonpatch.apply_patch(target, patch)
        except (
            jsonpatch.JsonPatchException,
            JsonPointerException,
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            AttributeError,
        ) as exc:
            raise ApiError(400, f"the JSON Patch cannot be applied: {exc}") from None
    return merge_patch(target, patch)
