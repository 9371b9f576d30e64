"""Replaying one tutorial: send its requests in order, chain the ids and etags the doc shows to
the ones the API returns, compare what comes back with what the doc says, clean up.

Every divergence is a finding with the lint contract, at the doc's line. A request that needs
an id from a request that failed is reported as blocked, not as a second failure.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import schemathesis
from vcr.errors import CannotOverwriteExistingCassetteException

from doctract import interrupts
from doctract.api import Api
from doctract.contract import Contract, Target
from doctract.contract.fields import response_schema, volatile_fields
from doctract.contract.model import Operation
from doctract.contract.pointers import parts as pointer_parts
from doctract.errors import DoctractError
from doctract.findings import Finding, Severity
from doctract.interrupts import signal_name
from doctract.project import cassette_name
from doctract.replay.cassette_file import CassetteError
from doctract.replay.cassettes import make_vcr
from doctract.replay.cleanup import Cleaner, Cleanup, Left, uncharted
from doctract.replay.created import Created, created_by, find_id, maybe_created
from doctract.replay.credentials import Credentials, credentials_of
from doctract.replay.culprit import Evidence, judge
from doctract.replay.etags import Etags
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
from doctract.replay.retry import ambiguous
from doctract.rule_ids import (
    BLOCKED_STEP,
    BROKEN_REQUEST,
    CASSETTE_MISSING,
    CASSETTE_UNREADABLE,
    DESTRUCTIVE_SKIPPED,
    REQUEST_REJECTED,
    RESPONSE_CONTRACT_VIOLATION,
    RESPONSE_NOT_JSON,
    RESPONSE_SHAPE_MISMATCH,
    RESPONSE_UNDOCUMENTED_KEYS,
    STATUS_MISMATCH,
    TRANSPORT_ERROR,
)
from doctract.secrets import Scrubber, from_environment
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
# a doc's id shorter than this is not mapped to the live one: mapping replaces it in the text
# of later requests, where a short value ("42") would also match unrelated text
MIN_MAPPED_ID = 4
# where a URL written without a scheme goes offline (the cassette matches method, path, query)
OFFLINE_BASE = "http://localhost"


_SCHEMATHESIS: dict[int, Any] = {}


def _schemathesis(contract: Contract) -> Any:
    """schemathesis' view of a contract, built once per contract and process."""
    key = id(contract)
    if key not in _SCHEMATHESIS:
        _SCHEMATHESIS[key] = schemathesis.openapi.from_dict(contract.raw)
    return _SCHEMATHESIS[key]


_OPERATIONS: dict[tuple[int, str], Any] = {}


def _schemathesis_operation(contract: Contract, operation: Operation, path: str) -> Any:
    """schemathesis' operation for the one doctract's router matched, found by the operation's
    place in the document (`/paths/<template>/<method>`) once per contract and process;
    matching the concrete path with schemathesis' own router costs more than the check."""
    key = (id(contract), operation.pointer)
    if key not in _OPERATIONS:
        schema = _schemathesis(contract)
        found: Any = None
        where = pointer_parts(operation.pointer)
        if len(where) == 3 and where[0] == "paths":
            with contextlib.suppress(LookupError):
                found = schema[where[1]][where[2].upper()]
        if found is None:  # not a plain path item: ask schemathesis' router
            found = schema.find_operation_by_path(operation.method, path)
        _OPERATIONS[key] = found
    return _OPERATIONS[key]


class Unfinished(Exception):
    """A tutorial that did not run to its end (interrupted, or a step raised)."""


