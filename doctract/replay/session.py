"""Replaying one tutorial: send its requests in order, chain the ids and etags the doc shows to
the ones the API returns, compare what comes back with what the doc says, clean up.

Every divergence is a finding with the lint contract, at the doc's line. A request that needs
an id from a request that failed is reported as blocked, not as a second failure.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import schemathesis
from vcr.errors import CannotOverwriteExistingCassetteException

from doctract.api import Api
from doctract.contract import Contract, Operation, Target
from doctract.errors import DoctractError
from doctract.findings import Finding, Severity
from doctract.project import cassette_name
from doctract.replay.cassette_file import CassetteError
from doctract.replay.cassettes import make_vcr
from doctract.replay.http import (
    Attempts,
    Message,
    is_loopback,
    parse_message,
    rebase,
    resolve,
    resolved_secrets,
    send,
)
from doctract.rule_ids import (
    BLOCKED_STEP,
    BROKEN_REQUEST,
    CASSETTE_MISSING,
    CASSETTE_UNREADABLE,
    CLEANUP_FAILED,
    DESTRUCTIVE_SKIPPED,
    REQUEST_REJECTED,
    RESPONSE_CONTRACT_VIOLATION,
    RESPONSE_SHAPE_MISMATCH,
    RESPONSE_UNDOCUMENTED_KEYS,
    STATUS_MISMATCH,
    TRANSPORT_ERROR,
)
from doctract.secrets import from_environment
from doctract.urls import HEX_ID, UUID

# response keys whose values change from run to run, for any API (a profile may say more)
_VOLATILE_KEYS = re.compile(
    r"^(?:id|uid|etag|version|created.*|updated.*|modified.*|.*At|.*Date|.*Time|.*_at|"
    r".*Id|.*_id|.*Uid|.*_uid|processingTimeMs)$"
)


@dataclass(frozen=True)
class ReplayOptions:
    record: str = "none"
    live: str | None = None
    emulator: bool = False
    cassettes: Path = Path("cassettes")
    keep: bool = False
    allow_destructive: bool = False
    retries: int = 3
    values: dict[str, str] = field(default_factory=dict)
    public: frozenset[str] = frozenset()  # placeholders whose values are not secret
    openapi: tuple[str, ...] = ()  # --openapi given on the command line (absolute paths)
    profile: str | None = None  # --profile given on the command line
    root: Path | None = None  # the project root: cassette names are relative to it
    api: Api = field(default_factory=Api, compare=False)  # built in the pytest plugin

    @property
    def offline(self) -> bool:
        return self.record == "none" and not self.live and not self.emulator


@dataclass
class Outcome:
    line: int
    step: str
    method: str = ""
    path: str = ""
    query: str = ""
    request_body: str | None = None  # scrubbed
    status: int | None = None
    body: Any = None
    text: str = ""  # the response body, scrubbed, cut at TEXT_LIMIT
    sent: bool = False
    failed: bool = False

    def to_dict(self, index: int) -> dict[str, Any]:
        return {
            "index": index,
            "line": self.line,
            "step": self.step,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "request_body": self.request_body,
            "status": self.status,
            "response": self.text,
            "sent": self.sent,
            "failed": self.failed,
        }


TEXT_LIMIT = 4000


_SCHEMATHESIS: dict[int, Any] = {}


def _schemathesis(contract: Contract) -> Any:
    """schemathesis' view of a contract, built once per contract and process."""
    key = id(contract)
    if key not in _SCHEMATHESIS:
        _SCHEMATHESIS[key] = schemathesis.openapi.from_dict(contract.raw)
    return _SCHEMATHESIS[key]


