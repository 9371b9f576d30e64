"""The Adobe Experience Platform Flow Service profile: connections, source and target
connections, flows, drafts with `mode=draft`, `/action?op=publish`, PATCH with If-Match, and
the connection/flow spec schemas that lookup tutorials publish. Its contract is
`doctract/specs/flow-service.yaml`; its emulator is the generic engine with this profile's
rules (`doctract.profiles.flow_service.emulator`)."""

from __future__ import annotations

import re
from importlib.resources import files

from doctract.contract import ContractSource
from doctract.profile import Profile
from doctract.profiles.flow_service.facts import LOOKUPS, SpecFacts

NAME = "flow-service"
CONTRACT = str(files("doctract.specs").joinpath("flow-service.yaml"))
BASE_PATH = "/data/foundation/flowservice"
# the entities a tutorial creates, publishes and deletes (the emulator's store, what a run
# leaves behind); the contract's collections also hold specs, runs and mapping sets
ENTITY_COLLECTIONS = ("connections", "sourceConnections", "targetConnections", "flows")
# the contract also describes Data Prep; other Platform APIs on the same host are not its own
PREFIXES = (BASE_PATH, "/data/foundation/conversion")

PROFILE = Profile(
    name=NAME,
    summary="Adobe Experience Platform Flow Service (and Data Prep mapping sets).",
    contracts=(ContractSource(CONTRACT, PREFIXES),),
    rule_modules=(
        "doctract.profiles.flow_service.endpoints",
        "doctract.profiles.flow_service.spec_schemas",
    ),
    collection_phrases=(
        (
            re.compile(r"\bbase connections?\b|\bconnection\b(?! spec)|\baccount\b", re.I),
            "connections",
        ),
        (re.compile(r"\bsource connections?\b", re.I), "sourceConnections"),
        (re.compile(r"\btarget connections?\b", re.I), "targetConnections"),
        (re.compile(r"\b(?:data)?flows?\b(?! spec)", re.I), "flows"),
        (re.compile(r"\bmappings?(?: sets?)?\b", re.I), "mappingSets"),
    ),
    id_fields={
        "baseConnectionId": "connections",
        "sourceConnectionIds": "sourceConnections",
        "targetConnectionIds": "targetConnections",
        "sourceConnectionId": "sourceConnections",
        "targetConnectionId": "targetConnections",
        "flowId": "flows",
        "mappingId": "mappingSets",
    },
    lookup_collections=LOOKUPS,
    volatile_keys=re.compile(
        r"^(?:id|etag|version|created.*|updated.*|modified.*|.*At|.*Date|"
        r"imsOrgId|sandbox.*|inletUrl|runs|.*Id)$"
    ),
    credential_examples={
        "authorization": "Bearer {ACCESS_TOKEN}",
        "x-api-key": "{API_KEY}",
        "x-gw-ims-org-id": "{ORG_ID}",
        "x-sandbox-name": "{SANDBOX_NAME}",
    },
    new_facts=SpecFacts,
    emulator="doctract.emulator.server:running_emulator",
    emulator_rules="doctract.profiles.flow_service.emulator:hooks",
)