class Replay:
    def __init__(self, doc_path: str, options: ReplayOptions) -> None:
        self.doc_path = doc_path
        self.options = options
        self.findings: list[Finding] = []
        self.outcomes: dict[int, Outcome] = {}
        self.ids: dict[str, str] = {}
        self.unavailable: dict[str, int] = {}
        self.created: list[Created] = []  # what this run created, or may have, oldest first
        self.created_by: dict[int, Created] = {}  # request index -> what it created
        self.cleanup = Cleanup()
        self.uncharted: list[Left] = []  # created (201) where no contract says how to delete
        self.targets: dict[int, Target] = {}  # request index -> its operation in the contract
        self._resolved: dict[tuple[str, str], Target | None] = {}  # (method, URL) -> _resolve
        self.evidence: dict[int, Evidence] = {}  # what each request shows of doc, API, contract
        self.diverged: dict[int, list[int]] = {}  # request index -> its divergence findings
        self.etags = Etags()
        self.attempts = Attempts()
        # what must not be written: the configuration's and the environment's secret values
        # (and those resolved while replaying), the contract's secret headers, query
        # parameters and body fields (see the `scrubber` property)
        self._scrubber = from_environment(
            options.values, options.public, secret_names=options.api.contracts.secrets
        )
        self.unusable: CassetteError | None = None
        self.finished = False  # the last step ran: the tutorial was not cut short
        self.http = requests.Session()
        # offline, vcrpy answers every request: the proxy and .netrc settings requests reads
        # from the environment on each request would never be used
        self.http.trust_env = not options.offline
        self._stack = contextlib.ExitStack()
        self.base = options.live
        self.credentials = Credentials(
            options.values, self._fake_credentials(), options.api.profile.credential_examples
        )

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
        # the cassette is saved when it closes, only if the tutorial ran to its end: an
        # interrupted one (Ctrl-C, SIGTERM, a crash) keeps the previous cassette as it was
        cassette = recorder.use_cassette(f"{name}.yaml", record_on_exception=False)
        try:
            cassette.__enter__()
            self._stack.push(lambda *_: cassette.__exit__(*self._ending()))
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

    def _ending(self) -> tuple[type[BaseException] | None, BaseException | None, None]:
        """How the tutorial ended, as the cassette's context manager wants to hear it: no
        exception when it finished, else one (so vcrpy does not save what it recorded)."""
        if self.finished:
            return None, None, None
        return Unfinished, Unfinished(self.doc_path), None

    def _emulator(self) -> Any:
        """The emulator `--emulator` starts (a context manager yielding its base URL): the
        profile's, else the generic emulator over the API's contract (doctract.api)."""
        factory = self.options.api.emulator()
        if factory is None:
            raise DoctractError(
                f"the {self.options.api.profile.name} profile has no emulator and no OpenAPI "
                "contract is configured; use --live URL --record all, or give --openapi SPEC"
            )
        return factory

    @property
    def has_emulator(self) -> bool:
        return bool(self.options.api.profile.emulator or self.options.api.contracts.contracts)

    def record_hint(self) -> str:
        """The next step to record what a replay lacks, for this API."""
        if self.options.api.profile.emulator:
            return "record it: doctract run --emulator --record all (or --live URL --record all)"
        if self.options.api.contracts.contracts:
            return (
                "record it against the API: doctract run --live URL --record all (or from an "
                "emulator of its contract: --emulator --record all)"
            )
        return "record it against the API: doctract run --live URL --record all"

    def finish(self) -> list[Finding]:
        try:
            self._name_culprits()
            with interrupts.deferred():  # a second Ctrl-C or SIGTERM does not cut it short
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
        """Delete what this run created, newest first (doctract.replay.cleanup); what stays,
        or may stay, is a finding naming it, so nothing is left behind silently."""
        if self.options.keep or not self.base or self.options.offline:
            return
        cleaner = Cleaner(
            self.http,
            self.credentials,
            self._destructive_ok,
            # more patience than for the doc's requests: leaving things behind is worse
            self.options.retries + 3,
            self.attempts,
            persistent=not self.options.emulator,
        )
        self.cleanup = cleaner.run(self.created, self.uncharted)
        for left in self.cleanup.left:
            self.report(left.rule, left.line, left.message, left.hint)

    def _resolve(self, method: str, url: str) -> Target | None:
        """The operation of a request as sent: its host is the live base's (the emulator, a
        sandbox), which the contract's servers need not name."""
        key = (method, url)
        if key not in self._resolved:  # asked when preparing, checking and remembering it
            host = urlsplit(url).hostname or ""
            self._resolved[key] = self.options.api.contracts.resolve(
                method, url, frozenset({host.lower()})
            )
        return self._resolved[key]

    def _name_culprits(self) -> None:
        """Each diverging request's findings say which side is most likely wrong (the doc,
        the API or the contract; doctract.replay.culprit), first thing in their hint."""
        for index, positions in self.diverged.items():
            target = self.targets.get(index)
            if target is None or target.operation is None:
                continue
            verdict = judge(target.contract, target.operation, self.evidence[index])
            if verdict is None:
                continue
            for at in positions:
                finding = self.findings[at]
                self.findings[at] = replace(finding, hint=self.scrub(verdict.hint(finding.hint)))

    def _fake_credentials(self) -> bool:
        return (
            self.options.offline
            or self.options.emulator
            or (bool(self.base) and is_loopback(self.base or ""))
        )

    @property
    def scrubber(self) -> Scrubber:
        """What nothing this replay writes may show (doctract.secrets): the secret values of
        the configuration and the environment, those it resolved for placeholders that are not
        public, every value it sent in a credential's place (doctract.replay.credentials,
        whatever the placeholder's name, the cleanup's requests too), and the contract's secret
        names. The cassette's recorder asks for it at each request."""
        sent = self.credentials.secrets
        if not sent <= self._scrubber.values:
            self._scrubber = self._scrubber.with_values(sent)
        return self._scrubber

    def _learn(self, values: set[str]) -> None:
        self._scrubber = self._scrubber.with_values(values)

    def scrub(self, text: str) -> str:
        """`text` without the values this replay resolved for secret placeholders, any secret
        value from the environment or the configuration, nor any credential."""
        return self.scrubber.text(text)

    def report(
        self,
        rule: str,
        line: int,
        message: str,
        hint: str = "",
        evidence: str | None = None,
        request: int | None = None,
    ) -> None:
        """A finding at the doc's line; `request`: the request it shows diverging, whose
        findings learn at the end which side is most likely wrong."""
        from doctract.checks import RULES

        if request is not None:
            self.diverged.setdefault(request, []).append(len(self.findings))
        self.findings.append(
            Finding(
                rule,
                RULES[rule].severity,
                self.doc_path,
                line,
                1,
                self.scrub(message),
                self.scrub(hint),
                self.scrub(evidence[:500]) if evidence else evidence,
            )
        )

    def record(self) -> dict[str, Any]:
        """What the results file and the reports show of this replay (secrets removed)."""
        return {
            "path": self.doc_path,
            "status": tutorial_status(self.findings),
            "finished": self.finished,
            "retried": self.attempts.retried,
            "recovered": self.attempts.recovered,
            "cleanup": self.cleanup.summary(),
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
        outcome.path = self.scrub(parts.path)
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
        except KeyboardInterrupt as interrupt:  # Ctrl-C, SIGTERM: the request may have arrived
            self._remember_lost(message, outcome, interrupt)
            raise
        except CannotOverwriteExistingCassetteException:
            outcome.failed = True
            self.report(
                CASSETTE_MISSING,
                line,
                f"no recorded interaction for request {index} ({message.method} {outcome.path})",
                self.record_hint(),
            )
            return
        except requests.RequestException as exc:
            outcome.failed = True
            self.report(
                TRANSPORT_ERROR,
                line,
                f"request {index} ({message.method} {outcome.path}) failed: {type(exc).__name__}",
            )
            self._remember_lost(message, outcome, exc)
            return
        outcome.sent = True
        outcome.status = response.status_code
        outcome.text = _text(self.scrubber.body(response.text))[:TEXT_LIMIT]
        with contextlib.suppress(ValueError, RecursionError):  # not JSON, or nested too deeply
            outcome.body = response.json()
        violation = self._validate_contract(index, message, response, outcome)
        self._remember(index, message, response, outcome)
        self.evidence[index] = Evidence(
            doc_request=_json_or_none(parse_message(text).body),
            live_status=outcome.status,
            live_body=outcome.body,
            api_violation=violation,
        )

    def _prepare(self, message: Message) -> Message:
        fake = self._fake_credentials()
        mapped = self._map_ids

        def fix(value: str) -> str:
            value = mapped(value)
            self._learn(resolved_secrets(value, self.options.values, fake, self.options.public))
            return resolve(value, self.options.values, fake)

        url = fix(message.url)
        if self.base:
            url = rebase(url, self.base)
        elif "://" not in url:  # `$API_URL/notes` offline: cassettes match on the path
            url = rebase(url, OFFLINE_BASE)
        prepared = Message(
            message.method,
            url,
            tuple((name, fix(value)) for name, value in message.headers),
            fix(message.body) if message.body is not None else None,
        )
        target = self._resolve(prepared.method, prepared.url)
        if target is not None:  # the contract's credentials, wherever it puts them
            prepared = self.credentials.fill(prepared, credentials_of(target))
        return self._if_match(prepared)

    def _if_match(self, message: Message) -> Message:
        """The doc's `If-Match` etag replaced by the live one it stands for, where the API
        sent that item's etag in an `ETag` header (doctract.replay.etags)."""
        headers = []
        for name, value in message.headers:
            if name.lower() == "if-match" and value.strip('"') not in self.ids.values():
                value = self.etags.live(message.url, value) or value
            headers.append((name, value))
        return replace(message, headers=tuple(headers))

    def _map_ids(self, text: str) -> str:
        for doc_id, live_id in self.ids.items():
            if doc_id in text:
                text = text.replace(doc_id, live_id)
        return text

    def _remember(
        self,
        index: int,
        message: Message,
        response: requests.Response,
        outcome: Outcome,
    ) -> None:
        """What a POST created (doctract.replay.created), or may have, and the etag an `ETag`
        header carries, where the contract declares one."""
        target = self._resolve(message.method, message.url)
        if target is None or target.operation is None:
            if message.method == "POST" and outcome.status == 201:
                # created, says HTTP; how to delete it, no contract says
                self.uncharted.append(uncharted(message.url, outcome.line))
            return
        self.targets[index] = target
        created = created_by(
            target,
            message.url,
            message.body,
            outcome.status,
            response.headers,
            outcome.body,
            outcome.line,
        )
        if created is not None:
            self.created.append(created)
            self.created_by[index] = created
        elif message.method == "POST" and outcome.status is not None:
            status = outcome.status
            if status == 201:  # created, but the answer does not say what: look it up
                self._may_have_created(target, message, outcome, "status 201, no id in the answer")
            elif ambiguous(message.method, status):  # a 5xx after the API may have acted
                self._may_have_created(target, message, outcome, f"status {status}")
        etag = response.headers.get("ETag")
        if etag and outcome.status and target.operation.declares_header(outcome.status, "etag"):
            self.etags.saw(created.url if created else message.url, etag)

    def _remember_lost(self, message: Message, outcome: Outcome, failure: BaseException) -> None:
        """What a POST may have created when its answer was lost (cut mid-body, timed out,
        interrupted) after the request may have reached the API: cleanup looks it up."""
        if message.method != "POST" or not ambiguous(message.method, failure):
            return
        target = self._resolve(message.method, message.url)
        if target is not None and target.operation is not None:
            self._may_have_created(target, message, outcome, _failure_text(failure))

    def _may_have_created(
        self, target: Target, message: Message, outcome: Outcome, failure: str
    ) -> None:
        made = maybe_created(target, message.url, message.body, outcome.line, failure)
        if made is not None:
            self.created.append(made)

    def _validate_contract(
        self, index: int, message: Message, response: requests.Response, outcome: Outcome
    ) -> str | None:
        """schemathesis' check of the response against the contract; its summary when the
        response breaks it."""
        target = self._resolve(message.method, message.url)
        if target is None or target.operation is None:
            return None
        operation = _schemathesis_operation(target.contract, target.operation, target.path)
        if operation is None:
            return None
        try:
            operation.schema.validate_response(
                operation, schemathesis.Response.from_requests(response, verify=True)
            )
        except (Exception, BaseExceptionGroup) as caught:
            # several violations come as one group (schemathesis' FailureGroup, a
            # BaseExceptionGroup): report the first, counting the others
            failures = _failures(caught)
            exc = failures[0]
            text = str(exc).strip().split("\n")
            summary = next(
                (ln.strip() for ln in text if ln.strip() and not ln.startswith("-")),
                type(exc).__name__,
            )
            if len(failures) > 1:
                summary += f" (+{len(failures) - 1} more)"
            self.report(
                RESPONSE_CONTRACT_VIOLATION,
                outcome.line,
                f"the {outcome.status} response to request {index} breaks the OpenAPI "
                f"contract: {summary}",
                "likely the API (or the contract) is wrong",
                " ".join(ln.strip() for ln in text[:6])[:400],
                request=index,
            )
            return str(summary)
        return None

    def expect_status(self, index: int, status: int | None) -> None:
        outcome = self.outcomes[index]
        if not outcome.sent or outcome.status is None:
            return
        if index in self.evidence:
            self.evidence[index] = replace(self.evidence[index], doc_status=status)
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
                    request=index,
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
                request=index,
            )

    def expect_example(self, index: int, line: int, example_text: str) -> None:
        outcome = self.outcomes[index]
        try:
            example = json.loads(example_text)
        except ValueError:
            return
        if outcome.sent and outcome.body is None and outcome.text.strip() not in ("", "null"):
            outcome.failed = True  # nothing in it can be compared, nor its ids used later
            self.report(
                RESPONSE_NOT_JSON,
                line,
                f"the response to request {index} is {_unreadable(outcome.text)}, where the doc "
                "shows a JSON example",
                "likely the API is wrong",
                outcome.text[:300],
            )
        target = self.targets.get(index)
        if outcome.failed or not outcome.sent:
            for doc_id in sorted(self._doc_ids(index, example) - set(self.ids)):
                self.unavailable.setdefault(doc_id, outcome.line)  # live ids stay usable
            return
        if index in self.evidence:
            self.evidence[index] = replace(self.evidence[index], doc_example=example)
        self._learn_ids(example, outcome.body)
        self._learn_created_id(index, example)
        volatile: frozenset[str] = frozenset()
        if target is not None and target.operation is not None:  # by the contract's formats
            document = target.contract.document
            schema = response_schema(document, target.operation, outcome.status)
            volatile = volatile_fields(document, schema)
        differences = shape_differences(
            example,
            outcome.body,
            volatile=self.options.api.profile.volatile_keys,
            volatile_fields=volatile,
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
                request=index,
            )

    def _doc_ids(self, index: int, example: Any) -> set[str]:
        """The ids a doc's example shows for a request that failed: later requests that
        need them are blocked. Id-looking values, and the id of what the request would have
        created (the contract says where it is)."""
        found = _ids_in(example)
        target = self.targets.get(index)
        op = target.operation if target is not None else None
        creates = op is not None and op.method == "POST"
        if target is not None and op is not None and creates and target.contract.item_template(op):
            doc = find_id(target, None, example, None)
            if doc is not None and len(doc[0]) >= MIN_MAPPED_ID:
                found.add(doc[0])
        return found

    def _learn_created_id(self, index: int, example: Any) -> None:
        """The doc's id of what a request created, mapped to the live one, wherever the
        contract says the id is (not only values that look like ids)."""
        created, target = self.created_by.get(index), self.targets.get(index)
        if created is None or created.id is None or target is None:
            return
        status = self.outcomes[index].status
        doc = find_id(target, status, example, None)
        live = find_id(target, status, self.outcomes[index].body, None)
        live_id = live[0] if live is not None else created.id  # else from Location
        if doc is not None and len(doc[0]) >= MIN_MAPPED_ID and doc[0] != live_id:
            self.ids.setdefault(doc[0], live_id)

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
        """A summary when the tutorial diverges (errors or warnings), else None. The last
        step: once it runs, the tutorial finished (and its recording may be saved)."""
        self.finished = True
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


