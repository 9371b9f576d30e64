"""The streaming lint gives the findings and fingerprints the whole-corpus lint gave, byte for
byte (golden files recorded before the change, see tests/lint_golden.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint_golden import CASES, Case, dump, golden_file, run_case


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_findings_and_fingerprints_match_the_golden_file(case: Case, tmp_path: Path) -> None:
    data = run_case(case, tmp_path)
    if data is None:
        pytest.skip(f"{case.name}: its documents are not here (../shared is absent)")
    assert dump(data) == golden_file(case).read_text(encoding="utf-8")
