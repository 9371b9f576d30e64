"""Every rule has a fixture that fails it (at the declared lines) and one that passes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import RULE_FIXTURES, expected_lines, lines, lint
from doctract.checks import RULES
from doctract.findings import Severity

# internal-error is a bug report; time-budget-exceeded needs a tiny budget, so its failing and
# passing documents live in tests/test_hostile_input.py
CHECKED_RULES = sorted(
    r for r in RULES if r not in ("internal-error", "time-budget-exceeded") and not RULES[r].dynamic
)


def _fixture(rule: str, kind: str) -> Path:
    folder = RULE_FIXTURES / rule / kind
    return folder if folder.is_dir() else RULE_FIXTURES / rule / f"{kind}.md"


def test_every_rule_has_fixtures() -> None:
    missing = [
        r
        for r in CHECKED_RULES
        if not _fixture(r, "fail").exists() or not _fixture(r, "pass").exists()
    ]
    assert missing == []


@pytest.mark.parametrize("rule", CHECKED_RULES)
def test_failing_fixture_reports_rule_at_declared_lines(rule: str) -> None:
    fixture = _fixture(rule, "fail")
    result = lint(fixture)
    files = sorted(fixture.iterdir()) if fixture.is_dir() else [fixture]
    for path in files:
        want = expected_lines(path)
        got = lines([f for f in result.findings if f.path == str(path)], rule)
        assert got == want, f"{path.name}: {rule} at {got}, expected {want}"
    assert any(f.rule == rule for f in result.findings)


@pytest.mark.parametrize("rule", CHECKED_RULES)
def test_passing_fixture_is_clean(rule: str) -> None:
    result = lint(_fixture(rule, "pass"))
    noisy = [f for f in result.findings if f.severity is not Severity.INFO]
    assert noisy == [], "\n".join(f"{f.path}:{f.line} {f.rule} {f.message}" for f in noisy)
    assert lines(result.findings, rule) == []


def test_rule_docs_have_a_summary_line() -> None:
    for rule in RULES.values():
        assert rule.summary and rule.summary.endswith("."), rule.id
