"""`doctract run --workers`: how many worker processes (serial where their start-up would
dominate), how the features are dealt to them, and what the run says when a worker fails."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, invoke
from doctract import cli, pool
from doctract.replay import generate, workers
from doctract.replay.interrupted import ReplayInterrupted
from doctract.replay.progress import ProgressDisplay, Unrecorded
from doctract.replay.session import ReplayOptions

needs_fork = pytest.mark.skipif(not pool.can_fork(), reason="workers are forked")


def _features(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True)
    paths = []
    for i in range(count):
        path = folder / f"t{i}.feature"
        path.write_text(
            f'Feature: t{i}\n  Scenario: s\n    Given the tutorial "docs/t{i}.md"\n',
            encoding="utf-8",
        )
        paths.append(str(path))
    return paths


@pytest.mark.parametrize(
    ("given", "tutorials", "cores", "expected"),
    [
        (None, 10_000, 4, 1),
        ("auto", 1, 4, 1),
        ("auto", 3, 4, 1),
        ("auto", cli.AUTO_MIN_TUTORIALS_PER_WORKER * 3, 4, 3),
        ("auto", cli.AUTO_MIN_TUTORIALS_PER_WORKER * 4, 4, 4),
        ("auto", 10_000, 4, 4),
        ("auto", 10_000, 1, 1),
        ("2", 3, 4, 2),
        ("8", 3, 4, 3),  # never a worker without a tutorial
        ("0", 3, 4, 1),
    ],
)
def test_worker_count(
    monkeypatch: pytest.MonkeyPatch, given: str | None, tutorials: int, cores: int, expected: int
) -> None:
    monkeypatch.setattr(pool, "available_cores", lambda: cores)
    monkeypatch.setattr(pool, "can_fork", lambda: True)
    assert cli._worker_count(given, tutorials) == expected


def test_without_fork_the_run_is_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "can_fork", lambda: False)
    assert cli._worker_count("4", 100) == 1


def test_serial_runs_in_this_process_and_workers_in_theirs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    serial: list[int] = []
    parallel: list[int] = []

    def run_features(features: Any, options: Any, args: Any, plugins: Any = ()) -> Any:
        serial.append(len(features))
        return 0, []

    def replay(features: Any, options: Any, args: Any, count: int, *rest: Any) -> Any:
        parallel.append(count)
        return []

    monkeypatch.setattr(generate, "run_features", run_features)
    monkeypatch.setattr(workers, "replay", replay)
    monkeypatch.setattr(pool, "can_fork", lambda: True)
    paths = _features(tmp_path / "features", 3)
    options = ReplayOptions(cassettes=tmp_path / "cassettes")
    cli._replay(paths, options, None, progress=False)
    cli._replay(paths, options, "2", progress=False)
    assert (serial, parallel) == ([3], [2])


def test_shares_are_balanced_by_size_each_feature_once_in_a_stable_order(tmp_path: Path) -> None:
    folder = tmp_path / "features"
    folder.mkdir()
    sizes = [900, 100, 500, 500, 300, 200, 400, 100]
    features = []
    for i, size in enumerate(sizes):
        path = folder / f"f{i}.feature"
        path.write_text("x" * size)
        features.append(path)
    dealt = workers.shares(features, 2)
    assert sorted(f for share in dealt for f in share) == sorted(features)
    loads = [sum(f.stat().st_size for f in share) for share in dealt]
    assert abs(loads[0] - loads[1]) <= 100, loads
    assert all(share == sorted(share) for share in dealt)
    assert workers.shares(list(reversed(features)), 2) == dealt
    assert workers.shares(features[:1], 4) == [[features[0]]]


def _copied_features(tmp_path: Path) -> Path:
    features = tmp_path / "features"
    features.mkdir()
    for source in sorted((ROOT / "features").glob("*.feature")):
        (features / source.name).write_text(source.read_text())
    return features


@needs_fork
def test_workers_give_the_serial_records_and_one_progress_line_each(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    features = sorted(_copied_features(tmp_path).glob("*.feature"))
    options = ReplayOptions(cassettes=ROOT / "cassettes", profile="flow-service", root=ROOT)
    monkeypatch.chdir(ROOT)
    _, serial = generate.run_features(features, options, ["-p", "no:terminal"])
    stream = io.StringIO()
    display = ProgressDisplay(stream, bar=False)
    parallel = workers.replay(features, options, ["-p", "no:terminal"], 2, display, Unrecorded())
    assert [r["path"] for r in parallel] == [r["path"] for r in serial]
    assert [r["findings"] for r in parallel] == [r["findings"] for r in serial]
    lines = stream.getvalue().splitlines()
    assert sorted(line.split("] ")[0] for line in lines) == [f"doctract: [{i}/4" for i in "1234"]
    assert {line.split()[2] for line in lines} == {r["path"] for r in serial}


@needs_fork
@pytest.mark.parametrize(
    ("ending", "said"),
    [("exit", "ended (exit status 3) before sending its records"), ("signal", "got SIGTERM")],
)
def test_a_worker_that_dies_or_is_stopped_alone_costs_its_tutorials_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ending: str, said: str
) -> None:
    """A worker killed mid-run sends no records, one stopped by a signal of its own (not the
    run's) sends what it has: its other tutorials are each an internal-error saying why, the
    other worker's are replayed and reported."""
    features = _copied_features(tmp_path)
    doomed = "flow-service__draft-and-publish-a-dataflow.feature"
    real = generate.run_features

    def run_features(share: Any, *args: Any, **kwargs: Any) -> Any:
        if any(Path(f).name == doomed for f in share):
            if ending == "exit":
                os._exit(3)
            raise ReplayInterrupted("SIGTERM", [])
        return real(share, *args, **kwargs)

    monkeypatch.setattr(generate, "run_features", run_features)  # the forked workers see it
    code, out = invoke(
        "run", str(features), "--cassettes", str(ROOT / "cassettes"), "--profile",
        "flow-service", "--workers", "2", "--report-dir", str(tmp_path / "reports"), cwd=ROOT,
    )  # fmt: skip
    assert code == 2, out
    results = json.loads((tmp_path / "reports" / "results.json").read_text())
    lost = [p for p in results["problems"] if p["rule"] == "internal-error"]
    assert any("draft-and-publish-a-dataflow.md" in p["path"] for p in lost), lost
    assert all(said in p["message"] for p in lost), lost
    replayed = {t["path"] for t in results["tutorials"]}
    assert len(replayed) + len(lost) == 4 and replayed, (replayed, lost)


def test_the_pytest_plugin_under_pytest_xdist_writes_every_record(tmp_path: Path) -> None:
    """`doctract run --workers` needs no pytest-xdist, but the plugin still works under it in
    a plain pytest run: each xdist worker appends its records to a results file of its own."""
    pytest.importorskip("xdist")
    module = tmp_path / "test_tutorials.py"
    module.write_text(
        f"from pytest_bdd import scenarios\n\nscenarios({str(ROOT / 'features')!r})\n"
    )
    results = tmp_path / "results.jsonl"
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module),
        "-p", "xdist", "-n", "2", f"--rootdir={ROOT}", f"--doctract-results={results}",
        f"--doctract-cassettes={ROOT / 'cassettes'}", "--doctract-profile=flow-service",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    files = sorted(p.name for p in tmp_path.glob("results.jsonl*"))
    assert files == ["results.jsonl.gw0", "results.jsonl.gw1"], done.stdout
    records = [
        json.loads(line) for name in files for line in (tmp_path / name).read_text().splitlines()
    ]
    assert sorted(r["path"] for r in records) == sorted(_docs_of(ROOT / "features"))


