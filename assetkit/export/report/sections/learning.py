"""The report's "Leads and next orders" section: which ranking the leads use (learned model or
rules) with the side-by-side comparison on the newest inquiries, the best open leads with their
reasons in words, and the recommendation check (co-purchase vs most popular on a holdout).

Register it in build.py's `_section_builders` as ("learning", "Leads and next orders", learning_section).
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from assetkit.export.output import format_percent
from assetkit.export.report.model import Section, Table
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    from assetkit.export.report.model import ReportContext

TOP_LEADS = 10


def learning_section(ctx: ReportContext) -> Section:
    from assetkit.analysis.leadmodel import learned_leads
    from assetkit.analysis.leadmodel.design import why_text
    from assetkit.analysis.recommend import recommend
    from assetkit.errors import NotEnoughData

    if not scalar(ctx.con, "SELECT count(*) FROM inquiries"):
        raise NotEnoughData("no inquiries imported", hint="import inquiries (Alibaba, IndiaMART, own-site RFQs)")
    as_of = datetime.combine(ctx.until, time(23, 59, 59), UTC) if ctx.until else None
    leads, _ = learned_leads(ctx.con, ctx.config, as_of=as_of)
    card = leads.model or {}
    recs = recommend(ctx.con, as_of)
    tables = []
    if "metrics" in card:
        m, r = card["metrics"]["model"], card["metrics"]["rules"]
        tables.append(Table(
            f"Learned model vs rules on the newest {card['test']['inquiries']} inquiries "
            f"({card['test']['window'][0]} to {card['test']['window'][1]})",
            ["Measure", "Model", "Rules"],
            [["ROC AUC", m["roc_auc"], r["roc_auc"]],
             ["Converted among the top 10%", format_percent(m["precision_top_decile"]),
              format_percent(r["precision_top_decile"])],
             ["Brier score (lower is better)", m["brier"], r["brier"]]],
            [False, True, True],
            note=f"Trained on {card['train']['inquiries']} older inquiries ({card['train']['conversions']} "
                 f"converted); conversion = {card['target']}. The rules' points are calibrated on the "
                 "training inquiries for the Brier score."))
    rows = [[x.inquiry_id, x.received_at[:10], x.buyer, x.product,
             "–" if x.probability is None else format_percent(x.probability), why_text(x.why)]
            for x in leads.leads[:TOP_LEADS]]
    if rows:
        tables.append(Table(f"Best open inquiries (of {leads.open_inquiries}; ranked by the {card.get('used', 'rules')})",
                            ["Inquiry", "Received", "Buyer", "Product", "P(order)", "Why"], rows,
                            [False, False, False, False, True, False],
                            note="Why: the largest contributions, in log-odds against the average inquiry "
                                 "(model) or rule points (rules)."))
    hold = recs.card.get("holdout", {})
    if "hit_rate_co_purchase" in hold:
        tables.append(Table(f"Next-order recommendations: hit rate at {hold['k']} on {hold['test_buyers']} buyers",
                            ["Method", "Hit rate"],
                            [["Co-purchase (bought X, also ordered Y)", format_percent(hold["hit_rate_co_purchase"])],
                             ["Most popular products", format_percent(hold["hit_rate_popularity"])]],
                            [False, True],
                            note="Each buyer's last-started product is hidden; a hit is finding it in the top "
                                 f"{hold['k']}. Used: {recs.method}."))
    best = _top_buyers(ctx, list(recs.by_buyer))
    if best:
        tables.append(Table("Likely next orders of your biggest active buyers", ["Buyer", "Recommended", "Why"],
                            [[name, "; ".join(r["product"] for r in recs.by_buyer[b][:3]),
                              recs.by_buyer[b][0]["reason"]] for b, name in best],
                            [False, False, False], note="Up to three products each; the reason of the first."))
    takeaway = (f"Leads are ranked by the {card.get('used', 'rules')}: {card.get('reason', '')}. "
                f"Recommendations use {recs.method}: {recs.reason}.")
    ctx.results["learning"] = (leads, recs)
    return Section(key="learning", title="Leads and next orders", takeaway=takeaway, tables=tables,
                   data={"lead_model": card, "recommendations": recs.card,
                         "buyers_with_recommendations": len(recs.by_buyer)})


def _top_buyers(ctx: ReportContext, ids: list[str]) -> list[tuple[str, str]]:
    """The TOP_LEADS buyers among `ids` with the highest net revenue, with their display name."""
    if not ids:
        return []
    rows = ctx.con.execute(
        "SELECT o.buyer_id, coalesce(nullif(b.company, ''), nullif(b.name, ''), o.buyer_id) FROM orders o "
        "LEFT JOIN buyers b USING (buyer_id) WHERE o.status <> 'cancelled' AND o.buyer_id IN (SELECT unnest($ids)) "
        "GROUP BY ALL ORDER BY sum(coalesce(o.gross_amount_rc, 0) - coalesce(o.refunded_amount_rc, 0)) DESC, 1 "
        "LIMIT $n", {"ids": ids, "n": TOP_LEADS}).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]
