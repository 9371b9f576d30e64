"""Profiles: selected by configuration, found through the entry point, their rules run only
when selected; the contract says what is secret; generic code imports no profile."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from vcr.request import Request as VcrRequest

from conftest import ROOT
from doctract import profile as profiles
from doctract.checks.registry import RULES, Hit, rule
from doctract.config import Config
from doctract.contract import Contract
from doctract.corpus import Corpus
from doctract.findings import Severity
from doctract.lint import active_rules, lint_documents
from doctract.model import Tutorial
from doctract.profile import Profile, ProfileError, load_profile
from doctract.replay.cassettes import SCRUBBED, make_vcr
from doctract.secrets import Scrubber

DOC = """# Shout

## Call it

```bash
curl -X GET 'https://api.example.com/things'
```
"""


def _shout(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """Every request of the shouting API is reported (a test profile's rule)."""
    for step in tutorial.steps:
        for request in step.requests:
            yield Hit(request.pos, "a shouting request")


@pytest.fixture
def third_party(monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    """A profile a third party ships, found through the entry point group (its rule is
    registered here, as importing its rule module would)."""
    shout = Profile(name="shouting-api")
    rule("shouting-request", Severity.WARNING, profile="shouting-api")(_shout)
    real = profiles.available
    monkeypatch.setattr(profiles, "available", lambda: {**real(), "shouting-api": lambda: shout})
    profiles._LOADED.pop("shouting-api", None)
    try:
        yield shout
    finally:  # the registry is the process's: leave it as it was for the other tests
        RULES.pop("shouting-request", None)
        profiles._LOADED.pop("shouting-api", None)


def test_a_third_party_profile_is_found_and_its_rules_run_only_when_selected(
    third_party: Profile,
) -> None:
    assert load_profile("shouting-api") is third_party
    selected = lint_documents([("a.md", DOC)], Config(profile="shouting-api"))
    assert [f.rule for f in selected.findings] == ["shouting-request"]
    assert "shouting-request" not in active_rules(Config())
    assert "shouting-request" not in active_rules(Config(profile="flow-service"))
    plain = lint_documents([("a.md", DOC)], Config())
    assert [f.rule for f in plain.findings] == []


def test_an_unknown_profile_is_one_error_with_a_suggestion() -> None:
    with pytest.raises(
        ProfileError, match=r"unknown profile 'flow-servce' \(did you mean flow-service\?\)"
    ):
        load_profile("flow-servce")


def test_the_flow_service_profile_is_selected_by_configuration_not_assumed() -> None:
    assert "publish-endpoint-mismatch" in active_rules(Config(profile="flow-service"))
    assert "publish-endpoint-mismatch" not in active_rules(Config())
    assert RULES["publish-endpoint-mismatch"].profile == "flow-service"
    assert RULES["spec-schema-violation"].profile == "flow-service"


SECRET_CONTRACT = """
openapi: 3.1.0
info: {title: secrets, version: "1"}
components:
  securitySchemes:
    token: {type: apiKey, in: header, name: X-Auth-Token}
    key: {type: apiKey, in: query, name: api_key}
  schemas:
    Login:
      type: object
      properties:
        user: {type: string}
        pin: {type: string, format: password}
        recovery: {type: string, writeOnly: true}
paths:
  /login:
    post:
      security: [{token: []}, {key: []}]
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Login"}
      responses:
        "200": {description: ok}
"""


def test_the_contract_names_what_is_secret_and_cassettes_scrub_it(tmp_path: Path) -> None:
    contract = Contract.from_text(SECRET_CONTRACT, "secrets.yaml")
    secrets = contract.secrets
    assert secrets.headers == {"x-auth-token"}
    assert secrets.query == {"api_key"}
    assert secrets.fields == {"pin", "recovery"}
    recorder = make_vcr(tmp_path, "once", secrets)
    scrub = recorder.get_merged_config()["before_record_request"]
    sent = VcrRequest(
        "GET", "https://api.test/login?api_key=k-123&page=2", None, {"X-Auth-Token": "t-456"}
    )
    recorded = scrub(sent)
    assert recorded.headers["X-Auth-Token"] == SCRUBBED
    assert recorded.query == [("api_key", SCRUBBED), ("page", "2")]
    assert sent.headers["X-Auth-Token"] == "t-456"  # what is sent is left as it is
    body = Scrubber(names=secrets).body('{"user": "ann", "pin": "4711", "recovery": "blue-horse"}')
    assert isinstance(body, str) and "4711" not in body and "blue-horse" not in body
    assert "ann" in body


GENERIC = ("checks", "replay", "contract", "extractors", "output", "report")


def test_generic_code_imports_no_profile_module() -> None:
    """Generic stages talk to the profile interface only (profiles come by entry point)."""
    offenders = []
    for folder in GENERIC:
        for path in (ROOT / "doctract" / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                offenders += [
                    f"{path.relative_to(ROOT)}: {n}"
                    for n in names
                    if re.match(r"doctract\.(profiles|emulator)\b", n)
                ]
    for name in ("lint.py", "corpus.py", "api.py", "vocabulary.py", "changes.py"):
        text = (ROOT / "doctract" / name).read_text(encoding="utf-8")
        offenders += [f"doctract/{name}" for _ in re.finditer(r"doctract\.profiles", text)]
    assert offenders == []
