"""JSON examples: strict validity, every syntax error with its source position, and lookups.

`json.loads` decides validity (it is the reference and it is fast). When it rejects a block, a
small recovering parser walks the tokens to find *every* error, not only the first, so a doc
author fixes a block in one pass. No maintained Python library reports several JSON errors with
recovery, which is why this part is written here. The same walker also maps a JSON path back to
its line, used by findings that point inside a valid example.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from doctract.model import CodeLines, Diagnostic, JsonDoc, Pos
from doctract.rule_ids import JSON_ELIDED, JSON_SYNTAX
from doctract.secrets.names import is_secret_key

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
   |(?P<comment>//.*$|/\*.*?\*/|\#.*$)
   |(?P<str>"(?:[^"\\]|\\.)*")
   |(?P<ustr>"(?:[^"\\]|\\.)*\\?$)
   |(?P<ph>\{\{[A-Za-z_][A-Za-z0-9_.\-]*\}\}|\{[A-Za-z_][A-Za-z0-9_.\-]*\}|<[A-Za-z_][A-Za-z0-9_\- ]*>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?)
   |(?P<num>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.]))
   |(?P<lit>(?:true|false|null)(?![\w.]))
   |(?P<punct>[{}\[\]:,])
   |(?P<ell>(?:\.{3,}|…)(?=[\s{}\[\]:,"]|$))
   |(?P<word>[^\s{}\[\]:,"]+)
    """,
    re.VERBOSE,
)
_MAX_DEPTH = 200
_MAX_ERRORS = 50
Path = tuple[str | int, ...]


class _Tok:
    __slots__ = ("col", "kind", "line", "text")

    def __init__(self, kind: str, text: str, line: int, col: int) -> None:
        self.kind = kind
        self.text = text
        self.line = line
        self.col = col

    @property
    def end_col(self) -> int:
        return self.col + len(self.text)


def _tokenize(texts: Sequence[str], comments: list[_Tok] | None = None) -> list[_Tok]:
    """JSON tokens line by line; comments go to `comments` (JSON has none, so they are errors)."""
    toks: list[_Tok] = []
    if comments is None:
        comments = []
    for li, text in enumerate(texts):
        for m in _TOKEN.finditer(text):
            kind = m.lastgroup or "word"
            if kind == "ws":
                continue
            if kind == "comment":
                comments.append(_Tok(kind, m.group(), li, m.start()))
                continue
            if kind == "punct":
                kind = m.group()
            toks.append(_Tok(kind, m.group(), li, m.start()))
    return toks


