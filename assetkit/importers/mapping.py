"""User mappings for exports no profile knows (Alibaba.com, Made-in-China, Global Sources …).

`assetkit map FILE` reads the header and a few values, matches columns to the canonical
generic fields through English and Chinese synonyms (data/synonyms.yaml), guesses the kind,
and writes a commented YAML mapping for the user to check. `--mapping FILE` turns that YAML
into a profile built on the generic profile of its kind; every validation message names
the offending key.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from contextlib import closing
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from assetkit.errors import ConfigError, SourceError, require_one_of
from assetkit.importers import guess
from assetkit.importers.registry import DECIMAL_SEPARATORS, Profile, builtin_profiles

MAPPING_KEYS = {"kind", "platform", "channel", "columns", "timezone", "date_formats", "currency", "delimiter",
                "decimal"}
MAPPABLE_KINDS = ("inquiries", "orders", "fees", "spend", "products")
CHANNELS = ("marketplace", "own_site", "referral", "exhibition", "social", "email", "direct", "other")


def _generic(kind: str) -> Profile:
    return next(p for p in builtin_profiles() if p.platform == "generic" and p.kind == kind)


def canonical_fields(kind: str) -> dict[str, Any]:
    """Canonical column name -> field spec of the generic profile for `kind`."""
    return {spec.columns[0]: spec for spec in _generic(kind).fields if spec.columns}


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-./()#:：（）]+", "", str(text).casefold())


def load_mapping(path: Path) -> Profile:
    """Validate a mapping YAML and build its profile."""
    import yaml

    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the mapping {where}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML ({exc.__class__.__name__})",
                          hint="check indentation and quoting; `assetkit map FILE` writes a valid example") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a mapping must be a YAML mapping with kind, platform and columns")
    unknown = sorted(set(data) - MAPPING_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}", hint=f"allowed keys: {', '.join(sorted(MAPPING_KEYS))}")
    kind = require_one_of(f"{where}: kind", data.get("kind"), MAPPABLE_KINDS)
    platform = str(data.get("platform") or "")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", platform):
        raise ConfigError(f"{where}: platform: {platform!r} must be a lower-case name such as alibaba or madeinchina")
    channel = require_one_of(f"{where}: channel", data.get("channel", "marketplace"), CHANNELS)
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise ConfigError(f"{where}: columns: expected canonical field: source column pairs")
    fields = canonical_fields(kind)
    for key, value in columns.items():
        if key not in fields:
            raise ConfigError(f"{where}: columns.{key}: unknown field for kind {kind}",
                              hint=f"fields: {', '.join(fields)}")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: columns.{key}: expected the source column name as text")
    currency = data.get("currency")
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", str(currency)):
        raise ConfigError(f"{where}: currency: {currency!r} is not a three-letter code such as USD")
    # A constant currency stands in for a currency column the file does not have.
    constant = {"currency"} if currency and "currency" not in columns else set()
    missing = [name for name, spec in fields.items() if spec.required and name not in columns and name not in constant]
    if missing:
        raise ConfigError(f"{where}: columns.{missing[0]}: required for kind {kind} but not mapped",
                          hint=f"required fields: {', '.join(n for n, s in fields.items() if s.required)}")
    timezone = str(data.get("timezone", "UTC"))
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: timezone: {timezone!r} is not a time zone name such as Asia/Shanghai") from None
    formats = data.get("date_formats", ["iso"])
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise ConfigError(f"{where}: date_formats: expected a list such as [iso, '%d/%m/%Y']")
    decimal = require_one_of(f"{where}: decimal", str(data.get("decimal", "auto")), DECIMAL_SEPARATORS,
                             "auto, '.', ','")
    base = _generic(kind)
    new_fields = tuple(dataclasses.replace(spec, columns=(str(columns[spec.columns[0]]).strip(),)
                                           if spec.columns and spec.columns[0] in columns else (),
                                           required=spec.required and not (spec.columns and spec.columns[0] in constant))
                       for spec in base.fields)
    required = tuple(str(columns[n]).strip() for n, s in fields.items() if s.required and n in columns)
    return dataclasses.replace(base, name=f"mapping:{path.name}", platform=platform, channel=str(channel),
                               title=f"user mapping {path.name}", required=required, absent=(), fields=new_fields,
                               timezone=timezone, date_formats=tuple(formats), currency=currency,
                               delimiter=data.get("delimiter"), decimal=decimal)


@dataclass
class Proposal:
    kind: str
    columns: dict[str, str]
    unmatched: list[str]
    samples: dict[str, list[str]]  # column -> its first distinct non-empty values
    date_formats: list[str]
    currency: str | None  # the constant currency written to the mapping (None: a column gives it)
    evidence: dict[str, str]  # guess -> why, with the sample values behind it
    recognised_by: str | None  # a built-in profile that already imports this file
    yaml_text: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def peek(path: Path, encoding: str | None = None, rows: int = 50) -> tuple[list[str], list[list[str]]]:
    """Header and first rows of any supported file, without needing a profile. A file that
    is empty, binary or unreadable is a SourceError naming it, never a crash."""
    from assetkit.importers.encoding import SAMPLE_BYTES, check_text, decode, detect_encoding
    from assetkit.importers.workbook import head_rows, is_workbook, open_sheets

    if not path.exists():
        raise SourceError("file not found", path=str(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror}", path=str(path)) from None
    if is_workbook(path, raw[:8]):
        import duckdb

        con = duckdb.connect()
        try:
            with closing(open_sheets(con, path)) as sheets:
                sheet = next(sheets, None)
                table = [r for r in head_rows(con, sheet, 200) if any(c.strip() for c in r)] if sheet else []
        finally:
            con.close()
    else:
        check_text(raw[:SAMPLE_BYTES], str(path))
        text = decode(raw, encoding or detect_encoding(raw[:SAMPLE_BYTES]), str(path))
        table = _json_table(text, str(path), rows) if text.lstrip()[:1] in ("[", "{") else _csv_table(text, str(path))
    if not table:
        raise SourceError("no header line found: the file holds no text rows", path=str(path))
    width = max(len(r) for r in table[:30])
    start = next((i for i, r in enumerate(table) if len(r) == width), 0)
    return [h.strip() for h in table[start]], table[start + 1: start + 1 + rows]


def _csv_table(text: str, path: str) -> list[list[str]]:
    """Non-blank records; `newline=''` lets the csv module take \\n, \\r\\n and old-Mac \\r endings."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]

    def width(d: str) -> int:
        return sum(len(_split(x, d)) for x in lines[:5])

    best = max((",", "\t", ";", "|"), key=width)
    try:
        return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=best) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise SourceError(f"malformed CSV: {exc}", path=path, hint="check the quoting, or pass --encoding") from None


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _json_table(text: str, path: str, rows: int) -> list[list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    items = data if isinstance(data, list) else next((v for v in data.values() if isinstance(v, list)), [])
    items = [i for i in items if isinstance(i, dict)]
    header = list(dict.fromkeys(str(k) for item in items for k in item))
    return [header, *([str(item.get(k, "")) for k in header] for item in items[:rows])] if header else []


def propose_mapping(path: Path, encoding: str | None = None, kind: str | None = None,
                    currency: str | None = None) -> Proposal:
    """Match the file's columns to canonical fields and draft the YAML mapping; every guess
    (kind, columns, date format, currency, a column kept out of `status`) carries the sample
    values behind it. `currency` is a constant for files without a currency column."""
    import yaml

    from assetkit.importers.registry import detect

    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        from assetkit.errors import UsageError

        raise UsageError(f"--currency {currency!r} is not a three-letter code such as USD or CNY")
    header, rows = peek(path, encoding)
    if not any(h.strip() for h in header):
        raise SourceError("no header row found", path=str(path), hint="the first row must name the columns")
    values = {h: [r[i] for r in rows if i < len(r)] for i, h in enumerate(header)}
    samples = {h: list(dict.fromkeys(guess.non_empty(v)))[:3] for h, v in values.items()}
    synonyms = yaml.safe_load(files("assetkit.importers").joinpath("data", "synonyms.yaml").read_text(encoding="utf-8"))
    best: tuple[int, int, str, dict[str, str], dict[str, str]] | None = None
    for k in ([kind] if kind else list(MAPPABLE_KINDS)):
        fields = canonical_fields(k)
        chosen: dict[str, str] = {}
        refused: dict[str, str] = {}
        for exact in (True, False):
            for name in fields:
                if name in chosen:
                    continue
                names = [_norm(n) for n in [name, *synonyms.get(name, [])]]
                for h in header:
                    if h in chosen.values() or not h.strip():
                        continue
                    hn = _norm(h)
                    if not ((hn in names) if exact else any(n and len(n) > 2 and n in hn for n in names)):
                        continue
                    if name == "status":
                        ok, why = guess.looks_like_status(h, values[h])
                        if not ok:
                            refused[h] = why
                            continue
                    chosen[name] = h
                    break
        required = sum(1 for n, s in fields.items() if s.required and n in chosen)
        score = (required - sum(1 for s in fields.values() if s.required), len(chosen), k, chosen, refused)
        if best is None or score[:2] > best[:2]:
            best = score
    assert best is not None
    _, _, kind_found, chosen, refused = best
    if not chosen and kind is None:
        shown = ", ".join(header[:12]) + (" …" if len(header) > 12 else "")
        raise SourceError(f"none of the columns [{shown}] looks like an inquiry, order, fee, spend or product field",
                          path=str(path),
                          hint="check it is the right file; for a template to fill by hand, pass --kind "
                               "inquiries|orders|fees|spend|products")
    fields = canonical_fields(kind_found)
    needed = [n for n, s in fields.items() if s.required and n != "currency"]
    evidence = {"kind": f"{kind_found}: its required fields {', '.join(needed)} "
                        f"{'all' if all(n in chosen for n in needed) else 'not all'} found "
                        f"({', '.join(n for n in needed if n in chosen) or 'none'})"}
    dated = [chosen[n] for n, s in fields.items() if s.type == "timestamp" and n in chosen]
    formats = guess.date_formats([v for h in dated for v in values[h]])
    evidence["date_formats"] = (f"{', '.join(repr(h) for h in dated)}: " if dated else "") + formats.why
    const = currency
    if "currency" in chosen:
        evidence["currency"] = (f"column {chosen['currency']!r}: {guess.quoted(samples[chosen['currency']])}"
                                + (f"; {currency} where a cell is empty" if currency else ""))
    elif currency:
        evidence["currency"] = f"no currency column: every amount is {currency} (--currency)"
    else:
        money = [chosen[n] for n, s in fields.items() if s.type == "money" and n in chosen]
        found = guess.currency([v for h in money for v in values[h]])
        if found:
            const = str(found.value)
            evidence["currency"] = f"no currency column: {found.why}"
        else:
            const = "USD"
            evidence["currency"] = ("ASSUMED: no currency column and no currency symbol in the amounts; "
                                    "set the currency your amounts are in (or run map again with --currency)")
    for name, column in chosen.items():
        evidence[f"columns.{name}"] = guess.quoted(samples[column]) if samples[column] else "no values in the sample"
    for column, why in refused.items():
        evidence[f"not status: {column}"] = why
    recognised = None
    try:
        found_profile = detect(header, list(builtin_profiles()), str(path), 1)
        recognised = found_profile.name if found_profile else None
    except SourceError:
        recognised = None
    unmatched = [h for h in header if h not in chosen.values()]
    proposal = Proposal(kind_found, chosen, unmatched, samples, list(formats.value), const if "currency" not in chosen
                        or currency else None, evidence, recognised, "")
    proposal.yaml_text = _yaml(path, proposal)
    return proposal


def _yaml(path: Path, p: Proposal) -> str:
    fields = canonical_fields(p.kind)

    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    lines = [f"# assetkit mapping proposed for {path.name}: check every line, then run",
             f"#   assetkit import {path.name} --mapping THIS_FILE.yaml",
             "# Left: assetkit's field. Right: the column in your file. Delete lines you do not need.",
             "# Each guess shows the sample values it rests on (the first rows of the file)."]
    if p.recognised_by:
        lines.append(f"# NOTE: the built-in profile {p.recognised_by} already imports this file: "
                     f"`assetkit import {path.name}` needs no mapping.")
    lines += [f"kind: {p.kind}   # {p.evidence['kind']}",
              "platform: other        # e.g. alibaba, madeinchina, globalsources, fiverr (lower case)",
              "channel: marketplace   # marketplace, own_site, referral, exhibition, social, email, direct, other",
              "timezone: UTC          # the zone of times without an offset, e.g. Asia/Shanghai",
              f"date_formats: [{', '.join(q(f) for f in p.date_formats)}]   # {p.evidence['date_formats']}"]
    if p.currency:
        lines.append(f"currency: {p.currency}   # {p.evidence['currency']}")
    else:
        lines.append(f"# currency: USD   # a constant for empty currency cells; now: {p.evidence['currency']}")
    lines.append("columns:")
    for name, spec in fields.items():
        if name in p.columns:
            lines.append(f"  {name}: {q(p.columns[name])}   # e.g. {p.evidence[f'columns.{name}']}")
        elif name == "currency" and p.currency:
            lines.append(f"  # currency: no column; every amount is {p.currency} (currency: above)")
        elif spec.required:
            lines.append(f"  # {name}: REQUIRED, no matching column found: add it")
    for key, why in p.evidence.items():
        if key.startswith("not status: "):
            lines.append(f"# not mapped to status: {why}")
    if p.unmatched:
        lines.append("# columns not mapped: " + ", ".join(
            q(u) + (f" (e.g. {guess.quoted(p.samples[u])})" if p.samples.get(u) else "") for u in p.unmatched))
    lines.append("# other fields you can map: " + ", ".join(n for n in fields if n not in p.columns))
    return "\n".join(lines) + "\n"


