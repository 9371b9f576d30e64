"""Rules that replay (`doctract run`) reports; registered here so every listing knows them."""

from __future__ import annotations

from doctract.checks.registry import dynamic_rule
from doctract.findings import Severity

for _id, _severity, _doc in (
    (
        "request-rejected",
        Severity.ERROR,
        """The API rejects a documented request (4xx/5xx).

        The finding quotes the API's error body: the doc's request is wrong, or the API changed.""",
    ),
    (
        "response-undocumented-keys",
        Severity.INFO,
        """The response has keys the documented example leaves out.

        Docs often abbreviate examples, so this is informational.""",
    ),
    ("status-mismatch", Severity.ERROR, """The API answers another status than the doc states."""),
    (
        "response-shape-mismatch",
        Severity.WARNING,
        """The response differs in shape from the documented example.

        Keys missing or extra, or a value of another type; volatile values (ids, etags,
        timestamps) are not compared. Most likely the doc's example is stale.""",
    ),
    (
        "response-contract-violation",
        Severity.ERROR,
        """The API's response breaks the OpenAPI contract.

        Most likely the API regressed, or the contract is out of date.""",
    ),
    (
        "broken-request",
        Severity.ERROR,
        """A documented request cannot be sent as written.

        The static finding (no curl, a lost backslash, malformed JSON, ...) is quoted; requests
        that depend on it are reported as blocked.""",
    ),
    (
        "blocked-step",
        Severity.WARNING,
        """A request was not sent: it needs an id from a request that failed.""",
    ),
    (
        "cassette-missing",
        Severity.ERROR,
        """No recorded interaction matches a request in offline replay.

        Re-record with `doctract run --live URL --record new_episodes` (or `--emulator`).""",
    ),
    (
        "transport-error",
        Severity.ERROR,
        """The API could not be reached (after bounded retries).""",
    ),
    (
        "cleanup-failed",
        Severity.ERROR,
        """A resource a live run created could not be deleted afterwards (after retries).

        The finding names it, so it can be deleted by hand.""",
    ),
    (
        "destructive-skipped",
        Severity.INFO,
        """A documented DELETE was not sent to a non-local host.

        Pass --allow-destructive to send it.""",
    ),
):
    dynamic_rule(_id, _severity, _doc)

for _id, _severity, _doc in (
    (
        "interaction-status-changed",
        Severity.ERROR,
        """A documented interaction answers another status in the new recording.

        `doctract diff OLD NEW` compares cassettes recorded before and after an API change.""",
    ),
    (
        "interaction-shape-changed",
        Severity.WARNING,
        """A documented interaction's response changed shape in the new recording.

        Keys added or removed, or values of another type; volatile values are not compared.""",
    ),
    (
        "interaction-removed",
        Severity.WARNING,
        """An interaction (or a whole tutorial's cassette) is in the old recording only.""",
    ),
    (
        "interaction-added",
        Severity.INFO,
        """An interaction (or a whole tutorial's cassette) is in the new recording only.""",
    ),
    (
        "cassette-unreadable",
        Severity.ERROR,
        """A cassette cannot be used (truncated, not YAML, out of shape, another version).

        The finding names the file and the line of the interaction. Reported by `doctract run`
        (nothing is replayed from it, and it is not overwritten unless `--record all`) and by
        `doctract diff`.""",
    ),
):
    dynamic_rule(_id, _severity, _doc, stage="run" if _id == "cassette-unreadable" else "diff")
