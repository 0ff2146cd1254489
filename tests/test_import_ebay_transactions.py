"""eBay Seller Hub transaction report: an export imports to the totals eBay's own arithmetic
gives, computed here independently with the csv module (not assetkit's code).

The fixture has the exact header and cell conventions of a real 2022 US report (`--` for empty,
`Mon D, YYYY` dates, charges negative, one payout per group of rows): every row type (Order,
Refund, Other fee, Shipping label, Payout, Transfer, Hold), a partial and a full refund, and
rows paid out after the report's last day. Its rows are invented; the real report the profile
was checked against is not shipped (docs/platforms.md has its figures).
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

REAL = Path(__file__).parent / "data" / "exports" / "ebay_transaction_report.csv"
FEE_COLUMNS = ("Final Value Fee - fixed", "Final Value Fee - variable", 'Very high "item not as described" fee',
               "Below standard performance fee", "International fee", "Deposit processing fee")
MONEY_MOVES = ("Payout", "Transfer", "Hold")


def _d(text: str) -> Decimal:
    return Decimal(0) if text.strip() in ("", "--") else Decimal(text)


def golden(path: Path) -> dict:
    """eBay's arithmetic over the raw rows: an order's gross is Item subtotal + Shipping and
    handling of its Order row (taxes are columns of their own); a Refund's negative gross is
    what went back; fees are the fee columns of Order/Refund rows plus every Other fee and
    Shipping label row, charges negative in the file."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    orders = {r["Order number"]: r for r in rows if r["Type"] == "Order"}
    refunded: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r["Type"] in ("Refund", "Claim"):
            refunded[r["Order number"]] += -_d(r["Gross transaction amount"])
    gross = {o: _d(r["Item subtotal"]) + _d(r["Shipping and handling"]) for o, r in orders.items()}
    fees: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r["Type"] in ("Order", "Refund", "Claim"):
            fees[r["Transaction currency"]] -= sum((_d(r[c]) for c in FEE_COLUMNS), Decimal(0))
        elif r["Type"] in ("Other fee", "Shipping label"):
            fees[r["Transaction currency"]] -= _d(r["Net amount"])
    return {
        "rows": len(rows),
        "types": Counter(r["Type"] for r in rows),
        "orders": len(orders),
        "completed": sum(1 for o in orders if refunded[o] < gross[o]),
        "gross": sum(gross.values(), Decimal(0)),
        "refunded": sum(refunded.values(), Decimal(0)),
        "tax": sum((_d(r["eBay collected tax"]) + _d(r["Seller collected tax"]) for r in orders.values()), Decimal(0)),
        "fees": dict(fees),
        "buyers": len({r["Buyer username"] for r in orders.values()}),
    }


def test_the_independent_figures_are_the_ones_documented() -> None:
    """The golden figures themselves (docs/platforms.md quotes them), and the file's own
    checksum: per payout, the rows' Net amounts add up to minus the payout."""
    g = golden(REAL)
    assert g["rows"] == 14
    assert g["orders"] == 4
    assert g["completed"] == 3
    assert (g["gross"], g["refunded"], g["tax"]) == (Decimal("94.48"), Decimal("32.98"), Decimal("4.7"))
    assert g["fees"] == {"USD": Decimal("21.26")}
    with REAL.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    paid, payout = defaultdict(Decimal), {}
    for r in rows:
        if r["Type"] == "Payout":
            payout[r["Payout ID"]] = _d(r["Net amount"])
        else:
            paid[r["Payout ID"]] += _d(r["Net amount"])
    assert len(payout) == 2
    assert all(paid[p] == -amount for p, amount in payout.items())
    # Rows paid out after the report's last day (a payout the file does not contain).
    assert {p: v for p, v in paid.items() if p not in payout and p != "--"} == {"9000000009": Decimal("9.09")}


@pytest.mark.parametrize("fast", [False, True], ids=["python-path", "fast-path"])
def test_real_report_imports_to_ebays_own_totals(fast: bool, tmp_path: Path) -> None:
    from assetkit.importers import import_paths
    from assetkit.store import open_store

    g = golden(REAL)
    with open_store(tmp_path / "e.duckdb") as store:
        (result,) = import_paths(store, [REAL], fast_min_bytes=0 if fast else 1 << 40)
        assert result.error is None
        assert result.profile == "ebay_transactions"
        # Every row accounted for: orders (their Order and Refund rows), fees, money moves skipped.
        skipped = sum(g["types"][t] for t in MONEY_MOVES)
        assert (result.rows_read, result.rejected, result.skipped) == (g["rows"], 0, skipped)
        assert result.loaded + result.duplicate == g["rows"] - skipped
        orders = store.con.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'completed'), sum(gross_amount), "
            "sum(refunded_amount), sum(tax_amount), count(DISTINCT buyer_id), min(currency), max(currency) "
            "FROM orders").fetchone()
        assert orders == (g["orders"], g["completed"], g["gross"], g["refunded"], g["tax"], g["buyers"], "USD", "USD")
        fees = dict(store.con.execute("SELECT currency, sum(amount) FROM fees GROUP BY currency").fetchall())
        assert fees == g["fees"]
        # Ad fees and labels stay tied to their order; a refund's fee credit is a negative fee.
        assert store.con.execute("SELECT count(*) FROM fees WHERE order_id IS NOT NULL AND order_id NOT IN "
                                 "(SELECT order_id FROM orders)").fetchone()[0] == 0
        by_type = dict(store.con.execute("SELECT fee_type, sum(amount) FROM fees GROUP BY 1").fetchall())
        assert by_type == {"commission": Decimal("9.08"), "advertising": Decimal("1.58"),
                           "fulfilment": Decimal("10.60")}
        again = import_paths(store, [REAL], fast_min_bytes=0 if fast else 1 << 40)[0]
        assert again.loaded == 0
        assert again.duplicate == result.loaded + result.duplicate
        assert store.con.execute("SELECT count(*) FROM orders").fetchone()[0] == g["orders"]


