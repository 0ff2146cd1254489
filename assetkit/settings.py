"""Resolve where the database and configuration are, once per command.

Precedence: command-line option > environment (`ASSETKIT_DB`, `ASSETKIT_CONFIG`) > the
config file's `database:` key > defaults (`./assetkit.duckdb`, `./assetkit.yaml` when it
exists). The resolved `Settings` travels in typer's `ctx.obj`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from assetkit.config import Config, load_config

DEFAULT_DB = Path("assetkit.duckdb")
DEFAULT_CONFIG = Path("assetkit.yaml")


@dataclass
class Settings:
    db_option: Path | None = None
    config_option: Path | None = None
    quiet: bool = False
    verbose: bool = False
    debug: bool = False
    wait: float = 30.0
    _config: Config | None = field(default=None, repr=False)

    @property
    def config_path(self) -> Path | None:
        if self.config_option is not None:
            return self.config_option
        env = os.environ.get("ASSETKIT_CONFIG")
        if env:
            return Path(env)
        return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    @property
    def db_path(self) -> Path:
        if self.db_option is not None:
            return self.db_option
        env = os.environ.get("ASSETKIT_DB")
        if env:
            return Path(env)
        if self.config.database:
            base = self.config.path.parent if self.config.path else Path(".")
            return base / self.config.database
        return DEFAULT_DB

    def open_store(self, create: bool = True):  # noqa: ANN201 - Store, imported lazily
        from assetkit.store import open_store

        return open_store(self.db_path, wait_seconds=self.wait, create=create, on_wait=None if self.quiet else _tell)


def _tell(message: str) -> None:
    """A notice on stderr (stdout stays clean for data)."""
    import sys

    print(message, file=sys.stderr, flush=True)
