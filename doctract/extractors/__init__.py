"""Extraction: tutorials (Markdown source or rendered page) to the tutorial model."""

from __future__ import annotations

import re

from doctract.extractors.assemble import assemble
from doctract.extractors.markdown import markdown_events
from doctract.extractors.rendered import rendered_events
from doctract.lines import normalise
from doctract.model import Tutorial

_MARKDOWN_SIGNS = re.compile(r"^(?:```|~~~|#{1,6}\s|---\s*$|\*\*[^*\n]+\*\*\s*$|\|.*\|\s*$)",
                             re.MULTILINE)

__all__ = ["detect_form", "extract"]


def detect_form(path: str, text: str) -> str:
    """"markdown" for Markdown source, "rendered" for a page saved as text."""
    if path.lower().endswith((".md", ".markdown", ".mdx")):
        return "markdown"
    return "markdown" if _MARKDOWN_SIGNS.search(text) else "rendered"


def extract(path: str, text: str) -> Tutorial:
    """The tutorial model of one document; never raises on document content."""
    text = normalise(text)
    form = detect_form(path, text)
    if form == "markdown":
        title, events = markdown_events(text)
    else:
        title, events = rendered_events(text)
    return assemble(path, title, form, events)
