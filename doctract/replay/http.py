"""Documented HTTP messages: parse the feature's doc string, resolve placeholders, send with
bounded retries (which failures allow one: doctract.replay.retry)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests

from doctract.replay.retry import may_repeat_error, may_repeat_response, retry_after
from doctract.secrets.names import is_public_placeholder
from doctract.secrets.values import maskable
from doctract.urls import PLACEHOLDER, split_url

CREDENTIALS = {"ACCESS_TOKEN", "API_KEY", "ORG_ID", "IMS_ORG", "SANDBOX_NAME", "CLIENT_SECRET"}
_FAKE = {"SANDBOX_NAME": "prod", "ORG_ID": "DOCTRACT@AdobeOrg", "IMS_ORG": "DOCTRACT@AdobeOrg"}


@dataclass(frozen=True)
class Message:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | None


def parse_message(text: str) -> Message:
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, _, url = lines[0].partition(" ")
    headers = tuple(
        (n.strip(), v.strip()) for n, _, v in (ln.partition(":") for ln in lines[1:]) if n.strip()
    )
    return Message(method.strip().upper(), url.strip(), headers, body if body.strip() else None)


def placeholder_value(name: str, values: Mapping[str, str], fake_credentials: bool) -> str | None:
    """A placeholder's value: config, then DOCTRACT_NAME / NAME in the environment, then (for the
    emulator and offline replay only) a harmless fake credential."""
    for candidate in (values.get(name), os.environ.get(f"DOCTRACT_{name}"), os.environ.get(name)):
        if candidate:
            return candidate
    if fake_credentials and name in CREDENTIALS:
        return _FAKE.get(name, f"doctract-fake-{name.lower().replace('_', '-')}")
    return None


def resolve(text: str, values: Mapping[str, str], fake_credentials: bool) -> str:
    def sub(m: re.Match[str]) -> str:
        value = placeholder_value(m.group(1) or m.group(2), values, fake_credentials)
        return value if value is not None else m.group(0)

    return PLACEHOLDER.sub(sub, text)


def resolved_secrets(
    text: str,
    values: Mapping[str, str],
    fake_credentials: bool,
    public: Collection[str] = (),
) -> set[str]:
    """The values that resolving `text` puts in place of placeholders that are not public,
    whatever their names, so that anything doctract writes can be scrubbed of them even where
    no key name gives them away (short and ordinary values are left out, see
    doctract.secrets.values)."""
    found: set[str] = set()
    for m in PLACEHOLDER.finditer(text):
        name = m.group(1) or m.group(2)
        if not is_public_placeholder(name, public):
            value = placeholder_value(name, values, fake_credentials)
            if value and maskable(value):
                found.add(value)
    return found


def rebase(url: str, base: str | None) -> str:
    """The doc's URL sent to another base (`--live`): scheme and host replaced, path kept.
    A URL written without a scheme starts with its host (`MEILISEARCH_URL/indexes`,
    `$API_URL/notes`, `localhost:7700/health`): that host is replaced too."""
    if not base:
        return url
    target = urlsplit(base)
    if "://" in url:
        parts = urlsplit(url)
        path, query = parts.path, parts.query
    else:
        _, path, query = split_url(url)
    path = target.path.rstrip("/") + path
    return urlunsplit((target.scheme, target.netloc, path, query, ""))


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


@dataclass
class Attempts:
    retried: int = 0  # extra attempts made
    recovered: int = 0  # requests that succeeded after at least one retry


def send(
    session: requests.Session,
    message: Message,
    retries: int,
    attempts: Attempts,
    timeout: float = 30.0,
) -> requests.Response:
    """Send, repeating on the failures doctract.replay.retry allows for the method, at most
    `retries` times, after the Retry-After (at most 5 s) or a bounded backoff; the last
    response or error is returned or raised."""
    for attempt in range(retries + 1):
        try:
            response = session.request(
                message.method,
                message.url,
                headers=dict(message.headers),
                data=message.body.encode() if message.body else None,
                timeout=timeout,
            )
        except requests.RequestException as error:
            if attempt == retries or not may_repeat_error(message.method, error):
                raise
            attempts.retried += 1
            time.sleep(_backoff(attempt))
            continue
        if attempt == retries or not may_repeat_response(message.method, response):
            attempts.recovered += 1 if attempt and response.status_code < 400 else 0
            return response
        attempts.retried += 1
        wait = retry_after(response)
        time.sleep(_backoff(attempt) if wait is None else wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _backoff(attempt: int) -> float:
    return float(min(0.2 * 2**attempt, 2.0))