def _docs_of(features: Path) -> list[str]:
    return [
        line.strip().removeprefix('Given the tutorial "').rstrip('"')
        for feature in features.glob("*.feature")
        for line in feature.read_text().splitlines()
        if line.strip().startswith('Given the tutorial "')
    ]


def test_records_are_scrubbed_once_more_by_the_replays_scrubber(tmp_path: Path) -> None:
    """Each record goes through the replay's scrubber once more, which knows the secret values
    the replay sent or learned late (the command's scrubber does not): on its way into a
    plain pytest run's `--doctract-results` file, and into what `doctract run` keeps when
    that scrubber knows any value (without one, the command's scrub of its outputs is the
    same pass)."""
    from types import SimpleNamespace

    from doctract.replay.plugin import KEPT, KeptRecords, results_file, write_record
    from doctract.secrets import Scrubber

    secret = "s3cr3t-VALUE-0042"
    for values in (frozenset({secret}), frozenset()):
        kept = KeptRecords()
        options = {"doctract_results": str(tmp_path / f"results{len(values)}.jsonl")}
        config = SimpleNamespace(getoption=options.get, stash={KEPT: kept})

        class Run:
            written = None

            def record(self) -> dict[str, Any]:
                return {"path": "docs/t.md", "findings": [{"message": f"sent {secret}"}]}

            def scrubber(self) -> Scrubber:
                return Scrubber(values)  # noqa: B023 - called within this iteration

        item = SimpleNamespace(config=config, nodeid="t.feature::s")
        record = write_record(item, Run())  # type: ignore[arg-type]
        written = results_file(config).read_text()  # type: ignore[arg-type, union-attr]
        assert "docs/t.md" in written
        if values:
            assert secret not in written and secret not in json.dumps(kept.records)
            assert kept.records[0]["path"] == "docs/t.md"
        else:
            assert kept.records == [record]


