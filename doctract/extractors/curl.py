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
from urllib.parse import quote

from doctract.extractors.jsonparse import parse_json
from doctract.model import (
    CodeLines,
    CurlRequest,
    Diagnostic,
    FormField,
    Header,
    JsonDoc,
    Pos,
)
from doctract.rule_ids import (
    CURL_BROKEN_CONTINUATION,
    CURL_DANGLING_CONTINUATION,
    CURL_MISSING_COMMAND,
    CURL_MISSING_URL,
    CURL_UNBALANCED_QUOTE,
    CURL_UNKNOWN_FLAG,
    HEADER_SYNTAX,
)
from doctract.urls import ANY_PLACEHOLDER

_PLAIN = re.compile(r"[^\s'\"\\;|&]+")
_DQ_TEXT = re.compile(r'[^"\\]*')

# curl's options (curl 8), by what they take. Short options may be combined (`-sSL`, `-XPOST`).
_SHORT_WITH_ARG = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")
_SHORT_NO_ARG = frozenset("0123456aBfgGhiIjJklLMnNOpqRsSvVZ#")
_SHORT_NAMES = {
    "d": "--data", "H": "--header", "X": "--request", "u": "--user", "F": "--form",
    "G": "--get", "I": "--head", "T": "--upload-file",
}
_DATA_KINDS = {
    "--data": "data", "--data-ascii": "data", "--data-binary": "data", "--data-raw": "raw",
    "--data-urlencode": "urlencode", "--json": "json",
}
_LONG_WITH_ARG = frozenset({
    "--abstract-unix-socket", "--alt-svc", "--aws-sigv4", "--cacert", "--capath", "--cert",
    "--cert-type", "--ciphers", "--config", "--connect-timeout", "--connect-to",
    "--continue-at", "--cookie", "--cookie-jar", "--create-file-mode", "--crlfile", "--curves",
    "--data", "--data-ascii", "--data-binary", "--data-raw", "--data-urlencode", "--delegation",
    "--dns-interface", "--dns-ipv4-addr", "--dns-ipv6-addr", "--dns-servers", "--doh-url",
    "--dump-header", "--ech", "--egd-file", "--engine", "--etag-compare", "--etag-save",
    "--expect100-timeout", "--form", "--form-string", "--ftp-account",
    "--ftp-alternative-to-user", "--ftp-method", "--ftp-port", "--ftp-ssl-ccc-mode",
    "--happy-eyeballs-timeout-ms", "--header", "--hostpubmd5", "--hostpubsha256", "--hsts",
    "--interface", "--ip-tos", "--ipfs-gateway", "--json", "--keepalive-cnt",
    "--keepalive-time", "--key", "--key-type", "--krb", "--libcurl", "--limit-rate",
    "--local-port", "--login-options", "--mail-auth", "--mail-from", "--mail-rcpt",
    "--max-filesize", "--max-redirs", "--max-time", "--mptcp", "--netrc-file", "--noproxy",
    "--oauth2-bearer", "--output", "--output-dir", "--parallel-max", "--pass", "--pinnedpubkey",
    "--preproxy", "--proto", "--proto-default", "--proto-redir", "--proxy", "--proxy-cacert",
    "--proxy-capath", "--proxy-cert", "--proxy-cert-type", "--proxy-ciphers",
    "--proxy-crlfile", "--proxy-header", "--proxy-key", "--proxy-key-type", "--proxy-pass",
    "--proxy-pinnedpubkey", "--proxy-service-name", "--proxy-tls13-ciphers",
    "--proxy-tlsauthtype", "--proxy-tlspassword", "--proxy-tlsuser", "--proxy-user",
    "--proxy1.0", "--pubkey", "--quote", "--random-file", "--range", "--rate", "--referer",
    "--request", "--request-target", "--resolve", "--retry", "--retry-delay",
    "--retry-max-time", "--sasl-authzid", "--service-name", "--socks4", "--socks4a",
    "--socks5", "--socks5-gssapi-service", "--socks5-hostname", "--speed-limit",
    "--speed-time", "--stderr", "--telnet-option", "--tftp-blksize", "--time-cond",
    "--tls-max", "--tls13-ciphers", "--tlsauthtype", "--tlspassword", "--tlsuser", "--trace",
    "--trace-ascii", "--trace-config", "--unix-socket", "--upload-file", "--url", "--url-query",
    "--user", "--user-agent", "--variable", "--vlan-priority", "--write-out",
})
_LONG_NO_ARG = frozenset({
    "--anyauth", "--append", "--basic", "--ca-native", "--cert-status", "--compressed",
    "--compressed-ssh", "--create-dirs", "--crlf", "--digest", "--disable", "--disable-eprt",
    "--disable-epsv", "--disallow-username-in-url", "--fail", "--fail-early",
    "--fail-with-body", "--false-start", "--ftp-create-dirs", "--ftp-pasv", "--ftp-pret",
    "--ftp-skip-pasv-ip", "--ftp-ssl-ccc", "--ftp-ssl-control", "--get", "--globoff",
    "--haproxy-clientip", "--haproxy-protocol", "--head", "--help", "--http0.9", "--http1.0",
    "--http1.1", "--http2", "--http2-prior-knowledge", "--http3", "--http3-only",
    "--ignore-content-length", "--include", "--insecure", "--ipv4", "--ipv6",
    "--junk-session-cookies", "--list-only", "--location", "--location-trusted", "--manual",
    "--metalink", "--negotiate", "--netrc", "--netrc-optional", "--next", "--no-alpn",
    "--no-buffer", "--no-clobber", "--no-keepalive", "--no-npn", "--no-progress-meter",
    "--no-sessionid", "--ntlm", "--ntlm-wb", "--parallel", "--parallel-immediate",
    "--path-as-is", "--post301", "--post302", "--post303", "--progress-bar", "--proxy-anyauth",
    "--proxy-basic", "--proxy-ca-native", "--proxy-digest", "--proxy-http2",
    "--proxy-insecure", "--proxy-negotiate", "--proxy-ntlm", "--proxy-ssl-allow-beast",
    "--proxy-ssl-auto-client-cert", "--proxy-tlsv1", "--proxytunnel", "--raw",
    "--remote-header-name", "--remote-name", "--remote-name-all", "--remote-time",
    "--remove-on-error", "--retry-all-errors", "--retry-connrefused", "--sasl-ir",
    "--show-error", "--show-headers", "--silent", "--skip-existing", "--socks5-basic",
    "--socks5-gssapi", "--socks5-gssapi-nec", "--ssl", "--ssl-allow-beast",
    "--ssl-auto-client-cert", "--ssl-no-revoke", "--ssl-reqd", "--ssl-revoke-best-effort",
    "--sslv2", "--sslv3", "--styled-output", "--suppress-connect-headers", "--tcp-fastopen",
    "--tcp-nodelay", "--tftp-no-options", "--tlsv1", "--tlsv1.0", "--tlsv1.1", "--tlsv1.2",
    "--tlsv1.3", "--tr-encoding", "--trace-ids", "--trace-time", "--use-ascii", "--verbose",
    "--version", "--xattr",
})
# a header line curl sends as is: a token, a colon, the value
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z{}<>-]+")
# quotes a word processor or a publishing pipeline puts where the author typed ' or "
_TYPOGRAPHIC_QUOTES = "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033"


