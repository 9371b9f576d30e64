"""`doctract run --workers auto`: serial where pytest-xdist's start-up would dominate, one
worker per available core otherwise (the arguments given to pytest, never timings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from doctract import cli
from doctract.replay import generate
from doctract.replay.session import ReplayOptions


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


def _pytest_args(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tutorials: int, workers: str | None
) -> list[str]:
    seen: list[list[str]] = []

    def run_features(features: Any, options: Any, args: Any, plugins: Any = ()) -> Any:
        seen.append(list(args))
        return 0, [{"path": f"docs/t{i}.md", "findings": []} for i in range(len(features))]

    monkeypatch.setattr(generate, "run_features", run_features)
    monkeypatch.setattr(cli, "_available_cores", lambda: 4)
    paths = _features(tmp_path / "features", tutorials)
    cli._replay(paths, ReplayOptions(cassettes=tmp_path / "cassettes"), workers, progress=False)
    assert len(seen) == 1
    return seen[0]


def test_auto_with_few_tutorials_replays_without_xdist(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    args = _pytest_args(monkeypatch, tmp_path, 3, "auto")
    assert "-n" not in args
    assert "xdist" not in args


def test_auto_with_many_tutorials_runs_one_worker_per_core(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    many = cli.AUTO_MIN_TUTORIALS_PER_CORE * 4
    args = _pytest_args(monkeypatch, tmp_path, many, "auto")
    assert args[args.index("-n") + 1] == "4"
    assert args[args.index("-n") - 1] == "xdist"


def test_auto_just_below_the_threshold_is_serial(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    args = _pytest_args(monkeypatch, tmp_path, cli.AUTO_MIN_TUTORIALS_PER_CORE * 4 - 1, "auto")
    assert "-n" not in args


def test_auto_on_one_core_is_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_available_cores", lambda: 1)
    assert cli._xdist_workers("auto", 10_000) is None


def test_a_number_of_workers_is_passed_as_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    args = _pytest_args(monkeypatch, tmp_path, 3, "2")
    assert args[args.index("-n") + 1] == "2"
    assert "-n" not in _pytest_args(monkeypatch, tmp_path / "serial", 3, None)


def test_available_cores_is_at_least_one() -> None:
    assert cli._available_cores() >= 1
