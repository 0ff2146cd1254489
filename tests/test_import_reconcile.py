"""Reconciliation at import (issue 16): each export's own totals against what was read.

The expected figures here come from the files themselves with the csv module and the
platform's documented arithmetic, never from assetkit's code; a sign error made on purpose
in a profile must show as a difference, and --strict must refuse it.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from assetkit.errors import ConfigError, SourceError
from assetkit.importers import import_file, import_paths, registry, selection
from assetkit.store import open_store

HERE = Path(__file__).parent
SAMPLES, EXPORTS = HERE / "samples", HERE / "data" / "exports"


def _money(text: str | None) -> Decimal:
    """`-$3.15`, `£39.99`, `1,250.00`, `--` (nothing) as the statements write them."""
    text = (text or "").strip()
    if text in ("", "--", "-"):
        return Decimal(0)
    sign = -1 if text.startswith("-") else 1
    return sign * Decimal(text.lstrip("-").lstrip("$£€").replace(",", ""))


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def settlement_total(path: Path) -> Decimal:
    return sum((_money(r["total-amount"]) for r in _rows(path, "\t")), Decimal(0))


def column_sum(column: str):
    return lambda path: sum((_money(r[column]) for r in _rows(path)), Decimal(0))


def balance_change(path: Path) -> Decimal:
    """Oldest row's balance before it to the newest row's after it (files list oldest first here)."""
    rows = _rows(path)
    balance = next(c for c in rows[0] if "alance" in c)
    amount = next(c for c in rows[0] if c in ("Amount", "Amount $"))
    return _money(rows[-1][balance]) - (_money(rows[0][balance]) - _money(rows[0][amount]))


def shopify_revenue(path: Path) -> Decimal:
    """Subtotal + Shipping of each order's first line, less Taxes where Total shows they are in the prices."""
    total = Decimal(0)
    for r in _rows(path):
        if not r["Total"]:
            continue
        sub, ship, tax, tot = (_money(r[c]) for c in ("Subtotal", "Shipping", "Taxes", "Total"))
        total += sub + ship - (tax if tax > 0 and tot < sub + ship + tax else 0)
    return total


CASES = [
    (SAMPLES / "amazon_settlement_v1.tsv", "settlement_total", settlement_total),
    (SAMPLES / "amazon_settlement_v2.tsv", "settlement_total", settlement_total),
    (EXPORTS / "ebay_transaction_report.csv", "net_amount", column_sum("Net amount")),
    (SAMPLES / "etsy_sold_orders.csv", "order_net", column_sum("Order Net")),
    (EXPORTS / "EtsySoldOrders2025-12.csv", "order_net", column_sum("Order Net")),
    (EXPORTS / "etsy_statement_2023_3_uk.csv", "statement_net", column_sum("Net")),
    (EXPORTS / "etsy_statement_2025_12.csv", "statement_net", column_sum("Net")),
    (SAMPLES / "upwork_transactions_legacy.csv", "running_balance", balance_change),
    (EXPORTS / "upwork_transactions_connects.csv", "running_balance", balance_change),
    (EXPORTS / "shopify_orders_2021_cancelled_refunded.csv", "subtotal_shipping", shopify_revenue),
    (EXPORTS / "shopify_orders_2023_tip.csv", "subtotal_shipping", shopify_revenue),
]


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "r.duckdb") as s:
        yield s


@pytest.mark.parametrize(("path", "check", "own_total"), CASES, ids=[c[0].name for c in CASES])
def test_each_export_reconciles_with_its_own_total(store, path: Path, check: str, own_total) -> None:
    result = import_file(store, path)
    (found,) = result.reconciliations
    assert found.check_name == check
    assert found.expected == own_total(path)
    assert found.status == "reconciled", found.describe()
    assert abs(found.difference) <= Decimal("0.01")
    assert store.query("SELECT count(*), min(status) FROM reconciliations WHERE batch_id = ?",
                       [result.batch_id]) == [(1, "reconciled")]


def test_a_settlement_with_a_mistyped_total_is_a_mismatch_naming_its_lines(store, tmp_path: Path) -> None:
    text = (SAMPLES / "amazon_settlement_v2.tsv").read_text(encoding="utf-8").replace("\t0.35\t", "\t10.35\t", 1)
    (tmp_path / "s.tsv").write_text(text, encoding="utf-8")
    (found,) = import_file(store, tmp_path / "s.tsv").reconciliations
    assert (found.status, found.expected, found.got, found.difference) == ("mismatch", Decimal("10.35"),
                                                                           Decimal("0.35"), Decimal("-10"))
    assert (found.group_key, found.currency, found.first_line, found.last_line) == ("11223344551", "USD", 2, 9)
    assert "MISMATCH" in found.describe()
    assert "-10.00" in found.describe()


def _flip_fee_signs(monkeypatch, name: str) -> None:
    """The mistake reconciliation exists to catch: a profile storing every fee with the wrong sign."""
    profiles = []
    for p in registry.builtin_profiles():
        if p.name == name:
            outputs = tuple(dataclasses.replace(o, values={**o.values, "amount": f"-({o.values['amount']})"})
                            if o.table == "fees" else o for o in p.outputs)
            p = dataclasses.replace(p, outputs=outputs)
        profiles.append(p)
    monkeypatch.setattr(selection, "builtin_profiles", lambda: tuple(profiles))


@pytest.mark.parametrize(("path", "fees"), [(EXPORTS / "ebay_transaction_report.csv", None),
                                            (SAMPLES / "amazon_settlement_v2.tsv", None),
                                            (EXPORTS / "etsy_statement_2025_12.csv", None),
                                            (SAMPLES / "upwork_transactions_v3.csv", None)],
                         ids=lambda v: getattr(v, "name", ""))
