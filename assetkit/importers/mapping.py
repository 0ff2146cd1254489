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
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from assetkit.errors import ConfigError, SourceError
from assetkit.importers.registry import Profile, builtin_profiles

MAPPING_KEYS = {"kind", "platform", "channel", "columns", "timezone", "date_formats", "currency", "delimiter"}
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
    kind = data.get("kind")
    if kind not in MAPPABLE_KINDS:
        raise ConfigError(f"{where}: kind: {kind!r} is not one of {', '.join(MAPPABLE_KINDS)}")
    platform = str(data.get("platform") or "")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", platform):
        raise ConfigError(f"{where}: platform: {platform!r} must be a lower-case name such as alibaba or madeinchina")
    channel = data.get("channel", "marketplace")
    if channel not in CHANNELS:
        raise ConfigError(f"{where}: channel: {channel!r} is not one of {', '.join(CHANNELS)}")
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
    missing = [name for name, spec in fields.items() if spec.required and name not in columns]
    if missing:
        raise ConfigError(f"{where}: columns.{missing[0]}: required for kind {kind} but not mapped",
                          hint=f"required fields: {', '.join(n for n, s in fields.items() if s.required)}")
    timezone = str(data.get("timezone", "UTC"))
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: timezone: {timezone!r} is not a time zone name such as Asia/Shanghai") from None
    currency = data.get("currency")
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", str(currency)):
        raise ConfigError(f"{where}: currency: {currency!r} is not a three-letter code such as USD")
    formats = data.get("date_formats", ["iso"])
    if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise ConfigError(f"{where}: date_formats: expected a list such as [iso, '%d/%m/%Y']")
    base = _generic(kind)
    new_fields = tuple(dataclasses.replace(spec, columns=(str(columns[spec.columns[0]]).strip(),)
                                           if spec.columns and spec.columns[0] in columns else ())
                       for spec in base.fields)
    required = tuple(str(columns[n]).strip() for n, s in fields.items() if s.required)
    return dataclasses.replace(base, name=f"mapping:{path.name}", platform=platform, channel=str(channel),
                               title=f"user mapping {path.name}", required=required, absent=(), fields=new_fields,
                               timezone=timezone, date_formats=tuple(formats), currency=currency,
                               delimiter=data.get("delimiter"))


@dataclass
class Proposal:
    kind: str
    columns: dict[str, str]
    unmatched: list[str]
    samples: dict[str, str]
    yaml_text: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def peek(path: Path, encoding: str | None = None, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """Header and first rows of any supported file, without needing a profile."""
    from assetkit.importers.encoding import SAMPLE_BYTES, decode, detect_encoding

    if not path.exists():
        raise SourceError("file not found", path=str(path))
    raw = path.read_bytes()
    _refuse_non_tables(path, raw)
    if path.suffix.lower() in (".xlsx", ".xlsm") or raw[:4] == b"PK\x03\x04":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        table = [["" if v is None else str(v) for v in r] for r in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        table = [r for r in table if any(c.strip() for c in r)]
        return (table[0], table[1: rows + 1]) if table else ([], [])
    text = decode(raw, encoding or detect_encoding(raw[:SAMPLE_BYTES]), str(path))
    if text.lstrip()[:1] in ("[", "{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise SourceError(f"not valid JSON ({exc})", path=str(path),
                              hint="export the data again, or as CSV") from None
        items = data if isinstance(data, list) else next((v for v in data.values() if isinstance(v, list)), [])
        header = list(dict.fromkeys(k for item in items for k in item))
        return header, [[str(item.get(k, "")) for k in header] for item in items[:rows]]
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best = max((",", "\t", ";", "|"), key=lambda d: sum(len(next(csv.reader([x], delimiter=d))) for x in lines[:5]))
    table = [r for r in csv.reader(io.StringIO(text), delimiter=best) if any(c.strip() for c in r)]
    width = max((len(r) for r in table[:30]), default=0)
    start = next((i for i, r in enumerate(table) if len(r) == width), 0)
    return [h.strip() for h in table[start]], table[start + 1: start + 1 + rows]


# Leading bytes of files that are not tables, and what to do instead.
_NOT_TABLES = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document: download the CSV or Excel export instead"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file: save it as .xlsx or CSV"),
    (b"\x1f\x8b", "a gzip archive: unpack it first"),
)