@needs_fork
def test_generating_on_two_processes_writes_the_features_one_process_writes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`doctract generate` (and `run` over docs) turns documents into features on a process
    pool where there are enough of them: the same files, byte for byte, and the same
    problems, in the same order."""
    from lint_golden import write_generated

    docs = tmp_path / "docs"
    write_generated(docs, pool.MIN_TASKS_PER_WORKER * 2 + 7)
    (docs / "unreadable.md").write_bytes(b"\xff\xfe# not UTF-8\n")
    pools: list[int] = []
    real = pool.ordered_map

    def ordered_map(setup: Any, tasks: Any, count: int) -> Any:
        pools.append(count)
        return real(setup, tasks, count)

    monkeypatch.setattr(generate, "ordered_map", ordered_map)
    one = generate.generate([str(docs)], tmp_path / "one", jobs=1)
    two = generate.generate([str(docs)], tmp_path / "two", jobs=2)
    assert pools == [1, 2]
    assert [p.name for p in one.written] == [p.name for p in two.written]
    assert [p.read_bytes() for p in one.written] == [p.read_bytes() for p in two.written]
    assert one.problems == two.problems and one.problems


@needs_fork
def test_an_error_of_the_run_stops_its_workers_without_a_hang(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The run's process fails while its workers still have more records to send than a
    pipe holds (here its progress display breaks, as writing to a closed stderr does): it
    stops them and reads what they send until they are gone, then raises its error. It used
    to wait on them while they waited on it, for good."""
    records = [
        {"path": f"docs/{i}.md", "node": str(i), "findings": [], "text": f"{i}" * 4096}
        for i in range(100)
    ]

    def run_features(share: Any, options: Any, args: Any, plugins: Any = ()) -> Any:
        progress = plugins[-1]
        progress.display.start(len(share))
        return 0, records

    class Broken:
        def start(self, total: int) -> None:
            raise BrokenPipeError("stderr was closed")

        def advance(self, name: str, outcome: str) -> None: ...

        def stop(self) -> None: ...

    def hung(signum: int, frame: Any) -> None:
        for child in multiprocessing.active_children():  # or this test would hang at exit
            child.kill()
        raise RuntimeError("the run hung on its workers")  # not an OSError: join eats those

    monkeypatch.setattr(generate, "run_features", run_features)
    features = sorted(_copied_features(tmp_path).glob("*.feature"))
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        with pytest.raises(BrokenPipeError):
            workers.replay(features, ReplayOptions(), [], 2, Broken(), Unrecorded())
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
