"""`pytest --regen` rewrites every golden file; the older environment variables still rewrite
their own kind (docs/development.md, "Regenerating golden files")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import REPO

ALIASES = ("ASSETKIT_REGEN_GOLDEN", "ASSETKIT_REGEN_DOCS")
PROBE = f"""
def test_probe(regen):
    print("REGEN", [regen(alias) for alias in {ALIASES!r}])
"""


def _probe(tmp_path: Path, *args: str) -> str:
    """What `regen` answers in a pytest run with our conftest as its only plugin."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_probe.py").write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ALIASES} | {"PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-p", "tests.conftest",
                           *args, "test_probe.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return next(line for line in done.stdout.splitlines() if line.startswith("REGEN"))


def test_the_regen_option_turns_on_every_kind(tmp_path: Path) -> None:
    assert _probe(tmp_path, "--regen") == "REGEN [True, True]"


def test_without_the_option_nothing_is_regenerated(tmp_path: Path) -> None:
    assert _probe(tmp_path) == "REGEN [False, False]"


def test_each_environment_alias_turns_on_its_own_kind(regen, monkeypatch: pytest.MonkeyPatch,
                                                       request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--regen"):
        pytest.skip("this run regenerates everything")
    for alias in ALIASES:
        monkeypatch.delenv(alias, raising=False)
    monkeypatch.setenv("ASSETKIT_REGEN_GOLDEN", "1")
    assert regen("ASSETKIT_REGEN_GOLDEN")
    assert not regen("ASSETKIT_REGEN_DOCS")
    monkeypatch.setenv("ASSETKIT_REGEN_DOCS", "0")
    assert not regen("ASSETKIT_REGEN_DOCS")
    monkeypatch.setenv("ASSETKIT_REGEN_DOCS", "1")
    assert regen("ASSETKIT_REGEN_DOCS")
