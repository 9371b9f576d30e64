"""Literal credentials a doc writes become placeholders in its feature, filled from the
configuration or the environment at replay time: a secret header's value (`Authorization:
Bearer eyJ...`, an org id, a cookie), a URL's password (`https://user:pass@`) and secret query
parameters, and in JSON and form bodies the values under secret keys or that look like
credentials (JWTs, PEM keys, `AccountKey=`, `sig=`, long random tokens). `-u user:pass` is
never copied at all (features carry the doc's `-H` headers only).

A placeholder is named after what holds the value: `X-Auth-Token` -> `{X_AUTH_TOKEN}` (the
name a contract's security scheme gives that credential, doctract.contract.model), `x-api-key`
-> `{API_KEY}` (the usual name), `"clientSecret"` -> `{CLIENT_SECRET}`, `?access_token=` ->
`{ACCESS_TOKEN}`. `{TOKEN}` and `$TOKEN` are kept as written; a placeholder in another style
(`<token>`, `YOUR_TOKEN`, `Bearer MEILISEARCH_KEY`) becomes such a `{PLACEHOLDER}` too, which
replay fills (doctract.replay.credentials) and the scrubber's last pass keeps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from doctract.contract import Secrets
from doctract.secrets.names import is_secret_header, is_secret_key, is_secret_param
from doctract.secrets.names import placeholder_key as _key
from doctract.secrets.shapes import SCRUBBED, is_placeholder, looks_secret
from doctract.secrets.text import mask_credentials
from doctract.urls import PLACEHOLDER

NO_NAMES = Secrets()
_SCHEME = re.compile(r"(?i)^(?P<scheme>Bearer|Basic|Token|Digest|Bot|ApiKey)\s+(?P<cred>.*)$")
_BODY_FIELD = re.compile(r'("(?P<key>[^"\\]{1,80})"\s*:\s*)"(?P<value>(?:[^"\\]|\\.)*)"')
_FORM = re.compile(r"[\w.\-\[\]%+~]+=[^&\s]*(?:&[\w.\-\[\]%+~]+=[^&\s]*)*")


def placeholder(name: str) -> str:
    return "{" + _key(name) + "}"


def holds_credential(value: str) -> bool:
    """A value that is, or carries, a credential by its look (a SAS URL's `sig=`, too)."""
    return not is_placeholder(value) and (looks_secret(value) or mask_credentials(value) != value)


def _literal(value: str) -> bool:
    """A value written as is: no `{PLACEHOLDER}` nor shell variable in it (a `<token>` or
    `YOUR_TOKEN` becomes a `{PLACEHOLDER}` too, which replay can fill)."""
    if "$" in value or PLACEHOLDER.search(value) or SCRUBBED in value:
        return False
    return bool(re.search(r"[A-Za-z0-9]{3}", value))


def header_value(
    name: str,
    value: str,
    secrets: Secrets = NO_NAMES,
    examples: Mapping[str, str] | None = None,
) -> str:
    """The doc's header value, or a placeholder where it is a literal credential; `examples`
    are the profile's (`x-gw-ims-org-id` -> `{ORG_ID}`)."""
    low = name.lower()
    if is_secret_header(name, secrets.headers):
        if low in ("cookie", "set-cookie"):
            return re.sub(
                r"(?P<name>[^=;\s]+)=(?P<value>[^;\s]*)",
                lambda m: (
                    m.group()
                    if not _literal(m["value"])
                    else f"{m['name']}=" + placeholder(m["name"])
                ),
                value,
            )
        scheme = _SCHEME.match(value.strip())
        if not _literal(scheme["cred"] if scheme else value):
            return value
        example = (examples or {}).get(low)
        if example:
            return example
        if scheme and scheme["scheme"].lower() == "bearer":
            return f"{scheme['scheme']} {{ACCESS_TOKEN}}"
        if scheme:
            return f"{scheme['scheme']} {placeholder(name)}"
        return _header_placeholder(name)
    if holds_credential(value):
        return _header_placeholder(name)
    return value


def _header_placeholder(name: str) -> str:
    """`X-Auth-Token` -> `{X_AUTH_TOKEN}`, as a contract's apiKey scheme names it (so one
    setting fills the doc's requests and cleanup's); `x-api-key` -> `{API_KEY}`."""
    return "{API_KEY}" if name.lower() == "x-api-key" else placeholder(name)


def _pairs(text: str, secrets: Secrets) -> str:
    out = []
    for pair in text.split("&"):
        name, sep, value = pair.partition("=")
        secret = is_secret_param(name, secrets.query) or holds_credential(value)
        if sep and value and _literal(value) and secret:
            pair = f"{name}={placeholder(name)}"
        out.append(pair)
    return "&".join(out)


def url_without_secrets(url: str, secrets: Secrets = NO_NAMES) -> str:
    """A URL's password and secret query parameters as placeholders (the rest as written)."""
    head, mark, query = url.partition("?")
    query, hash_mark, fragment = query.partition("#")
    m = re.match(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@?#]*)@", head)
    if m:
        user, colon, password = m["userinfo"].partition(":")
        if colon and _literal(password):
            userinfo = f"{user}:{{PASSWORD}}"
        elif not colon and holds_credential(user):
            userinfo = "{USERINFO}"
        else:
            userinfo = m["userinfo"]
        head = f"{m['scheme']}{userinfo}@{head[m.end() :]}"
    if mark:
        head += mark + _pairs(query, secrets)
    return head + hash_mark + fragment


def body_without_secrets(body: str, secrets: Secrets = NO_NAMES) -> str:
    """A literal value under a secret-looking key (password, token, secret, API key, the
    contract's secret fields) or one that looks like a credential becomes a placeholder named
    after its key. Works on bodies that are not valid JSON too (a broken request still appears
    in the feature); a form body by its parameters."""
    stripped = body.strip()
    if _FORM.fullmatch(stripped):
        return body.replace(stripped, _pairs(stripped, secrets))

    def replace(m: re.Match[str]) -> str:
        key, value = m["key"], m["value"]
        if not value or not _literal(value):
            return m.group(0)
        if is_secret_key(key, secrets.fields) or holds_credential(value):
            return f'{m.group(1)}"{placeholder(key)}"'
        return m.group(0)

    return _BODY_FIELD.sub(replace, body)
