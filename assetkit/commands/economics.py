"""`assetkit fees` and `assetkit funnel`: render the platform-economics results.

The analysis lives in assetkit.analysis.economics; this module only lays result tables out
as text (rich), Markdown, CSV (one table, formula-safe) or JSON (the whole result).
"""

from __future__ import annotations

from typing import Any

import typer

from assetkit.commands._common import OutputFormat, console, render, settings

# A column: (header, key or callable, kind) with kind in text|int|money|pct|pp|num.
Column = tuple[str, Any, str]
Table = tuple[str, str, list[Column], list[dict[str, Any]]]


def register(app: typer.Typer) -> None:
    app.command("fees")(fees)
    app.command("funnel")(funnel)


_SINCE = typer.Option(None, "--since", help="First day to include (YYYY-MM-DD).")
_UNTIL = typer.Option(None, "--until", help="Last day to include (YYYY-MM-DD).")
_PLATFORM = typer.Option(None, "--platform", help="Only this platform (e.g. etsy).")
_CHANNEL = typer.Option(None, "--channel", help="Only this channel (marketplace, own_site, referral, ...).")
_FORMAT = typer.Option(OutputFormat.text, "--format", "-f", help="Output format.")
_TABLE = typer.Option(None, "--table", help="With --format csv: which table to write (default: the first).")


def fees(
    ctx: typer.Context,
    by: str = typer.Option("year", "--by", help="Period: month, quarter or year."),
    since: str | None = _SINCE, until: str | None = _UNTIL,
    platform: str | None = _PLATFORM, channel: str | None = _CHANNEL,
    ad_spend: bool = typer.Option(True, "--ad-spend/--no-ad-spend",
                                  help="Count imported ad spend that names a platform as platform cost."),
    fmt: OutputFormat = _FORMAT, table: str | None = _TABLE,
) -> None:
    """Platform cost and fee share by platform and period; rent per buyer; dependency."""
    from assetkit.analysis.economics import analyse_fees

    s = settings(ctx)
    with s.open_store(create=False) as store:
        result = analyse_fees(store.con, s.config, by=by, since=since, until=until, platform=platform,
                              channel=channel, include_ad_spend=ad_spend)
        from assetkit.importers.fx import approximate_note, approximate_rows

        fx_note = approximate_note(*approximate_rows(store.con, s.config.reporting_currency))
    if fx_note and fx_note not in result.notes:
        result.notes.append(fx_note)
    tables = _fees_tables(result)
    render(fmt, "fees", result, s, text=lambda r: _text(r, tables), md=lambda r: _md(r, tables),
           csv=lambda r: _csv(tables, table))


def funnel(
    ctx: typer.Context,
    since: str | None = _SINCE, until: str | None = _UNTIL,
    platform: str | None = _PLATFORM, channel: str | None = _CHANNEL,
    window: int | None = typer.Option(None, "--window", help="Days after an inquiry in which an order "
                                         "counts as its conversion (default 180, or funnel.conversion_window_days)."),
    fmt: OutputFormat = _FORMAT, table: str | None = _TABLE,
) -> None:
    """Inquiry-to-order conversion, response times, off-platform share, marketing return."""
    from assetkit.analysis.economics import analyse_funnel

    s = settings(ctx)
    with s.open_store(create=False) as store:
        result = analyse_funnel(store.con, s.config, since=since, until=until, platform=platform,
                                channel=channel, window_days=window)
    short = _funnel_tables(result, TOP_VALUES)
    render(fmt, "funnel", result, s, text=lambda r: _text(r, short), md=lambda r: _md(r, short),
           csv=lambda r: _csv(_funnel_tables(result), table))


