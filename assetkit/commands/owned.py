"""Owned assets: `assetkit export site`, `assetkit export crm` and `assetkit leads`.

`export_app` is the one `export` sub-command group; other command modules add their own
exports to it (`from assetkit.commands.owned import export_app`) and cli.py registers this
module once, which attaches the group to the root app.
"""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path

import typer

from assetkit.commands._common import (
    TextJsonCsv,
    activity,
    console,
    emit_json,
    render,
    say,
    settings,
)

export_app = typer.Typer(help="Write owned assets: website skeleton, CRM import file.", no_args_is_help=True,
                         rich_markup_mode=None)


class Flavor(str, enum.Enum):
    html = "html"
    hugo = "hugo"


class CrmTarget(str, enum.Enum):
    hubspot = "hubspot"
    salesforce = "salesforce"
    csv = "csv"


class ExportFormat(str, enum.Enum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
    app.command("leads")(leads)


@export_app.command("site")
def export_site(
    ctx: typer.Context,
    out_dir: Path = typer.Argument(..., help="Folder to write the site to (replaced atomically)."),
    flavor: Flavor = typer.Option(Flavor.html, "--flavor", help="html (ready to upload) or hugo (content tree to keep editing)."),
    templates: Path | None = typer.Option(None, "--templates", help="Folder with your own Jinja2 templates overriding the shipped ones."),
    preview: bool = typer.Option(False, "--preview", help="Build even with site.domain / site.rfq_endpoint missing, "
                                 "with marked placeholders (banner, noindex): to look at, not to publish."),
    fmt: ExportFormat = typer.Option(ExportFormat.text, "--format", "-f", help="text or json summary."),
) -> None:
    """Write a static multilingual website skeleton from your catalogue and assetkit.yaml (site:)."""
    from assetkit.export.site import build_site

    s = settings(ctx)
    with s.open_store(create=False) as store:
        result = build_site(store.con, s.config, out_dir, flavor=flavor.value, template_dir=templates,
                            preview=preview)
    if fmt is ExportFormat.json:
        emit_json("site", result.to_dict(), s)
        return
    for warning in result.warnings:
        say(s, f"Warning: {warning}")
    topics = ", ".join(f"{t['topic']} ({t['inquiries']})" for t in result.faq_topics)
    typer.echo(f"Wrote {result.files} files ({result.pages} pages, languages {', '.join(result.languages)}) "
               f"to {Path(out_dir).resolve()} [{result.flavor}]")
    typer.echo(f"Products: {result.products} (from {result.products_source}); analytics: {result.analytics}")
    typer.echo(f"FAQ topics from {result.inquiries_scanned} inquiries: {topics or 'none'}")


@export_app.command("crm")
def export_crm_command(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="CSV file to write."),
    target: CrmTarget = typer.Option(..., "--target", "-t", help="hubspot, salesforce or csv (generic)."),
    fmt: ExportFormat = typer.Option(ExportFormat.text, "--format", "-f", help="text or json summary."),
) -> None:
    """Write your contactable buyers as an import file for your own CRM."""
    from assetkit.export.crm import export_crm, model_enrichment

    s = settings(ctx)
    with s.open_store(create=False) as store, activity(s, "writing the CRM file") as step:
        step("customer values")
        enrich = model_enrichment(store.con, s.config)
        step("buyers")
        result = export_crm(store.con, s.config, target.value, out, enrich=enrich)
    if fmt is ExportFormat.json:
        emit_json("crm", result.to_dict(), s)
        return
    typer.echo(f"Wrote {result.exported} buyers to {result.path} ({result.target} columns, values: {result.value_basis}).")
    typer.echo(f"Not exported (no email or phone): {result.not_contactable} buyers.")
    for definition in result.definitions:
        typer.echo(f"Custom properties to create before the first import: {definition}")


LEADS_SHOWN = 20  # text output shows the best ones; an 800-inquiry list is not an answer


def leads(
    ctx: typer.Context,
    rules: Path | None = typer.Option(None, "--rules", help="Your lead rules YAML (default: the shipped commented rules)."),
    fmt: TextJsonCsv = typer.Option(TextJsonCsv.text, "--format", "-f", help="Output format."),
    as_of: dt.datetime | None = typer.Option(None, "--as-of", formats=["%Y-%m-%d"], help="Score as of this day (default now)."),
    explain: str | None = typer.Option(None, "--explain", help="Explain one inquiry's score (its ID or a unique start)."),
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, metavar="N",
                                     help=f"Show only the best N (text default {LEADS_SHOWN}; csv and json: all)."),
    show_all: bool = typer.Option(False, "--all", help="Show every open inquiry."),
) -> None:
    """Score every open inquiry for buying intent, best first, with the next action.

    Ranked by a model learned from your own outcomes when it beats the rules on your newest
    inquiries, else by the rules; the model card says which and why."""
    from assetkit.analysis.leadmodel import learned_leads

    s = settings(ctx)
    stamp = as_of.replace(tzinfo=dt.UTC) if as_of else None
    with s.open_store(create=False) as store:
        result, _ = learned_leads(store.con, s.config, rules_path=rules, as_of=stamp, top=10 if explain else 3)
    if explain is not None:
        _explain(result, explain, fmt, s)
        return
    if limit is None and fmt is TextJsonCsv.text and not show_all:
        limit = LEADS_SHOWN
    scored = len(result.leads)
    if limit and not show_all:
        result.leads = result.leads[:limit]
    render(fmt, "leads", result, s, text=_leads_text, csv=_leads_csv)
    if fmt is TextJsonCsv.text and len(result.leads) < scored:
        say(s, f"Showing the best {len(result.leads)} of {scored} open inquiries; --all shows every one, "
               "--format csv writes them all.")


