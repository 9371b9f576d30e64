"""Generate + offline replay time per scenario, as a ratio to bare vcrpy replaying the same
interactions, and the speed-up of replaying with worker processes (`--workers`).

    python benchmarks/replay_speed.py [--scenarios 1000] [--workers 2]

Generates N tutorials (benchmarks/corpus.py), turns them into features, records them once
against the emulator, then times, in one run and both through pytest in this process:
- doctract: `pytest` over the features with the doctract plugin, record mode none (cassette
  matching, id chaining, status, example shape and OpenAPI contract checks per response);
- bare vcrpy: a plain pytest test parametrized over the same cassettes that sends each recorded
  request with requests inside `vcr.use_cassette(record_mode="none")`, the requests taken from
  the cassette vcrpy loaded (each cassette parsed once on both sides: same files, same work).
- `doctract run features` against `doctract run features --workers N` (N worker processes), each a
  fresh process as a user runs it, for the parallel speed-up.
Targets (issue #13): doctract at most 1.2x bare vcrpy at 300 and 1,000 scenarios; at least
1.6x faster on 2 workers at 1,000.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus

from doctract.replay.generate import generate, run_features
from doctract.replay.session import ReplayOptions

TARGET = 1.2
TARGET_SPEEDUP = 1.6
# the corpus is Flow Service tutorials: replay them as their users do, with that profile (its
# emulator records the cassettes, its contract checks the responses); without a profile there
# is no emulator and nothing is recorded
PROFILE = "flow-service"

BARE_TEST = """
import pathlib, pytest, requests, vcr

CASSETTES = sorted(pathlib.Path({folder!r}).glob("*.yaml"))
RECORDER = vcr.VCR(record_mode="none", match_on=["method", "path", "query", "body"])


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda p: p.stem)
def test_replay(cassette):
    # the interactions to send are read from the cassette vcrpy has just loaded: each file is
    # parsed once (by vcrpy's libyaml loader), as doctract's replay parses it once
    with RECORDER.use_cassette(str(cassette)) as recorded, requests.Session() as session:
        for request, recorded_response in list(zip(recorded.requests, recorded.responses)):
            response = session.request(request.method, request.uri, data=request.body)
            assert response.status_code == recorded_response["status"]["code"]
"""


def doctract_run(features: Path, cassettes: Path, *extra: str) -> tuple[float, bytes]:
    """Wall-clock time of `doctract run` in a fresh process, and its JSON findings."""
    command = [
        str(Path(sys.executable).with_name("doctract")),
        "run",
        str(features),
        "--cassettes",
        str(cassettes),
        "--format",
        "json",
        "--no-progress",
        "--profile",
        PROFILE,
        *extra,
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stderr.decode()[-2000:]
    return seconds, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="doctract-replay-bench-") as tmp:
        root = Path(tmp)
        os.chdir(root)
        write_corpus(root / "docs", args.scenarios)
        started = time.perf_counter()
        features = generate(["docs"], root / "features").written
        generating = time.perf_counter() - started
        cassettes = root / "cassettes"
        started = time.perf_counter()
        run_features(
            features,
            ReplayOptions(record="all", emulator=True, cassettes=cassettes, profile=PROFILE),
            ["-p", "no:terminal"],
        )
        print(f"recorded {len(features)} scenarios in {time.perf_counter() - started:.1f} s")
        recorded = sum(1 for _ in cassettes.glob("*.yaml"))
        # a baseline over no cassettes would time nothing and pass: one cassette per feature
        assert recorded == len(features), f"{recorded} cassettes for {len(features)} features"

        bare_test = root / "bare" / "test_bare_vcr.py"
        bare_test.parent.mkdir()
        bare_test.write_text(BARE_TEST.format(folder=str(cassettes)))

        def bare_run() -> int:
            return int(
                pytest.main(
                    [
                        str(bare_test),
                        "-p",
                        "no:terminal",
                        "-p",
                        "no:cacheprovider",
                        "-p",
                        "no:doctract",
                    ]
                )
            )

        # warm both (imports, the contract) so that neither pays one-off start-up in the timing
        run_features(
            features[:1], ReplayOptions(cassettes=cassettes, profile=PROFILE), ["-p", "no:terminal"]
        )
        bare_run()
        started = time.perf_counter()
        _, results = run_features(
            features, ReplayOptions(cassettes=cassettes, profile=PROFILE), ["-p", "no:terminal"]
        )
        ours = time.perf_counter() - started
        started = time.perf_counter()
        status = bare_run()
        bare = time.perf_counter() - started
        assert status == 0, f"bare vcrpy replay failed ({status})"
        serial_cli, serial_out = doctract_run(features[0].parent, cassettes)
        parallel, parallel_out = doctract_run(
            features[0].parent, cassettes, "--workers", str(args.workers)
        )
        same = serial_out == parallel_out
    diverging = sum(1 for r in results if any(f["severity"] != "info" for f in r["findings"]))
    ratio = ours / bare
    print(
        f"{len(results)} scenarios ({recorded} cassettes, {diverging} with planted "
        f"defects): doctract {ours:.2f} s ({1000 * ours / len(results):.1f} ms/scenario), "
        f"bare vcrpy {bare:.2f} s ({1000 * bare / len(results):.1f} ms/scenario)"
    )
    print(f"generate: {generating:.2f} s ({1000 * generating / len(results):.1f} ms/scenario)")
    print(f"ratio {ratio:.2f}x: {'within' if ratio <= TARGET else 'OVER'} the {TARGET}x target")
    speedup = serial_cli / parallel
    print(
        f"doctract run: {serial_cli:.2f} s serial, {parallel:.2f} s on {args.workers} "
        f"workers, speed-up {speedup:.2f}x "
        f"({'meets' if speedup >= TARGET_SPEEDUP else 'BELOW'} the {TARGET_SPEEDUP}x target), "
        f"same findings as serial: {same}"
    )
    return 0 if ratio <= TARGET and speedup >= TARGET_SPEEDUP and same else 1


if __name__ == "__main__":
    sys.exit(main())
