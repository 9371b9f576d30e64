"""The five published reference tutorials: every known defect at its line, and nothing else.

The list below is this project's reading of the seeds (see the notes beside each entry); the
test fails on a missed defect *and* on any extra finding, so noise shows up as a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, lint
from doctract.config import Config
from doctract.contract import ContractSource
from doctract.findings import Severity

SEED_DEFECTS = {
    # 000
    ("000", 45, "api-format-mismatch"),  # draft base connection: URL lacks ?mode=draft
    (
        "000",
        56,
        "spec-schema-violation",
    ),  # auth.params has userId; the published authSpec requires userid
    ("000", 105, "curl-dangling-continuation"),
    ("000", 115, "etag-unchanged"),
    ("000", 145, "json-syntax"),  # unclosed quote in "description:
    ("000", 148, "json-syntax"),  # trailing comma
    ("000", 196, "publish-endpoint-mismatch"),  # source connection published under /connections
    ("000", 201, "curl-dangling-continuation"),
    ("000", 211, "etag-unchanged"),
    ("000", 293, "publish-endpoint-mismatch"),  # target connection published under /connections
    ("000", 298, "curl-dangling-continuation"),
    ("000", 308, "etag-unchanged"),
    ("000", 331, "curl-missing-command"),  # curl line missing
    ("000", 393, "curl-dangling-continuation"),
    ("000", 403, "etag-unchanged"),
    # 001
    ("001", 58, "curl-missing-command"),  # curl line missing / internal host
    ("001", 58, "host-mismatch"),  # curl line missing / internal host
    ("001", 67, "id-unknown"),
    ("001", 70, "id-unknown"),
    ("001", 105, "missing-header"),
    ("001", 110, "curl-broken-continuation"),  # lost backslash: If-Match and body are not sent
    ("001", 120, "id-unknown"),
    ("001", 136, "etag-unchanged"),
    ("001", 164, "curl-dangling-continuation"),
    ("001", 174, "etag-unchanged"),
    # 002
    ("002", 37, "curl-dangling-continuation"),
    ("002", 338, "curl-dangling-continuation"),
    ("002", 561, "api-format-mismatch"),
    ("002", 572, "spec-schema-violation"),
    ("002", 615, "curl-dangling-continuation"),
    ("002", 623, "etag-unchanged"),
    ("002", 649, "json-syntax"),
    ("002", 652, "json-syntax"),
    ("002", 693, "publish-endpoint-mismatch"),
    ("002", 698, "curl-dangling-continuation"),
    ("002", 706, "etag-unchanged"),
    ("002", 777, "publish-endpoint-mismatch"),
    ("002", 782, "curl-dangling-continuation"),
    ("002", 790, "etag-unchanged"),
    ("002", 809, "curl-missing-command"),
    ("002", 864, "curl-dangling-continuation"),
    ("002", 872, "etag-unchanged"),
    # 003
    ("003", 61, "placeholder-inconsistent"),
    ("003", 74, "json-syntax"),  # bare {ZENDESK_SUBDOMAIN} and missing comma
    ("003", 74, "json-syntax"),  # bare {ZENDESK_SUBDOMAIN} and missing comma
    ("003", 475, "json-syntax"),  # duplicated "mappings": [ line
    ("003", 658, "table-field-missing"),
    ("003", 659, "table-field-missing"),
    ("003", 660, "table-field-missing"),
    ("003", 699, "missing-header"),  # flow creation without Authorization
    ("003", 979, "missing-header"),
    ("003", 984, "curl-broken-continuation"),
    ("003", 985, "if-match-stale"),
    ("003", 1074, "missing-header"),
    ("003", 1075, "id-not-from-earlier-step"),
    ("003", 1079, "curl-broken-continuation"),
    ("003", 1080, "if-match-unquoted"),  # If-Match etag unquoted
    (
        "003",
        1133,
        "placeholder-mismatch",
    ),  # table {BASE_CONNECTION_ID} vs API format {CONNECTION_ID}
    ("003", 1139, "id-not-from-earlier-step"),
    # 004
    ("004", 153, "placeholder-inconsistent"),
    ("004", 158, "placeholder-inconsistent"),
    (
        "004",
        198,
        "api-format-mismatch",
    ),  # /data/foundation/mappingSets vs API format /conversion/mappingSets
    ("004", 266, "missing-header"),  # flow creation without Authorization
}

# Correct constructs in the seeds that must never be reported.
CORRECT_LINES = [
    ("001", 111),  # If-Match with a quoted etag
    ("000", 76),  # escaped-quote etag in a response
    ("002", 333),  # property=name==%22CloudStorageToAEP%22 filter vs no API format
    ("003", 769),  # property=flowId=={FLOW_ID} in the API format
    ("003", 778),  # ... and the matching curl URL
    ("004", 7),  # *YOURSOURCE* template placeholder
    ("004", 206),  # "{TARGET_XDM_SCHEMA}" placeholder inside a string
    ("000", 57),  # "{HOST}" placeholder inside a string
]


def _found(seeds: Path) -> set[tuple[str, int, str]]:
    result = lint(seeds)
    return {(Path(f.path).name[:3], f.line, f.rule) for f in result.findings}


def test_every_seed_defect_is_reported_and_nothing_else(seeds: Path) -> None:
    found = _found(seeds)
    assert sorted(SEED_DEFECTS - found) == [], "missed"
    assert sorted(found - SEED_DEFECTS) == [], "unexpected"


def test_correct_constructs_are_not_reported(seeds: Path) -> None:
    found = _found(seeds)
    flagged = {(name, line) for name, line, _ in found}
    assert [c for c in CORRECT_LINES if c in flagged] == []


def test_mission_defects_are_errors(seeds: Path) -> None:
    result = lint(seeds)
    errors = {
        (Path(f.path).name[:3], f.line, f.rule)
        for f in result.findings
        if f.severity is Severity.ERROR
    }
    for defect in [
        ("000", 196, "publish-endpoint-mismatch"),
        ("000", 293, "publish-endpoint-mismatch"),
        ("000", 145, "json-syntax"),
        ("003", 74, "json-syntax"),
        ("003", 475, "json-syntax"),
        ("001", 110, "curl-broken-continuation"),
        ("002", 693, "publish-endpoint-mismatch"),
        ("002", 809, "curl-missing-command"),
    ]:
        assert defect in errors


def test_rendered_page_matches_its_markdown_source(seeds: Path) -> None:
    """Seed 002 is the rendered page of seed 000: the same defects are found in both forms."""
    found = _found(seeds)
    source = sorted(rule for name, _, rule in found if name == "000")
    rendered = sorted(rule for name, line, rule in found if name == "002" and line > 540)
    assert source == rendered


OFFICIAL = ROOT.parent / "shared" / "corpora" / "flow-service-official" / "openapi.yaml"
FLOW_SERVICE_HEADERS = ("x-api-key", "x-gw-ims-org-id", "x-sandbox-name", "If-Match")


def test_without_a_profile_the_wrong_publish_collections_are_found_generically(
    seeds: Path,
) -> None:
    """No profile, no contract: nothing Flow Service specific is assumed, and the ids the
    tutorials create still show the four publish calls sent to the wrong collection."""
    result = lint(seeds, config=Config())
    found = {(Path(f.path).name[:3], f.line, f.rule) for f in result.findings}
    assert {
        ("000", 196, "id-wrong-collection"),
        ("000", 293, "id-wrong-collection"),
        ("002", 693, "id-wrong-collection"),
        ("002", 777, "id-wrong-collection"),
    } <= found
    assert not {rule for *_, rule in found} & {"publish-endpoint-mismatch", "spec-schema-violation"}
    headers = [f for f in result.findings if f.rule == "missing-header"]
    assert headers and not [f for f in headers if any(h in f.message for h in FLOW_SERVICE_HEADERS)]


def test_seeds_against_adobes_published_contract(seeds: Path) -> None:
    """The published contract disagrees with the tutorials (uppercase `op` values, a required
    `subOp`, no `mode`): linting against it says so at the lines, and the profile's own rules
    still run."""
    if not OFFICIAL.is_file():
        pytest.skip(f"Adobe's published contract is not at {OFFICIAL}")
    config = Config(profile="flow-service", openapi=(ContractSource(str(OFFICIAL)),))
    result = lint(seeds, config=config)
    found = {(Path(f.path).name[:3], f.line, f.rule) for f in result.findings}
    assert {
        ("000", 100, "unknown-parameter"),  # op=publish: the contract says PUBLISH
        ("000", 100, "missing-parameter"),  # subOp
        ("000", 137, "unknown-parameter"),  # mode=draft is not in the published contract
        ("000", 196, "publish-endpoint-mismatch"),
        ("003", 699, "missing-header"),
    } <= found
    assert not [f for f in result.findings if f.rule == "internal-error"]
    op = next(f for f in result.findings if f.line == 100 and f.rule == "unknown-parameter")
    assert "PUBLISH" in op.message
    # every tutorial publishes with op=publish: the docs agree with each other against the
    # contract, so the contract is the more likely culprit, and the finding says so as info
    assert op.severity is Severity.INFO and "documents agree" in op.message