def test_a_fee_sign_error_in_a_profile_shows_as_twice_the_fees(store, monkeypatch, path: Path, fees) -> None:
    with open_store(store.path.parent / "right.duckdb") as right:
        correct = import_file(right, path)
        stored_fees = right.query("SELECT sum(amount) FROM fees")[0][0]
    _flip_fee_signs(monkeypatch, correct.profile)
    (found,) = import_file(store, path).reconciliations
    assert found.status == "mismatch"
    assert found.difference == 2 * stored_fees  # each fee now adds what it should take away


def test_a_quarantined_row_is_a_difference_that_says_so(store, tmp_path: Path) -> None:
    rows = (EXPORTS / "EtsySoldOrders2025-12.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    rows[2] = rows[2].replace("12/05/25", "not a date", 1)
    (tmp_path / "e.csv").write_text("".join(rows), encoding="utf-8")
    result = import_file(store, tmp_path / "e.csv")
    (found,) = result.reconciliations
    assert result.rejected == 1
    assert found.status == "mismatch"
    assert found.quarantined == 1
    assert found.difference == -Decimal("31.27")  # the quarantined order's Order Net
    assert "1 of its lines quarantined" in found.describe()


def test_a_file_listed_newest_first_reconciles_its_balance(store, tmp_path: Path) -> None:
    lines = (SAMPLES / "upwork_transactions_legacy.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "u.csv").write_text(lines[0] + "".join(reversed(lines[1:])), encoding="utf-8")
    (found,) = import_file(store, tmp_path / "u.csv").reconciliations
    assert found.status == "reconciled"
    assert found.expected == balance_change(SAMPLES / "upwork_transactions_legacy.csv")


def test_slices_add_up_to_the_whole_file(tmp_path: Path) -> None:
    path = EXPORTS / "upwork_transactions_connects.csv"
    outcomes = []
    for chunk in (1_000_000, 2):
        with open_store(tmp_path / f"{chunk}.duckdb") as s:
            (result,) = import_paths(s, [path], chunk_rows=chunk, fast_min_bytes=0)
            outcomes.append([(r.expected, r.got, r.status) for r in result.reconciliations])
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0][2] == "reconciled"


def test_a_reimport_carries_the_outcome_and_status_counts_it_once(store) -> None:
    path = SAMPLES / "amazon_settlement_v1.tsv"
    first = import_file(store, path)
    again = import_file(store, path)
    assert again.reused_batch == first.batch_id
    assert [r.to_dict() for r in again.reconciliations] == [r.to_dict() for r in first.reconciliations]
    from assetkit.analysis.status import database_status

    status = database_status(store.con, "r.duckdb")
    assert (status.reconciled, status.mismatches) == (1, [])


def test_strict_refuses_a_mismatch_and_stores_nothing(store, tmp_path: Path) -> None:
    text = (SAMPLES / "amazon_settlement_v2.tsv").read_text(encoding="utf-8").replace("\t0.35\t", "\t10.35\t", 1)
    (tmp_path / "s.tsv").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        import_file(store, tmp_path / "s.tsv", strict=True)
    assert "does not reconcile" in str(err.value)
    assert err.value.line == 2
    assert store.query("SELECT (SELECT count(*) FROM fees) + (SELECT count(*) FROM reconciliations)") == [(0,)]


def test_import_and_status_print_the_outcome(cli, tmp_path: Path) -> None:
    text = (SAMPLES / "amazon_settlement_v2.tsv").read_text(encoding="utf-8").replace("\t0.35\t", "\t10.35\t", 1)
    (tmp_path / "s.tsv").write_text(text, encoding="utf-8")
    done = cli("import", str(SAMPLES / "amazon_settlement_v1.tsv"), str(tmp_path / "s.tsv"))
    assert done.exit_code == 0, done.output
    assert "1 of 2 reconciled, 1 with a difference" in done.output
    assert "s.tsv: settlement total-amount [11223344551]: MISMATCH, the file says USD 10.35" in done.output
    status = cli("status")
    assert "1 reconciled, 1 with a difference" in status.output
    assert "s.tsv" in status.output
    data = json.loads(cli("status", "--format", "json").stdout)
    assert data["reconciled"] == 1
    assert data["mismatches"][0]["difference"] == -10.0
    strict = cli("import", "--strict", str(tmp_path / "s.tsv"))
    assert strict.exit_code != 0
    assert "does not reconcile" in strict.output
    assert "Traceback" not in strict.output


@pytest.mark.parametrize(("check", "message"), [
    ({"name": "x", "label": "x", "expected": "sum(a)", "got": {"payouts": "sum(a)"}}, "got.payouts"),
    ({"name": "x", "label": "x", "expected": "sum(a)", "got": {"refunds": "sum(a)"}}, "no output to refunds"),
    ({"name": "x", "label": "x", "expected": "sum(a)", "got": {"rows": "sum(a)"}, "tolerence": 1}, "tolerence"),
    ({"name": "x", "label": "x", "got": {"rows": "sum(a)"}}, "expected"),
])
def test_a_reconcile_entry_is_validated_naming_the_key(check: dict, message: str) -> None:
    data = {"name": "p", "platform": "p", "kind": "fees", "channel": "marketplace", "fields": {"a": {"col": "A"}},
            "outputs": [{"table": "fees", "values": {}}], "reconcile": [check]}
    with pytest.raises(ConfigError) as err:
        registry.profile_from_dict(data, "p.yaml")
    assert message in str(err.value)
    assert "reconcile[0]" in str(err.value)
