"""The agency arm's Upwork transaction history, 2023+ Title-case variant (19 columns, UTF-8
BOM, `Mon D, YYYY` dates): earnings rows, each followed by its negative Service Fee row that
names the earning's Ref ID, plus Connects, Membership and monthly withdrawals."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from assetkit.demo.files import DemoFile, money, short_date, utc, write_table
from assetkit.demo.model import DAY_SECONDS, Order, World

HEADER = (
    "Date", "Transaction ID", "Transaction Type", "Transaction Summary",
    "Transaction Summary Details", "Description 1", "Description 2", "Description 3", "Agency",
    "Freelancer", "Team", "Account Name", "PO", "Ref ID", "Amount $", "Amount in local currency",
    "Currency", "Current Balance $", "Payment Method",
)
CARD = "Visa ending in 4417"
STAFF = ("Bilal Ahmed", "Sana Iqbal", "Usman Tariq")


def _earnings(w: World, o: Order) -> list[tuple[int, str, str, str, float]]:
    """(ts, type, summary, details, amount) for one contract: milestones or weekly invoices."""
    services = w.biz["upwork_services"]
    service = services[o.key % len(services)]
    amount = o.lines[0][2]
    parts = 1 + o.key % 3
    out = []
    for k in range(parts):
        ts = o.ts + k * (7 + (o.key + k) % 14) * DAY_SECONDS
        share = round(amount / parts, 2)
        if service["kind"] == "Hourly":
            start = utc(ts - 7 * DAY_SECONDS)
            period = f"{start:%m/%d/%Y}-{utc(ts - DAY_SECONDS):%m/%d/%Y}"
            out.append((ts, "Hourly", f"Invoice for {period}", "", share))
        else:
            out.append((ts, "Fixed-price", f"Invoice for {service['title']}", f"Milestone {k + 1}", share))
    return out


def write_upwork(root: Path, w: World) -> list[DemoFile]:
    fees = w.biz["fees"]["upwork"]
    agency = w.biz["business"]["agency_name"]
    end = w.cal.epoch(w.cal.n_days)
    events: list[tuple[int, int, dict[str, object]]] = []   # (ts, order, fields)
    for o in w.orders_on("upwork"):
        client = w.buyers[o.buyer].company
        staff = STAFF[o.key % len(STAFF)]
        for ts, kind, summary, details, amount in _earnings(w, o):
            if ts >= end:
                continue
            events.append((ts, 0, {"type": kind, "summary": summary, "details": details, "amount": amount,
                                   "freelancer": staff, "team": client, "fee_rate": fees["service_fee"][utc(ts).year]}))
    for day in range(w.cal.n_days):
        d = w.cal.date(day)
        t = w.cal.epoch(day) + 9 * 3600
        if d.day == 1:
            events.append((t, 1, {"type": "Membership", "summary": "Agency Plus membership",
                                  "amount": -fees["membership_monthly"][d.year]}))
        if d.day in (3, 17):
            n = 40 + (day * 13) % 41
            events.append((t, 1, {"type": "Connects", "summary": "Connects purchase", "details": f"{n} Connects",
                                  "amount": -round(n * fees["connects_price"], 2)}))
        if (w.cal.date(day + 1)).day == 1:
            events.append((t + 8 * 3600, 2, {"type": "Payment", "summary": "Withdrawal to bank"}))
    events.sort(key=lambda e: (e[0], e[1]))
    by_year: dict[int, list[list[str]]] = defaultdict(list)
    balance, txn, ref = 0.0, 900_100_000, 391_000_000
    for ts, _, e in events:
        rows = []
        if e["type"] == "Payment":
            if balance <= 0:
                continue
            rows.append((e["type"], e["summary"], "", -balance, "", "Direct to Local Bank (USD)"))
        else:
            rows.append((e["type"], e["summary"], e.get("details", ""), e["amount"], e.get("team", ""), ""))
        if e["type"] in ("Hourly", "Fixed-price"):
            label = "Hourly" if e["type"] == "Hourly" else "Fixed Price"
            fee = -round(float(e["amount"]) * float(e["fee_rate"]), 2)
            rows.append(("Service Fee", f"Service Fee for {label} - Ref ID {ref + 1}", "", fee, e["team"], ""))
        for kind, summary, details, amount, team, method in rows:
            txn += 1
            ref += 1
            if kind in ("Membership", "Connects") and balance + float(amount) < 0:
                method = CARD          # not enough balance: Upwork bills the card on file
            else:
                balance = round(balance + float(amount), 2)
            by_year[utc(ts).year].append([
                short_date(utc(ts)), str(txn), kind, summary, details, "", "", "", agency,
                str(e.get("freelancer", "")), str(team), agency, "", str(ref), money(float(amount)), "", "",
                money(balance), method])
    files = []
    for year, rows in sorted(by_year.items()):
        rel = f"upwork/transactions_{year}.csv"
        n = write_table(root, rel, HEADER, rows, bom=True)
        files.append(DemoFile(rel, "upwork", "orders+fees", "upwork_transactions_v2", n))
    return files
