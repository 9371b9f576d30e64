"""`doctract run --emulator` for an API without a profile: the generic emulator serves the
configured contract, a run records cassettes from it, and offline replay of them gives the same
findings. On the project's own Meilisearch-style doc set (tests/fixtures/apis/search-engine/),
and on the real Meilisearch docs where ../shared is present."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import FIXTURES, ROOT, invoke

SEARCH_ENGINE = FIXTURES / "apis" / "search-engine"
MEILISEARCH = ROOT.parent / "shared" / "corpora" / "meilisearch"


def _findings(report: Path) -> list[tuple[str, int, str]]:
    results: dict[str, Any] = json.loads((report / "results.json").read_text("utf-8"))
    return sorted(
        (f["path"], f["line"], f["rule"]) for t in results["tutorials"] for f in t["findings"]
    )


def _statuses(report: Path) -> dict[str, str]:
    results: dict[str, Any] = json.loads((report / "results.json").read_text("utf-8"))
    return {t["path"]: t["status"] for t in results["tutorials"]}


def test_emulator_without_a_contract_or_profile_emulator_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\n```bash\ncurl https://api.example/x\n```\n")
    (tmp_path / "pyproject.toml").write_text('[tool.doctract]\nprofile = "generic"\n')
    code, out = invoke("run", "docs", "--emulator", cwd=tmp_path)
    assert code == 2, out
    assert "--emulator needs an OpenAPI contract" in out