def _refuse_non_tables(path: Path, raw: bytes) -> None:
    """A clear error for images, PDFs, old Excel files, archives and empty files."""
    what = next((text for magic, text in _NOT_TABLES if raw.startswith(magic)), None)
    if what is None and path.suffix.lower() in (".xls", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".doc", ".docx"):
        what = f"a {path.suffix.lower()} file"
    if what is None and b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        what = "a binary file"
    if what is not None:
        raise SourceError(f"this is {what}, not a table assetkit can read", path=str(path),
                          hint="assetkit reads CSV, TSV, TXT, JSON and XLSX exports")
    if not raw.strip():
        raise SourceError("the file is empty", path=str(path), hint="download the export again")


def propose_mapping(path: Path, encoding: str | None = None, kind: str | None = None) -> Proposal:
    """Match the file's columns to canonical fields and draft the YAML mapping.

    Fails when no column looks like any field of any kind (unless --kind asks for a template):
    a proposal with nothing matched is not a proposal.
    """
    import yaml

    header, rows = peek(path, encoding)
    if not any(h.strip() for h in header):
        raise SourceError("no header row found", path=str(path), hint="the first row must name the columns")
    synonyms = yaml.safe_load(files("assetkit.importers").joinpath("data", "synonyms.yaml").read_text(encoding="utf-8"))
    best: tuple[int, int, str, dict[str, str]] | None = None
    for k in ([kind] if kind else ["inquiries", "orders", "fees", "spend", "products"]):
        fields = canonical_fields(k)
        chosen: dict[str, str] = {}
        used: set[str] = set()
        for exact in (True, False):
            for name in fields:
                if name in chosen:
                    continue
                names = [_norm(n) for n in [name, *synonyms.get(name, [])]]
                for h in header:
                    if h in used or not h.strip():
                        continue
                    hn = _norm(h)
                    if (hn in names) if exact else any(n and len(n) > 2 and n in hn for n in names):
                        chosen[name] = h
                        used.add(h)
                        break
        required = sum(1 for n, s in fields.items() if s.required and n in chosen)
        score = (required - sum(1 for s in fields.values() if s.required), len(chosen), k, chosen)
        if best is None or score[:2] > best[:2]:
            best = score
    assert best is not None
    _, _, kind_found, chosen = best
    if not chosen and kind is None:
        shown = ", ".join(header[:12]) + (" …" if len(header) > 12 else "")
        raise SourceError(f"none of the columns [{shown}] looks like an inquiry, order, fee, spend or product field",
                          path=str(path),
                          hint="check it is the right file; for a template to fill by hand, pass --kind "
                               "inquiries|orders|fees|spend|products")
    samples = {h: next((r[i] for r in rows if i < len(r) and r[i].strip()), "") for i, h in enumerate(header)}
    unmatched = [h for h in header if h not in chosen.values()]
    return Proposal(kind_found, chosen, unmatched, samples, _yaml(path, kind_found, chosen, unmatched, samples))


def _yaml(path: Path, kind: str, chosen: dict[str, str], unmatched: list[str], samples: dict[str, str]) -> str:
    fields = canonical_fields(kind)

    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    lines = [f"# assetkit mapping proposed for {path.name}: check every line, then run",
             f"#   assetkit import {path.name} --mapping THIS_FILE.yaml",
             "# Left: assetkit's field. Right: the column in your file. Delete lines you do not need.",
             f"kind: {kind}",
             "platform: other        # e.g. alibaba, madeinchina, globalsources, fiverr (lower case)",
             "channel: marketplace   # marketplace, own_site, referral, exhibition, social, email, direct, other",
             "timezone: UTC          # the zone of times without an offset, e.g. Asia/Shanghai",
             "date_formats: [iso]    # add strptime formats if needed, e.g. '%d/%m/%Y'",
             "currency: USD          # used where the file has no currency column", "columns:"]
    for name, spec in fields.items():
        if name in chosen:
            sample = samples.get(chosen[name], "")[:40]
            lines.append(f"  {name}: {q(chosen[name])}" + (f"   # e.g. {q(sample)}" if sample else ""))
        elif spec.required:
            lines.append(f"  # {name}: REQUIRED, no matching column found: add it")
    if unmatched:
        lines.append("# columns not mapped: " + ", ".join(q(u) for u in unmatched))
    lines.append("# other fields you can map: " + ", ".join(n for n in fields if n not in chosen))
    return "\n".join(lines) + "\n"