class Replay:
    def __init__(self, doc_path: str, options: ReplayOptions) -> None:
        self.doc_path = doc_path
        self.options = options
        self.findings: list[Finding] = []
        self.outcomes: dict[int, Outcome] = {}
        self.ids: dict[str, str] = {}
        self.unavailable: dict[str, int] = {}
        self.created: list[tuple[str, str, Operation]] = []  # (what, delete URL, DELETE op)
        self.attempts = Attempts()
        # what must not be written: the configuration's and the environment's secret values
        # (and those resolved while replaying), the contract's secret headers, query
        # parameters and body fields
        self.scrubber = from_environment(
            options.values, options.public, secret_names=options.api.contracts.secrets
        )
        self.unusable: CassetteError | None = None
        self.http = requests.Session()
        self._stack = contextlib.ExitStack()
        self.base = options.live

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> Replay:
        if self.options.emulator:
            self.base = self._stack.enter_context(self._emulator()(deterministic=True))
        name = cassette_name(self.doc_path, self.options.root)
        recorder = make_vcr(
            self.options.cassettes,
            self.options.record,
            self.options.api.contracts.secrets,
            lambda: self.scrubber,
        )
        try:
            self._stack.enter_context(recorder.use_cassette(f"{name}.yaml"))
        except CassetteError as exc:
            self.unusable = exc
            self.findings.append(
                exc.finding(
                    "re-record it with --record all, or restore it from version control",
                    f"the cassette of {self.doc_path}; nothing was replayed and the file was "
                    "left as it is",
                )
            )
        return self

    def _emulator(self) -> Any:
        """The profile's emulator (a context manager yielding its base URL)."""
        target = self.options.api.profile.emulator
        if not target:
            raise DoctractError(
                f"the {self.options.api.profile.name} profile has no emulator; use --live URL"
            )
        module, _, name = target.partition(":")
        return getattr(import_module(module), name)

    def finish(self) -> list[Finding]:
        try:
            self._clean_up()
        finally:
            self._stack.close()
            self.http.close()
        return self.findings

    @property
    def live(self) -> bool:
        return bool(self.base) and self.options.record != "none"

    def _destructive_ok(self, url: str) -> bool:
        return is_loopback(url) or self.options.allow_destructive

    def _clean_up(self) -> None:
        """Delete what this run created, newest first, retrying like any request; what still
        fails is a finding, so nothing is left behind silently."""
        if self.options.keep or not self.base or self.options.offline:
            return
        for what, url, delete in reversed(self.created):
            if not self._destructive_ok(url):
                continue
            message = Message("DELETE", url, tuple(self._credentials(delete).items()), None)
            try:
                # more patience than for the doc's requests: leaving things behind is worse
                response = send(self.http, message, self.options.retries + 3, self.attempts)
                failed = response.status_code >= 400 and response.status_code != 404
                reason = f"status {response.status_code}"
            except requests.RequestException as exc:
                failed, reason = True, type(exc).__name__
            if failed:
                self.report(
                    CLEANUP_FAILED,
                    1,
                    f"the {what} this run created could not be deleted "
                    f"({reason}); it is left behind",
                    "delete it by hand",
                )

    def _resolve(self, method: str, url: str) -> Target | None:
        """The operation of a request as sent: its host is the live base's (the emulator, a
        sandbox), which the contract's servers need not name."""
        host = urlsplit(url).hostname or ""
        return self.options.api.contracts.resolve(method, url, frozenset({host.lower()}))

    def _credentials(self, operation: Operation) -> dict[str, str]:
        """The credential headers an operation needs (its security requirement and required
        header parameters), filled from the placeholders' values; fakes where allowed."""
        fake = self._fake_credentials()
        examples = {k.lower(): v for k, v in self.options.api.profile.credential_examples.items()}
        wanted: dict[str, str] = {}
        for cred in operation.security[0] if operation.security else ():
            if cred.location == "header":
                wanted[cred.name] = examples.get(cred.name.lower()) or cred.example()
        for param in operation.required_headers():
            if param.key not in {k.lower() for k in wanted} and param.key != "if-match":
                example = "{" + param.name.upper().replace("-", "_") + "}"
                wanted[param.name] = examples.get(param.key, example)
        return {name: resolve(value, self.options.values, fake) for name, value in wanted.items()}

    def _fake_credentials(self) -> bool:
        return (
            self.options.offline
            or self.options.emulator
            or (bool(self.base) and is_loopback(self.base or ""))
        )

    def redact(self, text: str) -> str:
        """`text` without the values this replay resolved for secret placeholders, any secret
        value from the environment or the configuration, nor any credential."""
        return self.scrubber.text(text)

    def report(
        self, rule: str, line: int, message: str, hint: str = "", evidence: str | None = None
    ) -> None:
        from doctract.checks import RULES

        self.findings.append(
            Finding(
                rule,
                RULES[rule].severity,
                self.doc_path,
                line,
                1,
                self.redact(message),
                self.redact(hint),
                self.redact(evidence[:500]) if evidence else evidence,
            )
        )

    def record(self) -> dict[str, Any]:
        """What the results file and the reports show of this replay (secrets removed)."""
        return {
            "path": self.doc_path,
            "status": tutorial_status(self.findings),
            "retried": self.attempts.retried,
            "recovered": self.attempts.recovered,
            "findings": [f.to_dict() for f in self.findings],
            "requests": [o.to_dict(i) for i, o in sorted(self.outcomes.items())],
        }

    # --- steps ----------------------------------------------------------------------------

    def broken(self, index: int, line: int, step: str, rule: str, at: int, message: str) -> None:
        self.outcomes[index] = Outcome(line, step, failed=True)
        self.report(
            BROKEN_REQUEST,
            at,
            f"request {index} ({step}) cannot be sent as documented: {message}",
            "fix the doc's request; see the lint finding",
            f"{rule} at line {at}",
        )

    def send(self, index: int, line: int, step: str, text: str) -> None:
        outcome = Outcome(line, step)
        self.outcomes[index] = outcome
        if self.unusable is not None:  # reported once, at the cassette
            outcome.failed = True
            return
        message = self._prepare(parse_message(text))
        outcome.method = message.method
        parts = urlsplit(message.url)
        outcome.path = self.redact(parts.path)
        outcome.query = self.scrubber.query(parts.query)
        if message.body is not None:
            outcome.request_body = _text(self.scrubber.body(message.body))[:TEXT_LIMIT]
        # the id named first in the request: stable whatever the hash seed (xdist workers)
        needs = sorted(
            ((doc_id, at) for doc_id, at in self.unavailable.items() if doc_id in text),
            key=lambda need: (text.index(need[0]), need[0]),
        )
        if needs:
            outcome.failed = True
            doc_id, at = needs[0]
            self.report(
                BLOCKED_STEP,
                line,
                f"request {index} ({step}) was not sent: it needs "
                f"{doc_id}, which the failed request at line {at} should have returned",
                "fix the failed request first",
            )
            return
        if message.method == "DELETE" and self.base and not self._destructive_ok(message.url):
            outcome.failed = True
            self.report(
                DESTRUCTIVE_SKIPPED,
                line,
                f"DELETE {outcome.path} was not sent to {urlsplit(message.url).hostname}",
                "pass --allow-destructive",
            )
            return
        try:
            response = send(
                self.http, message, self.options.retries if self.live else 0, self.attempts
            )
        except CannotOverwriteExistingCassetteException:
            outcome.failed = True
            self.report(
                CASSETTE_MISSING,
                line,
                f"no recorded interaction for request {index} ({message.method} {outcome.path})",
                "record it: doctract run --emulator --record new_episodes"
                if self.options.api.profile.emulator
                else "record it: doctract run --live URL --record new_episodes",
            )
            return
        except requests.RequestException as exc:
            outcome.failed = True
            self.report(
                TRANSPORT_ERROR,
                line,
                f"request {index} ({message.method} {outcome.path}) failed: {type(exc).__name__}",
            )
            return
        outcome.sent = True
        outcome.status = response.status_code
        outcome.text = _text(self.scrubber.body(response.text))[:TEXT_LIMIT]
        with contextlib.suppress(ValueError):
            outcome.body = response.json()
        self._validate_contract(index, message, response, outcome)
        self._remember_created(message, outcome)

    def _prepare(self, message: Message) -> Message:
        fake = self._fake_credentials()
        mapped = self._map_ids

        def fix(value: str) -> str:
            self.scrubber = self.scrubber.with_values(
                resolved_secrets(mapped(value), self.options.values, fake, self.options.public)
            )
            return resolve(mapped(value), self.options.values, fake)

        url = fix(message.url)
        if self.base:
            url = rebase(url, self.base)
        return Message(
            message.method,
            url,
            tuple((name, fix(value)) for name, value in message.headers),
            fix(message.body) if message.body is not None else None,
        )

    def _map_ids(self, text: str) -> str:
        for doc_id, live_id in self.ids.items():
            if doc_id in text:
                text = text.replace(doc_id, live_id)
        return text

    def _remember_created(self, message: Message, outcome: Outcome) -> None:
        """What a successful POST created, with the contract's DELETE for it (if any)."""
        if message.method != "POST" or not isinstance(outcome.body, dict):
            return
        if outcome.status is None or outcome.status >= 300:
            return
        target = self._resolve("POST", message.url)
        if target is None or target.operation is None:
            return
        delete = target.contract.delete_for(target.operation)
        if delete is None:
            return
        param = delete.template.rstrip("/").rsplit("/", 1)[-1][1:-1]
        pointer = dict(target.operation.links).get(param, "id")
        created: Any = outcome.body
        for part in pointer.split("/"):  # `$response.body#/data/id` -> body["data"]["id"]
            created = created.get(part) if isinstance(created, dict) else None
        if not isinstance(created, str | int) or isinstance(created, bool):
            return
        collection_url = urlsplit(message.url)._replace(query="", fragment="").geturl()
        url = f"{collection_url.rstrip('/')}/{created}"
        what = f"{target.operation.template.rstrip('/').rsplit('/', 1)[-1]} {created}"
        self.created.append((what, url, delete))

    def _validate_contract(
        self, index: int, message: Message, response: requests.Response, outcome: Outcome
    ) -> None:
        target = self._resolve(message.method, message.url)
        if target is None or target.operation is None:
            return
        schema = _schemathesis(target.contract)
        operation = schema.find_operation_by_path(message.method, target.path)
        if operation is None:
            return
        try:
            schema.validate_response(
                operation, schemathesis.Response.from_requests(response, verify=True)
            )
        except Exception as exc:
            text = str(exc).strip().split("\n")
            summary = next(
                (ln.strip() for ln in text if ln.strip() and not ln.startswith("-")),
                type(exc).__name__,
            )
            self.report(
                RESPONSE_CONTRACT_VIOLATION,
                outcome.line,
                f"the {outcome.status} response to request {index} breaks the OpenAPI "
                f"contract: {summary}",
                "likely the API (or the contract) is wrong",
                " ".join(ln.strip() for ln in text[:6])[:400],
            )

    def expect_status(self, index: int, status: int | None) -> None:
        outcome = self.outcomes[index]
        if not outcome.sent or outcome.status is None:
            return
        if status is None:
            if outcome.status >= 400:
                outcome.failed = True
                self.report(
                    REQUEST_REJECTED,
                    outcome.line,
                    f"the API rejected request {index} ({outcome.step}) with "
                    f"{outcome.status}: {_error_text(outcome)}",
                    "the doc's request is likely wrong",
                    outcome.text,
                )
        elif outcome.status != status:
            outcome.failed = outcome.status >= 400
            rule = REQUEST_REJECTED if outcome.status >= 400 and status < 400 else STATUS_MISMATCH
            self.report(
                rule,
                outcome.line,
                f"the doc states status {status} for request "
                f"{index} ({outcome.step}); the API answered {outcome.status}"
                + (f": {_error_text(outcome)}" if outcome.status >= 400 else ""),
                "check the doc's request and stated status",
                outcome.text,
            )

    def expect_example(self, index: int, line: int, example_text: str) -> None:
        outcome = self.outcomes[index]
        try:
            example = json.loads(example_text)
        except ValueError:
            return
        if outcome.failed or not outcome.sent:
            for doc_id in sorted(_ids_in(example) - set(self.ids)):  # live ids stay usable
                self.unavailable.setdefault(doc_id, outcome.line)
            return
        self._learn_ids(example, outcome.body)
        differences = shape_differences(
            example, outcome.body, volatile=self.options.api.profile.volatile_keys
        )
        extra = [d for d in differences if d.endswith("is not documented")]
        differences = [d for d in differences if d not in extra]
        if extra:
            self.report(
                RESPONSE_UNDOCUMENTED_KEYS,
                line,
                f"the response to request {index} "
                f"has keys the example leaves out: {', '.join(d.split()[0] for d in extra[:6])}"
                + (f" (+{len(extra) - 6} more)" if len(extra) > 6 else ""),
                "document them if readers need them",
            )
        if differences:
            shown = "; ".join(differences[:4]) + (
                f" (+{len(differences) - 4} more)" if len(differences) > 4 else ""
            )
            self.report(
                RESPONSE_SHAPE_MISMATCH,
                line,
                f"the response to request {index} differs from the documented example: {shown}",
                "update the example to what the API returns",
                outcome.text[:300],
            )

    def _learn_ids(self, example: Any, live: Any) -> None:
        if isinstance(example, dict) and isinstance(live, dict):
            for key, value in example.items():
                if key not in live:
                    continue
                if isinstance(value, str) and isinstance(live[key], str):
                    if key == "etag" or key == "version":
                        self.ids[value.strip('"')] = live[key].strip('"')
                    elif _is_id(value) and value != live[key]:
                        self.ids[value] = live[key]
                else:
                    self._learn_ids(value, live[key])
        elif isinstance(example, list) and isinstance(live, list):
            for doc_item, live_item in zip(example, live, strict=False):
                self._learn_ids(doc_item, live_item)

    def verdict(self) -> str | None:
        """A summary when the tutorial diverges (errors or warnings), else None."""
        serious = [f for f in self.findings if f.severity is not Severity.INFO]
        if not serious:
            return None
        return "\n".join(f"{f.path}:{f.line}: {f.rule}: {f.message}" for f in serious)


