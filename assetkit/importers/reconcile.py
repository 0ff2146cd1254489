"""Reconciliation at import: what a file says about its own money against what was read.

Many exports carry their own totals: a settlement's `total-amount`, eBay's and Etsy's `Net`
columns, Upwork's running balance, Shopify's `Subtotal` and `Shipping`. A profile lists them
(`reconcile:`, registry.Reconcile); for each, `expected` is the file's own figure and `got`
the same figure rebuilt from what the profile's outputs made of the rows (the orders, refunds
and fees as they are stored, signs included) plus the money the profile leaves out on purpose
(payouts, withheld tax). A sign error, a column read as the wrong one or a row type nobody
mapped then shows as a difference in money instead of hiding in a plausible total.

Computed per slice of the file (pipeline.py), from the slice's typed rows and staged outputs,
into `ak_recon`, and summed per check and group when the file is done: every aggregate a
profile writes here must add up over slices (sums; a balance's change per slice). Duplicates
count (a re-imported order is still the file's money); quarantined lines do not reach `got`,
so a group with quarantined money is a mismatch that says how many lines it lost.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from assetkit.errors import SourceError
from assetkit.importers.parsing import substitute
from assetkit.store.sql import quote_literal

if TYPE_CHECKING:
    import duckdb

    from assetkit.importers.loading import Staged
    from assetkit.importers.registry import Profile, Reconcile

RECONCILED, MISMATCH = "reconciled", "mismatch"
_ACC = ("(check_name VARCHAR, group_key VARCHAR, currency VARCHAR, expected DECIMAL(38,4), got DECIMAL(38,4), "
        "first_line INTEGER, last_line INTEGER, line_count BIGINT, quarantined BIGINT)")
_COLUMNS = ("check_name, label, group_key, currency, expected, got, difference, tolerance, status, "
            "first_line, last_line, line_count, quarantined")


@dataclass
class Reconciliation:
    """One check of one group of a file, as stored in `reconciliations`."""

    check_name: str
    label: str
    group_key: str | None
    currency: str | None
    expected: Decimal
    got: Decimal
    difference: Decimal
    tolerance: Decimal
    status: str
    first_line: int | None
    last_line: int | None
    line_count: int
    quarantined: int

    @property
    def ok(self) -> bool:
        return self.status == RECONCILED

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line for a terminal: `reconciled` or the difference, in the group's money."""
        group = f" [{self.group_key}]" if self.group_key and self.group_key != self.currency else ""
        ccy = f"{self.currency} " if self.currency else ""
        if self.ok:
            return f"{self.label}{group}: reconciled ({ccy}{self.expected:,.2f})"
        lost = f"; {self.quarantined:,} of its lines quarantined" if self.quarantined else ""
        return (f"{self.label}{group}: MISMATCH, the file says {ccy}{self.expected:,.2f}, assetkit read "
                f"{ccy}{self.got:,.2f} (difference {self.difference:+,.2f}; lines {self.first_line}–{self.last_line}{lost})")


@dataclass
class FileReconciliation(Reconciliation):
    """A reconciliation with the import it belongs to (`assetkit status`, the report)."""

    batch_id: int
    file_name: str


