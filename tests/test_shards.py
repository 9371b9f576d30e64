"""`doctract run --shard K/N` and `doctract report merge`: a run split over machines gives the
same findings and reports as one run."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, ROOT, invoke
from doctract.replay.shards import Shard, ShardError, merge, read_results, shard_of


def test_shard_parse_accepts_k_of_n_and_refuses_the_rest() -> None:
    assert Shard.parse("2/4") == Shard(2, 4)
    assert str(Shard.parse(" 1/1")) == "1/1"
    for bad in ("0/4", "5/4", "2", "a/b", "1/0", "-1/2", "1/2/3", "1/100000"):
        with pytest.raises(ShardError):
            Shard.parse(bad)


def test_every_tutorial_belongs_to_exactly_one_shard_and_the_split_is_even() -> None:
    paths = [f"docs/section-{i % 7}/tutorial-{i}.md" for i in range(2000)]
    shards = [Shard(k, 4) for k in range(1, 5)]
    owners = [[s.index for s in shards if s.owns(p)] for p in paths]
    assert all(len(o) == 1 for o in owners)
    sizes = Counter(o[0] for o in owners)
    assert all(400 <= size <= 600 for size in sizes.values()), sizes


def test_the_assignment_depends_on_the_path_alone() -> None:
    """Stable across machines, processes and Python versions (a digest, not hash()), and a
    `./` prefix does not move a tutorial."""
    assert shard_of("examples/docs/flow-service/look-up-specs.txt", 2) == shard_of(
        "./examples/docs/flow-service/look-up-specs.txt", 2
    )
    assert [shard_of(f"docs/t{i}.md", 3) for i in range(6)] == [
        shard_of(f"docs/t{i}.md", 3) for i in range(6)
    ]
    assert shard_of("docs/a.md", 1) == 1


def _tutorials(folder: Path) -> list[dict[str, Any]]:
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    return [{k: v for k, v in t.items() if k != "seconds"} for t in data["tutorials"]]


def test_two_shards_merged_give_the_same_findings_and_reports_as_one_run(tmp_path: Path) -> None:
    docs = str(EXAMPLES)
    code_all, whole = invoke(
        "run", docs, "--no-progress", "--report-dir", str(tmp_path / "all"), cwd=ROOT
    )
    outputs = []
    for k in (1, 2):
        code, out = invoke(
            "run",
            docs,
            "--no-progress",
            "--shard",
            f"{k}/2",
            "--report-dir",
            str(tmp_path / f"shard{k}"),
            cwd=ROOT,
        )
        assert code in (0, 1), out
        assert f"(shard {k}/2)" in out
        outputs.append(out)
    shard_sizes = [len(_tutorials(tmp_path / f"shard{k}")) for k in (1, 2)]
    assert all(shard_sizes) and sum(shard_sizes) == len(_tutorials(tmp_path / "all"))

    code, merged = invoke(
        "report",
        "merge",
        str(tmp_path / "shard1"),
        str(tmp_path / "shard2" / "results.json"),
        "--report-dir",
        str(tmp_path / "merged"),
        cwd=ROOT,
    )
    assert code == code_all == 1

    def findings(out: str) -> list[str]:
        return [line for line in out.splitlines() if not line.startswith("doctract")]

    assert findings(merged) == findings(whole)
    assert _tutorials(tmp_path / "merged") == _tutorials(tmp_path / "all")
    merged_results = json.loads((tmp_path / "merged" / "results.json").read_text("utf-8"))
    whole_results = json.loads((tmp_path / "all" / "results.json").read_text("utf-8"))
    assert merged_results["summary"] == whole_results["summary"]
    assert "shard" not in merged_results
    junit = (tmp_path / "merged" / "junit.xml").read_text("utf-8")
    assert f'tests="{len(_tutorials(tmp_path / "all"))}"' in junit
    assert (tmp_path / "merged" / "report.html").stat().st_size > 0


def _results(folder: Path, shard: Shard | None, paths: list[str]) -> Path:
    folder.mkdir(parents=True)
    payload: dict[str, Any] = {
        "format": "doctract-run/1",
        "started": "2026-11-23T03:17:00+00:00",
        "mode": "offline (cassettes)",
        "summary": {},
        "problems": [],
        "tutorials": [
            {"path": p, "status": "passed", "findings": [], "requests": []} for p in paths
        ],
    }
    if shard is not None:
        payload["shard"] = shard.to_dict()
    (folder / "results.json").write_text(json.dumps(payload), encoding="utf-8")
    return folder


def test_merge_refuses_a_missing_a_repeated_or_a_differently_split_shard(tmp_path: Path) -> None:
    one = read_results(_results(tmp_path / "a", Shard(1, 3), ["docs/a.md"]))
    two = read_results(_results(tmp_path / "b", Shard(2, 3), ["docs/b.md"]))
    again = read_results(_results(tmp_path / "c", Shard(2, 3), ["docs/c.md"]))
    other = read_results(_results(tmp_path / "d", Shard(3, 4), ["docs/d.md"]))
    with pytest.raises(ShardError, match="shard 3/3 missing"):
        merge([one, two])
    with pytest.raises(ShardError, match="shard 2/3 is given twice"):
        merge([one, two, again])
    with pytest.raises(ShardError, match="split differently"):
        merge([one, two, other])
    three = read_results(_results(tmp_path / "e", Shard(3, 3), ["docs/a.md"]))
    with pytest.raises(ShardError, match=r"docs/a\.md was replayed by two shards"):
        merge([one, two, three])
    fine = read_results(_results(tmp_path / "f", Shard(3, 3), ["docs/0.md"]))
    assert [t["path"] for t in merge([two, fine, one]).tutorials] == [
        "docs/0.md",
        "docs/a.md",
        "docs/b.md",
    ]


def test_merge_of_files_that_are_not_results_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"format": "something else"}', encoding="utf-8")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    for given in ("x.json", "broken.json"):
        code, out = invoke(
            "report", "merge", str(tmp_path / given), "--report-dir", str(tmp_path / "out")
        )
        assert code == 2, out
        assert out.startswith("doctract: ") and given in out and out.count("\n") == 1
    code, out = invoke(
        "report",
        "merge",
        str(_results(tmp_path / "only", Shard(1, 2), ["docs/a.md"])),
        "--report-dir",
        str(tmp_path / "out"),
    )
    assert code == 2 and "shard 2/2 missing" in out


def test_a_shard_that_owns_no_tutorial_is_an_empty_clean_run(tmp_path: Path) -> None:
    doc = EXAMPLES / "flow-service" / "look-up-specs.txt"
    owner = shard_of(doc.relative_to(ROOT).as_posix(), 2)
    code, out = invoke("run", str(doc), "--no-progress", "--shard", f"{3 - owner}/2", cwd=ROOT)
    assert code == 0, out
    assert "doctract run (shard" in out and "0 tutorials replayed" in out


def test_run_refuses_a_bad_shard(tmp_path: Path) -> None:
    code, out = invoke("run", str(EXAMPLES), "--shard", "3/2")
    assert code == 2 and "K must be between 1 and N" in out
