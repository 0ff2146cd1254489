"""The ordered schema migrations of the assetkit database.

The database is the seller's own asset and its schema is a public interface (people open it
with the DuckDB CLI, DBeaver or a BI tool), so columns are added, never renamed. Each
migration is a named list of statements; `schema_migrations` records which ran. A test
migrates an empty database and pins every column and type (tests/test_store_schema.py).

Conventions: money is DECIMAL(18,4) in the row's own `currency`, with a `*_rc` twin in the
reporting currency and the FX rate/date used; timestamps are TIMESTAMPTZ (a source without
an offset is read in the platform's documented zone, e.g. Asia/Kolkata for IndiaMART);
every imported row carries `batch_id` and `source_line` (1-based physical line in the file,
or the element index for JSON).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


MONEY = "DECIMAL(18,4)"
RATE = "DECIMAL(18,8)"

_CORE = (
    """CREATE SEQUENCE IF NOT EXISTS batch_id_seq START 1""",
    """CREATE TABLE import_batches (
        batch_id BIGINT PRIMARY KEY,
        source_path VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        platform VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        profile VARCHAR NOT NULL,
        encoding VARCHAR,
        rows_read INTEGER NOT NULL,
        rows_loaded INTEGER NOT NULL,
        rows_duplicate INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ NOT NULL,
        assetkit_version VARCHAR NOT NULL
    )""",
    """CREATE TABLE buyers (
        buyer_id VARCHAR PRIMARY KEY,
        name VARCHAR,
        company VARCHAR,
        email VARCHAR,
        phone VARCHAR,
        country VARCHAR,
        first_seen_at TIMESTAMPTZ,
        first_channel VARCHAR,
        first_platform VARCHAR,
        batch_id BIGINT
    )""",
    """CREATE TABLE buyer_identities (
        platform VARCHAR NOT NULL,
        platform_ref VARCHAR NOT NULL,
        buyer_id VARCHAR NOT NULL,
        email_norm VARCHAR,
        batch_id BIGINT,
        PRIMARY KEY (platform, platform_ref)
    )""",
    f"""CREATE TABLE orders (
        order_id VARCHAR PRIMARY KEY,
        platform VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,
        source_order_id VARCHAR NOT NULL,
        buyer_id VARCHAR,
        ordered_at TIMESTAMPTZ NOT NULL,
        status VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        gross_amount {MONEY} NOT NULL,
        refunded_amount {MONEY} NOT NULL DEFAULT 0,
        tax_amount {MONEY},
        shipping_amount {MONEY},
        discount_amount {MONEY},
        gross_amount_rc {MONEY},
        refunded_amount_rc {MONEY},
        fx_rate {RATE},
        fx_date DATE,
        quantity DECIMAL(18,3),
        product VARCHAR,
        country VARCHAR,
        batch_id BIGINT NOT NULL,
        source_line INTEGER NOT NULL
    )""",
    f"""CREATE TABLE order_items (
        order_id VARCHAR NOT NULL,
        line_no INTEGER NOT NULL,
        sku VARCHAR,
        product VARCHAR,
        quantity DECIMAL(18,3),
        unit_price {MONEY},
        amount {MONEY},
        currency VARCHAR,
        batch_id BIGINT NOT NULL,
        source_line INTEGER NOT NULL,
        PRIMARY KEY (order_id, line_no)
    )""",
    f"""CREATE TABLE fees (
        fee_id VARCHAR PRIMARY KEY,
        platform VARCHAR NOT NULL,
        incurred_at TIMESTAMPTZ NOT NULL,
        fee_type VARCHAR NOT NULL,
        description VARCHAR,
        currency VARCHAR NOT NULL,
        amount {MONEY} NOT NULL,
        amount_rc {MONEY},
        fx_rate {RATE},
        fx_date DATE,
        order_id VARCHAR,
        batch_id BIGINT NOT NULL,
        source_line INTEGER NOT NULL
    )""",
    f"""CREATE TABLE spend (
        spend_id VARCHAR PRIMARY KEY,
        channel VARCHAR NOT NULL,
        platform VARCHAR,
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        description VARCHAR,
        currency VARCHAR NOT NULL,
        amount {MONEY} NOT NULL,
        amount_rc {MONEY},
        fx_rate {RATE},
        fx_date DATE,
        batch_id BIGINT NOT NULL,
        source_line INTEGER NOT NULL
    )""",
    """CREATE TABLE inquiries (
        inquiry_id VARCHAR PRIMARY KEY,
        platform VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,
        source_inquiry_id VARCHAR NOT NULL,
        buyer_id VARCHAR,
        received_at TIMESTAMPTZ NOT NULL,
        inquiry_type VARCHAR,
        product VARCHAR,
        quantity DECIMAL(18,3),
        unit VARCHAR,
        subject VARCHAR,
        message VARCHAR,
        country VARCHAR,
        first_response_at TIMESTAMPTZ,
        batch_id BIGINT NOT NULL,
        source_line INTEGER NOT NULL
    )""",
    f"""CREATE TABLE products (
        product_id VARCHAR PRIMARY KEY,
        sku VARCHAR,
        name VARCHAR NOT NULL,
        category VARCHAR,
        description VARCHAR,
        specs VARCHAR,
        moq DECIMAL(18,3),
        moq_unit VARCHAR,
        lead_time_days INTEGER,
        price {MONEY},
        currency VARCHAR,
        image_url VARCHAR,
        platform VARCHAR,
        batch_id BIGINT NOT NULL,
        source_line INTEGER NOT NULL
    )""",
    """CREATE TABLE visits (
        visit_id VARCHAR PRIMARY KEY,
        site VARCHAR,
        visit_date DATE NOT NULL,
        page VARCHAR,
        source VARCHAR,
        country VARCHAR,
        visitors INTEGER,
        pageviews INTEGER,
        events INTEGER,
        batch_id BIGINT NOT NULL,
        source_line INTEGER NOT NULL
    )""",
    f"""CREATE TABLE fx_rates (
        rate_date DATE NOT NULL,
        currency VARCHAR NOT NULL,
        per_eur {RATE} NOT NULL,
        source VARCHAR NOT NULL,
        PRIMARY KEY (rate_date, currency)
    )""",
    """CREATE TABLE rejects (
        batch_id BIGINT NOT NULL,
        line INTEGER NOT NULL,
        column_name VARCHAR,
        raw VARCHAR,
        reason VARCHAR NOT NULL,
        PRIMARY KEY (batch_id, line)
    )""",
)

# v2 (importers): the counting invariant needs the rows a profile declares structural
# (summary rows, transfers: rows_read = loaded + duplicate + rejected + skipped) and how
# many money rows found no FX rate. A side table, so positional INSERTs into
# import_batches written against v1 keep working.
_IMPORT_COUNTS = (
    """CREATE TABLE import_batch_counts (
        batch_id BIGINT PRIMARY KEY,
        rows_skipped INTEGER NOT NULL,
        fx_missing INTEGER NOT NULL
    )""",
)

# v3 (actions): what the seller has done about follow-ups, and the saved migration plan with
# its measurable targets, so progress is tracked across months (docs/follow-ups.md, docs/plan.md);
# and the own-site page an inquiry was sent from (RFQ forms), for docs/site-signals.md.
_ACTIONS = (
    """ALTER TABLE inquiries ADD COLUMN page VARCHAR""",
    """CREATE TABLE actions_done (
        action_id VARCHAR PRIMARY KEY,
        rule VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        buyer_id VARCHAR,
        done_at TIMESTAMPTZ NOT NULL,
        note VARCHAR
    )""",
    """CREATE SEQUENCE IF NOT EXISTS plan_id_seq START 1""",
    f"""CREATE TABLE plans (
        plan_id BIGINT PRIMARY KEY,
        created_at TIMESTAMPTZ NOT NULL,
        start_date DATE NOT NULL,
        baseline_as_of DATE NOT NULL,
        shift DOUBLE NOT NULL,
        currency VARCHAR NOT NULL,
        budget_to_move_per_month {MONEY},
        document VARCHAR NOT NULL
    )""",
    """CREATE TABLE plan_targets (
        plan_id BIGINT NOT NULL,
        phase VARCHAR NOT NULL,
        metric VARCHAR NOT NULL,
        due_date DATE NOT NULL,
        direction VARCHAR NOT NULL,
        baseline DOUBLE,
        target DOUBLE NOT NULL,
        PRIMARY KEY (plan_id, phase, metric)
    )""",
)

# v4 (importer at 10M rows): the imported data tables lose their DuckDB PRIMARY KEY. Their ids
# stay unique — the importer inserts only ids that are neither stored nor earlier in the file
# (loading.insert), and `assetkit db check` proves it — but a key index cannot spill: at 10M
# orders plus 10M fee rows the two indexes alone outgrew the import's memory cap, and
# they cost ~1.2 s per million rows. Recreated with the same columns in the same order
# (DuckDB cannot drop a primary key in place).
KEYLESS_TABLES = ("orders", "order_items", "fees", "spend", "inquiries", "products", "visits")


def _keyless(table: str) -> tuple[str, ...]:
    ddl = next(d for d in _CORE if d.startswith(f"CREATE TABLE {table} ("))
    ddl = ddl.replace(f"CREATE TABLE {table} (", f"CREATE TABLE {table}__v4 (", 1)
    ddl = re.sub(r"(\w+ VARCHAR) PRIMARY KEY,", r"\1 NOT NULL,", ddl)
    ddl = re.sub(r",\s*PRIMARY KEY \([^)]*\)", "", ddl)
    if table == "inquiries":  # v3 added `page` at the end
        ddl = ddl.rstrip().removesuffix(")").rstrip() + ",\n        page VARCHAR\n    )"
    assert "PRIMARY KEY" not in ddl, table
    return (ddl, f"INSERT INTO {table}__v4 SELECT * FROM {table}", f"DROP TABLE {table}",
            f"ALTER TABLE {table}__v4 RENAME TO {table}")


_KEYLESS = tuple(statement for table in KEYLESS_TABLES for statement in _keyless(table))

# v6 (issue 16, real exports): one record per money movement, never counted twice.
# - `refunds`: a refund an export reports apart from its order (Amazon settlement rows) is a
#   record of its own, never an extra order row (which `fees` counted as an order). The
#   importer sets the order's `refunded_amount` (and `refunded` status when full) from it,
#   whichever file arrives first.
# - `fees.copy_of`: a fee row that copies what another export (the ledger) records: Etsy Sold
#   Orders' `Card Processing Fees` copy the statement's `Processing fee` rows. It names the
#   ledger; NULL for ledger rows.
# - `platform_fees`: THE platform cost, what every analysis reads: all fees except copies
#   whose order already has a ledger fee of the same type. Order-of-import and re-import safe
#   because it is computed, not stored.
_REFUNDS_AND_COPIES = (
    f"""CREATE TABLE refunds (
        refund_id VARCHAR NOT NULL,
        platform VARCHAR NOT NULL,
        order_id VARCHAR NOT NULL,
        refunded_at TIMESTAMPTZ NOT NULL,
        currency VARCHAR NOT NULL,
        amount {MONEY} NOT NULL,
        amount_rc {MONEY},
        fx_rate {RATE},
        fx_date DATE,
        description VARCHAR,
        batch_id BIGINT NOT NULL,
        source_line INTEGER NOT NULL
    )""",
    "ALTER TABLE fees ADD COLUMN copy_of VARCHAR",
    # Written as ledger rows UNION the copies no ledger row supersedes, the anti join built on
    # the (few) copies: with an EXISTS over every row, reading the view cost 50x reading
    # `fees` at 3M rows even without any copy (measured: 2.0 s vs 0.04 s; now 0.045 s).
    """CREATE VIEW platform_fees AS
    WITH copies AS (SELECT * FROM fees WHERE copy_of IS NOT NULL),
    ledger AS (SELECT DISTINCT l.platform, l.order_id, l.fee_type FROM fees l SEMI JOIN copies c
               ON l.order_id = c.order_id AND l.platform = c.platform AND l.fee_type = c.fee_type
               WHERE l.copy_of IS NULL)
    SELECT * FROM fees WHERE copy_of IS NULL
    UNION ALL
    SELECT c.* FROM copies c ANTI JOIN ledger l
        ON l.order_id = c.order_id AND l.platform = c.platform AND l.fee_type = c.fee_type""")

# v8 (issue 16, plausibility): what an import loaded but found implausible (dates decades apart in
# one file, every order refunded, fees above the revenue, double-encoded names), one row per
# finding with its file line, so a warning is never only a line on a terminal that scrolled away.
_IMPORT_WARNINGS = (
    """CREATE TABLE import_warnings (
        batch_id BIGINT NOT NULL,
        check_name VARCHAR NOT NULL,
        line INTEGER,
        column_name VARCHAR,
        value VARCHAR,
        message VARCHAR NOT NULL
    )""",
)

# v9: what each file says about its own money (a settlement's total-amount, Net columns, a
# running balance, Subtotal + Shipping) against what assetkit read from it: one row per
# check and group (a settlement, a currency), reconciled or the difference (reconcile.py).
_RECONCILIATIONS = (
    """CREATE TABLE reconciliations (
        batch_id BIGINT NOT NULL,
        check_name VARCHAR NOT NULL,
        label VARCHAR NOT NULL,
        group_key VARCHAR,
        currency VARCHAR,
        expected DECIMAL(18,4),
        got DECIMAL(18,4),
        difference DECIMAL(18,4),
        tolerance DECIMAL(18,4) NOT NULL,
        status VARCHAR NOT NULL,
        first_line INTEGER,
        last_line INTEGER,
        line_count BIGINT NOT NULL,
        quarantined BIGINT NOT NULL
    )""",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "canonical tables", _CORE),
    Migration(2, "import batch skipped rows and missing FX count", _IMPORT_COUNTS),
    Migration(3, "follow-up actions done, plans and plan targets", _ACTIONS),
    Migration(4, "imported data tables without primary key indexes", _KEYLESS),
    Migration(6, "refund records, fee copies and the platform_fees view", _REFUNDS_AND_COPIES),
    # v7 (ecosystem): COMMENT ON every table and column from schema_docs.yaml, the source of
    # docs/schema.md. No statements of its own: migrate() (re)applies the comments after every
    # migration that runs, so columns added by later migrations get theirs as well.
    Migration(7, "table and column comments from the schema reference", ()),
    Migration(8, "import plausibility warnings", _IMPORT_WARNINGS),
    Migration(9, "import reconciliation against each file's own totals", _RECONCILIATIONS),
)