def begin(con: duckdb.DuckDBPyConnection) -> None:
    """The file's accumulator, filled slice by slice."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE ak_recon {_ACC}")


def collect(con: duckdb.DuckDBPyConnection, profile: Profile, staged: list[Staged], any_rejects: bool = True) -> None:
    """Add this slice's expected and got per check and group (`ak_rows`, `ak_rej` and the
    staged outputs of the slice are in place; `any_rejects`: whether `ak_rej` has a row)."""
    for check in profile.reconcile:
        con.execute(f"INSERT INTO ak_recon {_slice_sql(profile, check, staged, any_rejects)}")


def _slice_sql(profile: Profile, check: Reconcile, staged: list[Staged], any_rejects: bool = True) -> str:
    def sub(expr: str) -> str:
        return substitute(expr, profile)

    group = f"coalesce(CAST(({sub(check.by)}) AS VARCHAR), '')" if check.by else "''"
    currency = f"CAST(any_value({sub(check.currency)}) AS VARCHAR)" if check.currency else "CAST(NULL AS VARCHAR)"
    # Without quarantined lines in the slice (the usual case) the anti-joins are left out. A
    # staged row lacking a required value is among them (pipeline.py adds it to ak_rej), so its
    # `__bad` (dear to compute on a streamed output) is not read here.
    ok_line = "__line NOT IN (SELECT line FROM ak_rej)" if any_rejects else "true"
    ok_staged = "s.source_line NOT IN (SELECT line FROM ak_rej)" if any_rejects else "true"
    rows = f"(SELECT * FROM ak_rows WHERE {sub(check.where)})" if check.where else "ak_rows"
    parts = [f"g AS MATERIALIZED (SELECT __line, {group} AS __grp FROM {rows})",
             f"e AS (SELECT {group} AS __grp, CAST(({sub(check.expected)}) AS DECIMAL(38,4)) AS expected, "
             f"{currency} AS currency, min(__line) AS first_line, max(__line) AS last_line, count(*) AS n, "
             f"count(*) FILTER (WHERE __rej_reason IS NOT NULL OR NOT {ok_line}) AS q FROM {rows} GROUP BY 1)"]
    terms = []
    for i, (source, expr) in enumerate(check.got.items()):
        if source == "rows":
            parts.append(f"t{i} AS (SELECT {group} AS __grp, CAST(({sub(expr)}) AS DECIMAL(38,4)) AS v FROM {rows} "
                         f"WHERE __rej_reason IS NULL AND {ok_line} GROUP BY 1)")
        else:
            relations = [st.relation for st in staged if st.table == source]
            union = " UNION ALL BY NAME ".join(f"SELECT * FROM {r} s" for r in relations)
            parts.append(f"t{i} AS (SELECT g.__grp, CAST(({sub(expr)}) AS DECIMAL(38,4)) AS v FROM ({union}) s "
                         f"JOIN g ON g.__line = s.source_line WHERE {ok_staged} GROUP BY 1)")
        terms.append(f"coalesce(t{i}.v, 0)")
    joins = "".join(f" LEFT JOIN t{i} USING (__grp)" for i in range(len(terms)))
    return (f"WITH {', '.join(parts)} SELECT {quote_literal(check.name)}, e.__grp, e.currency, e.expected, "
            f"{' + '.join(terms)}, e.first_line, e.last_line, e.n, e.q FROM e{joins}")


def finish(con: duckdb.DuckDBPyConnection, profile: Profile, batch_id: int, strict: bool,
           path: str) -> list[Reconciliation]:
    """Sum the slices per check and group, store them under `batch_id` and return them; with
    `strict`, the first mismatch refuses the file (its transaction rolls back). A group whose
    file states no figure (an absent total column) is not a check and is left out."""
    if not profile.reconcile:
        return []
    for check in profile.reconcile:
        con.execute(
            f"INSERT INTO reconciliations (batch_id, {_COLUMNS}) "
            "SELECT $b, check_name, $label, nullif(group_key, ''), any_value(currency), sum(expected), sum(got), "
            "sum(got) - sum(expected), $tol, CASE WHEN abs(sum(got) - sum(expected)) <= $tol THEN 'reconciled' "
            "ELSE 'mismatch' END, min(first_line), max(last_line), sum(line_count), sum(quarantined) "
            "FROM ak_recon WHERE check_name = $name GROUP BY check_name, group_key HAVING count(expected) > 0",
            {"b": batch_id, "label": check.label, "tol": check.tolerance, "name": check.name})
    found = stored(con, batch_id)
    bad = next((r for r in found if not r.ok), None)
    if strict and bad is not None:
        raise SourceError(f"the file's own total does not reconcile: {bad.describe()}; --strict refuses the file",
                          path=path, line=bad.first_line,
                          hint="check the profile's reading of this export (`assetkit platforms`), or import "
                               "without --strict to load it and keep the difference on record (`assetkit status`)")
    return found


def stored(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[Reconciliation]:
    """The reconciliations recorded for one batch, in check and group order."""
    rows = con.execute(f"SELECT {_COLUMNS} FROM reconciliations WHERE batch_id = ? "
                       "ORDER BY check_name, group_key NULLS FIRST", [batch_id]).fetchall()
    return [Reconciliation(*r) for r in rows]


def latest(con: duckdb.DuckDBPyConnection) -> list[FileReconciliation]:
    """The reconciliations of the latest import of each file's bytes (a re-import carries the
    same outcome: counting both would double it), differences first."""
    rows = con.execute(
        f"SELECT {_COLUMNS}, batch_id, file_name FROM reconciliations JOIN import_batches USING (batch_id) "
        "WHERE batch_id IN (SELECT max(batch_id) FROM import_batches GROUP BY sha256) "
        "ORDER BY status = 'reconciled', batch_id, check_name, group_key NULLS FIRST").fetchall()
    return [FileReconciliation(*r) for r in rows]


def copy(con: duckdb.DuckDBPyConnection, earlier: int, batch_id: int) -> list[Reconciliation]:
    """A re-import of the same bytes (engine._reuse) carries the earlier batch's outcome."""
    con.execute(f"INSERT INTO reconciliations (batch_id, {_COLUMNS}) SELECT ?, {_COLUMNS} FROM reconciliations "
                "WHERE batch_id = ?", [batch_id, earlier])
    return stored(con, batch_id)
