"""Open Graph locales (`og:locale`) for the site's language codes.

Open Graph wants `language_TERRITORY` (`de_DE`), not a BCP 47 tag: `pt-BR` becomes `pt_BR`, and a
bare language gets the territory its readers most often mean, from the table below. English is
always `en_US`, so every page of one site says the same. A bare code missing from the table
gets no `og:locale` at all: a guessed `sw_SW` would name a territory that does not exist, and
consumers read a missing `og:locale` as unknown rather than as a claim. (`ar_AR` is Facebook's
own code for Arabic, kept because Facebook is the main reader of Open Graph.)
"""

from __future__ import annotations

TERRITORY = {
    "ar": "AR", "bg": "BG", "bn": "IN", "ca": "ES", "cs": "CZ", "da": "DK", "de": "DE", "el": "GR", "en": "US",
    "es": "ES", "et": "EE", "fa": "IR", "fi": "FI", "fr": "FR", "he": "IL", "hi": "IN", "hr": "HR", "hu": "HU",
    "id": "ID", "it": "IT", "ja": "JP", "ko": "KR", "lt": "LT", "lv": "LV", "ms": "MY", "nb": "NO", "nl": "NL",
    "pl": "PL", "pt": "PT", "ro": "RO", "ru": "RU", "sk": "SK", "sl": "SI", "sr": "RS", "sv": "SE", "th": "TH",
    "tr": "TR", "uk": "UA", "ur": "PK", "vi": "VN", "zh": "CN",
}


def og_locale(lang: str) -> str:
    """`de` → `de_DE`, `en` → `en_US`, `pt-BR` → `pt_BR`; '' for a bare code not in TERRITORY."""
    language, _, territory = lang.partition("-")
    territory = territory or TERRITORY.get(language, "")
    return f"{language}_{territory.upper()}" if territory else ""
