"""A tolerant parser for documented curl commands.

It reads a shell block the way bash would (quotes, backslash-newline continuations, comments,
pipes) but never gives up: it recovers the request the author *meant* and reports what would
break when a reader pastes the block into a terminal -- a missing `curl`, a line that lost its
trailing `\\` (so the lines after it are separate commands), a dangling `\\` on the last line,
an unclosed quote, a flag curl does not know. `shlex` is not used because it cannot say where a
word came from, nor recover from an unclosed quote.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from doctract.extractors.jsonparse import parse_json
from doctract.model import CurlRequest, Diagnostic, Header, JsonDoc, Pos, SourceLine

_PLAIN = re.compile(r"[^\s'\"\\;|&]+")
_DQ_TEXT = re.compile(r'[^"\\]*')

_DATA_FLAGS = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-ascii",
                         "--data-urlencode", "--json"})
_FLAGS_WITH_ARG = frozenset({
    "-u", "--user", "-o", "--output", "-F", "--form", "-A", "--user-agent", "-b", "--cookie",
    "-e", "--referer", "-m", "--max-time", "--connect-timeout", "--retry", "-w", "--write-out",
    "--cacert", "--cert", "--key", "-T", "--upload-file", "-x", "--proxy", "--limit-rate",
    "-c", "--cookie-jar", "--resolve", "--max-redirs",
})
_FLAGS_NO_ARG = frozenset({
    "-i", "--include", "-s", "--silent", "-S", "--show-error", "-v", "--verbose", "-L",
    "--location", "-k", "--insecure", "--compressed", "-G", "--get", "-f", "--fail",
    "--fail-with-body", "-I", "--head", "-N", "--no-buffer", "-sS", "-Ss", "-sL", "-Ls",
    "-sSL", "-g", "--globoff", "--http1.1", "--http2", "-#", "--progress-bar",
})


@dataclass
class _Word:
    text: str
    line: int  # index into the block's lines
    col: int  # 0-based column of the word's first character (a quote, if quoted)
    quoted: bool


@dataclass
class _Command:
    words: list[_Word] = field(default_factory=list)
    last_line: int = 0


@dataclass
class _Lexed:
    commands: list[_Command]
    diagnostics: list[Diagnostic]


def looks_like_curl(lines: Sequence[SourceLine]) -> bool:
    """True when a block is a curl command, or the body of one that lost its `curl` line."""
    for sl in lines:
        text = sl.text.strip()
        if not text or text.startswith("#"):
            continue
        return (text.startswith(("curl ", "curl\t")) or text == "curl"
                or bool(re.match(r"""['"]?https?://\S+['"]?\s*\\?$""", text)))
    return False


def _lex(lines: Sequence[SourceLine]) -> _Lexed:
    commands = [_Command()]
    diags: list[Diagnostic] = []
    chars: list[str] | None = None
    start = (0, 0, False)
    quote: str | None = None
    quote_at = (0, 0)
    continued_at: tuple[int, int] | None = None
    dangling: tuple[int, int] | None = None
    piped = False

    def finish() -> None:
        nonlocal chars
        if chars is not None and not piped:
            commands[-1].words.append(_Word("".join(chars), *start))
        chars = None

    def begin(li: int, col: int, quoted: bool) -> list[str]:
        nonlocal chars, start
        if chars is None:
            chars = []
            start = (li, col, quoted)
        return chars

    for li, sl in enumerate(lines):
        s = sl.text
        n = len(s)
        i = 0
        continued_at = None
        while i < n:
            if quote == "'":
                j = s.find("'", i)
                buf = begin(li, i, True)
                if j < 0:
                    buf.append(s[i:])
                    i = n
                    break
                buf.append(s[i:j])
                i = j + 1
                quote = None
                continue
            if quote == '"':
                buf = begin(li, i, True)
                end = _DQ_TEXT.match(s, i).end()  # type: ignore[union-attr]  # `*` always matches
                buf.append(s[i:end])
                i = end
                if i >= n:
                    break
                if s[i] == '"':
                    quote = None
                    i += 1
                elif i + 1 < n:
                    nxt = s[i + 1]
                    buf.append(nxt if nxt in '"\\$`' else s[i:i + 2])
                    i += 2
                else:
                    continued_at = (li, i)
                    i += 1
                continue
            c = s[i]
            if c.isspace():
                finish()
                i += 1
            elif c == "#" and chars is None:
                break
            elif c in "'\"":
                begin(li, i, True)
                quote = c
                quote_at = (li, i)
                i += 1
            elif c == "\\":
                if i == n - 1:
                    continued_at = (li, i)
                    i += 1
                else:
                    begin(li, i, False).append(s[i + 1])
                    i += 2
            elif c in ";|&":
                finish()
                piped = True
                i += 1
            else:
                m = _PLAIN.match(s, i)
                end = m.end() if m else i + 1
                begin(li, i, False).append(s[i:end])
                i = end
        if quote is not None:
            if chars is not None and quote == "'":
                chars.append("\n")
            elif chars is not None and continued_at is None:
                chars.append("\n")
            continue
        if continued_at is not None:
            dangling = continued_at
            continue
        if s.strip():
            dangling = None
        finish()
        piped = False
        if commands[-1].words:
            commands[-1].last_line = li
            commands.append(_Command())
    if quote is not None:
        li, col = _first_unpaired_quote(lines, quote) or quote_at
        diags.append(Diagnostic(
            "curl-unbalanced-quote", f"the {quote} opened here is never closed",
            _pos(lines, li, col), f"close the quoted text with a matching {quote}"))
    finish()
    if commands[-1].words:
        commands[-1].last_line = len(lines) - 1
    if dangling is not None and quote is None:
        li, col = dangling
        diags.append(Diagnostic(
            "curl-dangling-continuation",
            "the last line of the command ends with '\\', so the shell waits for more input",
            _pos(lines, li, col), "remove the trailing backslash"))
    return _Lexed([c for c in commands if c.words], diags)


