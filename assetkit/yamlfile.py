"""Reading a user's YAML file (rules, mappings, assumptions) or the shipped default, safely.

One place for the three things every such file needs: `yaml.safe_load` only (a
`!!python/object` tag is rejected), a clear ConfigError naming the file when it cannot be
read or parsed, and a label (`where`) for later validation messages.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from assetkit.errors import ConfigError


def load_yaml(path: str | Path | None, default: str, what: str) -> tuple[Any, str]:
    """(data, where) from `path`, or from `assetkit/data/<default>` when path is None."""
    import yaml

    if path is None:
        text = resources.files("assetkit").joinpath("data", default).read_text(encoding="utf-8")
        where = f"default {what}"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read {what} file {path}: {exc.strerror}") from None
        where = str(path)
    try:
        return yaml.safe_load(text), where
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}") from None
