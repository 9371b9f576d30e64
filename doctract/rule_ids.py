"""Every generic rule id, once: the registrations, `supersedes`, the extractors' diagnostic
codes and the findings replay, lint and the cassette diff build all use these constants, so an
id is spelled in one place (a typo is then a NameError, not a silent non-match).

The ids are the public names users see (`--select`, `# doctract: ignore[...]`, baselines, SARIF):
a value here never changes. A profile's own rules keep their ids in the profile's package
(`doctract/profiles/flow_service/rule_ids.py`): profiles are plug-ins found through an entry
point, so the generic code never names one profile's rules, and a third-party profile
defines its ids the same way.
"""

from __future__ import annotations

# --- lint: static rules (`doctract lint`) ------------------------------------------------------

# the OpenAPI contract (doctract/checks/contract.py)
UNKNOWN_OPERATION = "unknown-operation"
REQUEST_BODY_SCHEMA = "request-body-schema"
RESPONSE_EXAMPLE_SCHEMA = "response-example-schema"
STATUS_UNDOCUMENTED = "status-undocumented"
MISSING_PARAMETER = "missing-parameter"
UNKNOWN_PARAMETER = "unknown-parameter"

# endpoints (doctract/checks/endpoints.py)
API_FORMAT_MISMATCH = "api-format-mismatch"
PROSE_ENDPOINT_MISMATCH = "prose-endpoint-mismatch"

# ids and etags (doctract/checks/ids.py)
ID_NOT_FROM_EARLIER_STEP = "id-not-from-earlier-step"
ID_UNKNOWN = "id-unknown"
ID_WRONG_COLLECTION = "id-wrong-collection"
IF_MATCH_UNQUOTED = "if-match-unquoted"
IF_MATCH_STALE = "if-match-stale"
ETAG_UNCHANGED = "etag-unchanged"

# placeholders (doctract/checks/placeholders.py)
PLACEHOLDER_MISMATCH = "placeholder-mismatch"
PLACEHOLDER_INCONSISTENT = "placeholder-inconsistent"

# requests (doctract/checks/requests.py)
MISSING_HEADER = "missing-header"
HOST_MISMATCH = "host-mismatch"

# syntax (doctract/checks/syntax.py); also the extractors' diagnostic codes
JSON_SYNTAX = "json-syntax"
JSON_ELIDED = "json-elided"
CURL_MISSING_COMMAND = "curl-missing-command"
CURL_BROKEN_CONTINUATION = "curl-broken-continuation"
CURL_DANGLING_CONTINUATION = "curl-dangling-continuation"
CURL_UNBALANCED_QUOTE = "curl-unbalanced-quote"
CURL_UNKNOWN_FLAG = "curl-unknown-flag"
CURL_MISSING_URL = "curl-missing-url"
HEADER_SYNTAX = "header-syntax"
UNCLOSED_FENCE = "unclosed-fence"
UNKNOWN_FENCE_LANGUAGE = "unknown-fence-language"

# tables (doctract/checks/tables.py)
TABLE_FIELD_MISSING = "table-field-missing"

# the lint job itself (doctract/lint.py)
READ_ERROR = "read-error"
TIME_BUDGET_EXCEEDED = "time-budget-exceeded"
INTERNAL_ERROR = "internal-error"

# --- run: replay (`doctract run`; doctract/checks/dynamic.py, doctract/replay/) ---------------

REQUEST_REJECTED = "request-rejected"
RESPONSE_UNDOCUMENTED_KEYS = "response-undocumented-keys"
STATUS_MISMATCH = "status-mismatch"
RESPONSE_SHAPE_MISMATCH = "response-shape-mismatch"
RESPONSE_CONTRACT_VIOLATION = "response-contract-violation"
RESPONSE_NOT_JSON = "response-not-json"
BROKEN_REQUEST = "broken-request"
BLOCKED_STEP = "blocked-step"
REQUEST_NOT_SENT = "request-not-sent"
CASSETTE_MISSING = "cassette-missing"
TRANSPORT_ERROR = "transport-error"
CLEANUP_FAILED = "cleanup-failed"
CLEANUP_UNAVAILABLE = "cleanup-unavailable"
LEFT_BEHIND = "left-behind"
DESTRUCTIVE_SKIPPED = "destructive-skipped"
# a run rule that `doctract diff` reports too
CASSETTE_UNREADABLE = "cassette-unreadable"

# --- diff: cassettes before and after an API change (`doctract diff`) -------------------------

INTERACTION_STATUS_CHANGED = "interaction-status-changed"
INTERACTION_SHAPE_CHANGED = "interaction-shape-changed"
INTERACTION_REMOVED = "interaction-removed"
INTERACTION_ADDED = "interaction-added"
