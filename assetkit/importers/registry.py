"""Import profiles: one YAML file per platform and kind, validated, plus header detection.

A profile says how to recognise an export (`detect.required` header names, optionally
`detect.absent` ones to tell variants apart), how to read it (delimiter, zone, date formats,
default currency, trailer lines, JSON record path), which typed `fields` to take from which
columns (with locale aliases), named SQL expressions over them (`derived`, written `@name`),
which rows are structural (`skip`), how to find the buyer (`buyer`), and what canonical rows
to produce (`outputs`: SQL expressions over the fields, evaluated vectorised in DuckDB; a
keyless output may say which values identify a row, `identity`). `$platform`, `$channel`,
`$currency` and `$store` (the `--store` of the run) are substituted. Adding a marketplace
means adding a YAML file here; docs/profiles.md documents every key (a test keeps it in sync).
Detection follows beangulp: cheap, and two matches is an error that names both.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from assetkit.config import CHANNELS
from assetkit.errors import ConfigError, SourceError, quote_excerpt, require_one_of

FIELD_TYPES = ("text", "money", "number", "int", "timestamp")
TABLES = ("orders", "order_items", "refunds", "fees", "spend", "inquiries", "products", "visits")
KINDS = ("inquiries", "orders", "fees", "spend", "products", "visits")
# The keys a profile may use, per level; each is documented in docs/profiles.md, and
# tests/test_profile_docs.py fails when the two differ (KEY_LISTS below names the levels).
_PROFILE_KEYS = ("name", "platform", "kind", "channel", "title", "detect", "read", "fields",
                 "derived", "skip", "buyer", "outputs", "reconcile", "notes")
_DETECT_KEYS = ("required", "absent")
_READ_KEYS = ("delimiter", "timezone", "date_formats", "tz_abbrev", "excel_dates", "currency",
              "trailer", "json_records", "decimal", "earliest")
# The decimal separator a profile may state: "auto" (money.py's rule), "." or "," (the other one
# is then a thousands separator wherever it occurs: `1.250` = 1250 with ",").
DECIMAL_SEPARATORS = ("auto", ".", ",")
# The plausible window of a date: from `read.earliest` (the platform's launch; this default
# otherwise) to a few days after today. A date outside it (`9999-12-31`, `0001-01-01`, the Excel
# serial `99999`) is spreadsheet damage: the row is quarantined, never stored, so no analysis
# meets a year 9999 (which broke `fees` and made `cohorts` grow past 10 GB).
DEFAULT_EARLIEST = "1990-01-01"
FUTURE_DAYS = 7
_FIELD_KEYS = ("col", "type", "required", "regex", "fill", "join")
_OUTPUT_KEYS = ("table", "where", "group_by", "key", "key_optional", "identity", "values", "supersedes")
_RECONCILE_KEYS = ("name", "label", "where", "by", "currency", "expected", "got", "tolerance")
# What a reconciliation's `got` may add up: the staged rows of a canonical table, or `rows`,
# the file's own rows (for money the profile leaves out on purpose: payouts, withheld tax).
RECONCILE_SOURCES = ("orders", "refunds", "fees", "rows")
_BUYER_KEYS = ("email", "ref", "name", "company", "country", "phone", "at", "platform", "channel")
# Each level's keys under the path docs/profiles.md writes them with (`read.earliest`,
# `outputs[].supersedes`; top-level keys bare).
KEY_LISTS: dict[str, tuple[str, ...]] = {
    "": _PROFILE_KEYS, "detect": _DETECT_KEYS, "read": _READ_KEYS, "fields.<name>": _FIELD_KEYS,
    "outputs[]": _OUTPUT_KEYS, "reconcile[]": _RECONCILE_KEYS, "buyer": _BUYER_KEYS,
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    columns: tuple[str, ...]
    type: str = "text"
    required: bool = False
    regex: str | None = None
    fill: bool = False  # carry the last non-empty value down (summary columns)
    join: bool = False  # the value is all listed columns joined by a space (date + time)


@dataclass(frozen=True)
class Output:
    table: str
    values: dict[str, str]
    where: str | None = None
    group_by: str | None = None
    key: str | None = None
    key_optional: bool = False  # a NULL key falls back to the content hash
    # Without a key: the expressions whose values identify a row (its content hash), instead
    # of every stored value; free text a re-save may change (a statement's Title) stays out.
    identity: tuple[str, ...] = ()
    # Profiles whose rows of the same id this output replaces: a ledger export (Etsy Sold
    # Orders) over the stand-in another export made (an order built from Sold Order Items).
    supersedes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reconcile:
    """A total the export states about its own money, checked at import (reconcile.py):
    `expected` aggregates the file's rows (skipped ones included; a settlement's
    total-amount, a Net column), `got` sums aggregates over what the outputs made of them
    (per canonical table) plus `rows`, the money the profile leaves out on purpose. One
    result per group of `by`; within `tolerance` (money) the group is reconciled."""

    name: str
    label: str
    expected: str
    got: dict[str, str]
    by: str | None = None
    currency: str | None = None
    tolerance: float = 0.01
    # The rows the check covers (default all): eBay's Net is in the payout currency, so a
    # sale paid out in another currency is left out rather than reported as a difference.
    where: str | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    platform: str
    kind: str
    channel: str
    title: str
    required: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    outputs: tuple[Output, ...]
    absent: tuple[str, ...] = ()
    delimiter: str | None = None
    timezone: str = "UTC"
    date_formats: tuple[str, ...] = ("iso",)
    tz_abbrev: bool = False
    excel_dates: bool = True
    currency: str | None = None
    trailer: tuple[str, ...] = ()
    json_records: str | None = None
    decimal: str = "auto"
    earliest: str = DEFAULT_EARLIEST
    skip: str | None = None
    buyer: dict[str, str] | None = None
    # Named SQL expressions over the fields, written `@name` in skip/buyer/outputs: one
    # definition of a quantity (an order's hidden tax) instead of copies in every output.
    derived: dict[str, str] = field(default_factory=dict)
    # The seller's store this run imports (`--store`): `$store` in expressions. Order numbers
    # such as Shopify's `#1001` are unique per store only.
    store: str | None = None
    reconcile: tuple[Reconcile, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def matches(self, header: list[str]) -> bool:
        names = {h.strip().casefold() for h in header}
        return all(r.casefold() in names for r in self.required) and not any(
            a.casefold() in names for a in self.absent)

    def describe(self) -> str:
        return f"{self.name} ({self.platform} {self.kind})"


def _check_keys(where: str, got: Any, allowed: tuple[str, ...]) -> None:
    """A mapping whose keys are all in `allowed` passes; the error names the first other key."""
    if not isinstance(got, dict):
        raise ConfigError(f"{where}: expected a mapping of keys, found {type(got).__name__}",
                          hint=f"allowed keys here: {', '.join(sorted(allowed))}")
    unknown = sorted(set(got) - set(allowed))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}",
                          hint=f"allowed keys here: {', '.join(sorted(allowed))}")


def _check_sql(prefix: str, expressions: Any) -> None:
    """Each value present is SQL text: a bare YAML number or boolean (`amount: 0`) reached the
    SQL builder as a non-string and failed the import with an internal error."""
    if not isinstance(expressions, dict):
        raise ConfigError(f"{prefix.rstrip('.')}: expected a mapping of column -> SQL expression, "
                          f"found {type(expressions).__name__}")
    for key, value in expressions.items():
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{prefix}{key}: expected an SQL expression in a string, found {value!r}",
                              hint=f'quote it: "{value}"')


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def profile_from_dict(data: dict[str, Any], origin: str) -> Profile:
    """Validate a parsed profile; every message names the offending key."""
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: a profile must be a mapping")
    _check_keys(origin, data, _PROFILE_KEYS)
    for key in ("name", "platform", "kind", "channel", "fields", "outputs"):
        if key not in data:
            raise ConfigError(f"{origin}: missing key {key!r}")
    for key, allowed in (("kind", KINDS), ("channel", CHANNELS)):
        require_one_of(f"{origin}: {key}", data[key], allowed)
    if not isinstance(data["fields"] or {}, dict):
        raise ConfigError(f"{origin}: fields: expected a mapping of field name -> column or field keys")
    if not isinstance(data["outputs"] or [], list):
        raise ConfigError(f"{origin}: outputs: expected a list of outputs")
    read = data.get("read") or {}
    _check_keys(f"{origin}: read", read, _READ_KEYS)
    detect = data.get("detect") or {}
    _check_keys(f"{origin}: detect", detect, _DETECT_KEYS)
    fields = []
    for name, spec in (data["fields"] or {}).items():
        spec = {"col": spec} if isinstance(spec, (str, list)) else (spec or {})
        _check_keys(f"{origin}: fields.{name}", spec, _FIELD_KEYS)
        if str(name) in ("buyer_id", "__line") or str(name).startswith("c") and str(name)[1:].isdigit():
            raise ConfigError(f"{origin}: fields.{name}: this name is reserved by the engine")
        ftype = require_one_of(f"{origin}: fields.{name}.type", spec.get("type", "text"), FIELD_TYPES)
        fields.append(FieldSpec(str(name), _as_tuple(spec.get("col")), ftype,
                                bool(spec.get("required", False)), spec.get("regex"),
                                bool(spec.get("fill", False)), bool(spec.get("join", False))))
    outputs = []
    for i, out in enumerate(data["outputs"] or []):
        _check_keys(f"{origin}: outputs[{i}]", out, _OUTPUT_KEYS)
        if out.get("identity") and (out.get("key") or out.get("group_by")):
            raise ConfigError(f"{origin}: outputs[{i}].identity: only for outputs without key and group_by")
        require_one_of(f"{origin}: outputs[{i}].table", out.get("table"), TABLES)
        _check_sql(f"{origin}: outputs[{i}].", {k: out.get(k) for k in ("where", "group_by", "key")})
        _check_sql(f"{origin}: outputs[{i}].values.", out.get("values") or {})
        outputs.append(Output(out["table"], dict(out.get("values") or {}), out.get("where"),
                              out.get("group_by"), out.get("key"),
                              bool(out.get("key_optional", False)), _as_tuple(out.get("identity")),
                              _as_tuple(out.get("supersedes"))))
    derived = data.get("derived") or {}
    if not isinstance(derived, dict) or not all(isinstance(v, str) for v in derived.values()):
        raise ConfigError(f"{origin}: derived: a mapping of name -> SQL expression")
    for name in derived:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", str(name)):
            raise ConfigError(f"{origin}: derived.{name}: names are lower-case letters, digits and _")
    reconcile = tuple(_reconcile(f"{origin}: reconcile[{i}]", r) for i, r in enumerate(data.get("reconcile") or []))
    made = {o.table for o in outputs} | {"rows"}
    for i, check in enumerate(reconcile):
        for source in check.got:
            if source not in made:
                raise ConfigError(f"{origin}: reconcile[{i}].got.{source}: the profile has no output to {source}")
    buyer = data.get("buyer")
    if buyer is not None:
        _check_keys(f"{origin}: buyer", buyer, _BUYER_KEYS)
        _check_sql(f"{origin}: buyer.", buyer)
    _check_sql(f"{origin}: ", {"skip": data.get("skip")})
    required = _as_tuple(detect.get("required"))
    decimal = require_one_of(f"{origin}: read.decimal", str(read.get("decimal", "auto")), DECIMAL_SEPARATORS,
                             "auto, '.', ','")
    earliest = str(read.get("earliest", DEFAULT_EARLIEST))
    if not re.fullmatch(r"(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]", earliest):
        raise ConfigError(f"{origin}: read.earliest: {earliest!r} is not a date YYYY-MM-DD after 1900")
    trailer = _as_tuple(read.get("trailer"))
    for i, pattern in enumerate(trailer):
        try:
            re.compile(pattern)
        except re.error as exc:  # else reading a file fails on it with an internal error
            raise ConfigError(f"{origin}: read.trailer[{i}]: {pattern!r} is not a regular expression ({exc})") from None
    return Profile(
        name=str(data["name"]), platform=str(data["platform"]), kind=str(data["kind"]),
        channel=str(data["channel"]), title=str(data.get("title", data["name"])),
        required=required, absent=_as_tuple(detect.get("absent")), fields=tuple(fields),
        outputs=tuple(outputs), delimiter=read.get("delimiter"),
        timezone=str(read.get("timezone", "UTC")),
        date_formats=_as_tuple(read.get("date_formats", ["iso"])),
        tz_abbrev=bool(read.get("tz_abbrev", False)), excel_dates=bool(read.get("excel_dates", True)),
        currency=read.get("currency"), trailer=trailer,
        json_records=read.get("json_records"), decimal=decimal, earliest=earliest, skip=data.get("skip"), buyer=buyer,
        derived={str(k): str(v) for k, v in derived.items()}, reconcile=reconcile,
    )


def _reconcile(where: str, data: Any) -> Reconcile:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a mapping with {', '.join(sorted(_RECONCILE_KEYS))}")
    _check_keys(where, data, _RECONCILE_KEYS)
    _check_sql(f"{where}.", {k: data.get(k) for k in ("where", "by", "currency", "expected")})
    for key in ("name", "label", "expected", "got"):
        if not data.get(key):
            raise ConfigError(f"{where}: missing key {key!r}")
    got = data["got"]
    if not isinstance(got, dict) or not all(isinstance(v, str) for v in got.values()):
        raise ConfigError(f"{where}.got: a mapping of source -> SQL aggregate",
                          hint=f"sources: {', '.join(RECONCILE_SOURCES)}")
    for source in got:
        if source not in RECONCILE_SOURCES:
            raise ConfigError(f"{where}.got.{source}: not one of {', '.join(RECONCILE_SOURCES)}")
    try:
        tolerance = float(data.get("tolerance", 0.01))
    except (TypeError, ValueError):
        raise ConfigError(f"{where}.tolerance: {data.get('tolerance')!r} is not a number") from None
    return Reconcile(str(data["name"]), str(data["label"]), str(data["expected"]), dict(got),
                     data.get("by"), data.get("currency"), tolerance, data.get("where"))


@functools.lru_cache(maxsize=1)
def builtin_profiles() -> tuple[Profile, ...]:
    """Every profile shipped in assetkit/importers/profiles/*.yaml, by name."""
    import yaml

    loaded = [(entry.name, profile_from_dict(yaml.safe_load(entry.read_text(encoding="utf-8")), entry.name))
              for entry in sorted(files("assetkit.importers").joinpath("profiles").iterdir(), key=lambda p: p.name)
              if entry.name.endswith(".yaml")]
    check_supersedes(loaded)
    return tuple(profile for _, profile in loaded)


def check_supersedes(loaded: list[tuple[str, Profile]]) -> None:
    """Every `outputs[].supersedes` names a profile of the set: a misspelt name would make the
    ledger's rows duplicates of the stand-ins instead of replacing them, silently."""
    names = {profile.name for _, profile in loaded}
    for origin, profile in loaded:
        for i, out in enumerate(profile.outputs):
            for name in out.supersedes:
                if name not in names:
                    raise ConfigError(f"{origin}: outputs[{i}].supersedes: {name!r} is not a profile",
                                      hint=f"profiles: {', '.join(sorted(names))}")


def detect(header: list[str], candidates: list[Profile], path: str, line: int) -> Profile | None:
    """The one profile whose signature the header carries; None if none; error if two."""
    hits = [p for p in candidates if p.matches(header)]
    if len(hits) > 1:
        raise SourceError(
            "the header matches several profiles: " + ", ".join(p.describe() for p in hits),
            path=path, line=line,
            hint="choose one with --platform NAME --kind KIND (see `assetkit platforms`)",
        )
    return hits[0] if hits else None


def no_match_error(path: str, header: list[str], candidates: list[Profile]) -> SourceError:
    shown = quote_excerpt(", ".join(quote_excerpt(h, 60) for h in header[:12]) + (" …" if len(header) > 12 else ""))
    return SourceError(
        f"{NO_MATCH}; header found: [{shown}]",
        path=path,
        hint=f"{len(candidates)} profiles tried (`assetkit platforms` lists them with their header signatures); "
             "pass --platform/--kind, or write a mapping with `assetkit map FILE` and use --mapping",
    )


NO_MATCH = "no import profile recognises this file"
