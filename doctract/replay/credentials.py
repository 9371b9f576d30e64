"""Credentials where the contract's security schemes put them: a header (`Authorization`,
`X-Auth-Token`, `PRIVATE-TOKEN`), a query parameter (`?api_key=`) or a cookie.

A doc writes a placeholder there in any common style (`{TOKEN}`, `$TOKEN`, `<token>`,
`YOUR_API_KEY`, `Bearer MEILISEARCH_KEY`); its value comes from the configuration's
placeholders, then `DOCTRACT_NAME` / `NAME` in the environment, trying the doc's name first and
then the scheme's (`X_AUTH_TOKEN`, `ACCESS_TOKEN` for a bearer token), then the value this run
already sent there; against an emulator, a local server or offline, a harmless fake. Every
value sent in a credential's place (cleanup's requests too) is kept in `secrets`, which the
replay's scrubber (doctract.secrets) removes from whatever doctract writes, even when the
placeholder's name does not look secret. Nothing here knows one API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from doctract.contract import Credential, Operation, Target
from doctract.contract.build import security_schemes
from doctract.replay.http import Message, placeholder_value, resolve
from doctract.urls import ANY_PLACEHOLDER, PLACEHOLDER, placeholder_names

_CONSTANT = re.compile(r"[A-Z][A-Z0-9]*_[A-Z0-9_]+")
_BARE = re.compile(r"[<{$]*\{?([A-Za-z_][A-Za-z0-9_.\-]*)[}>]*")
MIN_SECRET = 4  # shorter values ("1", "dev") would scrub ordinary words


def is_placeholder(value: str) -> bool:
    value = value.strip()
    return bool(value) and bool(ANY_PLACEHOLDER.fullmatch(value) or _CONSTANT.fullmatch(value))


def placeholder_candidates(value: str) -> list[str]:
    """The names a written placeholder may be configured under: `$NOTES_KEY` -> NOTES_KEY,
    `<api-token>` -> API_TOKEN, `YOUR_API_KEY` -> YOUR_API_KEY, API_KEY."""
    m = _BARE.fullmatch(value.strip())
    if m is None:
        return []
    name = m.group(1).replace("-", "_").replace(".", "_")
    names = [name, name.upper()]
    for lead in ("YOUR_", "MY_"):
        if name.upper().startswith(lead):
            names.append(name.upper()[len(lead) :])
    return list(dict.fromkeys(n for n in names if n))


def credentials_of(target: Target) -> tuple[Credential, ...]:
    """Every credential the request's operation may carry (all its security alternatives);
    for a request the contract owns but cannot match, every scheme the contract declares."""
    op = target.operation
    if op is not None:
        return tuple(dict.fromkeys(c for alternative in op.security for c in alternative))
    return tuple(security_schemes(target.contract.document).values())


class Credentials:
    """Fills and remembers the credentials one replay sends."""

    def __init__(
        self, values: Mapping[str, str], fake: bool, examples: Mapping[str, str] | None = None
    ) -> None:
        self.values = values
        self.fake = fake
        self.examples = {k.lower(): v for k, v in (examples or {}).items()}
        self.sent: dict[tuple[str, str], str] = {}  # (location, key) -> the value sent there
        self.secrets: set[str] = set()

    # --- the doc's requests ---------------------------------------------------------------

    def fill(self, message: Message, credentials: Iterable[Credential]) -> Message:
        """The doc's request with the placeholders in the credentials' places filled."""
        by_place = {(c.location, _key(c.location, c.name)): c for c in credentials}
        if not by_place:
            return message
        headers = []
        for name, value in message.headers:
            cred = by_place.get(("header", name.lower()))
            if cred is not None:
                value = self._filled(cred, value)
            elif name.lower() == "cookie":
                value = self._cookies(value, by_place)
            headers.append((name, value))
        return Message(
            message.method, self._query(message.url, by_place), tuple(headers), message.body
        )

    def _query(self, url: str, by_place: dict[tuple[str, str], Credential]) -> str:
        parts = urlsplit(url)
        if not parts.query or not any(loc == "query" for loc, _ in by_place):
            return url
        pairs = []
        for pair in parts.query.split("&"):
            name, sep, value = pair.partition("=")
            cred = by_place.get(("query", unquote(name)))
            if cred is not None and sep:
                value = quote(self._filled(cred, unquote(value)), safe="")
            pairs.append(f"{name}{sep}{value}")
        return urlunsplit(parts._replace(query="&".join(pairs)))

    def _cookies(self, header: str, by_place: dict[tuple[str, str], Credential]) -> str:
        pairs = []
        for pair in header.split(";"):
            name, sep, value = pair.strip().partition("=")
            cred = by_place.get(("cookie", name))
            pairs.append(f"{name}{sep}{self._filled(cred, value) if cred and sep else value}")
        return "; ".join(pairs)

    def _filled(self, cred: Credential, written: str) -> str:
        prefix, token = "", written.strip()
        if cred.prefix and token.lower().startswith(cred.prefix.lower() + " "):
            prefix, token = token[: len(cred.prefix) + 1], token[len(cred.prefix) + 1 :].strip()
        if is_placeholder(token):
            token = self._value(cred, placeholder_candidates(token)) or token
        self._keep(cred, prefix + token, token)
        return prefix + token

    # --- requests doctract makes itself (cleanup) ----------------------------------------

    def for_operation(self, operation: Operation, url: str, method: str) -> Message:
        """A request of doctract's own (a cleanup DELETE) with every credential the
        operation's first security alternative names, and its required headers."""
        headers: dict[str, str] = {}
        cookies: list[str] = []
        query: list[str] = []
        for cred in operation.security[0] if operation.security else ():
            value = self.sent.get((cred.location, _key(cred.location, cred.name)))
            if value is None:
                token = self._value(cred, [])
                value = f"{cred.prefix} {token}".strip() if token else self._example(cred)
                if token:
                    self._secret(token)
            if cred.location == "header":
                headers[cred.name] = value
            elif cred.location == "cookie":
                cookies.append(f"{cred.name}={value}")
            else:
                query.append(f"{quote(cred.name)}={quote(value, safe='')}")
        wanted = {name.lower() for name in headers}
        for param in operation.required_headers():
            if param.key not in wanted and param.key != "if-match":
                example = "{" + param.name.upper().replace("-", "_") + "}"
                headers[param.name] = resolve(
                    self.examples.get(param.key, example), self.values, self.fake
                )
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        parts = urlsplit(url)
        present = {unquote(pair.partition("=")[0]) for pair in parts.query.split("&") if pair}
        query = [pair for pair in query if unquote(pair.partition("=")[0]) not in present]
        if query:  # a URL that carries them already (a listing's next page) keeps its own
            url = urlunsplit(parts._replace(query="&".join(filter(None, [parts.query, *query]))))
        return Message(method, url, tuple(headers.items()), None)

    # --- values ----------------------------------------------------------------------------

    def _value(self, cred: Credential, written: list[str]) -> str | None:
        """The credential's value: the doc's placeholder name, then the value already sent in
        its place, then the scheme's own placeholder names; a fake where allowed."""
        for name in written:
            if (found := placeholder_value(name, self.values, False)) is not None:
                return found
        sent = self.sent.get((cred.location, _key(cred.location, cred.name)))
        if sent is not None:
            return sent.split(" ", 1)[1] if cred.prefix and " " in sent else sent
        names = placeholder_names(self._example(cred))
        for name in names:
            if (found := placeholder_value(name, self.values, False)) is not None:
                return found
        if not self.fake:
            return None
        for name in names:  # the well-known fakes (a sandbox name that the emulator knows)
            if (found := placeholder_value(name, self.values, True)) is not None:
                return found
        slug = re.sub(r"[^a-z0-9]+", "-", (names[0] if names else cred.name).lower()).strip("-")
        return f"doctract-fake-{slug}"

    def _example(self, cred: Credential) -> str:
        return self.examples.get(cred.name.lower()) or cred.example()

    def _keep(self, cred: Credential, value: str, token: str) -> None:
        if PLACEHOLDER.search(token) or is_placeholder(token):
            return  # nothing was filled: the placeholder goes out as written
        self.sent[(cred.location, _key(cred.location, cred.name))] = value
        self._secret(token)

    def _secret(self, token: str) -> None:
        """A value sent in a credential's place: secret, whatever its placeholder's name."""
        if len(token) >= MIN_SECRET and not is_placeholder(token):
            self.secrets.add(token)


def _key(location: str, name: str) -> str:
    """Header names compare case-insensitively, query parameters and cookies exactly."""
    return name.lower() if location == "header" else name
