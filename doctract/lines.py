"""The one line model: a line ends at "\\r\\n", a lone "\\r" or "\\n" (as CommonMark and editors
count), and at nothing else (not \\x0b, \\x0c, \\x1c-\\x1e, \\x85, \\u2028 or \\u2029, which
`str.splitlines` also splits on). Every reader that turns a document into lines or a position
into a line number uses these, so findings, fingerprints, excerpts and baselines agree."""

from __future__ import annotations

import re

_BREAK = re.compile(r"\r\n|\r|\n")


def normalise(text: str) -> str:
    """The text with every line ending written as "\\n"."""
    if "\r" not in text:  # one scan instead of two replacements' searches
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_lines(text: str) -> list[str]:
    """The lines of the text, without their endings; a final ending adds no empty line."""
    lines = normalise(text).split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def line_count(text: str) -> int:
    """How many lines the text has (at least 1): a finding's line is never above it."""
    return max(1, len(split_lines(text)))


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of the character at `offset`."""
    before = text[:offset]
    breaks = list(_BREAK.finditer(before))
    if not breaks:
        return 1, offset + 1
    # a "\r" just before offset followed by "\n" at offset is one ending: the line is the same
    return len(breaks) + 1, offset - breaks[-1].end() + 1


__all__ = ["line_count", "normalise", "position", "split_lines"]
