"""Generate a corpus of Flow Service tutorials in the seeds' dialect, for benchmarks.

Each tutorial walks the draft/publish workflow (base, source and target connections, a flow,
a PATCH with If-Match, a delete) with varied names, ids and layout, and about one in five
carries a planted defect, so the benchmark exercises the error paths too. Deterministic for a
given size and seed.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

BASE = "https://platform.adobe.io/data/foundation/flowservice"
HEADERS = """  -H 'Authorization: Bearer {{ACCESS_TOKEN}}' \\
  -H 'x-api-key: {{API_KEY}}' \\
  -H 'x-gw-ims-org-id: {{ORG_ID}}' \\
  -H 'x-sandbox-name: {{SANDBOX_NAME}}' \\"""

_ENTITIES = [
    ("base connection", "connections", "BASE_CONNECTION_ID"),
    ("source connection", "sourceConnections", "SOURCE_CONNECTION_ID"),
    ("target connection", "targetConnections", "TARGET_CONNECTION_ID"),
    ("dataflow", "flows", "FLOW_ID"),
]


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _etag(rng: random.Random) -> str:
    return f'\\"{rng.getrandbits(32):08x}-0000-0200-0000-{rng.getrandbits(48):012x}\\"'


def _body(rng: random.Random, name: str, collection: str, ids: dict[str, str]) -> str:
    fields = [f'"name": "{name}"', f'"description": "{name} for ACME (draft {rng.randint(1, 99)})"']
    if collection == "connections":
        fields.append(
            '"auth": {"specName": "Basic Authentication", "params": '
            '{"host": "{HOST}", "userid": "{USER_ID}", "password": "{PASSWORD}"}}'
        )
        fields.append(
            '"connectionSpec": {"id": "be5ec48c-5b78-49d5-b8fa-7c89ec4569b8", "version": "1.0"}'
        )
    elif collection == "sourceConnections":
        fields.append(f'"baseConnectionId": "{ids["connections"]}"')
        fields.append('"data": {"format": "delimited"}')
        fields.append(f'"params": {{"path": "/acme/{name.lower().replace(" ", "-")}.csv"}}')
        fields.append(
            '"connectionSpec": {"id": "be5ec48c-5b78-49d5-b8fa-7c89ec4569b8", "version": "1.0"}'
        )
    elif collection == "targetConnections":
        fields.append(
            '"data": {"schema": {"id": "{SCHEMA_ID}", '
            '"version": "application/vnd.adobe.xed-full+json;version=1"}}'
        )
        fields.append('"params": {"dataSetId": "{DATASET_ID}"}')
        fields.append(
            '"connectionSpec": {"id": "c604ff05-7f1a-43c0-8e18-33bf874cb11c", "version": "1.0"}'
        )
    else:
        fields.append(f'"sourceConnectionIds": ["{ids["sourceConnections"]}"]')
        fields.append(f'"targetConnectionIds": ["{ids["targetConnections"]}"]')
        fields.append(
            '"flowSpec": {"id": "9753525b-82c7-4dce-8a9b-5ccfce2b9876", "version": "1.0"}'
        )
        fields.append(
            '"scheduleParams": {"startTime": 1625040887, "frequency": "hour", "interval": 1}'
        )
    return "{\n      " + ",\n      ".join(fields) + "\n  }"


def tutorial(index: int, rng: random.Random) -> str:
    defect = rng.randrange(5) == 0
    kind = rng.randrange(6) if defect else -1
    title = f"Create drafts of ACME source {index} using the Flow Service API"
    out = [
        f"---\ntitle: {title}\ndescription: Generated tutorial {index}\n---",
        f"# {title}\n",
        "This tutorial uses the [!DNL Flow Service] API to create drafts and publish them.\n",
        ">[!NOTE]\n>\n>Drafts can be updated later and published once they are ready.\n",
    ]
    ids: dict[str, str] = {}
    etags: dict[str, str] = {}
    for label, collection, _ in _ENTITIES:
        entity_id = _id(rng)
        ids[collection] = entity_id
        etags[collection] = _etag(rng)
        name = f"ACME {label.title()} {index}"
        url = f"{BASE}/{collection}?mode=draft"
        if kind == 0 and collection == "connections":
            url = f"{BASE}/{collection}"
        body = _body(rng, name, collection, ids)
        if kind == 1 and collection == "sourceConnections":
            body = body.replace('"description": "', '"description: "')
        anchor = f"create-a-draft-{label.replace(' ', '-')}"
        out.append(f"## Create a draft {label} {{#{anchor}}}\n")
        out.append(
            f"To create a draft {label}, make a POST request to the `/{collection}` "
            "endpoint and provide `mode=draft` as a query parameter.\n"
        )
        out.append(f"**API format**\n\n```http\nPOST /{collection}?mode=draft\n```\n")
        out.append(
            "| Parameter | Description |\n| --- | --- |\n"
            "| `mode` | Set `mode` to `draft` to create a draft. |\n"
        )
        curl_line = "curl -X POST \\\n" if not (kind == 2 and collection == "flows") else ""
        out.append(
            "**Request**\n\n```shell\n"
            + curl_line
            + f"  '{url}' \\\n"
            + HEADERS.replace("{{", "{").replace("}}", "}")
            + "\n  -H 'Content-Type: application/json' \\\n"
            + f"  -d '{body}'\n```\n"
        )
        out.append(f"**Response**\n\nA successful response returns the {label} ID and etag.\n")
        out.append(
            f'```json\n{{\n    "id": "{entity_id}",\n    "etag": "{etags[collection]}"\n}}\n```\n'
        )
    for label, collection, placeholder in _ENTITIES:
        target = "connections" if kind == 3 and collection == "sourceConnections" else collection
        new_etag = _etag(rng)
        out.append(f"## Publish your draft {label}\n")
        out.append(f"Make a POST request to the `/{collection}` endpoint with `op=publish`.\n")
        out.append(
            f"**API format**\n\n```http\nPOST /{collection}/{{{placeholder}}}"
            "/action?op=publish\n```\n"
        )
        trailer = " \\" if kind == 4 else ""
        headers = HEADERS.replace("{{", "{").replace("}}", "}").rstrip(" \\")
        out.append(
            "**Request**\n\n```shell\ncurl -X POST \\\n"
            f"  '{BASE}/{target}/{ids[collection]}/action?op=publish' \\\n"
            f"{headers}{trailer}\n```\n"
        )
        out.append(
            f'**Response**\n\n```json\n{{\n    "id": "{ids[collection]}",\n'
            f'    "etag": "{new_etag}"\n}}\n```\n'
        )
        etags[collection] = new_etag
    if_match = etags["flows"].replace("\\", "") if kind != 5 else etags["flows"].strip('\\"')
    out.append("## Update your dataflow\n")
    out.append(
        ">[!IMPORTANT]\n>\n>The `If-Match` header is required when making a PATCH request.\n"
    )
    out.append("**API format**\n\n```http\nPATCH /flows/{FLOW_ID}\n```\n")
    out.append(
        "**Request**\n\n```shell\ncurl -X PATCH \\\n"
        f"  '{BASE}/flows/{ids['flows']}' \\\n"
        + HEADERS.replace("{{", "{").replace("}}", "}")
        + "\n  -H 'Content-Type: application/json' \\\n"
        + f"  -H 'If-Match: {if_match}' \\\n"
        + '  -d \'[{"op": "replace", "path": "/name", "value": "Renamed"}]\'\n```\n'
    )
    out.append(
        f'**Response**\n\n```json\n{{\n    "id": "{ids["flows"]}",\n'
        f'    "etag": "{_etag(rng)}"\n}}\n```\n'
    )
    out.append("## Delete your dataflow\n")
    out.append("**API format**\n\n```http\nDELETE /flows/{FLOW_ID}\n```\n")
    out.append(
        "**Request**\n\n```shell\ncurl -X DELETE \\\n"
        f"  '{BASE}/flows/{ids['flows']}' \\\n"
        + HEADERS.replace("{{", "{").replace("}}", "}").rstrip(" \\")
        + "\n```\n"
    )
    out.append("**Response**\n\nA successful response returns HTTP status 204 (No Content).\n")
    return "\n".join(out)


def write_corpus(folder: Path, size: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(size):
        path = folder / f"tutorial-{index:05d}.md"
        path.write_text(tutorial(index, rng), encoding="utf-8")
        paths.append(path)
    return paths