def test_a_refund_adjusts_its_order_instead_of_adding_one(tmp_path: Path) -> None:
    from assetkit.importers import import_paths
    from assetkit.store import open_store

    with open_store(tmp_path / "e.duckdb") as store:
        import_paths(store, [REAL])
        rows = store.con.execute(
            "SELECT source_order_id, status, gross_amount, refunded_amount FROM orders "
            "WHERE refunded_amount > 0 ORDER BY 1").fetchall()
    assert rows == [("03-00000-00002", "completed", Decimal("40"), Decimal("15")),
                    ("03-00000-00003", "refunded", Decimal("17.98"), Decimal("17.98"))]


def test_newer_download_with_report_lines_and_creation_date(tmp_path: Path) -> None:
    """Newer downloads print report lines above the header and name the date column
    `Transaction creation date`: same rows, same totals."""
    from assetkit.importers import import_paths
    from assetkit.store import open_store

    text = REAL.read_text(encoding="utf-8").replace("Transaction date,", "Transaction creation date,", 1)
    newer = tmp_path / "Transaction_report.csv"
    newer.write_text('"Transaction report"\n"Start date","Jan 1, 2022"\n"End date","Jan 31, 2023"\n\n' + text,
                     encoding="utf-8")
    with open_store(tmp_path / "e.duckdb") as store:
        (result,) = import_paths(store, [newer])
        assert (result.profile, result.rejected) == ("ebay_transactions", 0)
        gross = store.con.execute("SELECT sum(gross_amount) FROM orders").fetchone()[0]
    assert gross == golden(REAL)["gross"]


def test_cli_import_recognises_the_report(cli) -> None:
    done = cli("import", str(REAL), "--format", "json")
    assert done.exit_code == 0, done.output
    (f,) = json.loads(done.stdout)["files"]
    assert (f["profile"], f["platform"], f["rejected"]) == ("ebay_transactions", "ebay", 0)


@pytest.mark.parametrize("fast", [False, True], ids=["python-path", "fast-path"])
def test_an_order_row_without_its_order_number_is_quarantined_not_fatal(fast: bool, tmp_path: Path) -> None:
    """The fee outputs are keyed on the order number: a row whose key is NULL failed the whole
    file on the id's NOT NULL (`internal error`); it is quarantined alone and the rest loads."""
    from assetkit.importers import import_paths
    from assetkit.store import open_store

    head, *body = REAL.read_text(encoding="utf-8").split("\n")
    damaged = [line.replace(",Order,03-00000-00004,", ",Order,--,") for line in body]
    (index,) = [i for i, (a, b) in enumerate(zip(body, damaged)) if a != b]
    path = tmp_path / "damaged.csv"
    path.write_text("\n".join([head, *damaged]), encoding="utf-8")
    with open_store(tmp_path / "e.duckdb") as store:
        (result,) = import_paths(store, [path], fast_min_bytes=0 if fast else 1 << 40)
        assert result.error is None
        assert result.rejected == 1
        assert result.rows_read == result.loaded + result.duplicate + result.rejected + result.skipped
        ((line, reason),) = store.con.execute("SELECT line, reason FROM rejects").fetchall()
        orders = store.con.execute("SELECT count(*) FROM orders").fetchone()[0]
    assert line == index + 2  # the header is line 1
    assert re.fullmatch(r"no value for (orders\.order_id|fees\.fee_id) after mapping", reason)
    assert orders == golden(REAL)["orders"] - 1


def test_a_refund_in_a_later_file_reaches_its_order(tmp_path: Path) -> None:
    """The partial refund of 03-00000-00002 alone in a second file: a refund record that sets
    its stored order's refunded amount, not a reject and not an extra order."""
    from assetkit.importers import import_paths
    from assetkit.store import open_store

    head, *body = REAL.read_text(encoding="utf-8").split("\n")
    late = [line for line in body if "03-00000-00002" in line and ",Refund," in line]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("\n".join([head, *(line for line in body if line not in late)]), encoding="utf-8")
    second.write_text("\n".join([head, *late]), encoding="utf-8")
    with open_store(tmp_path / "e.duckdb") as store:
        results = import_paths(store, [first, second])
        assert [(r.rejected, r.error) for r in results] == [(0, None), (0, None)]
        assert results[1].loaded == 1
        orders = store.con.execute("SELECT count(*), sum(refunded_amount) FROM orders").fetchone()
    assert orders == (golden(REAL)["orders"], golden(REAL)["refunded"])
