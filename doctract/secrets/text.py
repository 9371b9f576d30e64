"""Credentials in free text (a doc's lines, a message, a serialized file): known secret values
in any of their usual encodings, credentials by their look (doctract.secrets.shapes), and
values written after a credential's name: `Authorization: Bearer ...` and other secret header
lines, `-u user:pass`, `https://user:pass@host`, `"password": "..."`, `access_token=...`.

Words stay: `Basic Authentication` (a spec's name) is no credential, `x-api-key: the key you
were given` is prose, and placeholders (`{API_KEY}`, `$TOKEN`, `<token>`) are kept.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Collection, Iterable, Sequence
from urllib.parse import quote, quote_plus

from doctract.secrets.names import is_secret_header, is_secret_key, is_secret_param
from doctract.secrets.shapes import (
    SCRUBBED,
    is_placeholder,
    looks_secret,
    mask_shapes,
    may_contain,
    may_contain_word,
    without_placeholders,
)

# every value class stops at a backslash: a credential replaced in serialized JSON never takes
# the backslash of the escaped quote that ends it
_SCHEMES = r"Bearer|Basic|Token|Digest|Negotiate|Bot|SharedKey|SSWS|Splunk|ApiKey"
_AUTH_SCHEME = re.compile(
    rf"(?i)(?<![\w/.-])(?P<scheme>{_SCHEMES})[ \t]+(?P<cred>[A-Za-z0-9._~+/=-]+)"
)
_USERINFO = re.compile(
    r"(?i)\b(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^\s/@:'\"<>\\]+)(?::(?P<pw>[^\s/@'\"<>\\]*))?@"
)
_CURL_USER = re.compile(
    r"(?<![\w-])(?P<opt>-u|--user)(?P<sep>\s+|=)(?P<q>['\"]?)(?P<user>[^\s'\":]*):"
    r"(?P<pw>[^\s'\"\\]+)"
)
_HEADER_LINE = re.compile(
    r"(?im)(?<![\w-])(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<sep>[ \t]*:[ \t]*)"
    r"(?P<value>[^'\"`\\\r\n<>]*[^'\"`\\\r\n<> \t,])"
)
_KEY_VALUE = re.compile(
    r"(?P<q>\\?[\"'])(?P<key>[A-Za-z_][\w.-]{0,79})(?P=q)(?P<sep>\s*:\s*)(?P=q)"
    r"(?P<value>(?:(?!(?P=q)).)*?)(?<!\\)(?P=q)"
)
_PARAM = re.compile(
    r"(?P<lead>^|[?&;\s\"',(])(?P<name>[A-Za-z_][\w.-]{0,79})=(?P<q>\"?)(?P<value>[^&\s\"'#<>;,?\\]+)"
)
_SCHEME_WORDS = tuple(word.lower() for word in _SCHEMES.split("|"))
# what a `Name: value` line needs: a name character, then the colon (JSON's `"key":` has none)
_HEADER_HINT = re.compile(r"(?i)[A-Za-z0-9-][ \t]*:")
_PROSE = re.compile(r"[A-Za-z]+(?:\s+[A-Za-z]+){2,}")  # three words or more


def encodings(value: str) -> set[str]:
    """The ways a value shows up in files: as is, JSON-escaped, URL-encoded, HTML-escaped."""
    return {
        value,
        json.dumps(value)[1:-1],
        quote(value, safe=""),
        quote_plus(value, safe=""),
        quote(value, safe="/:@"),
        html.escape(value),
        html.escape(value, quote=False),
    }


def value_forms(values: Iterable[str]) -> tuple[str, ...]:
    """Every encoding of every value, longest first (so a value inside another goes last)."""
    forms = {form for value in values if value for form in encodings(value) if form}
    return tuple(sorted(forms, key=len, reverse=True))


def mask_values(text: str, forms: Sequence[str]) -> str:
    """Every occurrence of each form (see `value_forms`); one over several lines (a key file
    in the environment) keeps its line breaks, so excerpts keep their line numbers."""
    for form in forms:
        if form in text:
            text = text.replace(form, "\n".join([SCRUBBED] * (form.count("\n") + 1)))
    return text


def _credential(text: str) -> bool:
    """A token that looks like a credential rather than a word: 8+ characters with a digit,
    a symbol or a capital inside (`dXNlcjpwYXNz`), and not a placeholder."""
    if len(text) < 8 or " " in text.strip() or is_placeholder(text):
        return False
    return (
        any(c.isdigit() for c in text)
        or any(c in "._~+/=" for c in text)
        or any(c.isupper() for c in text[1:])
    )


def _header_value(value: str, cookie: bool) -> str:
    """A secret header's value with the credential in it masked; prose and placeholders kept."""
    if cookie:  # `name=value; name=value`: the values
        return re.sub(
            r"(?P<name>[^=;\s]+)=(?P<value>[^;\s]*)",
            lambda m: m.group() if is_placeholder(m["value"]) else f"{m['name']}={SCRUBBED}",
            value,
        )
    scheme = re.match(rf"(?i)(?:{_SCHEMES})\s+", value)
    head, rest = (value[: scheme.end()], value[scheme.end() :]) if scheme else ("", value)
    if not re.search(r"[A-Za-z0-9]{3}", without_placeholders(rest)):
        return value  # placeholders only (`Bearer {ACCESS_TOKEN}`)
    if _PROSE.fullmatch(rest.strip()):
        return value  # `x-api-key: the key you were given`
    return head + SCRUBBED


