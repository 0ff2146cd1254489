"""Slugs in every script: one transliteration for site URLs and the demo's invented addresses.

`anyascii` maps each character to its conventional ASCII form (Größe → Grosse, Łódź → Lodz,
手术剪刀 → ShouShuJianDao, Ножницы → Nozhnitsy); NFKD-to-ASCII, used before, dropped every letter
without a decomposition (ß, ł, ı, all of Chinese and Cyrillic).
"""

from __future__ import annotations

import re


def ascii_words(text: str) -> list[str]:
    """The lower-case ASCII words of `text` (runs of letters and digits after transliteration)."""
    from anyascii import anyascii

    return re.findall(r"[a-z0-9]+", anyascii(text).lower())


def slug(text: str, sep: str = "-", max_length: int | None = None) -> str:
    """`text` as lower-case ASCII words joined by `sep`, cut to `max_length` characters (no
    trailing `sep`); '' when nothing transliterates."""
    words = ascii_words(text)
    out = sep.join(words)
    if max_length is not None and len(out) > max_length:
        out = out[:max_length].rstrip(sep) if sep else out[:max_length]
    return out
