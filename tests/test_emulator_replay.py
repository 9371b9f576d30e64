"""`doctract run --emulator` for an API without a profile: the generic emulator serves the
configured contract, a run records cassettes from it, and offline replay of them gives the same
findings. On the project's own Meilisearch-style doc set (tests/fixtures/apis/search-engine/),
and on the real Meilisearch docs where ../shared is present."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

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


def test_a_doc_set_with_only_a_contract_records_from_the_generic_emulator_and_replays_offline(
    tmp_path: Path,
) -> None:
    project = tmp_path / "search-engine"
    shutil.copytree(SEARCH_ENGINE, project)
    code, out = invoke(
        "run", "docs", "--emulator", "--record", "all", "--no-progress",
        "--report-dir", str(tmp_path / "live"), cwd=project,
    )  # fmt: skip
    assert code == 1, out
    cassettes = sorted(p.name for p in (project / "cassettes").glob("*.yaml"))
    assert cassettes == ["docs__defects.yaml", "docs__getting-started.yaml"]
    live = _findings(tmp_path / "live")
    # the clean tutorial behaves as documented against the contract's emulator
    assert _statuses(tmp_path / "live")["docs/getting-started.md"] == "passed", live
    # the planted defects the API rejects are found at their lines (no key, a misspelled
    # route, a wrong method, a string limit, a misspelled property, a value outside the enum,
    # a misspelled query parameter, a non-integer limit, a read-only uid sent), the stated 201
    # where the contract answers 202 as well, and nothing in the clean tutorial. The requests
    # at 120 and 223 are rejected too: `{INDEX_UID}` and `{TASK_UID}` stand for values no run
    # can know (an index this tutorial never creates, a task of another run)
    rejected = {line for path, line, rule in live if rule == "request-rejected"}
    assert {28, 41, 55, 69, 86, 103, 178, 190, 204} <= rejected, live
    assert ("docs/defects.md", 150, "status-mismatch") in live
    assert all(path == "docs/defects.md" for path, _, _ in live)

    code_offline, offline_out = invoke(
        "run", "docs", "--no-progress", "--report-dir", str(tmp_path / "offline"), cwd=project
    )
    assert code_offline == code, offline_out
    assert _findings(tmp_path / "offline") == live
    assert "cassette-missing" not in offline_out


def test_emulator_without_a_contract_or_profile_emulator_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\n```bash\ncurl https://api.example/x\n```\n")
    (tmp_path / "pyproject.toml").write_text('[tool.doctract]\nprofile = "generic"\n')
    code, out = invoke("run", "docs", "--emulator", cwd=tmp_path)
    assert code == 2, out
    assert "--emulator needs an OpenAPI contract" in out


@pytest.mark.skipif(
    not MEILISEARCH.is_dir(), reason=f"the Meilisearch corpus is not at {MEILISEARCH}"
)
def test_meilisearch_tutorials_record_from_the_emulator_and_replay_offline_alike(
    tmp_path: Path,
) -> None:
    contract = str(MEILISEARCH / "openapi.json")
    common = ["--profile", "generic", "--openapi", contract, "--no-progress"]
    code, out = invoke(
        "run", str(MEILISEARCH), "--emulator", "--record", "all",
        "--cassettes", str(tmp_path / "cassettes"), "--report-dir", str(tmp_path / "live"),
        *common, cwd=ROOT,
    )  # fmt: skip
    assert code == 1, out
    statuses = _statuses(tmp_path / "live")
    assert len(list((tmp_path / "cassettes").glob("*.yaml"))) == len(statuses) == 45
    assert sum(s == "passed" for s in statuses.values()) >= 16
    live = _findings(tmp_path / "live")
    assert "internal-error" not in {rule for _, _, rule in live}
    code_offline, offline_out = invoke(
        "run", str(MEILISEARCH), "--cassettes", str(tmp_path / "cassettes"),
        "--report-dir", str(tmp_path / "offline"), *common, cwd=ROOT,
    )  # fmt: skip
    assert code_offline == code, offline_out
    assert "cassette-missing" not in offline_out
    assert _findings(tmp_path / "offline") == live