def _fees_tables(r: Any) -> list[Table]:
    from assetkit.analysis.economics.schedules import CATEGORIES

    used = [c for c in CATEGORIES if any(p["fees"][c] for p in r.periods)]
    rc = r.reporting_currency
    return [
        ("periods", f"Platform cost by {r.by} ({rc})",
         [("platform", "platform", "text"), ("period", "period", "text"),
          ("gross revenue", "gross_revenue", "money"), ("orders", "orders", "int"),
          *[(c, (lambda p, c=c: p["fees"][c]), "money") for c in used],
          ("platform cost", "platform_cost", "money"), ("fee share", "fee_share", "pct"),
          ("YoY (points)", "fee_share_yoy", "pp"), ("net revenue", "net_revenue", "money")], r.periods),
        ("take_rate", "Effective take rate over the window",
         [("platform", "platform", "text"), ("gross revenue", "gross_revenue", "money"),
          ("platform cost", "platform_cost", "money"), ("fixed", "fixed_cost", "money"),
          ("take rate", "take_rate", "pct"), ("without fixed", "take_rate_ex_fixed", "pct")], r.platforms),
        ("schedule_check", "Observed vs published rates",
         [("platform", "platform", "text"), ("year", "period", "text"), ("fee", "category", "text"),
          ("observed", "observed_rate", "pct"), ("published min", "published_min", "pct"),
          ("published max", "published_max", "pct"), ("", "status", "text"), ("source", "source", "text")],
         r.schedule_check),
        ("acquisition_platform", f"Acquisition cost by platform ({rc})", _acq_cols("platform"),
         r.acquisition_by_platform),
        ("acquisition_channel", f"Acquisition cost by channel ({rc})", _acq_cols("channel"),
         r.acquisition_by_channel),
        ("rent", "Lifetime rent of buyers acquired in the window, by acquisition platform",
         [("platform", "platform", "text"), ("buyers", "buyers", "int"), ("orders", "orders", "int"),
          ("revenue", "revenue", "money"), ("rent", "rent", "money"),
          ("rent per buyer", "rent_per_buyer", "money")], r.rent_by_platform),
        ("top_buyers", "Top buyers by rent paid",
         [("buyer", "buyer_id", "text"), ("name", "name", "text"), ("company", "company", "text"),
          ("country", "country", "text"), ("acquired via", "acq_platform", "text"), ("orders", "orders", "int"),
          ("revenue", "revenue", "money"), ("rent", "rent", "money")], r.top_buyers),
        ("repeat_toll", "Repeat-business toll: rent on repeat orders of buyers already won",
         [("platform", "platform", "text"), ("repeat orders", "repeat_orders", "int"),
          ("repeat revenue", "repeat_revenue", "money"), ("toll", "toll", "money"),
          ("of platform cost", "share_of_platform_cost", "pct")], r.repeat_toll),
        ("dependency", (f"Dependency by channel (HHI {_num(r.dependency['hhi_channels'])}; "
                        f"by platform {_num(r.dependency['hhi_platforms'])})"),
         [("channel", "channel", "text"), ("revenue", "revenue", "money"), ("revenue share", "revenue_share", "pct"),
          ("new buyers", "new_buyers", "int"), ("new-buyer share", "new_buyer_share", "pct")],
         r.dependency["channels"]),
        ("dependency_platform", "Dependency by platform",
         [("platform", "platform", "text"), ("revenue", "revenue", "money"), ("revenue share", "revenue_share", "pct"),
          ("new buyers", "new_buyers", "int"), ("new-buyer share", "new_buyer_share", "pct")],
         r.dependency["platforms"]),
    ]


def _acq_cols(key: str) -> list[Column]:
    return [(key, "key", "text"), ("cost", "cost", "money"), ("inquiries", "inquiries", "int"),
            ("orders", "orders", "int"), ("new buyers", "new_buyers", "int"),
            ("per inquiry", "cost_per_inquiry", "money"), ("per order", "cost_per_order", "money"),
            ("CAC", "cac", "money")]


# Columns kept first when a table is narrowed to the terminal (the first column always stays).
PRIORITY = {
    "periods": ["period", "gross revenue", "platform cost", "fee share", "YoY (points)"],
    "conversion": ["value", "inquiries", "conversion", "revenue"],
    "schedule_check": ["year", "fee", "observed", "published min", "published max", ""],
    "top_buyers": ["name", "revenue", "rent"],
}

TOP_VALUES = 10  # countries and products shown in text and Markdown (JSON and CSV have all)


