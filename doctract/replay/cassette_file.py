"""Reading a vcrpy cassette for comparison, with every problem named by file and interaction
instead of a traceback: truncated or invalid YAML, a missing part, another format version."""

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
    except ValueError:
        return text


def well_formed(data: Any) -> bool:
    """A quick structural check of an already parsed cassette (the fast path of replay); when
    it fails, `load_cassette` says exactly what and where."""
    if not isinstance(data, dict) or data.get("version") != CASSETTE_VERSION:
        return False
    interactions = data.get("interactions")
    if not isinstance(interactions, list):
        return False
    for item in interactions:
        try:
            request, response = item["request"], item["response"]
            status = response["status"]["code"]
            request["method"], request["uri"]
        except (TypeError, KeyError):
            return False
        if not isinstance(status, int) and not _STATUS_TEXT.match(str(status)):
            return False
    return True


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
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CassetteError(path, line, f"not valid YAML (truncated?): {problem}") from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(path, 1, "not a vcrpy cassette: no list of interactions")
    if data.get("version") != CASSETTE_VERSION:
        raise CassetteError(
            path,
            1,
            f"cassette format version {data.get('version')!r}, doctract reads version "
            f"{CASSETTE_VERSION}; re-record it",
        )
    lines = _item_lines(node)
    out = []
    for index, item in enumerate(data["interactions"], start=1):
        line = lines[index - 1] if index - 1 < len(lines) else 1
        try:
            request, response = item["request"], item["response"]
            status = response["status"]["code"]
            method = str(request["method"]).upper()
            uri = str(request["uri"])
        except (TypeError, KeyError):
            raise CassetteError(
                path, line, f"interaction {index} lacks request method/uri or response status"
            ) from None
        if not isinstance(status, int) and not _STATUS_TEXT.match(str(status)):
            raise CassetteError(path, line, f"interaction {index} has status {status!r}")
        out.append(
            Interaction(
                index, line, method, normalised_path(uri), int(status), _body(response.get("body"))
            )
        )
    return out


def _item_lines(node: yaml.Node | None) -> list[int]:
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "interactions" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []
