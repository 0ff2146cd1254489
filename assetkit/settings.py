"""Resolve where the database and configuration are, once per command.

Precedence: command-line option > environment (`ASSETKIT_DB`, `ASSETKIT_CONFIG`) > the
config file's `database:` key > defaults (`./assetkit.duckdb`, `./assetkit.yaml` when it
exists). A database named with --db / ASSETKIT_DB brings the `assetkit.yaml` next to it when
no configuration is named: `assetkit --db shop/assetkit.duckdb fees` must read shop's margin and
memberships, not silently fall back to defaults and disagree with shop's report. When the
configuration is not the obvious one (found next to the database, or none at all for a
database elsewhere) a terminal run says so on stderr; --verbose always names it. The resolved `Settings` travels in typer's
`ctx.obj`.
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
        return self._find_config()[0]

    def _explicit_db(self) -> Path | None:
        if self.db_option is not None:
            return self.db_option
        env = os.environ.get("ASSETKIT_DB")
        return Path(env) if env else None

    def _find_config(self) -> tuple[Path | None, str]:
        """The configuration file to read and where it was found (for the notice)."""
        if self.config_option is not None:
            return self.config_option, "--config"
        env = os.environ.get("ASSETKIT_CONFIG")
        if env:
            return Path(env), "ASSETKIT_CONFIG"
        db = self._explicit_db()
        if db is not None and not _same_folder(db.parent, Path(".")):
            beside = db.parent / DEFAULT_CONFIG.name
            if beside.exists():
                return beside, "next to the database"
            return (DEFAULT_CONFIG, "current folder, none next to the database") if DEFAULT_CONFIG.exists() \
                else (None, "none next to the database")
        return (DEFAULT_CONFIG, "current folder") if DEFAULT_CONFIG.exists() else (None, "none")

    @property
    def config(self) -> Config:
        if self._config is None:
            path, origin = self._find_config()
            self._config = load_config(path)
            self._announce(path, origin)
        return self._config

    def _announce(self, path: Path | None, origin: str) -> None:
        """Say which configuration a run uses, on stderr: with --verbose always; on a terminal
        whenever it is not the obvious one (found next to the database, or none at all for a
        database elsewhere). Pipes and cron stay quiet, so stdout and logs stay clean."""
        import sys

        if self.quiet:
            return
        unusual = origin not in ("current folder", "none", "--config", "ASSETKIT_CONFIG")
        if not (self.verbose or (unusual and sys.stderr.isatty())):
            return
        if origin == "next to the database":
            message = f"Configuration: {path} (found next to the database)"
        elif origin == "none next to the database":
            message = (f"Configuration: none found next to {self._explicit_db()}; using the defaults "
                       "(USD, 35% gross margin, no recurring fees). Pass --config FILE to use one.")
        elif origin == "current folder, none next to the database":
            message = f"Configuration: {path} from the current folder (none next to {self._explicit_db()})"
        elif path is None:
            message = "Configuration: none found (./assetkit.yaml); using the defaults"
        else:
            message = f"Configuration: {path} ({origin})"
        print(message, file=sys.stderr)

    @property
    def db_path(self) -> Path:
        return self.stated_db_path() or DEFAULT_DB

    def stated_db_path(self, config: Config | None = None) -> Path | None:
        """The database someone named (--db, ASSETKIT_DB, `database:` in the config), or None."""
        explicit = self._explicit_db()
        if explicit is not None:
            return explicit
        config = config or self.config
        if config.database:
            base = config.path.parent if config.path else Path(".")
            return base / config.database
        return None

    def open_store(self, create: bool = True):  # noqa: ANN201 - Store, imported lazily
        """The database, locked and migrated, with the configuration's cost settings applied
        to this connection (a reclaimed VAT on fees is left out of `platform_fees`)."""
        from assetkit.analysis.tax_on_fees import apply_cost_settings
        from assetkit.store import open_store

        store = open_store(self.db_path, wait_seconds=self.wait, create=create, on_wait=None if self.quiet else _tell)
        try:
            apply_cost_settings(store.con, self.config)
        except BaseException:
            store.close()
            raise
        return store


def _tell(message: str) -> None:
    """A notice on stderr (stdout stays clean for data)."""
    import sys

    print(message, file=sys.stderr, flush=True)


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