_BLOCKING = frozenset(
    {
        BLOCKED_STEP,
        CASSETTE_MISSING,
        CASSETTE_UNREADABLE,
        TRANSPORT_ERROR,
        DESTRUCTIVE_SKIPPED,
    }
)


def tutorial_status(findings: list[Finding]) -> str:
    """passed: no error or warning; blocked: only steps that could not run; else failed."""
    serious = {f.rule for f in findings if f.severity is not Severity.INFO}
    if not serious:
        return "passed"
    return "blocked" if serious <= _BLOCKING else "failed"


def _text(body: bytes | str | None) -> str:
    if body is None:
        return ""
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def _is_id(text: str) -> bool:
    return bool(UUID.fullmatch(text) or HEX_ID.fullmatch(text))


def _error_text(outcome: Outcome) -> str:
    if isinstance(outcome.body, dict):
        for key in ("detail", "message", "title"):
            if isinstance(outcome.body.get(key), str):
                return str(outcome.body[key])
    return outcome.text[:200]


def _ids_in(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and (_is_id(item) or key == "etag"):
                found.add(item.strip('"'))
            else:
                found |= _ids_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= _ids_in(item)
    return found


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _volatile(key: str, extra: re.Pattern[str] | None) -> bool:
    return bool(_VOLATILE_KEYS.match(key) or (extra is not None and extra.match(key)))


def shape_differences(
    doc: Any, live: Any, path: str = "", volatile: re.Pattern[str] | None = None
) -> list[str]:
    """Keys missing or extra and type changes between a documented example and a live body;
    values are not compared, and volatile keys (ids, etags, timestamps) only for presence."""
    where = path or "the body"
    if _type(doc) != _type(live):
        if doc is None or live is None:
            return []
        return [f"{where} is {_type(live)}, the doc shows {_type(doc)}"]
    if isinstance(doc, dict):
        out = [f"{path + '.' if path else ''}{k} is missing" for k in doc if k not in live]
        out += [
            f"{path + '.' if path else ''}{k} is not documented"
            for k in live
            if k not in doc and not _volatile(k, volatile)
        ]
        for key in doc:
            if key in live:
                out += shape_differences(
                    doc[key], live[key], f"{path}.{key}" if path else key, volatile
                )
        return out
    if isinstance(doc, list) and doc and live:
        return shape_differences(doc[0], live[0], f"{path}[0]", volatile)
    return []
