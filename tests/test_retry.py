"""When doctract sends a request again: never once a non-idempotent request may have reached the
server (a response cut mid-body, a read timeout, a 5xx a proxy sent after the server saved
it), only when it provably did not (the connection was refused, 429 with Retry-After);
idempotent requests are retried on any transient failure."""

from __future__ import annotations

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from doctract.replay.http import Attempts, Message, send
from doctract.replay.retry import ambiguous

Failure = int | tuple[int, dict[str, str]] | Exception


class Scripted(requests.Session):
    """A session that answers from a script: a status (with headers), or an error raised."""

    def __init__(self, script: list[Failure]) -> None:
        super().__init__()
        self.script = script
        self.calls = 0

    def request(self, *args: object, **kwargs: object) -> requests.Response:
        step = self.script[min(self.calls, len(self.script) - 1)]
        self.calls += 1
        if isinstance(step, Exception):
            raise step
        status, headers = step if isinstance(step, tuple) else (step, {})
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        return response


def refused() -> requests.ConnectionError:
    """What requests raises when nothing listens on the port (urllib3's NewConnectionError)."""
    reason = NewConnectionError(None, "Failed to establish a new connection: [Errno 111]")  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, "/connections", reason))  # type: ignore[arg-type]


def cut() -> requests.exceptions.ChunkedEncodingError:
    return requests.exceptions.ChunkedEncodingError(
        ProtocolError("Connection broken: IncompleteRead(6 bytes read, 58 more expected)")
    )


def aborted() -> requests.ConnectionError:
    return requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))


POST = Message("POST", "http://127.0.0.1:9/connections", (), '{"name": "x"}')
GET = Message("GET", "http://127.0.0.1:9/connections/1", (), None)


@pytest.mark.parametrize(
    "failure",
    [
        500,
        502,
        503,
        (503, {"Retry-After": "0"}),
        504,
        429,  # without Retry-After: nothing says it was not processed
        cut(),
        aborted(),
        requests.ReadTimeout("read timed out"),
    ],
    ids=repr,
)
def test_a_post_that_may_have_reached_the_server_is_never_repeated(failure: Failure) -> None:
    session = Scripted([failure, 201])
    attempts = Attempts()
    if isinstance(failure, Exception):
        with pytest.raises(type(failure)):
            send(session, POST, retries=3, attempts=attempts)
        assert ambiguous("POST", failure)
    else:
        response = send(session, POST, retries=3, attempts=attempts)
        assert response.status_code != 201
    assert (session.calls, attempts.retried) == (1, 0)


@pytest.mark.parametrize(
    "failure",
    [refused(), requests.ConnectTimeout("connect timed out"), (429, {"Retry-After": "0"})],
    ids=repr,
)
def test_a_post_that_provably_never_arrived_is_sent_again(failure: Failure) -> None:
    session = Scripted([failure, 201])
    attempts = Attempts()
    assert send(session, POST, retries=3, attempts=attempts).status_code == 201
    assert (session.calls, attempts.retried, attempts.recovered) == (2, 1, 1)
    if isinstance(failure, Exception):
        assert not ambiguous("POST", failure)


@pytest.mark.parametrize(
    "failure", [500, 502, 503, 504, 429, cut(), aborted(), refused()], ids=repr
)
def test_idempotent_requests_are_retried_on_any_transient_failure(failure: Failure) -> None:
    session = Scripted([failure, 200])
    assert send(session, GET, retries=1, attempts=Attempts()).status_code == 200
    assert session.calls == 2
    if isinstance(failure, Exception):
        assert not ambiguous("GET", failure)


def test_what_a_failed_post_leaves_open() -> None:
    """A POST that failed after it may have been processed leaves open whether it created
    something; one refused, throttled or rejected as a client error did not."""
    response = requests.Response()
    for status, open_question in ((502, True), (500, True), (429, False), (400, False)):
        response.status_code = status
        assert ambiguous("POST", response) is open_question
        assert not ambiguous("PUT", response)
