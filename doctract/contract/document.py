"""Reading an OpenAPI document: JSON or YAML, 3.0 or 3.1, checked on load.

A broken document is one `ContractError` line naming the file. The structural check against
the OpenAPI meta-schema (openapi-spec-validator's copy) costs about a second on a large
contract, so its verdict is cached by content hash; semantic slips that real published
contracts carry (a `default` that breaks its own schema) are not errors: doctract can still use
such a contract.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml

from doctract.errors import DoctractError

SUPPORTED = ("3.0", "3.1")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


class ContractError(DoctractError):
    """An OpenAPI document doctract cannot use; reported as one line naming the file."""


def read_document(path: Path) -> dict[str, Any]:
    """The parsed, checked document at `path` (JSON or YAML)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ContractError(f"{path}: no such OpenAPI document") from None
    except IsADirectoryError:
        raise ContractError(f"{path}: is a folder, not an OpenAPI document") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(f"{path}: cannot read the OpenAPI document: {exc}") from None
    return parse_document(text, str(path))


def parse_document(text: str, name: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = _string_keys(_parse(text, name))
    except RecursionError:  # `x: &a [*a]` and the like
        raise ContractError(
            f"{name}: the document nests too deeply (over 400 levels, or a recursive YAML alias)"
        ) from None
    # YAML slips real contracts carry: `200:` response codes and `version: 1.0` are numbers
    info = data.get("info")
    if isinstance(info, dict) and isinstance(info.get("version"), int | float):
        data["info"] = {**info, "version": str(info["version"])}
    if isinstance(data.get("openapi"), int | float):
        data["openapi"] = str(data["openapi"])
    version = str(data.get("openapi", ""))
    if not version:
        swagger = " (Swagger 2.0: convert it to OpenAPI 3)" if "swagger" in data else ""
        raise ContractError(f"{name}: not an OpenAPI 3 document: no `openapi` version{swagger}")
    if not version.startswith(SUPPORTED):
        raise ContractError(f"{name}: OpenAPI {version} is not supported (use 3.0 or 3.1)")
    paths = data.get("paths")
    if paths is None and version.startswith("3.1") and ("webhooks" in data or "components" in data):
        data["paths"] = {}  # 3.1 allows a document of webhooks or components only
    elif not isinstance(paths, dict):
        raise ContractError(f"{name}: `paths` must be a mapping of path templates")
    _check_structure(data, text, name, version)
    return data


def _parse(text: str, name: str) -> dict[str, Any]:
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, _LOADER)
    except json.JSONDecodeError as exc:
        raise ContractError(f"{name}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ContractError(f"{name}{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise ContractError(f"{name}: not an OpenAPI document (expected a mapping at the top)")
    return data


def _string_keys(value: Any, depth: int = 0) -> Any:
    """Mapping keys as strings, as JSON has them (YAML reads `200:` as an integer)."""
    if depth > 400:
        raise RecursionError
    if isinstance(value, dict):
        return {str(k): _string_keys(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v, depth + 1) for v in value]
    return value


def _check_structure(data: dict[str, Any], text: str, name: str, version: str) -> None:
    """Validate against the OpenAPI meta-schema; the verdict is cached by content hash."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    marker = _cache_dir() / f"valid-{digest}"
    if marker.exists():
        return
    from jsonschema.validators import validator_for
    from openapi_spec_validator.schemas import schema_v30, schema_v31

    schema = dict(schema_v31 if version.startswith("3.1") else schema_v30)
    validator = validator_for(schema)(schema)
    try:
        error = next(iter(validator.iter_errors(data)), None)
    except RecursionError:
        raise ContractError(f"{name}: the document nests too deeply to check") from None
    if error is not None:
        best = _most_specific(error)
        where = "/".join(str(p) for p in best.absolute_path) or "(top level)"
        raise ContractError(f"{name}: invalid OpenAPI document at {where}: {_short(best.message)}")
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_bytes(b"")
    except OSError:
        pass  # a read-only home only costs the check next time


def _most_specific(error: Any) -> Any:
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def _short(message: str, limit: int = 160) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "doctract" / "contracts"
