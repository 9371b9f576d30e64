"""VCR cassettes: one per feature, matched on method, path, query and (scrubbed) body, with
every secret removed before anything is written (doctract.secrets: by name, by value and by
look, in request and response headers, the URI, bodies both ways, and the file's final text)."""

from __future__ import annotations

import re
from copy import copy as shallow_copy
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import vcr
from vcr import filters
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request as VcrRequest
from vcr.serialize import serialize
from vcr.serializers import compat

from doctract.atomic import write_atomic
from doctract.contract import Secrets
from doctract.replay.cassette_file import CassetteError, load_cassette, well_formed
from doctract.secrets import NO_SECRETS, Scrubber, ScrubberSource
from doctract.secrets import SCRUBBED as SCRUBBED  # the marker, for callers of this module
from doctract.secrets.names import CREDENTIAL_HEADERS

VOLATILE_RESPONSE_HEADERS = ("date", "server")
UNUSED_CLIENTS = ("boto3", "httplib2", "tornado", "aiohttp", "httpx", "httpx2")
NO_NAMES = Secrets()


def _no_secrets() -> Scrubber:
    return NO_SECRETS


_LOOPBACK = re.compile(r"^(https?)://(?:127\.[\d.]+|localhost|\[::1\])(?::\d+)?")


def _scrub_request(request: VcrRequest, scrubber: ScrubberSource = _no_secrets) -> VcrRequest:
    """Headers by name and value, the URI (userinfo, query, values in the path) and the body.
    vcrpy hands a copy of the request, also when matching a live request for replay."""
    scrub = scrubber()
    request.headers = {name: scrub.header(name, value) for name, value in request.headers.items()}
    request.body = scrub.body(request.body)
    # the local emulator listens on a random port: record a stable address instead
    request.uri = _LOOPBACK.sub(r"\1://localhost", scrub.url(request.uri))
    return request


def _scrub_response(
    response: dict[str, Any], scrubber: ScrubberSource = _no_secrets
) -> dict[str, Any]:
    """Volatile and credential headers dropped (Set-Cookie, the contract's), the others'
    values scrubbed (a Location or WWW-Authenticate carrying a token), the body scrubbed."""
    scrub = scrubber()
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in VOLATILE_RESPONSE_HEADERS or scrub.secret_header(name):
            del headers[name]
        else:
            headers[name] = [scrub.text(str(v)) for v in headers[name]]
    body = response.get("body", {})
    if isinstance(body, dict) and "string" in body:
        body["string"] = scrub.body(body["string"])
        if isinstance(body["string"], bytes) and "content-length" in {h.lower() for h in headers}:
            for name in list(headers):
                if name.lower() == "content-length":
                    headers[name] = [str(len(body["string"]))]
    return response


_PLACEHOLDER_VALUE = re.compile(r'"\{\{?[A-Za-z_][\w.-]*\}?\}"')


@lru_cache(maxsize=4096)  # a replay compares each body with several recorded ones
def _comparable(body: bytes | str | None) -> bytes | str | None:
    """A scrubbed body in which a placeholder left unresolved (a secret not set offline)
    compares equal to the scrubbed value recorded in its place."""
    body = NO_SECRETS.body(body)  # credentials by their names and look (doctract.secrets)
    if isinstance(body, bytes):
        return _PLACEHOLDER_VALUE.sub(f'"{SCRUBBED}"', body.decode("utf-8", "replace")).encode()
    return _PLACEHOLDER_VALUE.sub(f'"{SCRUBBED}"', body) if body else body


def _scrubbed_body_matcher(r1: VcrRequest, r2: VcrRequest) -> None:
    if _comparable(r1.body) != _comparable(r2.body):
        raise AssertionError("bodies differ")


class SafePersister:
    """vcrpy's file persister, made safe for unattended runs.

    Loading checks the cassette first (doctract.replay.cassette_file) and raises CassetteError
    naming the file and line, instead of vcrpy treating a damaged cassette as empty and
    recording over it; only `--record all` (which asks to overwrite) treats it as absent.
    Saving writes a temporary file beside the cassette and renames it over the old one, so an
    interrupted run leaves the previous cassette intact.
    """

    overwrite_damaged = False

    @classmethod
    def load_cassette(cls, cassette_path: str | Path, serializer: Any) -> Any:
        path = Path(cassette_path)
        text: str | None
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # missing, or there but unreadable
            text = "\x00" if path.is_file() else None
        if text is None or not text.strip():
            raise CassetteNotFoundError()
        data: Any = None
        try:  # the fast path: libyaml through vcrpy's serializer, a structural check
            data = serializer.deserialize(text)
            ok = well_formed(data)
        except Exception:
            ok = False
        if not ok:
            try:
                load_cassette(path)  # the slow path, for a precise error
                raise CassetteError(path, 1, "not a cassette vcrpy can load")
            except CassetteError:
                if cls.overwrite_damaged:
                    raise CassetteNotFoundError() from None
                raise
        # what vcr.serialize.deserialize builds, from the data parsed once above
        interactions = data["interactions"]
        return (
            [VcrRequest._from_dict(item["request"]) for item in interactions],
            [compat.convert_to_bytes(item["response"]) for item in interactions],
        )

    @classmethod
    def save_cassette(cls, cassette_path: str | Path, cassette_dict: Any, serializer: Any) -> None:
        """The last line of defence: every string of the cassette, then its text, scrubbed."""
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        scrub = cls.scrubber()
        write_atomic(path, scrub.text(serialize(_scrub_strings(cassette_dict, scrub), serializer)))

    @staticmethod
    def scrubber() -> Scrubber:
        return NO_SECRETS