def _userinfo(m: re.Match[str]) -> str:
    """`scheme://user:pass@` keeps the user; a lone `scheme://TOKEN@` loses the token."""
    if m["pw"] is not None:
        if not m["pw"] or is_placeholder(m["pw"]):
            return m.group()
        return f"{m['scheme']}{m['user']}:{SCRUBBED}@"
    return f"{m['scheme']}{SCRUBBED}@" if _credential(m["user"]) else m.group()


def _headers(text: str, extra: Collection[str]) -> str:
    """`Name: value` lines: a secret header's value, or a single credential-like token after
    a secret key (`password: hunter2!`, not `Token: get one`)."""

    def sub(m: re.Match[str]) -> str:
        name, value = m["name"], m["value"]
        if is_secret_header(name, extra):
            cookie = name.lower() in ("cookie", "set-cookie")
            return f"{name}{m['sep']}{_header_value(value, cookie)}"
        if is_secret_key(name) and (_credential(value) or looks_secret(value)):
            return f"{name}{m['sep']}{SCRUBBED}"
        return m.group()

    if not _HEADER_HINT.search(text):
        return text
    return _HEADER_LINE.sub(sub, text)


def mask_credentials(
    text: str,
    headers: Collection[str] = (),
    params: Collection[str] = (),
    fields: Collection[str] = (),
    by_name: bool = True,
) -> str:
    """Credentials by their look and by the names they follow (see the module docstring);
    `headers`, `params` and `fields` are the contract's secret names. Without `by_name`, only
    what needs no quotes or line ends to find (for markup, which escapes them)."""
    # each pattern runs only where the text has what it needs (the checks are plain searches,
    # a fraction of a pattern's scan): results and cassettes are scrubbed as a whole
    text = mask_shapes(text)
    if may_contain(text, "://", "@"):
        text = _USERINFO.sub(_userinfo, text)
    if may_contain_word(text, _SCHEME_WORDS):
        text = _AUTH_SCHEME.sub(
            lambda m: f"{m['scheme']} {SCRUBBED}" if _credential(m["cred"]) else m.group(), text
        )
    if not by_name:
        return text
    if may_contain(text, "-u"):  # `-u` and `--user`
        text = _CURL_USER.sub(
            lambda m: (
                m.group()
                if is_placeholder(m["pw"])
                else f"{m['opt']}{m['sep']}{m['q']}{m['user']}:{SCRUBBED}"
            ),
            text,
        )
    text = _headers(text, headers)

    def key_value(m: re.Match[str]) -> str:
        value = m["value"]
        if not value or is_placeholder(value):
            return m.group()
        if not (is_secret_key(m["key"], fields) or looks_secret(value)):
            return m.group()
        return f"{m['q']}{m['key']}{m['q']}{m['sep']}{m['q']}{SCRUBBED}{m['q']}"

    def param(m: re.Match[str]) -> str:
        value = m["value"]
        if is_placeholder(value) or not (is_secret_param(m["name"], params) or looks_secret(value)):
            return m.group()
        return f"{m['lead']}{m['name']}={m['q']}{SCRUBBED}"

    text = _KEY_VALUE.sub(key_value, text)
    return _PARAM.sub(param, text) if may_contain(text, "=") else text