def _failure_text(failure: BaseException) -> str:
    if isinstance(failure, KeyboardInterrupt):
        return f"interrupted by {signal_name(failure)} while waiting for the answer"
    return type(failure).__name__


def _text(body: bytes | str | None) -> str:
    if body is None:
        return ""
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else body


def _unreadable(text: str) -> str:
    """Why a response body is not JSON doctract can read."""
    try:
        json.loads(text)
    except RecursionError:
        return "JSON nested too deeply to read"
    except ValueError:
        pass
    return "not JSON"


def _failures(caught: BaseException) -> list[BaseException]:
    """The violations a validation raised: the group's, flattened, or the one exception. A
    group holding anything but ordinary exceptions (Ctrl-C, SystemExit) is raised again."""
    if not isinstance(caught, BaseExceptionGroup):
        return [caught]
    _, other = caught.split(Exception)
    if other is not None:
        raise caught
    found: list[BaseException] = []
    for inner in caught.exceptions:
        found += _failures(inner)
    return found or [caught]


def _json_or_none(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # nested too deeply to read
        return None


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


def _volatile(key: str, extra: re.Pattern[str] | None, fields: frozenset[str]) -> bool:
    return bool(
        _VOLATILE_KEYS.match(key) or key in fields or (extra is not None and extra.match(key))
    )


def shape_differences(
    doc: Any,
    live: Any,
    path: str = "",
    volatile: re.Pattern[str] | None = None,
    volatile_fields: frozenset[str] = frozenset(),
) -> list[str]:
    """Keys missing or extra and type changes between a documented example and a live body;
    values are not compared, and volatile keys (ids, etags, timestamps, by their names, and
    the fields the contract gives a `date-time`, `date`, `time` or `uuid` format) only for
    presence."""
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
            if k not in doc and not _volatile(k, volatile, volatile_fields)
        ]
        for key in doc:
            if key in live:
                out += shape_differences(
                    doc[key], live[key], f"{path}.{key}" if path else key, volatile, volatile_fields
                )
        return out
    if isinstance(doc, list) and doc and live:
        return shape_differences(doc[0], live[0], f"{path}[0]", volatile, volatile_fields)
    return []