def sendable_header_name(name: str) -> bool:
    """Whether HTTP can carry a documented header name (a placeholder counts: it is filled
    before sending)."""
    return bool(_HEADER_NAME.fullmatch(name) or re.search(r"[{<$]", name))


@dataclass(slots=True)
class _Word:
    text: str
    line: int  # index into the block's lines
    col: int  # 0-based column of the word's first character (a quote, if quoted)
    quoted: bool


@dataclass(slots=True)
class _Command:
    words: list[_Word] = field(default_factory=list)
    last_line: int = 0


@dataclass(slots=True)
class _Lexed:
    commands: list[_Command]
    diagnostics: list[Diagnostic]


_URL_LINE = re.compile(r"""['"]?https?://\S+?['"]?(\s+-\S.*|\s*\\)?$""")


def looks_like_curl(lines: CodeLines) -> bool:
    """True when a block is a curl command, or the body of one that lost its `curl` line.

    A URL alone (a page to open in the browser) is not; a URL followed by curl's options, on
    its line, after a `\\` or on the next line, is a curl command that lost its `curl`."""
    texts = [t for t in (line.strip() for line in lines.texts) if t and not t.startswith("#")]
    if not texts:
        return False
    text = texts[0]
    if text.startswith(("curl ", "curl\t")) or text == "curl":
        return True
    m = _URL_LINE.match(text)
    if m is None:
        return False
    return m.group(1) is not None or (len(texts) > 1 and texts[1].startswith("-"))


