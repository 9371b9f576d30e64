"""URLs, paths, queries and placeholders as the docs write them."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

PLACEHOLDER = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_.\-]*)\}\}|\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")
ANY_PLACEHOLDER = re.compile(
    r"\{\{[A-Za-z_][A-Za-z0-9_.\-]*\}\}|\{[A-Za-z_][A-Za-z0-9_.\-]*\}|<[A-Za-z_][A-Za-z0-9_\-]*>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?"
    r"|\b(?:YOUR|MY)_[A-Z0-9_]+\b"
)
UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)
HEX_ID = re.compile(r"\b[0-9a-f]{32}\b")
# either kind of id, in one scan of a text (a 32-digit id and a UUID never overlap); the
# lookahead, which changes no match, lets the search skip what cannot start one
ENTITY_ID = re.compile(rf"(?=[0-9a-fA-F])\b(?:{UUID.pattern[2:-2]}|{HEX_ID.pattern[2:-2]})\b")
# a URL written without a scheme that starts with its host: a placeholder for the base URL
# (`MEILISEARCH_URL`, `{HOST}`, `$API_URL`, `<host>`) or a host with a port or a dot
_HOST_LEAD = re.compile(
    r"^(\{\{?[A-Za-z_][\w.\-]*\}\}?|<[A-Za-z_][\w\-]*>|\$\{?[A-Za-z_]\w*\}?|[A-Z][A-Z0-9]*_[A-Z0-9_]+"
    r"|localhost(?::\d+)?|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?|[A-Za-z0-9-]+:\d+)(?=/|\?|$)"
)


@lru_cache(maxsize=1024)  # header values repeat across a doc set (`Bearer {ACCESS_TOKEN}`)
def placeholder_names(text: str) -> tuple[str, ...]:
    """Names of the `{NAME}` (or `{{NAME}}`) placeholders in a text, in order."""
    if "{" not in text:  # most values have none: no need to run the expression
        return ()
    return tuple(a or b for a, b in PLACEHOLDER.findall(text))


def placeholder_name(text: str) -> str | None:
    """The name when the whole text is one placeholder."""
    if not text.startswith("{"):
        return None
    m = PLACEHOLDER.fullmatch(text)
    return (m.group(1) or m.group(2)) if m else None


@lru_cache(maxsize=2048)  # every rule asks again about a document's URLs (a few documents' worth)
def split_url(url: str) -> tuple[str, str, str]:
    """(host, path, query) of a documented URL; tolerant of placeholders and missing schemes."""
    text = url.strip()
    if "://" not in text:
        head = _HOST_LEAD.match(text)
        if head:  # `MEILISEARCH_URL/indexes`, `{HOST}/v1`, `localhost:7700/health`
            text = text[head.end() :]
        path, _, query = text.partition("?")
        if head and not path.startswith("/"):
            path = "/" + path
        host = head.group(1) if head else ""
        if host and not is_host_placeholder(host):
            host = host.split(":", 1)[0].lower()
        return host, path, query
    try:
        parts = urlsplit(text)
        netloc = parts.netloc.rsplit("@", 1)[-1].split(":", 1)[0]
        if is_host_placeholder(netloc):  # `https://PROJECT_URL/...` keeps its spelling
            return netloc, parts.path, parts.query
        return parts.hostname or parts.netloc, parts.path, parts.query
    except ValueError:
        rest = text.split("://", 1)[1]
        host, _, tail = rest.partition("/")
        path, _, query = ("/" + tail).partition("?")
        return host, path, query


def segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


@lru_cache(maxsize=1024)  # several rules read the same query
def query_pairs(query: str) -> tuple[tuple[str, str], ...]:
    """`a=1&property=name=="X"` -> (("a", "1"), ("property", 'name=="X"')), percent-decoded."""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return tuple(pairs)


@lru_cache(maxsize=1024)
def template_regex(template: str) -> re.Pattern[str]:
    """A regex matching a value in which each `{PLACEHOLDER}` stands for any text."""
    out = []
    last = 0
    for m in PLACEHOLDER.finditer(template):
        out.append(re.escape(template[last : m.start()]))
        out.append(r".+")
        last = m.end()
    out.append(re.escape(template[last:]))
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def is_placeholder(text: str) -> bool:
    text = text.strip()
    # every form starts with one of these: `{X}`, `<x>`, `$X`, `YOUR_X`, `MY_X`
    return text[:1] in _PLACEHOLDER_STARTS and bool(ANY_PLACEHOLDER.fullmatch(text))


_PLACEHOLDER_STARTS = frozenset("{<$YM")


_CONSTANT = re.compile(r"[A-Z][A-Z0-9]*_[A-Z0-9_]+")


def is_host_placeholder(host: str) -> bool:
    """`{HOST}`, `<host>`, `$HOST` or a constant-like name (`MEILISEARCH_URL`) as a host."""
    return is_placeholder(host) or bool(_CONSTANT.fullmatch(host)) or "{" in host or "$" in host


def path_matches(template: str, path: str) -> bool:
    """True when the URL path ends with the API-format path, placeholders matching a segment."""
    want = segments(template)
    have = segments(path)
    if len(have) < len(want):
        return False
    tail = have[len(have) - len(want) :] if want else []
    for w, h in zip(want, tail, strict=True):
        if PLACEHOLDER.fullmatch(w) or (PLACEHOLDER.search(w) and template_regex(w).match(h)):
            continue
        if PLACEHOLDER.search(h):
            continue
        if w != h:
            return False
    return True