class _Walker:
    """Recursive descent over tokens that records errors and resynchronises at line ends."""

    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.i = 0
        self.errors: list[tuple[int, int, str, str]] = []
        self.elided: list[_Tok] = []  # where `...` or `…` stands for left-out parts
        self.paths: dict[Path, tuple[int, int]] = {}

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def error(self, tok: _Tok | None, message: str, hint: str = "", at_end: bool = False) -> None:
        if len(self.errors) >= _MAX_ERRORS:
            return
        if tok is None:
            tok = self.toks[-1] if self.toks else _Tok("eof", "", 0, 0)
            at_end = True
        col = tok.end_col if at_end else tok.col
        self.errors.append((tok.line, col, message, hint))

    def skip_line(self) -> None:
        tok = self.peek()
        if tok is None:
            return
        line = tok.line
        while self.i < len(self.toks) and self.toks[self.i].line == line:
            self.i += 1

    def document(self) -> None:
        if not self.toks:
            self.error(None, "the JSON example is empty")
            return
        self.value((), 0)
        extra = self.peek()
        if extra is not None:
            self.error(extra, f"unexpected {_describe(extra)} after the end of the JSON value",
                       "remove it, or wrap the values in an array")

    def describe(self, tok: _Tok, path: Path) -> str:
        """Quote the offending token, unless it is the value of a field named like a credential
        (doctract.secrets.names)."""
        key = path[-1] if path else ""
        if isinstance(key, str) and is_secret_key(key) and tok.kind not in "{}[],:":
            return f"the value of {key}"
        return _describe(tok)

    def value(self, path: Path, depth: int) -> None:
        tok = self.peek()
        if tok is None:
            self.error(None, "the JSON example ends where a value was expected")
            return
        self.paths.setdefault(path, (tok.line, tok.col))
        if depth > _MAX_DEPTH:
            self.error(tok, f"nesting deeper than {_MAX_DEPTH} levels")
            self.i = len(self.toks)
            return
        kind = tok.kind
        if kind == "{":
            self.obj(path, depth)
        elif kind == "[":
            self.arr(path, depth)
        elif kind in ("str", "num", "lit"):
            self.i += 1
        elif kind == "ell":
            self.elided.append(tok)
            self.i += 1
        elif kind == "ph":
            self.error(tok, f"bare placeholder {tok.text} is not a JSON value",
                       f'quote it: "{tok.text}"')
            self.i += 1
        elif kind == "ustr":
            self.error(tok, "string is not closed on this line", "add the closing double quote")
            self.i += 1
        elif kind == "word":
            hint = "quote strings with double quotes" if "'" in tok.text else ""
            self.error(tok, f"{self.describe(tok, path)} is not a JSON value", hint)
            self.i += 1
        else:
            self.error(tok, f"expected a value, found {self.describe(tok, path)}")

    def obj(self, path: Path, depth: int) -> None:
        opener = self.toks[self.i]
        self.i += 1
        if (tok := self.peek()) is not None and tok.kind == "}":
            self.i += 1
            return
        while True:
            start = self.i
            tok = self.peek()
            if tok is None:
                self.error(opener, "'{' is never closed", "add the matching '}'")
                return
            if tok.kind == "}":
                self.i += 1
                return
            key: str | None = None
            if tok.kind == "ell":  # `{ ..., "query": "x" }`: members left out
                self.elided.append(tok)
                self.i += 1
                if not self.after_item("}", path):
                    return
                continue
            if tok.kind == "str":
                key = _unquote(tok.text)
                self.i += 1
            elif tok.kind in ("word", "ph", "lit", "num"):
                self.error(tok, f"property name {tok.text} is not in double quotes",
                           f'write "{tok.text}"')
                key = tok.text
                self.i += 1
            else:
                self.error(tok, f"expected a property name, found {_describe(tok)}")
                self.skip_line()
                continue
            colon = self.peek()
            if colon is None or colon.kind != ":":
                self.error(colon, f'expected ":" after the property name {tok.text}',
                           "check the quotes around the property name")
                self.skip_line()
                continue
            self.i += 1
            self.paths.setdefault((*path, key), (tok.line, tok.col))
            self.value((*path, key), depth + 1)
            if not self.after_item("}", path):
                return
            if self.i == start:
                self.i += 1

    def arr(self, path: Path, depth: int) -> None:
        opener = self.toks[self.i]
        self.i += 1
        if (tok := self.peek()) is not None and tok.kind == "]":
            self.i += 1
            return
        index = 0
        while True:
            start = self.i
            tok = self.peek()
            if tok is None:
                self.error(opener, "'[' is never closed", "add the matching ']'")
                return
            if tok.kind == "]":
                self.i += 1
                return
            if tok.kind in (",", ":", "}"):
                self.error(tok, f"expected a value, found {self.describe(tok, path)}")
                self.skip_line()
                continue
            self.value((*path, index), depth + 1)
            index += 1
            if not self.after_item("]", path):
                return
            if self.i == start:
                self.i += 1

    def after_item(self, closer: str, path: Path) -> bool:
        """Handle what follows a member or element; False when the container is closed."""
        prev = self.toks[self.i - 1] if self.i else None
        tok = self.peek()
        if tok is None:
            return True  # the caller reports the unclosed container
        if tok.kind == closer:
            self.i += 1
            return False
        if tok.kind == ",":
            self.i += 1
            nxt = self.peek()
            if nxt is not None and nxt.kind == closer:
                if prev is None or prev.kind != "ell":  # `…,` before the closer is elision too
                    self.error(tok, f"trailing comma before '{closer}'", "remove the comma")
                self.i += 1
                return False
            return True
        elided = prev is not None and (prev.kind == "ell" or tok.kind == "ell")
        if elided and prev is not None and tok.line > prev.line:
            return True  # an elision on its own line needs no comma around it
        if prev is not None and tok.line > prev.line and tok.kind in ("str", "{", "[", "num", "lit"):
            self.error(prev, f"missing ',' after {_describe(prev)}", "add a comma", at_end=True)
            return True
        self.error(tok, f"expected ',' or '{closer}', found {_describe(tok)}")
        self.skip_line()
        return True