def _lex(lines: CodeLines) -> _Lexed:
    commands = [_Command()]
    words = commands[0].words  # the current command's
    diags: list[Diagnostic] = []
    chars: list[str] = []  # the pieces of the word being read, when `word` is True
    word = False
    start = (0, 0, False)
    quote: str | None = None
    quote_at = (0, 0)
    continued_at: tuple[int, int] | None = None
    dangling: tuple[int, int] | None = None
    piped = False  # after `|`, `;` or `&`: the rest of the line is another command's

    for li, s in enumerate(lines.texts):
        n = len(s)
        i = 0
        continued_at = None
        while i < n:
            if quote is None:
                c = s[i]
                if c.isspace():  # a word ends; the rest of the run ends no other
                    if word and not piped:
                        words.append(_Word("".join(chars), *start))
                    word = False
                    i += 1
                    while i < n and s[i].isspace():
                        i += 1
                elif c == "#" and not word:
                    break  # a comment
                elif c in "'\"":
                    if not word:
                        word, chars, start = True, [], (li, i, True)
                    quote = c
                    quote_at = (li, i)
                    i += 1
                elif c == "\\":
                    if i == n - 1:
                        continued_at = (li, i)
                        i += 1
                    else:
                        if not word:
                            word, chars, start = True, [], (li, i, False)
                        chars.append(s[i + 1])
                        i += 2
                elif c in ";|&":
                    if word and not piped:
                        words.append(_Word("".join(chars), *start))
                    word = False
                    piped = True
                    i += 1
                else:
                    end = _PLAIN.match(s, i).end()  # type: ignore[union-attr]  # c is plain
                    if not word:
                        word, chars, start = True, [], (li, i, False)
                    chars.append(s[i:end])
                    i = end
            elif quote == "'":  # a quote is always inside a word
                j = s.find("'", i)
                if j < 0:
                    chars.append(s[i:])
                    break
                chars.append(s[i:j])
                i = j + 1
                quote = None
            else:
                end = _DQ_TEXT.match(s, i).end()  # type: ignore[union-attr]  # `*` always matches
                chars.append(s[i:end])
                i = end
                if i >= n:
                    break
                if s[i] == '"':
                    quote = None
                    i += 1
                elif i + 1 < n:
                    nxt = s[i + 1]
                    chars.append(nxt if nxt in '"\\$`' else s[i:i + 2])
                    i += 2
                else:
                    continued_at = (li, i)
                    i += 1
        if quote is not None:
            if quote == "'" or continued_at is None:
                chars.append("\n")
            continue
        if continued_at is not None:
            dangling = continued_at
            continue
        if s.strip():
            dangling = None
        if word and not piped:
            words.append(_Word("".join(chars), *start))
        word = False
        piped = False
        if words:
            commands[-1].last_line = li
            commands.append(_Command())
            words = commands[-1].words
    if quote is not None:
        li, col = _first_unpaired_quote(lines.texts, quote) or quote_at
        diags.append(Diagnostic(
            CURL_UNBALANCED_QUOTE, f"the {quote} opened here is never closed",
            lines.pos(li, col), f"close the quoted text with a matching {quote}"))
    if word and not piped:
        words.append(_Word("".join(chars), *start))
    if commands[-1].words:
        commands[-1].last_line = len(lines) - 1
    if dangling is not None and quote is None:
        li, col = dangling
        diags.append(Diagnostic(
            CURL_DANGLING_CONTINUATION,
            "the last line of the command ends with '\\', so the shell waits for more input",
            lines.pos(li, col), "remove the trailing backslash"))
    return _Lexed([c for c in commands if c.words], diags)


def _first_unpaired_quote(lines: Sequence[str], quote: str) -> tuple[int, int] | None:
    """Where the author most likely dropped a quote: the first line whose quotes do not pair up,
    other than a line that opens a multi-line body (`-d '{`) and the line that closes it."""
    in_body = False
    for li, text in enumerate(lines):
        if text.count(quote) % 2 == 0:
            continue
        tail = text[text.rfind(quote) + 1:].strip()
        if in_body:
            in_body = False
        elif tail in ("{", "[", ""):
            in_body = tail != "" or text.rstrip().endswith(("-d " + quote, "--data " + quote))
            if not in_body:
                return li, text.rfind(quote)
        else:
            return li, text.find(quote)
    return None