def _funnel_tables(r: Any, top: int | None = None) -> list[Table]:
    rc = r.reporting_currency
    conversion = r.conversion if top is None else _top_per_dimension(r.conversion, top)
    return [
        ("conversion", f"Inquiry -> order within {r.window_days} days ({rc})"
                       + (f"; top {top} countries and products by inquiries" if top else ""),
         [("by", "dimension", "text"), ("value", "value", "text"), ("inquiries", "inquiries", "int"),
          ("converted", "converted", "int"), ("pending", "pending", "int"),
          ("never converted", "never_converted", "int"), ("conversion", "conversion_rate", "pct"),
          ("revenue", "revenue", "money"), ("per inquiry", "revenue_per_inquiry", "money"),
          ("median reply (h)", "response_median_h", "num"), ("p90 reply (h)", "response_p90_h", "num")],
         conversion),
        ("off_platform", f"Off-platform share of revenue ({rc})",
         [("year", lambda r: str(r["year"]), "text"), ("revenue", "revenue", "money"), ("marketplace", "marketplace", "money"),
          ("off-platform", "off_platform", "money"), ("off-platform share", "off_platform_share", "pct")],
         r.off_platform),
        ("marketing_return", f"Marketing return where spend is known ({rc})",
         [("level", "level", "text"), ("key", "key", "text"), ("spend", "spend", "money"),
          ("revenue", "revenue", "money"), ("gross profit", "gross_profit", "money"),
          ("revenue / spend", "revenue_per_spend", "num"), ("profit / spend", "gross_profit_per_spend", "num")],
         r.marketing_return),
    ]


def _top_per_dimension(rows: list[dict[str, Any]], top: int) -> list[dict[str, Any]]:
    """The first `top` countries and products (rows come sorted by inquiries), all else kept."""
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        if row["dimension"] in ("country", "product"):
            seen[row["dimension"]] = seen.get(row["dimension"], 0) + 1
            if seen[row["dimension"]] > top:
                continue
        out.append(row)
    return out


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _cell(row: dict[str, Any], col: Column, human: bool) -> Any:
    _, key, kind = col
    value = key(row) if callable(key) else row.get(key)
    if not human or value is None:
        return value
    from assetkit.export.output import format_percent, format_value

    if kind == "pct":
        return format_percent(value)
    if kind == "pp":
        return f"{value * 100:+.1f}"
    return format_value(value) if kind in ("money", "num") else value


def _text(r: Any, tables: list[Table]) -> None:
    from rich.text import Text

    from assetkit.export.output import rich_table

    out = console()
    out.print(Text(r.takeaway, style="bold"))
    for name, title, cols, rows in tables:
        if rows:
            out.print(rich_table(title, [c[0] for c in cols], ([_cell(row, c, True) for c in cols] for row in rows),
                                 numeric=[c[2] != "text" for c in cols], priority=PRIORITY.get(name, ())))
    out.print(Text(f"Window {r.since} to {r.until}."))
    for name, text in r.policies.items():
        out.print(Text(f"{name.replace('_', ' ').capitalize()}: {text}", style="dim"))
    for note in r.notes:
        out.print(Text(f"Note: {note}", style="yellow"))


def _md(r: Any, tables: list[Table]) -> str:
    from assetkit.export.output import markdown_table

    parts = [f"**{r.takeaway}**", f"Window {r.since} to {r.until}."]
    for _, title, cols, rows in tables:
        if rows:
            parts.append(f"### {title}\n\n" + markdown_table([c[0] for c in cols],
                                                           ([_cell(row, c, True) for c in cols] for row in rows)))
    parts += [f"- {name.replace('_', ' ').capitalize()}: {text}" for name, text in r.policies.items()]
    parts += [f"- Note: {note}" for note in r.notes]
    return "\n\n".join(parts)


def _csv(tables: list[Table], which: str | None) -> None:
    import sys

    from assetkit.errors import UsageError
    from assetkit.export.output import write_csv_safe

    names = [t[0] for t in tables]
    name = which or names[0]
    if name not in names:
        raise UsageError(f"--table {name!r} is not one of this command's tables", hint="choose from " + ", ".join(names))
    _, _, cols, rows = tables[names.index(name)]
    write_csv_safe(([_cell(row, c, False) for c in cols] for row in rows), [c[0] for c in cols], sys.stdout)
