"""When a request may be sent again.

An idempotent request (GET, HEAD, PUT, DELETE, OPTIONS) is repeated on any transient failure:
429, 502/503/504, 500, a connection refused, dropped or cut mid-response. A non-idempotent one
(POST, PATCH) may already have done its work when the answer is lost: a response cut
mid-body, a read timeout, a connection reset after the request went out, or a 502/503/504 a
proxy sent after the server saved it. Repeating it creates a duplicate, so it is repeated only
when the failure proves the server never received it: the connection could not be made
(urllib3's connect errors, raised before a byte of the request was sent) or a 429 that says
when to come back (Retry-After). Any other failure of a non-idempotent request is *ambiguous*:
whatever it may have created is looked up before cleanup (doctract.replay.cleanup).
"""

from __future__ import annotations

import requests
from urllib3.exceptions import ConnectTimeoutError
from urllib3.util.retry import Retry

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 5.0  # seconds: a longer Retry-After is cut to this
# refused, timed out, or cut mid-response
TRANSIENT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)


def not_received(error: BaseException) -> bool:
    """The request never reached the server: the connection could not be made (refused, no
    route, name not resolved, connect timeout). urllib3 raises these before sending anything;
    they are its `ConnectTimeoutError` family (`NewConnectionError` included)."""
    seen: set[int] = set()
    stack: list[object] = [error]
    while stack:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, requests.ConnectTimeout | ConnectTimeoutError):
            return True
        stack += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return False


def retry_after(response: requests.Response) -> float | None:
    """The response's Retry-After in seconds (a number or an HTTP date, read by urllib3),
    at most MAX_RETRY_AFTER; None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return min(Retry().parse_retry_after(value), MAX_RETRY_AFTER)
    except Exception:  # urllib3 raises InvalidHeader for a value it cannot read
        return None


def may_repeat_error(method: str, error: BaseException) -> bool:
    if not isinstance(error, TRANSIENT_ERRORS):
        return False
    return method.upper() in IDEMPOTENT or not_received(error)


def may_repeat_response(method: str, response: requests.Response) -> bool:
    status = response.status_code
    if method.upper() in IDEMPOTENT:
        return status in RETRY_STATUSES
    return status == 429 and retry_after(response) is not None


def ambiguous(method: str, failure: requests.Response | int | BaseException) -> bool:
    """Whether a non-idempotent request that ended in `failure` (an error, a response or its
    status) may have changed state on the server all the same: an error other than a refused
    connection, or a 5xx."""
    if method.upper() in IDEMPOTENT:
        return False
    if isinstance(failure, requests.Response):
        failure = failure.status_code
    if isinstance(failure, int):
        return failure >= 500
    return not not_received(failure)