def _is_curl(word: _Word) -> bool:
    return word.text == "curl" or word.text.endswith("/curl")


def parse_curl(lines: CodeLines) -> list[CurlRequest]:
    """Every curl request in a shell block, as meant, with what is wrong with each."""
    lexed = _lex(lines)
    groups: list[tuple[_Word, list[_Word], list[Diagnostic]]] = []
    for index, cmd in enumerate(lexed.commands):
        first = cmd.words[0]
        if _is_curl(first):
            groups.append((first, cmd.words[1:], []))
        elif groups and first.text.startswith("-"):
            prev = lexed.commands[index - 1].last_line
            groups[-1][2].append(Diagnostic(
                CURL_BROKEN_CONTINUATION,
                f"this line does not end with '\\', so the shell runs line "
                f"{lines.numbers[first.line]} onwards as a separate command, not as part of curl",
                lines.pos(prev, len(lines.texts[prev].rstrip())),
                "end the line with ' \\'"))
            groups[-1][1].extend(cmd.words)
        elif not groups and _lost_its_curl(lexed.commands, index):
            groups.append((first, list(cmd.words), [Diagnostic(
                CURL_MISSING_COMMAND,
                "the command has no 'curl': the block starts with its arguments",
                lines.pos(first.line, first.col),
                "start the block with 'curl -X METHOD \\'")]))
    requests = [_build(lines.pos(first.line, first.col), words, diags, lines)
                for first, words, diags in groups]
    if requests and lexed.diagnostics:
        last = requests[-1]
        requests[-1] = dataclasses.replace(last, diagnostics=last.diagnostics + tuple(lexed.diagnostics))
    return requests


@dataclass(slots=True)
class _Data:
    word: _Word
    text: str
    kind: str  # data, raw, urlencode or json
    file: bool  # `@file`: curl reads the body from a file


@dataclass(slots=True)
class _Parsed:
    method: str | None = None
    url: _Word | None = None
    headers: list[Header] = field(default_factory=list)
    implied: list[Header] = field(default_factory=list)
    data: list[_Data] = field(default_factory=list)
    form: list[FormField] = field(default_factory=list)
    user: str | None = None
    get: bool = False
    head: bool = False
    upload: bool = False
    method_pos: Pos | None = None
    malformed: list[str] = field(default_factory=list)


def _lost_its_curl(commands: list[_Command], index: int) -> bool:
    """A command that starts with curl's arguments: options, or a URL with options after it
    (on its line, or on the next line when that line lost its `\\`). A URL alone is a page to
    open, not a request."""
    words = commands[index].words
    first = words[0].text
    if first.startswith("-"):
        return True
    if not first.startswith(("http://", "https://")):
        return False
    following = commands[index + 1].words[0].text if index + 1 < len(commands) else ""
    return len(words) > 1 or following.startswith("-")


def _build(start: Pos, words: list[_Word], diags: list[Diagnostic],
           lines: CodeLines) -> CurlRequest:
    parsed = _Parsed()
    i = 0
    while i < len(words):
        word = words[i]
        text = word.text
        nxt = words[i + 1] if i + 1 < len(words) else None
        if text.startswith("--data") and "=" in text and not word.quoted:
            flag, _, rest = text.partition("=")  # not curl syntax, but clearly meant
            if flag in _DATA_KINDS:
                _apply(parsed, flag, _Word(rest, word.line, word.col + len(flag) + 1, False),
                       diags, lines)
                i += 1
                continue
        if text.startswith("--"):
            name = text
            if name in _LONG_WITH_ARG:
                _apply(parsed, name, nxt, diags, lines)
                i += 2
                continue
            if name in _LONG_NO_ARG or (name.startswith("--no-")
                                        and "--" + name[5:] in _LONG_NO_ARG):
                _apply(parsed, name, None, diags, lines)
                i += 1
                continue
        elif text.startswith("-") and len(text) > 1 and (not word.quoted or len(text) == 2):
            i += _short_options(parsed, word, nxt, diags, lines)
            continue
        if text.startswith("-") and not word.quoted and len(text) > 1:
            diags.append(_unknown(text, word, lines))
        elif parsed.url is None:
            parsed.url = word
        i += 1
    return _request(parsed, start, diags, lines)


