"""The flat stream of document events both extractors produce, and the text helpers they share.

The Markdown extractor (markdown-it-py tokens) and the rendered-page extractor (line scanning)
differ only in how they find headings, labels, code, tables and prose; `assemble` turns either
stream into the same tutorial model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from doctract.model import CodeBlock, Diagnostic, Pos, Table

_MARKUP = re.compile(r"\[!(?:DNL|UICONTROL|BADGE)\s+([^\]]*)\]")
_ANCHOR = re.compile(r"\s*\{#([A-Za-z0-9_.:-]+)\}\s*$")
_LABELS = {
    "api format": "api-format",
    "request": "request",
    "sample request": "request",
    "example request": "request",
    "response": "response",
    "sample response": "response",
    "example response": "response",
}


@dataclass(frozen=True, slots=True)
class HeadingEvent:
    text: str
    anchor: str
    level: int
    pos: Pos


@dataclass(frozen=True, slots=True)
class LabelEvent:
    label: str  # "api-format", "request" or "response": what the step's next blocks are


@dataclass(frozen=True, slots=True)
class ProseEvent:
    text: str
    pos: Pos


# code blocks, tables and extraction diagnostics are events as the model has them
Event = HeadingEvent | LabelEvent | ProseEvent | CodeBlock | Table | Diagnostic


def plain_text(text: str) -> str:
    """Drop Adobe markup such as `[!DNL Flow Service]`, keeping the words."""
    return _MARKUP.sub(r"\1", text) if "[!" in text else text


def split_anchor(text: str) -> tuple[str, str]:
    """`Create a draft {#create-draft}` -> ("Create a draft", "create-draft")."""
    m = _ANCHOR.search(text)
    if m:
        return text[: m.start()].rstrip(), m.group(1)
    return text, ""


def label_of(text: str) -> str | None:
    """The step label a short paragraph such as `**Request**` stands for, if any."""
    stripped = text.strip().strip("*_").strip().rstrip(":").strip().lower()
    return _LABELS.get(stripped)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
