"""The Flow Service profile's rule ids, once (the generic ids are in `doctract.rule_ids`).

They live here, not in `doctract.rule_ids`: a profile is a plug-in (an entry point), its
rules exist only when it is loaded, and the generic code never names them; a third-party
profile keeps its ids in its own package the same way.
"""

from __future__ import annotations

# --- lint ----------------------------------------------------------------------------------------

# doctract/profiles/flow_service/endpoints.py
PUBLISH_ENDPOINT_MISMATCH = "publish-endpoint-mismatch"
# doctract/profiles/flow_service/spec_schemas.py
SPEC_SCHEMA_VIOLATION = "spec-schema-violation"
