"""VAT/GST that platforms charge on their own fees: a cost unless the seller reclaims it.

Etsy bills VAT on its fees (`VAT` statement rows), Amazon.ca GST/HST on its fees; importers
store these as fee_type `fee_vat`. For a seller without a VAT number it is money gone, so it
counts as platform cost by default. A VAT-registered seller gets it back from the tax office:
with `fees: {reclaim_tax_on_fees: true}` in assetkit.yaml every analysis leaves it out. The
setting acts on the connection, not on the data: a temporary `platform_fees` view (the one
every analysis reads) shadows the stored one for this session, so the database stays as
imported and the choice can be changed at any time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

TAX_ON_FEES = "fee_vat"


def apply_cost_settings(con: duckdb.DuckDBPyConnection, config: Config | None) -> bool:
    """Shadow `platform_fees` without the tax on fees when the config reclaims it; True if so."""
    if config is None or not config.reclaim_tax_on_fees:
        return False
    catalog = scalar(con, "SELECT current_database()").replace('"', '""')
    con.execute(f'CREATE OR REPLACE TEMP VIEW platform_fees AS SELECT * FROM "{catalog}".main.platform_fees '
                f"WHERE fee_type IS DISTINCT FROM '{TAX_ON_FEES}'")
    return True
