"""What the database holds: rows per platform and kind with date ranges, and import history.

This is the first thing a user checks after an import ("did my March file land?"), so it
reads only bookkeeping and cheap aggregates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.importers.fx import unconverted_rows
from assetkit.importers.reconcile import FileReconciliation, latest

if TYPE_CHECKING:
    import duckdb

# kind -> (table, timestamp column); the canonical tables with a platform and a date.
_KIND_TABLES = {
    "orders": ("orders", "ordered_at", "platform"),
    "fees": ("fees", "incurred_at", "platform"),
    "inquiries": ("inquiries", "received_at", "platform"),
    "spend": ("spend", "period_start", "coalesce(platform, channel)"),
    "products": ("products", None, "coalesce(platform, 'catalogue')"),
    "visits": ("visits", "visit_date", "coalesce(site, 'own_site')"),
}


@dataclass
class HoldingRow:
    platform: str
    kind: str
    rows: int
    first: dt.datetime | dt.date | None
    last: dt.datetime | dt.date | None


@dataclass
class BatchRow:
    batch_id: int
    file_name: str
    platform: str
    kind: str
    rows_read: int
    rows_loaded: int
    rows_duplicate: int
    rows_rejected: int
    finished_at: dt.datetime


@dataclass
class StatusResult:
    database: str
    schema_version: int
    holdings: list[HoldingRow] = field(default_factory=list)
    batches: list[BatchRow] = field(default_factory=list)
    batches_total: int = 0
    buyers: int = 0
    rejects: int = 0
    fx_rates: int = 0
    rows_without_fx: int = 0
    import_warnings: int = 0  # rows loaded but implausible (importers/plausibility.py)
    # The files' own totals checked at import, for the latest import of each file's bytes.
    reconciled: int = 0
    mismatches: list[FileReconciliation] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(h.rows for h in self.holdings)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def database_status(con: duckdb.DuckDBPyConnection, database: str, recent_batches: int = 10) -> StatusResult:
    from assetkit.store import schema_version

    parts = []
    for kind, (table, ts, platform) in _KIND_TABLES.items():
        first = f"min({ts})" if ts else "NULL"
        last = f"max({ts})" if ts else "NULL"
        parts.append(
            f"SELECT {platform} AS platform, '{kind}' AS kind, count(*) AS n, "
            f"CAST({first} AS VARCHAR), CAST({last} AS VARCHAR) FROM {table} GROUP BY 1"
        )
    holdings = [
        HoldingRow(p, k, int(n), _parse(a), _parse(b))
        for p, k, n, a, b in con.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2").fetchall()
    ]
    batches = [
        BatchRow(*row)
        for row in con.execute(
            "SELECT batch_id, file_name, platform, kind, rows_read, rows_loaded, rows_duplicate, "
            "rows_rejected, finished_at FROM import_batches ORDER BY batch_id DESC LIMIT ?",
            [recent_batches],
        ).fetchall()
    ]
    (batches_total,) = con.execute("SELECT count(*) FROM import_batches").fetchone()
    (buyers,) = con.execute("SELECT count(*) FROM buyers").fetchone()
    (rejects,) = con.execute("SELECT count(*) FROM rejects").fetchone()
    (fx,) = con.execute("SELECT count(*) FROM fx_rates").fetchone()
    no_fx = unconverted_rows(con)
    (warnings,) = con.execute("SELECT count(*) FROM import_warnings").fetchone()
    reconciled, mismatches = _reconciliation(con)
    return StatusResult(database, schema_version(con), holdings, batches, int(batches_total), int(buyers),
                        int(rejects), int(fx), int(no_fx), int(warnings), reconciled, mismatches)


def _reconciliation(con: duckdb.DuckDBPyConnection) -> tuple[int, list[FileReconciliation]]:
    """Files' own totals reconciled, and the differences (importers/reconcile.py)."""
    checks = latest(con)
    return sum(c.ok for c in checks), [c for c in checks if not c.ok]


def _parse(text: str | None) -> dt.datetime | dt.date | None:
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return dt.date.fromisoformat(text[:10])
