"""Importers: marketplace exports in, nothing lost, nothing doubled.

Public API (everything the CLI does is reachable from here):
- `import_paths(store, paths, platform=None, kind=None, mapping=None, encoding=None,
  strict=False, dry_run=False, config=None) -> list[FileResult]`
- `import_file(store, path, **same options) -> FileResult` (raises instead of recording)
- `builtin_profiles()`, `select_profiles()`; `fx` (rates), `mapping` (`assetkit map`),
  `pull_indiamart` (CRM API v2 pulls).
Heavy modules (duckdb, fastexcel, requests) are imported inside functions.
"""

from assetkit.importers.engine import (
           FileResult,
           RejectedRow,
           expand_paths,
           import_file,
           import_paths,
)
from assetkit.importers.registry import Profile, builtin_profiles
from assetkit.importers.selection import select_profiles

__all__ = [
           "FileResult",
           "Profile",
           "RejectedRow",
           "builtin_profiles",
           "expand_paths",
           "import_file",
           "import_paths",
           "select_profiles",
]
