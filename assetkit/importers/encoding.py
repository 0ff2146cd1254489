"""Guess a text file's encoding from its bytes, and let `--encoding` override the guess.

Marketplace exports come as UTF-8 (with or without BOM), UTF-16 (Excel "Unicode text"),
cp1252 (older Windows exports), cp1251 (Russian/Ukrainian Windows: 1C, Ozon, Wildberries
spreadsheets), cp932 (Amazon JP) and GB18030 (China-site back ends).
Order of evidence: a BOM; NUL bytes in alternate positions (BOM-less UTF-16); a clean UTF-8
decode; accented letters between ASCII ones for cp1252; kana for cp932; mostly common CJK
ideographs for GB18030 (or cp932); words of Cyrillic letters for cp1251; else cp1252. A guess that turns out
wrong later raises a SourceError whose hint names `--encoding`.
"""

from __future__ import annotations

import codecs

from assetkit.errors import SourceError

SAMPLE_BYTES = 1 << 20
# Signatures of files that are no text export, whatever their name says (a PNG renamed .csv).
_NOT_TEXT = ((b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
             (b"%PDF-", "a PDF document"), (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"),
             (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
             (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel (.xls) or other OLE document"))


def check_text(sample: bytes, path: str) -> None:
    """Refuse, with a message naming the file, what cannot be a text export: an empty file
    and known binary formats (an image or PDF saved under a .csv name)."""
    if not sample.strip(b" \t\r\n\x00").removeprefix(codecs.BOM_UTF8).strip(b" \t\r\n"):
        raise SourceError("the file is empty", path=path, hint="download the export again; it holds no header and no rows")
    for magic, what in _NOT_TEXT:
        if sample.startswith(magic):
            hint = ("open it in Excel and save it as .xlsx or CSV" if "Excel" in what
                    else "export the report as CSV, TSV, JSON or XLSX from the platform")
            raise SourceError(f"not a text export: the file is {what}", path=path, hint=hint)
    head = sample[:4096]
    if not detect_encoding(sample).startswith("utf-16"):
        control = sum(1 for b in head if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D))
        if control > max(2, len(head) // 100):
            raise SourceError("not a text export: the file holds binary data", path=path,
                              hint="export the report as CSV, TSV, JSON or XLSX from the platform")


def detect_encoding(sample: bytes) -> str:
    """The most plausible encoding for the first bytes of a file."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = sample[:4096]
    if head and head.count(b"\x00") > len(head) // 4:
        even_nuls = head[0::2].count(b"\x00")
        odd_nuls = head[1::2].count(b"\x00")
        return "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    if _decodes(sample, "utf-8"):
        return "utf-8"
    if _mostly_isolated_high_bytes(sample) and _decodes(sample, "cp1252"):
        return "cp1252"
    cp932 = _decode_or_none(sample, "cp932")
    if cp932 is not None and _count(cp932, 0x3040, 0x30FF) > 0 and _count(cp932, 0xFF61, 0xFF9F) == 0:
        return "cp932"
    gb = _decode_or_none(sample, "gb18030")
    if gb is not None and _count(gb, 0x4E00, 0x9FFF) > 0 and _common_share(gb, "gb18030", 0xB0, 0xD7) >= 0.5:
        return "gb18030"
    if cp932 is not None and _count(cp932, 0x4E00, 0x9FFF) > 0 and _common_share(cp932, "cp932", 0x88, 0x98) >= 0.5:
        return "cp932"
    if _cyrillic_words(sample):
        return "cp1251"
    return "cp1252" if _decodes(sample, "cp1252") else "latin-1"


def decode(data: bytes, encoding: str, path: str) -> str:
    """Decode a whole file, turning a wrong guess into a message with the fix."""
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        if isinstance(exc, LookupError):
            raise SourceError(f"unknown encoding {encoding!r}", path=path,
                              hint="use a Python codec name such as utf-8, utf-16, cp1252, cp932 or gb18030") from None
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"cannot decode the file as {encoding} (byte {exc.start})",
            path=path, line=line,
            hint="pass the right --encoding, e.g. --encoding cp1252, --encoding cp932 or --encoding gb18030",
        ) from None
    return text.removeprefix("\ufeff")


def _mostly_isolated_high_bytes(data: bytes) -> bool:
    """Latin text has accented letters between ASCII ones; CJK double-byte text has runs."""
    high = isolated = 0
    for i, b in enumerate(data[:65536]):
        if b >= 0x80:
            high += 1
            before = data[i - 1] if i else 0x20
            after = data[i + 1] if i + 1 < len(data) else 0x20
            if before < 0x80 and after < 0x80:
                isolated += 1
    return high > 0 and isolated / high > 0.6


# Ёё, Ўў, Ґґ, Єє, Її, Іі, Јј in cp1251 (the rest of A0–BF is punctuation and symbols)
_CP1251_EXTRA_LETTERS = frozenset((0xA8, 0xB8, 0xA1, 0xA2, 0xA5, 0xB4, 0xAA, 0xBA, 0xAF, 0xBF, 0xB2, 0xB3, 0xA3, 0xBC))


def _cyrillic_words(data: bytes) -> bool:
    """cp1251 Cyrillic: the bytes ≥ 0x80 are mostly letters (А–я at C0–FF, Ёё, Ukrainian and
    Belarusian letters) and come in
    words (runs of three or more on average).

    German or French cp1252 text has its accented letters alone or in pairs between ASCII
    ones; Chinese or Japanese read as cp1251 gives many bytes from 80–BF (GB18030 trail bytes,
    Shift-JIS lead bytes), which are punctuation or rare letters there.
    """
    head = data[:65536]
    high = [b for b in head if b >= 0x80]
    if len(high) < 4 or not _decodes(head, "cp1251"):
        return False
    letters = sum(1 for b in high if b >= 0xC0 or b in _CP1251_EXTRA_LETTERS)
    runs = sum(1 for i, b in enumerate(head) if b >= 0x80 and (i == 0 or head[i - 1] < 0x80))
    return letters / len(high) >= 0.85 and len(high) / runs >= 3


def _common_share(text: str, encoding: str, lo: int, hi: int) -> float:
    """Share of the ideographs that are common ones: lead byte lo..hi (GB2312's 3,755
    level-1 hanzi are B0–D7, JIS X 0208's level-1 kanji 88–98).

    Chinese and Japanese text is almost all common characters; cp1252 accented letters next
    to each other (`é£` = E9 A3) also decode as GB18030 or cp932, but to rare ones (椋), so a
    Latin file with a few such pairs is not taken for Chinese or Japanese.
    """
    leads = [ch.encode(encoding)[0] for ch in text if 0x4E00 <= ord(ch) <= 0x9FFF]
    return sum(1 for b in leads if lo <= b <= hi) / len(leads) if leads else 0.0


def _decodes(data: bytes, encoding: str) -> bool:
    return _decode_or_none(data, encoding) is not None


def _decode_or_none(data: bytes, encoding: str) -> str | None:
    # A sample may cut a multi-byte character at its end: ignore an incomplete tail.
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except UnicodeDecodeError:
        return None


def _count(text: str, lo: int, hi: int) -> int:
    return sum(1 for ch in text if lo <= ord(ch) <= hi)
