"""Rules that replay (`doctract run`) reports; registered here so every listing knows them."""

from __future__ import annotations

from doctract.checks.registry import dynamic_rule
from doctract.findings import Severity
from doctract.rule_ids import (
    BLOCKED_STEP,
    BROKEN_REQUEST,
    CASSETTE_MISSING,
    CASSETTE_UNREADABLE,
    CLEANUP_FAILED,
    CLEANUP_UNAVAILABLE,
    DESTRUCTIVE_SKIPPED,
    INTERACTION_ADDED,
    INTERACTION_REMOVED,
    INTERACTION_SHAPE_CHANGED,
    INTERACTION_STATUS_CHANGED,
    LEFT_BEHIND,
    REQUEST_NOT_SENT,
    REQUEST_REJECTED,
    RESPONSE_CONTRACT_VIOLATION,
    RESPONSE_NOT_JSON,
    RESPONSE_SHAPE_MISMATCH,
    RESPONSE_UNDOCUMENTED_KEYS,
    STATUS_MISMATCH,
    TRANSPORT_ERROR,
)

for _id, _severity, _doc in (
    (
        REQUEST_REJECTED,
        Severity.ERROR,
        """The API rejects a documented request (4xx/5xx).

        The finding quotes the API's error body: the doc's request is wrong, or the API changed.""",
    ),
    (
        RESPONSE_UNDOCUMENTED_KEYS,
        Severity.INFO,
        """The response has keys the documented example leaves out.

        Docs often abbreviate examples, so this is informational.""",
    ),
    (STATUS_MISMATCH, Severity.ERROR, """The API answers another status than the doc states."""),
    (
        RESPONSE_SHAPE_MISMATCH,
        Severity.WARNING,
        """The response differs in shape from the documented example.

        Keys missing or extra, or a value of another type; volatile values (ids, etags,
        timestamps) are not compared. Most likely the doc's example is stale.""",
    ),
    (
        RESPONSE_CONTRACT_VIOLATION,
        Severity.ERROR,
        """The API's response breaks the OpenAPI contract.

        Most likely the API regressed, or the contract is out of date. Like the other
        divergences of a request (`request-rejected`, `status-mismatch`,
        `response-shape-mismatch`), its hint starts with the side most likely wrong when the
        doc, the API and the contract tell: the doc, the API or the contract.""",
    ),
    (
        RESPONSE_NOT_JSON,
        Severity.ERROR,
        """The API answers a body doctract cannot read as JSON where the doc shows a JSON example.

        Not JSON at all (an HTML error page, a body cut short), or JSON nested too deeply to
        parse. The response is not what the doc describes, so nothing in it can be compared.""",
    ),
    (
        BROKEN_REQUEST,
        Severity.ERROR,
        """A documented request cannot be sent as written.

        The static finding (no curl, a lost backslash, malformed JSON, ...) is quoted; requests
        that depend on it are reported as blocked.""",
    ),
    (
        BLOCKED_STEP,
        Severity.WARNING,
        """A request was not sent: it needs an id from a request that failed.""",
    ),
    (
        REQUEST_NOT_SENT,
        Severity.ERROR,
        """A documented request was never sent, and nothing else says why.

        Every documented request ends sent, or not sent with the finding that says why
        (broken, blocked, no recording, ...). One that has neither, because the replay stopped
        before it (see the `internal-error` it names) or because of a bug, is this finding, so
        a tutorial never passes with requests left out.""",
    ),
    (
        CASSETTE_MISSING,
        Severity.ERROR,
        """No recorded interaction matches a request in offline replay.

        Re-record with `doctract run --live URL --record all` (or `--emulator` where the
        profile has one).""",
    ),
    (
        TRANSPORT_ERROR,
        Severity.ERROR,
        """The API could not be reached (after bounded retries).""",
    ),
    (
        CLEANUP_FAILED,
        Severity.ERROR,
        """A resource a live run created could not be deleted afterwards (after retries).

        The finding names it, at the line of the request that created it, so it can be
        deleted by hand. Also reported when a POST failed after it may have reached the API
        (a response cut mid-body, a 5xx, an interrupt) and what it may have created cannot be
        looked up (no list operation, no name in its body). Counted in the tutorial's
        `cleanup.left`.""",
    ),
    (
        CLEANUP_UNAVAILABLE,
        Severity.INFO,
        """A resource a live run created stays on the API: the contract offers no way to delete it.

        The OpenAPI contract gives no DELETE on the item path of the collection it was created
        in (Data Prep mapping sets), or no contract describes the POST at all (it answered 201
        Created; give the API's OpenAPI document so cleanup can delete it). The finding names
        what is left at the request that created it, so it can be deleted by hand; it counts
        in the tutorial's `cleanup.left`. Not reported against a throw-away `--emulator`.""",
    ),
    (
        LEFT_BEHIND,
        Severity.WARNING,
        """A resource a live run created stays on the API: it could be deleted, but was not.

        The contract has a DELETE for it, but the API is not local and `--allow-destructive`
        was not given, so cleanup did not send it. The finding names what is left at the
        request that created it; it counts in the tutorial's `cleanup.left`. (What the contract
        cannot delete is `cleanup-unavailable`.)""",
    ),
    (
        DESTRUCTIVE_SKIPPED,
        Severity.INFO,
        """A documented DELETE was not sent to a non-local host.

        Pass --allow-destructive to send it.""",
    ),
):
    dynamic_rule(_id, _severity, _doc)

for _id, _severity, _doc in (
    (
        INTERACTION_STATUS_CHANGED,
        Severity.ERROR,
        """A documented interaction answers another status in the new recording.

        `doctract diff OLD NEW` compares cassettes recorded before and after an API change.""",
    ),
    (
        INTERACTION_SHAPE_CHANGED,
        Severity.WARNING,
        """A documented interaction's response changed shape in the new recording.

        Keys added or removed, or values of another type; volatile values are not compared.""",
    ),
    (
        INTERACTION_REMOVED,
        Severity.WARNING,
        """An interaction (or a whole tutorial's cassette) is in the old recording only.""",
    ),
    (
        INTERACTION_ADDED,
        Severity.INFO,
        """An interaction (or a whole tutorial's cassette) is in the new recording only.""",
    ),
    (
        CASSETTE_UNREADABLE,
        Severity.ERROR,
        """A cassette cannot be used (truncated, not YAML, out of shape, another version).

        The finding names the file and the line of the interaction. Reported by `doctract run`
        (nothing is replayed from it, and it is not overwritten unless `--record all`) and by
        `doctract diff`.""",
    ),
):
    dynamic_rule(_id, _severity, _doc, stage="run" if _id == CASSETTE_UNREADABLE else "diff")
