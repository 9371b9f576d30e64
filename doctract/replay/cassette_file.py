"""Reading a vcrpy cassette (for replay and for comparison), with every problem named by file
and line instead of a traceback: a truncated file (where it ends), invalid YAML, another format
version, an interaction vcrpy cannot load (a missing part, an unknown key, a value of the wrong
type: at that key's line)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from doctract.errors import DoctractError
from doctract.findings import Finding, Severity
from doctract.rule_ids import CASSETTE_UNREADABLE
from doctract.urls import HEX_ID, UUID

CASSETTE_VERSION = 1
_STATUS_TEXT = re.compile(r"^\d{3}$")


class CassetteError(DoctractError, ValueError):
    """A cassette doctract cannot use; `line` is its 1-based line (1 when unknown)."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message

    def finding(self, hint: str, context: str = "") -> Finding:
        """The `cassette-unreadable` finding, at the cassette's file and line."""
        message = f"{self.message} ({context})" if context else self.message
        return Finding(
            CASSETTE_UNREADABLE, Severity.ERROR, self.path.as_posix(), self.line, 1, message, hint
        )


@dataclass(frozen=True)
class Interaction:
    index: int  # 1-based, in recording order
    line: int  # where it starts in the cassette
    method: str
    path: str  # ids replaced by {id}, query kept
    status: int
    body: Any  # parsed JSON, or the text when it is not JSON, or None

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def normalised_path(uri: str) -> str:
    """The path and query with ids (UUIDs, 32-hex) as `{id}`: an API hands out new ones every
    run, in paths and in filters alike (`/runs?property=flowId==...`)."""
    parts = urlsplit(uri)
    path, query = (HEX_ID.sub("{id}", UUID.sub("{id}", part)) for part in parts[2:4])
    return path + (f"?{query}" if query else "")


def _body(raw: Any) -> Any:
    text = raw.get("string") if isinstance(raw, dict) else raw
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to parse
        return text


def well_formed(data: Any) -> bool:
    """A quick structural check of an already parsed cassette (the fast path of replay); when
    it fails, `load_cassette` says exactly what and where."""
    if not isinstance(data, dict) or data.get("version") != CASSETTE_VERSION:
        return False
    interactions = data.get("interactions")
    return isinstance(interactions, list) and all(problem(i) is None for i in interactions)


# what vcrpy builds from an interaction: `vcr.request.Request(**request)` (exactly these
# arguments) and a response stub that reads status code and message, headers and body string
_REQUEST_KEYS = ("method", "uri", "body", "headers")
_RESPONSE_KEYS = ("status", "headers", "body")

Where = tuple[str, ...]  # the keys leading to a problem inside one interaction


