"""Where the repository and the shared test data are, for tests that run files or read docs."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
SAMPLES = TESTS / "samples"
DATA = TESTS / "data"
