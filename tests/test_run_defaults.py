"""`doctract run` defaults: against an API (--emulator, --live) it records what the cassettes
lack (--record once) and says so; without one it is offline."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, invoke


def test_emulator_runs_record_missing_interactions_by_default(tmp_path: Path) -> None:
    feature = ROOT / "features" / "flow-service__look-up-specs.feature"
    cassettes = tmp_path / "cassettes"
    args = ["run", str(feature), "--emulator", "--cassettes", str(cassettes), "--no-progress"]
    code, out = invoke(*args, cwd=ROOT)
    assert "doctract run: recording missing interactions (--record once)" in out
    assert code == 0, out
    assert [p.name for p in cassettes.glob("*.yaml")] == [
        "examples__docs__flow-service__look-up-specs.yaml"
    ]
    code, out = invoke("run", str(feature), "--cassettes", str(cassettes), "--no-progress")
    assert code == 0, out  # offline by default, from what the emulator run recorded
    assert "recording" not in out
