"""The report's "Data provenance" section: which files and batches, what was quarantined, FX policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetkit.export.report.model import Section, Table
from assetkit.importers.fx import unconverted_rows
from assetkit.importers.reconcile import latest

if TYPE_CHECKING:
    import duckdb


def provenance_section(con: duckdb.DuckDBPyConnection) -> Section:
    batches = con.execute(
        "SELECT batch_id, file_name, platform, kind, substr(sha256, 1, 12), rows_read, rows_loaded, "
        "rows_duplicate, rows_rejected, coalesce(c.rows_skipped, 0), strftime(finished_at, '%Y-%m-%d %H:%M') "
        "FROM import_batches LEFT JOIN import_batch_counts c USING (batch_id) ORDER BY batch_id"
    ).fetchall()
    reasons = con.execute(
        "SELECT b.file_name, r.reason, count(*) FROM rejects r JOIN import_batches b USING (batch_id) "
        "GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT 50"
    ).fetchall()
    fx = con.execute(
        "SELECT source, count(DISTINCT currency), min(rate_date), max(rate_date) FROM fx_rates GROUP BY 1 ORDER BY 1"
    ).fetchall()
    unconverted = unconverted_rows(con)
    # The files' own totals (importers/reconcile.py), for the latest import of each file's bytes.
    checks = latest(con)
    mismatched = sum(not c.ok for c in checks)
    totals = [sum(int(b[i]) for b in batches) for i in (5, 6, 7, 8, 9)]
    section = Section(
        key="provenance",
        title="Data provenance",
        takeaway=(f"{len(batches)} files imported: {totals[0]:,} rows read = {totals[1]:,} loaded + "
                  f"{totals[2]:,} duplicates + {totals[3]:,} quarantined + {totals[4]:,} skipped as structural."),
        data={"batches": len(batches), "rows_read": totals[0], "rows_loaded": totals[1],
              "rows_duplicate": totals[2], "rows_rejected": totals[3], "rows_skipped": totals[4],
              "rows_without_fx": int(unconverted), "totals_checked": len(checks),
              "totals_mismatched": mismatched},
    )
    if checks:
        section.takeaway += (f" {len(checks) - mismatched} of {len(checks)} totals the files state about "
                             "themselves reconcile with what was read"
                             + (f"; {mismatched} differ (table below)." if mismatched else "."))
    section.paragraphs.append(
        "Amounts are kept in their original currency and converted to the reporting currency with the "
        "ECB reference rate of the transaction date (or the nearest earlier published date). "
        + (f"{int(unconverted):,} money rows have no rate yet and are left out of converted totals."
           if unconverted else "Every money row has a rate.")
    )
    section.tables.append(Table(
        "Imported files", ["batch", "file", "platform", "kind", "sha256", "read", "loaded", "duplicates",
                           "quarantined", "skipped", "imported at"],
        [list(b) for b in batches], numeric=[True, False, False, False, False, True, True, True, True, True, False],
        note="Skipped rows carry nothing to store by the profile's rules (a settlement's summary row, a transfer "
             "to the bank); see docs/importing.md."))
    if checks:
        section.tables.append(Table(
            "Reconciliation with the files' own totals", ["file", "total", "group", "currency", "the file says",
                                                          "assetkit read", "difference", "outcome", "lines"],
            [[c.file_name, c.label, c.group_key or "", c.currency, float(c.expected), float(c.got), float(c.difference),
              c.status, f"{c.first_line}–{c.last_line}"] for c in checks],
            numeric=[False, False, False, False, True, True, True, False, False],
            note="A settlement's total-amount, a Net column, a running balance: rebuilt from the orders, refunds and "
                 "fees stored plus what the profile leaves out on purpose (payouts, withheld tax). A difference "
                 "means money read wrongly or quarantined; `assetkit import --strict` refuses such a file."))
    if reasons:
        section.tables.append(Table("Quarantined rows by reason (see `assetkit rejects`)",
                                    ["file", "reason", "rows"], [list(r) for r in reasons],
                                    numeric=[False, False, True]))
    if fx:
        section.tables.append(Table("Exchange rates held", ["source", "currencies", "from", "to"],
                                    [list(r) for r in fx], numeric=[False, True, False, False]))
    return section
