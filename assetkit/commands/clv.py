"""`assetkit clv`: fitted purchase/spend models, per-buyer predictions, value by channel."""

from __future__ import annotations

import datetime as dt
import enum

import typer

from assetkit.commands._common import TextJsonCsv, console, render, settings


class TimeUnit(str, enum.Enum):
    day = "day"
    week = "week"
    month = "month"


class Intervals(str, enum.Enum):
    hessian = "hessian"
    bootstrap = "bootstrap"


class Model(str, enum.Enum):
    bgnbd = "bgnbd"
    pnbd = "pnbd"
    mbgnbd = "mbgnbd"


def register(app: typer.Typer) -> None:
    app.command("clv")(clv)


def clv(
    ctx: typer.Context,
    until: dt.datetime | None = typer.Option(
        None, "--until", formats=["%Y-%m-%d"],
        help="Fit on occasions up to this day (YYYY-MM-DD) and check predictions against the days after it."),
    time_unit: TimeUnit = typer.Option(TimeUnit.week, "--time-unit", help="Unit of recency, T, α/β and the horizon."),
    horizon: float | None = typer.Option(None, "--horizon", help="Prediction horizon in --time-unit units (default: one year)."),
    model: Model = typer.Option(Model.bgnbd, "--model", help="Purchase model: bgnbd, pnbd (Pareto/NBD) or mbgnbd."),
    fmt: TextJsonCsv = typer.Option(TextJsonCsv.text, "--format", "-f", help="Output format (csv: one row per buyer)."),
    top: int = typer.Option(10, "--top", help="How many top buyers to list in text output."),
    intervals: Intervals = typer.Option(
        Intervals.hessian, "--intervals",
        help="90% intervals from Hessian parameter draws (fast) or a bootstrap over buyers (refits; "
             "better for small data)."),
) -> None:
    """Customer lifetime value: who is worth keeping, and which channels brought them."""
    from assetkit.analysis.clv import analyse_clv

    s = settings(ctx)
    with s.open_store(create=False) as store:
        result = analyse_clv(store.con, s.config, until=until.date() if until else None,
                             time_unit=time_unit.value, horizon=horizon, model=model.value,
                             intervals=intervals.value)
    currency = s.config.reporting_currency
    render(fmt, "clv", result, s, text=lambda r: _text(r, currency, top), csv=_csv)


def _csv(result) -> None:
    import sys

    from assetkit.analysis.clv.result import BUYER_COLUMNS
    from assetkit.export.output import write_csv_safe

    rows = result.buyers.rows()
    write_csv_safe(([r[c] for c in BUYER_COLUMNS] for r in rows), BUYER_COLUMNS, sys.stdout)


def _text(r, currency: str, top: int) -> None:
    from assetkit.export.output import format_percent, format_value, rich_table

    out = console()
    unit = r.time_unit
    out.print(f"Customer lifetime value — {r.n_buyers:,} buyers ({r.n_repeat_buyers:,} repeat), "
              f"calibration to {r.until}, horizon {r.horizon:g} {unit}s ({r.horizon * r.unit_days:.0f} days)",
              markup=False)
    if r.method == "model":
        out.print(f"Model: {r.model} by maximum likelihood; log-likelihood {r.fit.log_likelihood:,.2f}; "
                  f"{r.fit.diagnostics.method}", markup=False)
        ses = r.fit.diagnostics.standard_errors
        out.print(rich_table("Parameters", ["parameter", "value", "std. error", "unit"],
                             [(k, v, ses.get(k), r.param_units.get(k, "")) for k, v in r.params.items()],
                             [False, True, True, False]))
    else:
        out.print(f"Method: HEURISTIC — {r.method_reason}.", markup=False)
        out.print(r.method_note, markup=False)
    sp = r.spend
    spend_line = f"Spend model: {sp.name} on {sp.n_used:,} repeat buyers"
    if sp.fit is not None:
        p = sp.fit.params
        spend_line += f" (p={p['p']:.3f}, q={p['q']:.3f}, γ={p['v']:.3f} {currency})"
    if sp.n_excluded:
        spend_line += f"; {sp.n_excluded} left out (mean repeat value ≤ 0)"
    out.print(spend_line, markup=False)
    if sp.fallback_reason:
        out.print(f"  {sp.fallback_reason}", markup=False)
    if sp.groups:
        out.print(f"  {sp.note}", markup=False)
        out.print(rich_table(f"Spend per platform ({currency})", ["platform", "method", "buyers", "repeat buyers used",
                                                                   "mean spend per occasion"],
                             [(g["group"], g["method"], g["n_buyers"], g["n_repeat_used"], g["prior_mean_spend"])
                              for g in sp.groups], [False, False, True, True, True]))
    out.print(f"Assumptions: gross margin {format_percent(r.gross_margin)}, annual discount rate "
              f"{format_percent(r.discount_rate)}, month = 30.4375 days, CLV = future value net of "
              "platform variable fees", markup=False)
    total = f"Total CLV: {format_value(r.total_clv)} {currency}"
    if r.interval_total:
        total += (f" (90% interval {format_value(r.interval_total[0])} – {format_value(r.interval_total[1])}, "
                  f"{r.interval_method})")
    out.print(total, markup=False)
    if r.holdout:
        h = r.holdout
        err = "–" if h["error_pct"] is None else f"{h['error_pct']:+.1f}%"
        out.print(f"Holdout check ({h['holdout_days']} days after {r.until}): predicted "
                  f"{h['predicted']:,.1f} vs actual {h['actual']:,.0f} occasions ({err}), "
                  f"MAE per buyer {h['mae_per_buyer']:.3f}", markup=False)
        out.print(rich_table("Holdout by calibration frequency", ["repeat occasions", "buyers", "predicted", "actual"],
                             [(g["group"], g["n_buyers"], g["predicted"], g["actual"]) for g in h["by_frequency"]],
                             [False, True, True, True]))
    if r.calibration:
        out.print(rich_table(f"Calibration per platform of the latest purchase ({currency}): predicted revenue of "
                             "the next 12 months vs what the same buyers paid in the last 12",
                             ["platform", "buyers", "predicted next 12 months", "paid last 12 months", "ratio"],
                             [(c["group"], c["n_buyers"], c["predicted_next_12_months"], c["paid_last_12_months"],
                               "–" if c["ratio"] is None else f"{c['ratio']:.2f}×") for c in r.calibration],
                             [False, True, True, True, True]))
    for title, rows in (("CLV by acquisition channel", r.by_channel), ("CLV by acquisition platform", r.by_platform)):
        out.print(rich_table(f"{title} ({currency})", ["group", "buyers", "mean", "median", "total", "90% low",
                                                       "90% high", "fees saved if owned"],
                             [(g["group"], g["n_buyers"], g["mean"], g["median"], g["total"], g["total_low"],
                               g["total_high"], g["fee_saved"]) for g in rows],
                             [False, True, True, True, True, True, True, True]))
    out.print(rich_table(f"Top {top} buyers ({currency})", ["buyer", "CLV", "90% low", "90% high", "P(alive)",
                                                            f"occasions next {r.horizon:g} {unit}s", "platform"],
                         [(b["buyer_id"], b["clv"], b["clv_low"], b["clv_high"], b["p_alive"],
                           b["expected_occasions"], b["platform"]) for b in r.top_buyers[:top]],
                         [False, True, True, True, True, True, False]))
    for w in r.warnings:
        out.print(f"warning: {w}", markup=False)
