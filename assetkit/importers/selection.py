"""The profiles a run may use, from --platform, --kind, --mapping and --store.

Apart from the registry: a `--mapping` is a user profile that mapping.py builds on the
registry's, so the registry must not import it.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from assetkit.errors import UsageError
from assetkit.importers.mapping import load_mapping
from assetkit.importers.registry import Profile, builtin_profiles


def select_profiles(platform: str | None = None, kind: str | None = None,
                    mapping: Path | None = None, store: str | None = None) -> list[Profile]:
    """The candidate profiles for a run, given --platform/--kind/--mapping/--store."""
    if store is not None:
        store = store.strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", store):
            raise UsageError(f"--store {store!r}: use letters, digits, '.', '_' or '-' (e.g. my-shop.myshopify.com)")
        return [dataclasses.replace(p, store=store) for p in select_profiles(platform, kind, mapping)]
    if mapping is not None:
        return [load_mapping(mapping)]
    found = [p for p in builtin_profiles()
             if (platform in (None, "auto") or p.platform == platform or p.name == platform)
             and (kind is None or p.kind == kind)]
    if not found:
        known = sorted({p.platform for p in builtin_profiles()})
        raise UsageError(f"no profile for platform {platform!r} and kind {kind!r}",
                         hint=f"platforms: {', '.join(known)}; `assetkit platforms` lists kinds")
    return found