def _first_unpaired_quote(lines: Sequence[SourceLine], quote: str) -> tuple[int, int] | None:
    """Where the author most likely dropped a quote: the first line whose quotes do not pair up,
    other than a line that opens a multi-line body (`-d '{`) and the line that closes it."""
    in_body = False
    for li, sl in enumerate(lines):
        if sl.text.count(quote) % 2 == 0:
            continue
        tail = sl.text[sl.text.rfind(quote) + 1:].strip()
        if in_body:
            in_body = False
        elif tail in ("{", "[", ""):
            in_body = tail != "" or sl.text.rstrip().endswith(("-d " + quote, "--data " + quote))
            if not in_body:
                return li, sl.text.rfind(quote)
        else:
            return li, sl.text.find(quote)
    return None


def _pos(lines: Sequence[SourceLine], li: int, col: int) -> Pos:
    sl = lines[li]
    return Pos(sl.line, sl.column + col)


def _is_curl(word: _Word) -> bool:
    return word.text == "curl" or word.text.endswith("/curl")


def parse_curl(lines: Sequence[SourceLine]) -> list[CurlRequest]:
    """Every curl request in a shell block, as meant, with what is wrong with each."""
    lexed = _lex(lines)
    groups: list[tuple[_Word, list[_Word], list[Diagnostic]]] = []
    for index, cmd in enumerate(lexed.commands):
        first = cmd.words[0]
        if _is_curl(first):
            groups.append((first, cmd.words[1:], []))
        elif groups and first.text.startswith("-"):
            prev = lexed.commands[index - 1]
            prev_line = lines[prev.last_line]
            groups[-1][2].append(Diagnostic(
                "curl-broken-continuation",
                f"this line does not end with '\\', so the shell runs line "
                f"{lines[first.line].line} onwards as a separate command, not as part of curl",
                Pos(prev_line.line, prev_line.column + len(prev_line.text.rstrip())),
                "end the line with ' \\'"))
            groups[-1][1].extend(cmd.words)
        elif not groups and (first.text.startswith(("http://", "https://", "-"))):
            groups.append((first, list(cmd.words), [Diagnostic(
                "curl-missing-command",
                "the command has no 'curl': the block starts with its arguments",
                _pos(lines, first.line, first.col),
                "start the block with 'curl -X METHOD \\'")]))
    requests = [_build(_pos(lines, first.line, first.col), words, diags, lines)
                for first, words, diags in groups]
    if requests and lexed.diagnostics:
        last = requests[-1]
        requests[-1] = dataclasses.replace(last, diagnostics=last.diagnostics + tuple(lexed.diagnostics))
    return requests


def _build(start: Pos, words: list[_Word], diags: list[Diagnostic],
           lines: Sequence[SourceLine]) -> CurlRequest:
    method: str | None = None
    url: _Word | None = None
    headers: list[Header] = []
    data: _Word | None = None
    get_flag = False
    i = 0
    while i < len(words):
        word = words[i]
        text = word.text
        nxt = words[i + 1] if i + 1 < len(words) else None
        if text in ("-X", "--request"):
            method = nxt.text.upper() if nxt else None
            i += 2
            continue
        if text.startswith("-X") and len(text) > 2 and not word.quoted:
            method = text[2:].upper()
        elif text in ("-H", "--header"):
            if nxt is not None:
                name, _, value = nxt.text.partition(":")
                headers.append(Header(name.strip(), value.strip(),
                                      _pos(lines, nxt.line, nxt.col + int(nxt.quoted))))
            i += 2
            continue
        elif text in _DATA_FLAGS:
            data = nxt
            i += 2
            continue
        elif text.startswith("--data") and "=" in text:
            flag, _, rest = text.partition("=")
            data = _Word(rest, word.line, word.col + len(flag) + 1, False)
        elif text == "--url":
            url = nxt
            i += 2
            continue
        elif text in _FLAGS_WITH_ARG:
            i += 2
            continue
        elif text in ("-G", "--get"):
            get_flag = True
        elif text in _FLAGS_NO_ARG:
            pass
        elif text.startswith("-") and not word.quoted and len(text) > 1:
            diags.append(Diagnostic(
                "curl-unknown-flag", f"curl has no option {text}", _pos(lines, word.line, word.col),
                "check the spelling of the option"))
        elif url is None:
            url = word
        i += 1
    if method is None:
        method = "GET" if get_flag or data is None else "POST"
    body_text: str | None = None
    body: JsonDoc | None = None
    if data is not None and not data.text.startswith("@"):
        body_text = data.text
        if body_text.lstrip().startswith(("{", "[")):
            body = parse_json(_body_lines(data, lines))
    if url is None:
        diags.append(Diagnostic("curl-missing-url", "the curl command has no URL", start,
                                "add the request URL after the method"))
    url_pos = _pos(lines, url.line, url.col + int(url.quoted)) if url else start
    return CurlRequest(method, url.text if url else "", url_pos, tuple(headers), body,
                       body_text, start, tuple(diags))


def _body_lines(word: _Word, lines: Sequence[SourceLine]) -> list[SourceLine]:
    out: list[SourceLine] = []
    offset = int(word.quoted)
    for k, text in enumerate(word.text.split("\n")):
        li = min(word.line + k, len(lines) - 1)
        sl = lines[li]
        col = sl.column + (word.col + offset if k == 0 else 0)
        out.append(SourceLine(text, sl.line, col))
    return out