def _scrub_strings(value: Any, scrub: Scrubber) -> Any:
    """Every string (and UTF-8 bytes) in a cassette's data through the scrubber's text pass."""
    if isinstance(value, str):
        return scrub.text(value)
    if isinstance(value, bytes):
        try:
            return scrub.text(value.decode("utf-8")).encode()
        except UnicodeDecodeError:
            return value
    if isinstance(value, dict):
        return {k: _scrub_strings(v, scrub) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_strings(v, scrub) for v in value]
    return value


class RequestScrubbing:
    """What vcrpy's request filters and doctract's hook do to a request before it is matched or
    recorded (credential headers and query parameters replaced, then `_scrub_request`), without
    vcrpy's deep copy of the request at each of its three looks at it.

    vcrpy hands the request to the hook when asking whether the cassette can answer it,
    whether it holds it (handing the hook's own answer) and which response to play, and
    deep-copies it each time: the copies were what matching a sent request spent most of its
    time on. Here the request is copied by its fields (the filters and the scrubber replace
    fields, never change them in place), and the last answer is kept while the request and the
    scrubber are the same objects; the answer, scrubbed already, is its own answer.
    """

    def __init__(
        self,
        headers: tuple[tuple[str, str | None], ...],
        query: tuple[tuple[str, str], ...],
        scrubber: ScrubberSource,
    ) -> None:
        # lower-case name -> (its place among the filters, the filter's name, replacement)
        self._replaced = {name.lower(): (i, name, new) for i, (name, new) in enumerate(headers)}
        self._query = query
        self._scrubber = scrubber
        self._last: tuple[VcrRequest, Scrubber, VcrRequest] | None = None

    def __call__(self, request: VcrRequest) -> VcrRequest:
        scrubber = self._scrubber()
        last = self._last
        if last is not None and last[1] is scrubber and (request is last[0] or request is last[2]):
            return last[2]
        copy = shallow_copy(request)  # every field the filters change is replaced, not changed
        copy.headers = self._filtered_headers(request.headers)
        if self._query:
            copy = filters.replace_query_parameters(copy, self._query)
        scrubbed = _scrub_request(copy, lambda: scrubber)
        self._last = (request, scrubber, scrubbed)
        return scrubbed

    def _filtered_headers(self, headers: dict[str, str]) -> dict[str, str]:
        """What vcrpy's `replace_headers` filter makes of the headers: a replaced one goes last,
        under the filter's spelling, in the filter's order; a removed one goes."""
        kept: dict[str, str] = {}
        hits = []
        for name, value in headers.items():
            hit = self._replaced.get(name.lower())
            if hit is None:
                kept[name] = value
            else:
                hits.append(hit)
        for _, name, replacement in sorted(hits):
            if replacement is not None:
                kept[name] = replacement
        return kept


class _Recorder(vcr.VCR):  # type: ignore[misc]  # vcrpy has no type hints
    """vcrpy's VCR whose cassettes scrub requests with `RequestScrubbing` in place of vcrpy's
    deep-copying chain of request filters (the same filters, in the same order)."""

    def __init__(self, scrubbing: RequestScrubbing, **options: Any) -> None:
        super().__init__(**options)
        self._scrubbing = scrubbing

    def get_merged_config(self, **kwargs: Any) -> dict[str, Any]:
        config: dict[str, Any] = super().get_merged_config(**kwargs)
        config["before_record_request"] = self._scrubbing
        return config


def make_vcr(
    cassettes: Path,
    record_mode: str,
    secrets: Secrets = NO_NAMES,
    scrubber: ScrubberSource | None = None,
) -> vcr.VCR:
    """A recorder that scrubs credentials before anything is written: the usual credential
    headers and what the contract names secret (its security schemes' headers and query
    parameters) with vcrpy's own filters; then, in the before-record hooks,
    any header, parameter or body key with a credential's name, the values `scrubber` knows
    (what this replay resolved placeholders to) and credentials by their look. `scrubber` is
    asked at each request, as a replay learns values while it runs."""
    if scrubber is None:
        fixed = Scrubber(names=secrets)

        def scrubber() -> Scrubber:
            return fixed

    persister = type(
        "SafePersisterFor" + record_mode.title().replace("_", ""),
        (SafePersister,),
        {"overwrite_damaged": record_mode == "all", "scrubber": staticmethod(scrubber)},
    )
    recorder = _Recorder(
        RequestScrubbing(
            headers=(
                *((h, SCRUBBED) for h in sorted({*CREDENTIAL_HEADERS, *secrets.headers})),
                ("user-agent", None),
            ),
            # the built-in credential parameters are scrubbed by the hook, which keeps the
            # other parameters as written (vcrpy's filter re-encodes the whole query)
            query=tuple((q, SCRUBBED) for q in sorted(secrets.query)),
            scrubber=scrubber,
        ),
        cassette_library_dir=str(cassettes),
        record_mode=record_mode,
        match_on=["method", "path", "query", "scrubbed_body"],
        before_record_response=partial(_scrub_response, scrubber=scrubber),
        decode_compressed_response=True,
        # replay sends with requests (urllib3, http.client): vcrpy would otherwise try to
        # import and patch every other client it knows (boto3, httpx, ...) for each cassette
        skip_patchers=UNUSED_CLIENTS,
        # `all` re-records: the cassette becomes what this run recorded, nothing kept from the
        # last one (vcrpy would keep every old interaction no new one matches, and against an
        # API that hands out new ids each run nothing matches: the cassette grew every run)
        drop_unused_requests=record_mode == "all",
    )
    recorder.register_matcher("scrubbed_body", _scrubbed_body_matcher)
    recorder.register_persister(persister)
    return recorder


def cassette_name(feature_path: str) -> str:
    return Path(feature_path).with_suffix(".yaml").name
