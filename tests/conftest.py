"""Test isolation: every test runs in its own folder with no assetkit environment leaking in."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.paths import REPO

# As `assetkit.cli.main` does: one OpenBLAS thread, or the CLV optimisers spin (numpy is not
# imported yet at this point, so the setting takes effect for the whole run).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--long", action="store_true", default=False,
                     help="run the long reliability versions (200+ kills, more examples)")
    parser.addoption("--regen", action="store_true", default=False,
                     help="rewrite every golden file (tests/golden, tests/golden/json, the analytics golden rows, "
                          "docs/cli.md, docs/schema.md) from what the code gives now, instead of comparing; review the diff")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `long` run only with --long (`make test-long`); `slow` ones always run
    unless deselected (`make test-fast`: -m "not slow")."""
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="long: run with --long (make test-long)")
    for item in items:
        if item.get_closest_marker("long"):
            item.add_marker(skip)


@pytest.fixture
def regen(request: pytest.FixtureRequest) -> Callable[[str], bool]:
    """`regen(alias)`: whether a golden-file test rewrites its file instead of comparing.

    `pytest --regen` rewrites them all; the environment variable `alias` set to anything but
    empty or 0 (ASSETKIT_REGEN_GOLDEN for the import results, the JSON shapes and the
    analytics rows; ASSETKIT_REGEN_DOCS for the generated docs) still rewrites its own kind, as before the option existed."""

    def wanted(alias: str) -> bool:
        return bool(request.config.getoption("--regen")) or os.environ.get(alias, "") not in ("", "0")

    return wanted


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("ASSETKIT_DB", "ASSETKIT_CONFIG", "ASSETKIT_INDIAMART_KEY", "ASSETKIT_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run_cli():
    """Run `python -m assetkit ...` in a real subprocess (for exit codes, sys.modules, kills)."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
        return subprocess.run([sys.executable, "-m", "assetkit", *args], cwd=cwd, env=full_env,
                              capture_output=True, text=True, timeout=timeout)

    return run


@pytest.fixture
def cli():
    """Invoke the typer app in-process with a fixed-width, colourless terminal."""
    from typer.testing import CliRunner

    from assetkit.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # noqa: A002
        return runner.invoke(app, list(args), input=input, env={"COLUMNS": "200", "NO_COLOR": "1"})

    return invoke
