"""Markdown tutorials (Adobe-flavoured CommonMark with GFM tables, MDX, MyST) to document events.

Built on markdown-it-py's token stream: its line maps give every block's source lines, and
HTML blocks (which hide code in `<!-- ... -->`) are skipped as the rendered page would skip them.
MDX components and MyST directives around code are unwrapped first (`dialects.unwrap`), line
for line, so the fences inside them are read with their original positions.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from doctract.extractors.dialects import directive_language, directive_options, unwrap
from doctract.extractors.events import (
    Event,
    HeadingEvent,
    LabelEvent,
    ProseEvent,
    label_of,
    plain_text,
    split_anchor,
)
from doctract.model import CodeBlock, CodeLines, Diagnostic, Pos, Table, TableRow, at
from doctract.rule_ids import UNCLOSED_FENCE

_FRONT_MATTER_TITLE = re.compile(r"^title:\s*(.+?)\s*$", re.MULTILINE)


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    # the inline pass (emphasis, links, code spans inside paragraphs) is never read: doctract
    # reads the inline tokens' text only, so the pass is off (about a quarter of lint time),
    # and with it text_join (it joins what the inline pass makes). normalize is off too:
    # `extract` has made every line ending "\n" already, and `parse` below replaces NUL as it
    # would (5% of the parse, two regular expressions over the whole text)
    return (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .disable(["inline", "text_join", "normalize"])
    )


def parse(text: str) -> list[Token]:
    """The block tokens of a text whose line endings are all "\n"."""
    return parser().parse(text.replace("\0", "\ufffd") if "\0" in text else text)


def front_matter(lines: list[str]) -> tuple[int, str]:
    """The number of front-matter lines at the top (0 if none) and its `title:`."""
    if not lines or lines[0].strip() != "---":
        return 0, ""
    for i in range(1, min(len(lines), 200)):
        if lines[i].strip() in ("---", "..."):
            m = _FRONT_MATTER_TITLE.search("\n".join(lines[1:i]))
            return i + 1, (m.group(1).strip("'\"") if m else "")
    return 0, ""


def markdown_events(text: str) -> tuple[str, list[Event]]:
    """The title and the event stream of a Markdown tutorial."""
    lines = text.split("\n")
    skip, title = front_matter(lines)
    prepared = [""] * skip + unwrap(lines, skip)[skip:]
    tokens = parse("\n".join(prepared))
    events: list[Event] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        ttype = tok.type
        if ttype == "heading_open":
            content = tokens[i + 1].content if i + 1 < n else ""
            heading, anchor = split_anchor(plain_text(content))
            line = tok.map[0] + 1 if tok.map else 1
            level = int(tok.tag[1:]) if tok.tag[1:].isdigit() else 1
            if level == 1 and not title:
                title = heading
            events.append(HeadingEvent(heading, anchor, level, at(line, 1)))
            i += 3
            continue
        if ttype == "paragraph_open":
            content = tokens[i + 1].content if i + 1 < n else ""
            line = tok.map[0] + 1 if tok.map else 1
            label = label_of(content)
            if label is not None:
                events.append(LabelEvent(label))
            else:
                events.append(ProseEvent(plain_text(content), at(line, 1)))
            i += 3
            continue
        if ttype in ("fence", "code_block"):
            events.extend(_code_events(tok, lines, prepared))
        elif ttype == "table_open":
            table, i = _table(tokens, i)
            events.append(table)
            continue
        i += 1
    return title, events


def _code_events(tok: Token, lines: list[str], prepared: list[str]) -> list[Event]:
    start = tok.map[0] if tok.map else 0
    end = tok.map[1] if tok.map else start
    fenced = tok.type == "fence"
    info = tok.info.strip()
    lang = info.split()[0].lower().strip("{}.") if info else ""
    content = tok.content.split("\n")
    if content and content[-1] == "":
        content.pop()
    first = start + 1 if fenced else start
    directive = directive_language(info) if fenced else None
    if directive is not None:  # a MyST directive: ```{code-block} bash, then its :options:
        lang = directive
        options = directive_options(content) if not directive.startswith("{") else 0
        content = content[options:]
        first += options
    texts = tuple(content)
    source = lines[first:first + len(texts)]
    if tuple(source) == texts:  # not indented: every line starts at column 1
        columns = (1,) * len(texts)
    else:  # indented (in a list, a blockquote or a container): where each text starts
        source += texts[len(source):]  # past the end of the file: the text itself
        columns = tuple(
            len(src) - len(text) + 1 if text and src != text and src.endswith(text) else 1
            for src, text in zip(source, texts, strict=True)
        )
    code = CodeLines(texts, tuple(range(first + 1, first + 1 + len(texts))), columns)
    block = CodeBlock(lang, info, code, at(start + 1, 1), fenced)
    events: list[Event] = [block]
    if fenced:
        closing = prepared[end - 1].strip() if 0 < end <= len(prepared) else ""
        marker = tok.markup
        if end - start < 2 or not (closing.startswith(marker) and set(closing) <= set(marker[0])):
            events.append(Diagnostic(
                UNCLOSED_FENCE, f"the code fence opened here with {marker} is never closed",
                Pos(start + 1, 1), f"close it with a line of {marker}"))
    return events


def _table(tokens: list[Token], i: int) -> tuple[Table, int]:
    start_tok = tokens[i]
    header: list[str] = []
    rows: list[TableRow] = []
    cells: list[str] = []
    row_line = 1
    in_head = False
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            cells = []
            row_line = tok.map[0] + 1 if tok.map else row_line
        elif tok.type == "inline":
            cells.append(plain_text(tok.content.strip()))
        elif tok.type == "tr_close":
            if in_head:
                header = cells
            else:
                rows.append(TableRow(tuple(cells), at(row_line, 1)))
        elif tok.type == "table_close":
            i += 1
            break
        i += 1
    line = start_tok.map[0] + 1 if start_tok.map else 1
    return Table(tuple(header), tuple(rows), at(line, 1)), i