def problem(item: Any) -> tuple[Where, str] | None:
    """What in one interaction vcrpy cannot load, None when it can: the keys leading to it, and
    what is wrong there (a phrase that starts with `request` or `response` when the keys are
    not empty: "request uri is 12345 (a number), not text")."""
    if not isinstance(item, dict):
        return (), f"is {_kind(item)}, not a mapping of request and response"
    for part in ("request", "response"):
        if part not in item:
            return (), f"has no {part}"
        if not isinstance(item[part], dict):
            return (part,), f"{part} is {_kind(item[part])}, not a mapping"
    for part, keys in (("request", _REQUEST_KEYS), ("response", _RESPONSE_KEYS)):
        value = item[part]
        unknown = sorted(str(k) for k in value if k not in keys)
        if part == "request" and unknown:  # Request(**request) takes no other argument
            return (part, unknown[0]), f"request has a key vcrpy does not know: {unknown[0]}"
        missing = [k for k in keys if k not in value]
        if missing:
            return (part,), f"{part} has no {missing[0]}"
    request, response = item["request"], item["response"]
    expected: tuple[tuple[Where, Any, Any, str], ...] = (
        (("request", "method"), request["method"], str, "text"),
        (("request", "uri"), request["uri"], str, "text"),
        (("request", "body"), request["body"], str | bytes | None, "text or null"),
        (("request", "headers"), request["headers"], dict, "a mapping"),
        (("response", "status"), response["status"], dict, "a mapping"),
        (("response", "headers"), response["headers"], dict, "a mapping"),
        (("response", "body"), response["body"], dict, "a mapping"),
    )
    for where, value, types, wanted in expected:
        if not isinstance(value, types):
            return where, f"{' '.join(where)} is {_kind(value)}, not {wanted}"
    for part in ("request", "response"):
        for name, values in item[part]["headers"].items():
            listed = values if isinstance(values, list) else [values]
            if not isinstance(name, str) or not all(isinstance(v, str) for v in listed):
                return (part, "headers", str(name)), f"{part} header {name} is not text"
    code = response["status"].get("code")
    if isinstance(code, bool) or not (isinstance(code, int) or _STATUS_TEXT.match(str(code))):
        return ("response", "status", "code"), f"response status code is {_kind(code)}"
    if not isinstance(response["status"].get("message"), str | None):
        return ("response", "status", "message"), "response status message is not text"
    if not isinstance(response["body"].get("string"), str | bytes):
        return ("response", "body"), "response body has no string of text"
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list"}
    kind = kinds.get(type(value), "a mapping" if isinstance(value, dict) else type(value).__name__)
    shown = repr(value) if isinstance(value, bool | int | float) else ""
    return f"{shown} ({kind})" if shown else kind


def load_cassette(path: Path) -> list[Interaction]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CassetteError(path, 1, f"cannot read the cassette: {exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem_text = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if mark is not None and mark.index >= len(text.rstrip()):  # the YAML ran out
            how = f"in the middle of a YAML value ({problem_text})"
            raise _truncated(path, text, how) from None
        line = mark.line + 1 if mark is not None else 1
        raise CassetteError(path, line, f"not valid YAML: {problem_text}") from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(path, 1, "not a vcrpy cassette: no list of interactions")
    if "version" not in data:  # vcrpy writes it last: a cassette without it was cut short
        raise _truncated(path, text, "without the `version: 1` line vcrpy writes last")
    if data.get("version") != CASSETTE_VERSION:
        raise CassetteError(
            path,
            1,
            f"cassette format version {data.get('version')!r}, doctract reads version "
            f"{CASSETTE_VERSION}; re-record it",
        )
    items = _items(node)
    out = []
    for index, item in enumerate(data["interactions"], start=1):
        item_node = items[index - 1] if index - 1 < len(items) else None
        line = item_node.start_mark.line + 1 if item_node is not None else 1
        found = problem(item)
        if found is not None:
            where, message = found
            raise CassetteError(
                path,
                _key_line(item_node, where, line),
                f"interaction {index}'s {message}" if where else f"interaction {index} {message}",
            )
        request, response = item["request"], item["response"]
        out.append(
            Interaction(
                index,
                line,
                str(request["method"]).upper(),
                normalised_path(request["uri"]),
                int(response["status"]["code"]),
                _body(response.get("body")),
            )
        )
    return out


_ITEM_START = re.compile(r"^- ", re.MULTILINE)


def _truncated(path: Path, text: str, how: str) -> CassetteError:
    """A cassette cut short (an interrupted copy or write): where it ends, and in what."""
    last = text.rstrip().count("\n") + 1
    started = len(_ITEM_START.findall(text))
    inside = f" (in interaction {started})" if started else ""
    return CassetteError(
        path,
        last,
        f"the cassette is truncated: it ends at line {last}{inside} {how}; re-record it",
    )


def _key_line(node: yaml.Node | None, where: Where, default: int = 1) -> int:
    """The 1-based line of the key at the end of `where` in a mapping node, or of the deepest
    key found on the way."""
    line = default
    for key in where:
        if not isinstance(node, yaml.MappingNode):
            break
        pair = next((p for p in node.value if getattr(p[0], "value", None) == key), None)
        if pair is None:
            break
        line = pair[0].start_mark.line + 1
        node = pair[1]
    return line


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "interactions" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return []