def _short_options(parsed: _Parsed, word: _Word, nxt: _Word | None, diags: list[Diagnostic],
                   lines: CodeLines) -> int:
    """Apply a cluster of short options (`-sSL`, `-XPOST`); the number of words it used."""
    text = word.text
    for j in range(1, len(text)):
        c = text[j]
        name = _SHORT_NAMES.get(c, "-" + c)
        if c in _SHORT_NO_ARG:
            _apply(parsed, name, None, diags, lines)
        elif c in _SHORT_WITH_ARG:
            rest = text[j + 1:]
            if rest:
                _apply(parsed, name, _Word(rest, word.line, word.col + j + 1, False), diags, lines)
                return 1
            _apply(parsed, name, nxt, diags, lines)
            return 2
        else:
            if not word.quoted:
                diags.append(_unknown(text, word, lines))
            elif parsed.url is None:
                parsed.url = word
            return 1
    return 1


def _unknown(text: str, word: _Word, lines: CodeLines) -> Diagnostic:
    return Diagnostic(CURL_UNKNOWN_FLAG, f"curl has no option {text}",
                      lines.pos(word.line, word.col), "check the spelling of the option")


def _arg_pos(word: _Word, lines: CodeLines) -> Pos:
    return lines.pos(word.line, word.col + int(word.quoted))


def _apply(parsed: _Parsed, name: str, arg: _Word | None, diags: list[Diagnostic],
           lines: CodeLines) -> None:
    """What one option (by its long name) means for the request."""
    if name == "--get":
        parsed.get = True
    elif name == "--head":
        parsed.head = True
    elif arg is None:
        return
    elif name == "--request":
        parsed.method = arg.text.upper()
        parsed.method_pos = _arg_pos(arg, lines)
    elif name == "--header":
        _header(parsed, arg, diags, lines)
    elif name in _DATA_KINDS:
        kind = _DATA_KINDS[name]
        text = arg.text
        is_file = text.startswith("@") and kind in ("data", "json")
        if kind == "urlencode":
            text = _urlencode(text)
        parsed.data.append(_Data(arg, text, kind, is_file))
        if kind == "json":
            _imply(parsed, "Content-Type", "application/json", _arg_pos(arg, lines))
            _imply(parsed, "Accept", "application/json", _arg_pos(arg, lines))
    elif name in ("--form", "--form-string"):
        field_name, _, value = arg.text.partition("=")
        parsed.form.append(FormField(field_name, value, _arg_pos(arg, lines)))
        _imply(parsed, "Content-Type", "multipart/form-data", _arg_pos(arg, lines))
    elif name == "--url":
        parsed.url = arg
    elif name == "--user":
        parsed.user = arg.text.partition(":")[0]
        _imply(parsed, "Authorization", "Basic", _arg_pos(arg, lines))
    elif name == "--oauth2-bearer":
        _imply(parsed, "Authorization", f"Bearer {arg.text}", _arg_pos(arg, lines))
    elif name == "--upload-file":
        parsed.upload = True


def _imply(parsed: _Parsed, name: str, value: str, pos: Pos) -> None:
    """A header curl sends because of an option (the first option that implies it wins)."""
    if not any(h.name == name for h in parsed.implied):
        parsed.implied.append(Header(name, value, pos))


def _header(parsed: _Parsed, arg: _Word, diags: list[Diagnostic],
            lines: CodeLines) -> None:
    """One `-H` line: a header, a `@file` of headers, or a malformed line (header-syntax)."""
    text = arg.text.strip()
    pos = _arg_pos(arg, lines)
    if not text or text.startswith("@"):
        return
    if text[0] in _TYPOGRAPHIC_QUOTES and not arg.quoted:
        _typographic(parsed, text, pos, diags)
        return
    name, colon, value = text.partition(":")
    semicolon = not colon and text.endswith(";")  # `-H 'X-Empty;'` sends an empty header
    if semicolon:
        name = text[:-1]
    if not colon and not semicolon:
        if "$" in text or ANY_PLACEHOLDER.fullmatch(text):
            return  # `-H "$AUTH_HEADER"`: a whole header from a variable
        first = text.split()[0]
        parsed.malformed.append(first)
        diags.append(Diagnostic(
            HEADER_SYNTAX,
            f"the header line starting with {first} has no ':' after the name, so curl does "
            "not send it",
            pos, f"write it as '{first}: VALUE'"))
        return
    stripped = name.strip()
    token = bool(stripped) and _HEADER_NAME.fullmatch(stripped) is not None
    if token and name != stripped:
        diags.append(Diagnostic(
            HEADER_SYNTAX,
            f"the header name {stripped} is followed by a space before ':', so curl sends a "
            "malformed header that servers reject or ignore",
            pos, f"remove the space: '{stripped}: ...'"))
    elif stripped and not token and not sendable_header_name(stripped):
        diags.append(Diagnostic(
            HEADER_SYNTAX,
            f"the header name {stripped!r} is not a valid header name (spaces or other "
            "characters a name cannot have)",
            pos, "write 'Name: value', with the name as one word"))
    parsed.headers.append(Header(stripped, value.strip(), pos))


