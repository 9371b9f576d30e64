"""VCR cassettes: one per feature, matched on method, path, query and (scrubbed) body, with
every secret removed before anything is written."""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path
from typing import Any

import vcr
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.request import Request as VcrRequest
from vcr.serialize import serialize
from vcr.serializers import compat

from doctract.atomic import write_atomic
from doctract.contract import Secrets
from doctract.replay.cassette_file import CassetteError, load_cassette, well_formed

SCRUBBED = "<SCRUBBED>"
SECRET_KEY = re.compile(r"pass|secret|token|api.?key|credential|imsorg|^auth$", re.IGNORECASE)
SECRET_HEADERS = ("authorization", "x-api-key", "x-gw-ims-org-id", "cookie", "set-cookie")
VOLATILE_RESPONSE_HEADERS = ("date", "server")
NO_SECRETS = Secrets()


def scrub_value(value: Any, fields: frozenset[str] = frozenset()) -> Any:
    """Secret-looking keys (and the contract's password/writeOnly fields) scrubbed."""
    if isinstance(value, dict):
        return {
            k: (
                SCRUBBED
                if (SECRET_KEY.search(str(k)) or k in fields) and not isinstance(v, dict)
                else scrub_value(v, fields)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_value(v, fields) for v in value]
    return value


def scrub_body(
    body: bytes | str | None, fields: frozenset[str] = frozenset()
) -> bytes | str | None:
    if not body:
        return body
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to parse
        return body
    scrubbed = json.dumps(scrub_value(data, fields), sort_keys=True)
    return scrubbed.encode() if isinstance(body, bytes) else scrubbed


_LOOPBACK = re.compile(r"^(https?)://(?:127\.[\d.]+|localhost|\[::1\])(?::\d+)?")


def _scrub_request(request: VcrRequest, fields: frozenset[str] = frozenset()) -> VcrRequest:
    request.body = scrub_body(request.body, fields)
    # the local emulator listens on a random port: record a stable address instead
    request.uri = _LOOPBACK.sub(r"\1://localhost", request.uri)
    return request


def _scrub_response(response: dict[str, Any], secrets: Secrets = NO_SECRETS) -> dict[str, Any]:
    headers = response.get("headers", {})
    dropped = {*VOLATILE_RESPONSE_HEADERS, *SECRET_HEADERS, *secrets.headers}
    for name in list(headers):
        if name.lower() in dropped:
            del headers[name]
    body = response.get("body", {})
    if isinstance(body, dict) and "string" in body:
        body["string"] = scrub_body(body["string"], secrets.fields)
        if isinstance(body["string"], bytes) and "content-length" in {h.lower() for h in headers}:
            for name in list(headers):
                if name.lower() == "content-length":
                    headers[name] = [str(len(body["string"]))]
    return response


def _scrubbed_body_matcher(r1: VcrRequest, r2: VcrRequest) -> None:
    if scrub_body(r1.body) != scrub_body(r2.body):
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

    @staticmethod
    def save_cassette(cassette_path: str | Path, cassette_dict: Any, serializer: Any) -> None:
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, serialize(cassette_dict, serializer))


def make_vcr(cassettes: Path, record_mode: str, secrets: Secrets = NO_SECRETS) -> vcr.VCR:
    """A recorder that scrubs the usual credential headers and secret-looking body fields, and
    what the contract names secret (its security schemes' headers and query parameters, its
    password and writeOnly fields)."""
    persister = type(
        "SafePersisterFor" + record_mode.title().replace("_", ""),
        (SafePersister,),
        {"overwrite_damaged": record_mode == "all"},
    )
    recorder = vcr.VCR(
        cassette_library_dir=str(cassettes),
        record_mode=record_mode,
        match_on=["method", "path", "query", "scrubbed_body"],
        filter_headers=[
            *((h, SCRUBBED) for h in sorted({*SECRET_HEADERS, *secrets.headers})),
            ("user-agent", None),
        ],
        filter_query_parameters=[(q, SCRUBBED) for q in sorted(secrets.query)],
        before_record_request=partial(_scrub_request, fields=secrets.fields),
        before_record_response=partial(_scrub_response, secrets=secrets),
        decode_compressed_response=True,
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
