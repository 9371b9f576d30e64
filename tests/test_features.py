"""The generated features of the clean example docs, replayed offline from cassettes/ by pytest
itself (the doctract plugin provides the steps; record mode none)."""

from __future__ import annotations

from pathlib import Path

from pytest_bdd import scenarios

FEATURES = Path(__file__).resolve().parent.parent / "features"

scenarios(*sorted(str(p) for p in FEATURES.glob("flow-service__*.feature")))