def _explain(result, wanted: str, fmt: TextJsonCsv, s) -> None:
    from assetkit.errors import UsageError

    hits = [x for x in result.leads if x.inquiry_id == wanted] or [
        x for x in result.leads if x.inquiry_id.startswith(wanted)]
    if len(hits) != 1:
        problem = "matches no open inquiry" if not hits else f"matches {len(hits)} open inquiries"
        raise UsageError(f"--explain {wanted!r} {problem}", hint="use an inquiry ID from `assetkit leads`")
    lead = hits[0]
    if fmt is TextJsonCsv.json:
        from dataclasses import asdict

        emit_json("lead_explanation", {"lead": asdict(lead), "model": result.model}, s)
        return
    out = console()
    p = "-" if lead.probability is None else f"{lead.probability:.0%}"
    out.print(f"Inquiry {lead.inquiry_id} ({lead.received_at[:10]}, {lead.buyer or 'unknown buyer'}, "
              f"{lead.product or 'no product'}): grade {lead.grade}, {lead.score:g} rule points, P(order) {p} "
              f"(from the {lead.scored_by})")
    unit = "log-odds vs the average inquiry" if lead.scored_by == "model" else "rule points"
    for item in lead.why:
        out.print(f"  {item['contribution']:+6.2f}  {item['text']}  ({unit})")
    out.print(f"Rules fired: {_fired(lead) or 'none'}")
    _card_text(result.model)


def _fired(lead) -> str:
    return "; ".join(f"{r['id']}({r['points']:+g})" for r in lead.rules_fired)


def _card_text(card) -> None:
    """The model card in a few lines: which ranking is used and why, and the comparison."""
    from assetkit.export.output import rich_table

    if not card:
        return
    out = console()
    out.print(f"Ranking: {card['used']} - {card['reason']}.")
    if "metrics" in card:
        m, r = card["metrics"]["model"], card["metrics"]["rules"]
        rows = [("ROC AUC", m["roc_auc"], r["roc_auc"]),
                ("precision in the top 10%", m["precision_top_decile"], r["precision_top_decile"]),
                ("Brier score (lower is better)", m["brier"], r["brier"])]
        out.print(rich_table(f"Model vs rules on the newest {card['test']['inquiries']} inquiries "
                             f"({card['test']['window'][0]} to {card['test']['window'][1]}; "
                             f"trained on {card['train']['inquiries']}, base rate {card['base_rate_test']:.0%})",
                             ["measure", "model", "rules"], rows, numeric=[False, True, True]))


def _leads_text(result) -> None:
    from assetkit.analysis.leadmodel.design import why_text
    from assetkit.export.output import rich_table

    header = ["grade", "score", "P(order)", "inquiry", "received", "buyer", "country", "product", "next action",
              "why"]
    rows = [(x.grade, x.score, "-" if x.probability is None else f"{x.probability:.0%}", x.inquiry_id,
             x.received_at[:10], x.buyer, x.country, x.product, x.next_action, why_text(x.why))
            for x in result.leads]
    console().print(rich_table(f"Open inquiries: {result.open_inquiries} of {result.total_inquiries} "
                               f"(rules: {result.rules_source})", header, rows,
                               numeric=[False, True, True] + [False] * 7,
                               priority=["score", "P(order)", "buyer", "product", "next action"]))
    _card_text(result.model)


def _leads_csv(result) -> None:
    import sys

    from assetkit.analysis.leadmodel.design import why_text
    from assetkit.export.output import write_csv_safe

    header = ["inquiry_id", "platform", "received_at", "buyer_id", "buyer", "country", "product", "quantity",
              "score", "grade", "next_action", "days_open", "answered", "rules_fired", "probability", "scored_by",
              "why"]
    write_csv_safe(([x.inquiry_id, x.platform, x.received_at, x.buyer_id, x.buyer, x.country, x.product,
                     x.quantity, x.score, x.grade, x.next_action, x.days_open, x.answered, _fired(x),
                     x.probability, x.scored_by, why_text(x.why)]
                    for x in result.leads), header, sys.stdout)
