"""Import the analytics and RFQ sample files and dump the canonical rows, for the golden tests.

Regenerate the golden file after a deliberate profile change with
    pytest --regen tests/test_site_signals.py
and review the diff: every value in it was checked by hand against the sample files.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import paths

DATA = paths.DATA / "analytics"
GOLDEN = DATA / "golden"
QUERIES = {
    "visits": "SELECT visit_id, site, CAST(visit_date AS VARCHAR) AS visit_date, page, source, country, visitors, "
              "pageviews, events, source_line FROM visits ORDER BY visit_id",
    "inquiries": "SELECT inquiry_id, platform, channel, source_inquiry_id, CAST(received_at AS VARCHAR) AS received_at, "
                 "inquiry_type, product, CAST(quantity AS DOUBLE) AS quantity, unit, subject, message, country, page, "
                 "(SELECT email FROM buyers b WHERE b.buyer_id = i.buyer_id) AS buyer_email FROM inquiries i "
                 "ORDER BY inquiry_id",
    "buyers": "SELECT name, company, email, phone, country FROM buyers ORDER BY email",
}


def import_samples(db: Path) -> dict[str, object]:
    from assetkit.importers.engine import import_paths
    from assetkit.store import open_store

    with open_store(db) as store:
        results = import_paths(store, sorted(p for p in DATA.iterdir() if p.is_file()))
        out: dict[str, object] = {"files": {Path(r.path).name: {"profile": r.profile, "loaded": r.loaded,
                                                                  "rejected": r.rejected, "error": r.error}
                                            for r in results}}
        for name, sql in QUERIES.items():
            cur = store.con.execute(sql)
            cols = [d[0] for d in cur.description]
            out[name] = [dict(zip(cols, row)) for row in cur.fetchall()]
    return out