def _describe(tok: _Tok) -> str:
    text = tok.text if len(tok.text) <= 40 else tok.text[:37] + "..."
    return f"`{text}`"


def _unquote(text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        return text.strip('"')
    return value if isinstance(value, str) else text


def _source_pos(lines: CodeLines, li: int, col: int) -> Pos:
    if not lines.texts:
        return Pos(1, 1)
    return lines.pos(max(0, min(li, len(lines.texts) - 1)), col)


def parse_json(lines: CodeLines) -> JsonDoc:
    """Parse a JSON example, reporting every syntax error at its position in the file."""
    texts = lines.texts
    text = "\n".join(texts)
    try:
        value = json.loads(text)
    except RecursionError:
        return JsonDoc(text, lines, None, False, (Diagnostic(
            JSON_SYNTAX, f"JSON nested deeper than Python can parse ({_MAX_DEPTH}+ levels)",
            _source_pos(lines, 0, 0)),))
    except ValueError as exc:
        return JsonDoc(text, lines, None, False, _errors(lines, texts, exc))
    return JsonDoc(text, lines, value, True, ())


def _errors(lines: CodeLines, texts: Sequence[str], exc: ValueError) -> tuple[Diagnostic, ...]:
    comments: list[_Tok] = []
    walker = _Walker(_tokenize(texts, comments))
    walker.document()
    for tok in comments:
        walker.errors.append((tok.line, tok.col, "JSON has no comments",
                              "move the explanation into the prose or a table"))
    walker.errors.sort(key=lambda e: (e[0], e[1]))
    found = [
        Diagnostic(JSON_SYNTAX, f"invalid JSON: {msg}", _source_pos(lines, li, col), hint)
        for li, col, msg, hint in walker.errors
    ]
    if walker.elided:
        first = walker.elided[0]
        places = len(walker.elided)
        found.append(Diagnostic(
            JSON_ELIDED,
            f"the JSON example leaves parts out with `{first.text}`"
            + (f" ({places} places)" if places > 1 else "")
            + ", so readers cannot paste it and tests cannot compare it",
            _source_pos(lines, first.line, first.col),
            "fine for an illustration; where readers copy the example, show it in full"))
        found.sort(key=lambda d: (d.pos.line, d.pos.column))
        return tuple(found)
    if not found:  # the walker is lenient somewhere json is not: trust json's own report
        li = getattr(exc, "lineno", 1) - 1
        col = getattr(exc, "colno", 1) - 1
        msg = getattr(exc, "msg", str(exc))
        found = [Diagnostic(JSON_SYNTAX, f"invalid JSON: {msg}", _source_pos(lines, li, col))]
    return tuple(found)


def locate(doc: JsonDoc, path: Sequence[str | int]) -> Pos:
    """The position of the value at `path` (or of its nearest located ancestor)."""
    walker = _Walker(_tokenize(doc.lines.texts))
    try:
        walker.document()
    except RecursionError:
        return doc.pos
    key = tuple(path)
    while key not in walker.paths and key:
        key = key[:-1]
    li, col = walker.paths.get(key, (0, 0))
    return _source_pos(doc.lines, li, col)


def keys_in(doc: JsonDoc) -> set[str]:
    """Every property name in the example, even when it is not valid JSON."""
    if doc.valid:
        names: set[str] = set()
        _collect_keys(doc.value, names)
        return names
    return {_unquote(m.group(1)) for m in re.finditer(r'("(?:[^"\\]|\\.)*")\s*:', doc.text)}


def _collect_keys(value: Any, names: set[str]) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            names.update(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
