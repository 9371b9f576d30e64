"""The rendered web-page form of a tutorial (the page saved as text) to document events.

A rendered page has no Markdown syntax left: headings are bare lines (with the anchor id glued
to their end), code comes after a `code language-xxx` line or with no marker at all, tables are
one cell a line, and collapsible parts leave `accordion` lines. This scanner recognises each by
its shape and keeps the original line numbers.
"""

from __future__ import annotations

import re

from doctract.extractors.curl import looks_like_curl
from doctract.extractors.events import (
    Event,
    HeadingEvent,
    LabelEvent,
    ProseEvent,
    label_of,
    slug,
)
from doctract.model import CodeBlock, CodeLines, Pos, Table, TableRow

_CODE_MARKER = re.compile(r"^code language-([\w+-]+)(.*)$")
_API_FORMAT = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/\S*$")
_TABLE_HEADS = {"parameter", "property", "credential", "field", "name", "header"}
_NOISE = {"accordion", "note", "important", "tip", "warning", "caution", "availability"}


def rendered_events(text: str) -> tuple[str, list[Event]]:
    lines = text.split("\n")
    n = len(lines)
    events: list[Event] = []
    title = ""
    i = 0
    block_ended = True  # true at the start and right after a code block
    while i < n:
        raw = lines[i]
        line = raw.strip()
        if not line:
            block_ended = True
            i += 1
            continue
        pos = Pos(i + 1, len(raw) - len(raw.lstrip()) + 1)
        lower = line.lower()
        marker = _CODE_MARKER.match(line)
        if marker:
            lang = marker.group(1).lower()
            end = _code_end(lines, i + 1, lang)
            events.append(_block(lines, i + 1, end, lang, line))
            i = end
            block_ended = True
            continue
        if lower in _NOISE:
            i += 1
            continue
        label = label_of(line)
        if label is not None:
            events.append(LabelEvent(label))
            i += 1
            block_ended = True
            continue
        if _API_FORMAT.match(line) or looks_like_curl(
            CodeLines((raw,), (i + 1,), (1,))
        ) or line.startswith(("{", "[")):
            lang = "json" if line.startswith(("{", "[")) else (
                "http" if _API_FORMAT.match(line) else "shell")
            end = i + 1 if lang == "http" else _code_end(lines, i, lang)
            events.append(_block(lines, i, end, lang, "", fenced=False))
            i = end
            block_ended = True
            continue
        if lower in _TABLE_HEADS and i + 1 < n and lines[i + 1].strip().lower() == "description":
            table, i = _table(lines, i)
            events.append(table)
            continue
        if not title:
            title = line
            events.append(HeadingEvent(line, "", 1, pos))
            i += 1
            continue
        if block_ended and _is_heading(lines, i):
            heading, anchor = _split_glued_anchor(line)
            events.append(HeadingEvent(heading, anchor, 2, pos))
            i += 1
            continue
        events.append(ProseEvent(line, pos))
        block_ended = False
        i += 1
    return title, events


def _is_heading(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    if lines[i][:1].isspace() or len(line) > 90 or line[-1] in ".:;,!?)" or not line[0].isalpha():
        return False
    if not line[0].isupper():
        return False
    nxt = lines[i + 1].strip().lower() if i + 1 < len(lines) else ""
    return nxt == "" or nxt == "accordion"


def _split_glued_anchor(line: str) -> tuple[str, str]:
    """`Create a draft create-a-draft` -> ("Create a draft", "create-a-draft")."""
    head, _, last = line.rpartition(" ")
    if head and "-" in last and last == last.lower() and slug(head).startswith(last[:8]):
        return head, last
    return line, ""


def _code_end(lines: list[str], start: int, lang: str) -> int:
    """The index just past a code block that starts at `start`."""
    n = len(lines)
    if lang == "json":
        depth = 0
        seen = False
        for j in range(start, n):
            text = lines[j]
            if not text.strip():
                if seen and depth <= 0:
                    return j
                if seen and not _json_continues(lines, j + 1):
                    return j
                continue
            depth += _bracket_delta(text)
            seen = True
            if depth <= 0:
                return j + 1
        return n
    j = start
    in_single = False
    while j < n:
        text = lines[j]
        if not text.strip() and not in_single:
            return j
        if text.strip().lower() in _NOISE and not in_single:
            return j
        if text.count("'") % 2:
            in_single = not in_single
        j += 1
    return n


def _json_continues(lines: list[str], j: int) -> bool:
    while j < len(lines) and not lines[j].strip():
        j += 1
    return j < len(lines) and lines[j].lstrip()[:1] in ('"', "{", "}", "[", "]")


def _bracket_delta(text: str) -> int:
    delta = 0
    in_str = False
    escaped = False
    for ch in text:
        if in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "{[":
            delta += 1
        elif ch in "}]":
            delta -= 1
    return delta


def _block(lines: list[str], start: int, end: int, lang: str, info: str,
           fenced: bool = True) -> CodeBlock:
    while end > start and not lines[end - 1].strip():
        end -= 1
    code = CodeLines(tuple(lines[start:end]), tuple(range(start + 1, end + 1)), (1,) * (end - start))
    return CodeBlock(lang, info, code, Pos(start + 1 if end > start else start, 1), fenced)


def _table(lines: list[str], i: int) -> tuple[Table, int]:
    header = (lines[i].strip(), lines[i + 1].strip())
    table_pos = Pos(i + 1, 1)
    rows: list[TableRow] = []
    j = i + 2
    while j + 1 < len(lines) and lines[j].strip() and lines[j + 1].strip():
        rows.append(TableRow((lines[j].strip(), lines[j + 1].strip()), Pos(j + 1, 1)))
        j += 2
    return Table(header, tuple(rows), table_pos), j
