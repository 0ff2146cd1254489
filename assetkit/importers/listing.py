"""Read-side views for the CLI: the supported profiles and the quarantined rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.importers.registry import builtin_profiles
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb


@dataclass
class PlatformInfo:
    profile: str
    platform: str
    kind: str
    channel: str
    title: str
    signature: list[str]


@dataclass
class PlatformsResult:
    profiles: list[PlatformInfo]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_platforms() -> PlatformsResult:
    """Every shipped profile with the header names that identify it."""
    return PlatformsResult([PlatformInfo(p.name, p.platform, p.kind, p.channel, p.title, list(p.required))
                            for p in builtin_profiles()])


@dataclass
class RejectInfo:
    batch_id: int
    file: str
    line: int
    column: str | None
    raw: str | None
    reason: str


@dataclass
class RejectsResult:
    total: int
    rejects: list[RejectInfo] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_rejects(con: duckdb.DuckDBPyConnection, batch_id: int | None = None, limit: int = 100) -> RejectsResult:
    """Quarantined rows, newest batch first, with the file, line, column, raw value and reason."""
    where, params = ("WHERE r.batch_id = ?", [batch_id]) if batch_id is not None else ("", [])
    total = scalar(con, f"SELECT count(*) FROM rejects r {where}", params)
    rows = con.execute(
        f"SELECT r.batch_id, b.source_path, r.line, r.column_name, r.raw, r.reason FROM rejects r "
        f"LEFT JOIN import_batches b USING (batch_id) {where} ORDER BY r.batch_id DESC, r.line LIMIT ?",
        [*params, limit]).fetchall()
    return RejectsResult(int(total), [RejectInfo(*r) for r in rows])


@dataclass
class WarningInfo:
    batch_id: int
    file: str
    check: str
    line: int | None
    column: str | None
    value: str | None
    message: str


@dataclass
class WarningsResult:
    total: int
    warnings: list[WarningInfo] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_warnings(con: duckdb.DuckDBPyConnection, batch_id: int | None = None, limit: int = 100) -> WarningsResult:
    """Plausibility warnings of imports (plausibility.py), newest batch first, by file line."""
    where, params = ("WHERE w.batch_id = ?", [batch_id]) if batch_id is not None else ("", [])
    total = scalar(con, f"SELECT count(*) FROM import_warnings w {where}", params)
    rows = con.execute(
        f"SELECT w.batch_id, b.source_path, w.check_name, w.line, w.column_name, w.value, w.message "
        f"FROM import_warnings w LEFT JOIN import_batches b USING (batch_id) {where} "
        f"ORDER BY w.batch_id DESC, w.line NULLS FIRST, w.check_name LIMIT ?", [*params, limit]).fetchall()
    return WarningsResult(int(total), [WarningInfo(*r) for r in rows])
