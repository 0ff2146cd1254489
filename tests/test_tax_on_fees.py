"""VAT on a platform's own fees: a cost by default, left out for a seller who reclaims it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetkit.analysis.tax_on_fees import apply_cost_settings
from assetkit.config import parse_config
from assetkit.errors import ConfigError
from assetkit.importers import import_file
from assetkit.store import open_store

STATEMENT = ("Date,Type,Title,Info,Currency,Amount,Fees & Taxes,Net,Tax Details\n"
             '"March 3, 2024",Fee,Transaction fee: Mug,Order #1,USD,--,-$6.50,-$6.50,--\n'
             '"March 3, 2024",VAT,VAT: transaction credit,Order #1,USD,--,-$1.30,-$1.30,--\n')


def _fee_total(con) -> float:
    return float(con.execute("SELECT sum(amount) FROM platform_fees").fetchone()[0])


def test_tax_on_fees_is_a_cost_unless_reclaimed(tmp_path: Path) -> None:
    path = tmp_path / "etsy_statement_2024_3.csv"
    path.write_text(STATEMENT, encoding="utf-8")
    with open_store(tmp_path / "a.duckdb") as store:
        result = import_file(store, path)
        assert (result.loaded, result.rejected) == (2, 0), result.rejects
        assert _fee_total(store.con) == pytest.approx(7.80)
        assert not apply_cost_settings(store.con, parse_config({}))
        assert _fee_total(store.con) == pytest.approx(7.80)
        assert apply_cost_settings(store.con, parse_config({"fees": {"reclaim_tax_on_fees": True}}))
        assert _fee_total(store.con) == pytest.approx(6.50)
        # the stored rows are untouched: the setting is a view on this connection only
        assert float(store.con.execute("SELECT sum(amount) FROM fees").fetchone()[0]) == pytest.approx(7.80)


def test_the_fees_command_follows_the_setting(cli, tmp_path: Path) -> None:
    import json

    statement = tmp_path / "etsy_statement_2024_3.csv"
    statement.write_text(STATEMENT, encoding="utf-8")
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,order_date,buyer_email,amount,currency,platform\n"
                      "1,2024-03-03,a@example.com,100,USD,etsy\n", encoding="utf-8")
    db = tmp_path / "a.duckdb"
    assert cli("--db", str(db), "import", str(statement), str(orders)).exit_code == 0
    counted = json.loads(cli("--db", str(db), "fees", "--format", "json").output)
    # the configuration next to the database is the one a run reads
    (tmp_path / "assetkit.yaml").write_text("fees:\n  reclaim_tax_on_fees: true\n", encoding="utf-8")
    reclaimed = json.loads(cli("--db", str(db), "fees", "--format", "json").output)
    assert counted["platforms"][0]["platform_cost"] == pytest.approx(7.80)
    assert reclaimed["platforms"][0]["platform_cost"] == pytest.approx(6.50)


def test_the_setting_must_be_true_or_false() -> None:
    with pytest.raises(ConfigError, match="reclaim_tax_on_fees"):
        parse_config({"fees": {"reclaim_tax_on_fees": "yes"}})
