"""The bundled example docs: clean tutorials stay clean, the planted defects are all found."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLES, lint
from doctract.checks import RULES

DEFECTS = EXAMPLES / "defects" / "dataflow-with-planted-defects.md"
PLANTED = {
    (23, "api-format-mismatch"),
    (26, "placeholder-inconsistent"),
    (33, "spec-schema-violation"),
    (73, "curl-dangling-continuation"),
    (81, "etag-unchanged"),
    (99, "host-mismatch"),
    (101, "header-syntax"),  # a space before the colon: curl sends a malformed header
    (109, "json-syntax"),
    (112, "json-syntax"),
    (140, "publish-endpoint-mismatch"),
    (149, "unknown-fence-language"),
    (169, "missing-header"),
    (190, "table-field-missing"),
    (214, "curl-missing-command"),
    (232, "id-unknown"),
    (238, "spec-schema-violation"),
    (239, "spec-schema-violation"),
    (272, "curl-broken-continuation"),
    (274, "if-match-stale"),
    (293, "prose-endpoint-mismatch"),
    (295, "curl-unbalanced-quote"),
    (303, "curl-missing-url"),
    (330, "if-match-unquoted"),
    (355, "placeholder-mismatch"),
    (360, "curl-unknown-flag"),
    (361, "id-not-from-earlier-step"),
    (376, "unclosed-fence"),
    (379, "json-elided"),  # inside the unclosed block: `…` for the fields left out
}


def test_clean_example_docs_have_no_findings() -> None:
    result = lint(EXAMPLES / "flow-service")
    assert result.findings == ()
    assert result.files == 2


def test_every_planted_defect_is_found_at_its_line() -> None:
    result = lint(EXAMPLES)
    found = {(f.line, f.rule) for f in result.findings if f.path == str(DEFECTS)}
    assert found == PLANTED


def test_clean_docs_stay_clean_beside_the_defects() -> None:
    result = lint(EXAMPLES)
    clean = [f for f in result.findings if "flow-service" in f.path]
    assert clean == []


def test_the_example_set_exercises_every_rule() -> None:
    result = lint(EXAMPLES)
    static = {r for r in RULES if not RULES[r].dynamic}
    # a document slow enough to exceed the budget would slow every lint of the examples;
    # tests/test_hostile_input.py covers time-budget-exceeded
    assert {f.rule for f in result.findings} == static - {"internal-error", "time-budget-exceeded"}


def test_unreadable_example_is_one_finding_and_others_still_run() -> None:
    result = lint(EXAMPLES)
    latin1 = [f for f in result.findings if Path(f.path).name == "legacy-notes-latin1.md"]
    assert [(f.rule, f.line) for f in latin1] == [("read-error", 3)]
    assert result.files == 5  # 2 clean, 3 in defects/ (contract-defects.md among them)


# one defect a contract rule, against the bundled contract doctract/specs/flow-service.yaml
CONTRACT_DEFECTS = EXAMPLES / "defects" / "contract-defects.md"
CONTRACT_PLANTED = {
    (31, "request-body-schema"),  # "description": 2026, a number where a string is due
    (70, "unknown-operation"),  # /connection/{id}: did you mean /connections/{connectionId}?
    (100, "status-undocumented"),  # publish "returns HTTP status 202"; the contract says 200
    (123, "unknown-parameter"),  # mdoe=draft
    (146, "response-example-schema"),  # an etag that is not a quoted string
    (164, "missing-parameter"),  # a publish action without op=publish
    (185, "id-wrong-collection"),  # the target connection's id looked up under /flows
}


def test_every_planted_contract_defect_is_found_at_its_line() -> None:
    result = lint(EXAMPLES)
    found = {(f.line, f.rule) for f in result.findings if f.path == str(CONTRACT_DEFECTS)}
    assert found == CONTRACT_PLANTED
