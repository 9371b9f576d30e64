"""Documented HTTP messages: parse the feature's doc string, resolve placeholders, send with
bounded retries."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests

from doctract.secrets.names import is_public_placeholder
from doctract.secrets.values import maskable
from doctract.urls import PLACEHOLDER

CREDENTIALS = {"ACCESS_TOKEN", "API_KEY", "ORG_ID", "IMS_ORG", "SANDBOX_NAME", "CLIENT_SECRET"}
_FAKE = {"SANDBOX_NAME": "prod", "ORG_ID": "DOCTRACT@AdobeOrg", "IMS_ORG": "DOCTRACT@AdobeOrg"}
RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
# a 500 may have changed state: only requests that are safe to repeat are retried on it
RETRY_IDEMPOTENT_STATUSES = frozenset({500})
# refused, timed out, or cut mid-response
TRANSIENT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


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
    """The doc's URL sent to another base (`--live`): scheme and host replaced, path kept."""
    if not base:
        return url
    target = urlsplit(base)
    parts = urlsplit(url)
    path = target.path.rstrip("/") + parts.path
    return urlunsplit((target.scheme, target.netloc, path, parts.query, ""))


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


@dataclass
class Attempts:
    retried: int = 0  # extra attempts made
    recovered: int = 0  # requests that succeeded after at least one retry


def _retryable(method: str, status: int) -> bool:
    return status in RETRY_STATUSES or (
        method in IDEMPOTENT and status in RETRY_IDEMPOTENT_STATUSES
    )


def send(
    session: requests.Session,
    message: Message,
    retries: int,
    attempts: Attempts,
    timeout: float = 30.0,
) -> requests.Response:
    """Send, retrying 429 (honouring Retry-After, at most 5 s), 502/503/504, 500 for idempotent
    methods, and dropped or refused connections, with bounded backoff; the last response or
    error is returned or raised."""
    for attempt in range(retries + 1):
        try:
            response = session.request(
                message.method,
                message.url,
                headers=dict(message.headers),
                data=message.body.encode() if message.body else None,
                timeout=timeout,
            )
        except TRANSIENT_ERRORS:
            if attempt == retries:
                raise
            attempts.retried += 1
            time.sleep(min(0.2 * 2**attempt, 2.0))
            continue
        if not _retryable(message.method, response.status_code):
            attempts.recovered += 1 if attempt else 0
            return response
        if attempt == retries:
            return response
        attempts.retried += 1
        wait = response.headers.get("Retry-After", "")
        time.sleep(min(float(wait), 5.0) if wait.isdigit() else min(0.2 * 2**attempt, 2.0))
    raise AssertionError("unreachable")  # pragma: no cover