def _typographic(parsed: _Parsed, text: str, pos: Pos, diags: list[Diagnostic]) -> None:
    """`-H \u2018If-Match: "..."\u2019`: the shell does not take typographic quotes for quotes, so
    curl gets `\u2018If-Match:` as the whole header and the value as another argument. The
    header is kept as curl would send it (a name HTTP cannot carry), so replay reports the
    request as broken instead of sending something else."""
    name, _, value = text.partition(":")
    bare = name.strip(_TYPOGRAPHIC_QUOTES).strip()
    diags.append(Diagnostic(
        HEADER_SYNTAX,
        f"the header {bare} is wrapped in typographic quotes ({text[0]}...), which the shell "
        f"does not treat as quotes: curl gets {name.strip()!r} as the header name and the "
        "value as a separate argument",
        pos, f"use straight quotes: -H '{bare}: ...'"))
    parsed.headers.append(Header(name.strip(), value.strip(), pos))


def _urlencode(text: str) -> str:
    """`--data-urlencode` as curl applies it: `name=value` encodes the value, `[name]@file`
    stays as is. Placeholders are left readable."""
    marker = re.search(r"[=@]", text)
    if marker is not None and marker.group() == "@":
        return text
    if marker is None:
        return _percent(text)
    name, value = text[: marker.start()], text[marker.end():]
    return f"{name}={_percent(value)}" if name else _percent(value)


def _percent(text: str) -> str:
    out: list[str] = []
    last = 0
    for m in ANY_PLACEHOLDER.finditer(text):
        out += [quote(text[last:m.start()], safe=""), m.group()]
        last = m.end()
    out.append(quote(text[last:], safe=""))
    return "".join(out)


def _request(parsed: _Parsed, start: Pos, diags: list[Diagnostic],
             lines: CodeLines) -> CurlRequest:
    data = parsed.data
    method = parsed.method
    if method is None:
        if parsed.head:
            method = "HEAD"
        elif parsed.get:
            method = "GET"
        elif parsed.upload:
            method = "PUT"
        else:
            method = "POST" if data or parsed.form else "GET"
    combined: list[str] = []
    for k, piece in enumerate(data):
        if k and piece.kind == "json" and data[k - 1].kind == "json":
            combined[-1] += piece.text  # curl concatenates repeated --json
        else:
            combined.append(piece.text)
    body_text: str | None = "&".join(combined) if data else None
    body: JsonDoc | None = None
    if len(data) == 1 and data[0].file:
        body_text = None  # the body is in a file the doc does not show
    elif (len(data) == 1 and data[0].kind != "urlencode"
          and data[0].text.lstrip().startswith(("{", "["))):
        body = parse_json(_body_lines(data[0].word, lines))
    url = parsed.url
    url_text = url.text if url else ""
    if parsed.get and body_text is not None:
        url_text += ("&" if "?" in url_text else "?") + body_text
        body_text = None
        body = None
    if url is None:
        diags.append(Diagnostic(CURL_MISSING_URL, "the curl command has no URL", start,
                                "add the request URL after the method"))
    url_pos = _arg_pos(url, lines) if url else start
    return CurlRequest(method, url_text, url_pos, tuple(parsed.headers), body, body_text, start,
                       tuple(diags), tuple(parsed.form), tuple(parsed.implied), parsed.user,
                       parsed.method_pos, tuple(parsed.malformed))


def _body_lines(word: _Word, lines: CodeLines) -> CodeLines:
    """The lines of a data word, each where it is in the block (a body split over several lines
    of it: each piece at its line, the first after the option and the quote)."""
    texts = tuple(word.text.split("\n"))
    last = len(lines) - 1
    at = [min(word.line + k, last) for k in range(len(texts))]
    columns = [lines.columns[li] for li in at]
    columns[0] += word.col + int(word.quoted)
    return CodeLines(texts, tuple(lines.numbers[li] for li in at), tuple(columns))
