"""Guesses `assetkit map` makes from a file's sample values, each with the values behind it.

A mapping is only as good as its guesses, and a seller can only check a guess whose evidence
is shown: which date format every sampled date fits (and whether day and month could be
swapped), which currency the amounts' symbols name, whether a column's values look like order
statuses at all (a `State` column of `CA`, `NY` is a place, not a status). Pure Python over a
few dozen sampled cells; the importer itself stays in DuckDB.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from assetkit.importers.money import EMPTY_TOKENS, SYMBOL_CURRENCY
from assetkit.importers.parsing import STATUS_WORDS

# Date shapes seen in marketplace and B2B back-office exports, most specific first; each is
# also tried with a time of day after it. Day-first before month-first: the B2B platforms
# this serves (Alibaba, Made-in-China, Global Sources) are mostly day-first outside the US.
DATE_SHAPES = ("%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y",
               "%d-%m-%Y", "%m-%d-%Y", "%d/%m/%y", "%m/%d/%y", "%b %d, %Y", "%B %d, %Y", "%d %b %Y",
               "%d %B %Y", "%d-%b-%Y", "%d-%b-%y", "%b-%d-%y", "%b-%d-%Y")
TIME_SHAPES = ("", " %H:%M:%S", " %H:%M", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p", " %H时%M分")
# A column with any of these words names a place: never an order status.
PLACE_WORDS = ("province", "state", "region", "county", "prefecture", "city", "zip", "postcode", "postal",
               "district", "address", "省", "州", "市", "地区", "区域", "城市", "地址", "邮编")


@dataclass
class Guess:
    """A guessed value and the sentence that shows why (sample values quoted)."""

    value: object
    why: str


def non_empty(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v is not None and v.strip() not in EMPTY_TOKENS]


def quoted(values: list[str], limit: int = 3) -> str:
    shown = list(dict.fromkeys(values))[:limit]
    return ", ".join('"' + v.replace('"', "'")[:40] + '"' for v in shown)


def _is_iso(value: str) -> bool:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _fits(fmt: str, value: str) -> bool:
    try:
        dt.datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _swap_day_month(fmt: str) -> str:
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def date_formats(values: list[str]) -> Guess:
    """The date formats every sampled value fits, as the mapping's `date_formats`."""
    seen = non_empty(values)
    if not seen:
        return Guess(["iso"], "no date values in the sample: ISO dates (2024-03-15) assumed")
    if all(_is_iso(v) for v in seen):
        return Guess(["iso"], f"ISO dates: {quoted(seen)}")
    fitting = [d + t for d in DATE_SHAPES for t in TIME_SHAPES if all(_fits(d + t, v) for v in seen)]
    if not fitting:
        return Guess(["iso"], f"no known date format fits {quoted(seen)}: add yours to date_formats "
                              "(strptime codes, e.g. '%d/%m/%Y %H:%M')")
    chosen = fitting[0]
    why = f"every sampled date fits {chosen!r}: {quoted(seen)}"
    others = [f for f in fitting if f != chosen and _swap_day_month(f) == chosen]
    if others:
        why += (f"; AMBIGUOUS: no day above 12 in the sample, so {others[0]!r} fits too; "
                "check which your platform writes")
    return Guess([chosen, "iso"], why)


def currency(amounts: list[str]) -> Guess | None:
    """The currency the amounts' symbols or codes name, when they agree; else None."""
    marks = {re.sub(r"[0-9.,\s()+'\-\u00a0]", "", v) for v in non_empty(amounts)}
    codes = {SYMBOL_CURRENCY.get(m) for m in marks if m}
    if len(codes) == 1 and None not in codes:
        code = codes.pop()
        return Guess(code, f"the amounts carry {code}'s symbol: {quoted(non_empty(amounts))}")
    return None


_STATUS = {w for words in STATUS_WORDS.values() for w in words}


def looks_like_status(header: str, values: list[str]) -> tuple[bool, str]:
    """Whether a column can be an order status: not a place by its name, and at least one
    sampled value an order-status word (`shipped`, `已完成` …)."""
    name = header.casefold()
    place = next((w for w in PLACE_WORDS if w in name), None)
    if place:
        return False, f"{header!r} names a place ({place!r}), not an order status"
    seen = non_empty(values)
    if seen and not any(v.casefold() in _STATUS for v in seen):
        return False, f"the values of {header!r} are no order statuses: {quoted(seen)}"
    return True, f"order statuses: {quoted(seen)}" if seen else "no values in the sample"
