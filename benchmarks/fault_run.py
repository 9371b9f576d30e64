"""A live run under injected faults, against a fault-free run of the same tutorials.

    python benchmarks/fault_run.py [--tutorials 40] [--faults SPEC]

Generates tutorials (benchmarks/corpus.py), replays them live against the emulator twice: once
clean, once with the emulator injecting faults before it acts (latency, dropped connections,
429 with Retry-After, 500/503 bursts) and after it acted (responses cut mid-body, 502/503/504
from a "proxy" once the resource was saved). Prints the figures issues #6 and #12 ask for:
requests injected with faults, requests that succeeded after a retry, findings only the faulty
run has (what still failed after the bounded retries), resources left behind in every
collection (must be 0) and duplicates, POSTs the emulator carried out twice (must be 0).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus

from doctract.emulator.faults import FaultPlan
from doctract.emulator.inventory import left_behind
from doctract.emulator.server import running_emulator
from doctract.replay.generate import generate, run_features
from doctract.replay.session import ReplayOptions

DEFAULT_FAULTS = (
    "latency=0.05,delay=0.05,drop=0.04,429=0.05,5xx=0.04,burst=2,"
    "drop-after=0.03,5xx-after=0.03,retry-after=0,seed=1"
)


def live_run(
    features: list[Path], cassettes: Path, plan: FaultPlan | None
) -> tuple[list[dict[str, object]], dict[str, int], dict[str, int], float]:
    with running_emulator(faults=plan) as base:
        started = time.perf_counter()
        _, results = run_features(
            features,
            # the profile says what the tutorials create and how to delete it (the temporary
            # folder has no configuration naming it)
            ReplayOptions(record="all", live=base, cassettes=cassettes, profile="flow-service"),
            ["-p", "no:terminal"],
        )
        seconds = time.perf_counter() - started
        stats = requests.get(f"{base}/__doctract/faults", timeout=10).json() if plan else {}
        left = left_behind(base)
    return results, stats, left, seconds


def _reported_left(results: list[dict[str, object]]) -> int:
    return sum(int(r["cleanup"]["left"]) for r in results)  # type: ignore[index,misc]


def _keys(results: list[dict[str, object]]) -> set[tuple[str, int, str]]:
    return {
        (str(r["path"]), int(f["line"]), str(f["rule"]))
        for r in results
        for f in r["findings"]  # type: ignore[attr-defined]
        if f["severity"] != "info"
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tutorials", type=int, default=40)
    parser.add_argument("--faults", default=DEFAULT_FAULTS)
    args = parser.parse_args()
    plan = FaultPlan.parse(args.faults)
    with tempfile.TemporaryDirectory(prefix="doctract-faults-") as tmp:
        root = Path(tmp)
        os.chdir(root)
        write_corpus(root / "docs", args.tutorials)
        features = generate(["docs"], root / "features").written
        clean, _, clean_left, clean_s = live_run(features, root / "clean", None)
        faulty, stats, left, faulty_s = live_run(features, root / "faulty", plan)
    duplicates = int(stats.get("duplicates", 0))
    injected = {k: v for k, v in stats.items() if k not in ("requests", "none", "duplicates")}
    real_faults = sum(v for k, v in injected.items() if k != "latency")
    extra = sorted(_keys(faulty) - _keys(clean))
    retried = sum(int(r["retried"]) for r in faulty)  # type: ignore[call-overload]
    recovered = sum(int(r["recovered"]) for r in faulty)  # type: ignore[call-overload]
    print(f"faults: {plan}")
    print(
        f"{len(features)} tutorials, {stats.get('requests', 0)} requests reached the emulator "
        f"(clean run {clean_s:.1f} s, faulty run {faulty_s:.1f} s)"
    )
    print(f"requests injected with faults: {real_faults} plus {injected.get('latency', 0)} delayed")
    print(f"  by kind: {injected}")
    print(f"retries: {retried}; requests that succeeded after retry: {recovered}")
    print(f"findings only under faults (still failing after retries): {len(extra)}")
    for path, line, rule in extra[:10]:
        print(f"  {Path(path).name}:{line} {rule}")
    found = sum(int(r["cleanup"]["found"]) for r in faulty)  # type: ignore[index,misc]
    print(f"resources found by lookup after a POST that may have been processed: {found}")
    print(
        f"resources left behind: clean run {sum(clean_left.values())}, faulty run "
        f"{sum(left.values())} {left}"
    )
    # what the runs said they left (cleanup-unavailable, left-behind, cleanup-failed): never
    # fewer than the emulator still holds, or something was left silently
    said = [_reported_left(run) for run in (clean, faulty)]
    print(f"reported left by the runs (cleanup.left): clean run {said[0]}, faulty run {said[1]}")
    print(f"duplicates (POSTs carried out twice): {duplicates}")
    nothing_left = sum(left.values()) == 0 and sum(clean_left.values()) == 0
    silent = said[0] < sum(clean_left.values()) or said[1] < sum(left.values())
    return 0 if nothing_left and not silent and duplicates == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
