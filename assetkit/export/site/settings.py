"""The `site:` section of assetkit.yaml, validated into a `SiteSettings`.

Every problem is reported as a ConfigError naming the key (`site.domain`, `site.languages[1]`)
so an owner can fix the YAML without reading code. Text that may differ per language is either
a plain string or a mapping `{lang: text}` (see `localized`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from assetkit.errors import ConfigError

if TYPE_CHECKING:
    from assetkit.config import Config

LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
GA4_RE = re.compile(r"^G-[A-Z0-9]{4,20}$")
UMAMI_RE = re.compile(r"^[0-9a-fA-F-]{8,64}$")
PROVIDERS = ("none", "plausible", "umami", "ga4")
DEFAULT_SCRIPTS = {
    "plausible": "https://plausible.io/js/script.js",
    "umami": "https://cloud.umami.is/script.js",
    "ga4": "https://www.googletagmanager.com/gtag/js",
}
DEFAULT_INCOTERMS = ("EXW", "FCA", "FOB", "CFR", "CIF", "DAP", "DDP")
# A preview build uses these instead of a missing domain / form target. `.invalid` is reserved
# (RFC 2606): it never resolves, so a preview uploaded by mistake can neither be indexed under a
# real name nor post anyone's quote request anywhere.
PREVIEW_DOMAIN = "https://preview.invalid"
PREVIEW_RFQ_ENDPOINT = "https://preview.invalid/set-site-rfq_endpoint"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LOGO_PATH = "assets/logo.png"  # where a local site.logo is copied
# What each required key is, for the one message that lists every missing key.
REQUIRED_KEYS = {
    "site.company": "the business name (or business.name)",
    "site.domain": "the site's address, e.g. https://www.example.com",
    "site.rfq_endpoint": "the URL the quote form posts to, e.g. https://formspree.io/f/abcd",
}


Localized = str | Mapping[str, str]


@dataclass(frozen=True)
class Analytics:
    provider: str = "none"
    script_url: str = ""
    site_id: str = ""  # plausible data-domain, umami website id, GA4 measurement id

    @property
    def origin(self) -> str:
        return _origin(self.script_url) if self.script_url else ""


@dataclass(frozen=True)
class SiteSettings:
    company: str
    base_url: str
    languages: tuple[str, ...]
    rfq_endpoint: str
    tagline: Localized = ""
    description: Localized = ""
    about: Localized = ""
    quality: Localized = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    founded: int | None = None
    certifications: tuple[str, ...] = ()
    applications: tuple[Mapping[str, Any], ...] = ()
    incoterms: tuple[str, ...] = DEFAULT_INCOTERMS
    analytics: Analytics = field(default_factory=Analytics)
    faq_max: int = 8
    strings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    incoterms_configured: bool = False  # False: the Incoterm list is the default, not the seller's word
    faq_answers: Mapping[str, Localized] = field(default_factory=dict)  # site.faq.<topic>: the seller's answers
    placeholders: tuple[str, ...] = ()  # keys filled with preview placeholders (empty: a real build)
    storefronts: tuple[str, ...] = ()  # the seller's marketplace shop URLs: Organization.sameAs
    logo_url: str = ""  # https URL of a PNG logo, given as such
    logo_png: bytes = b""  # a local PNG logo, copied to LOGO_PATH

    @property
    def logo(self) -> str:
        """Absolute URL of the raster logo for Organization JSON-LD, '' when none is configured."""
        return f"{self.base_url}/{LOGO_PATH}" if self.logo_png else self.logo_url

    @property
    def preview(self) -> bool:
        return bool(self.placeholders)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def localized(self, value: Localized, lang: str) -> str:
        """Pick the text for `lang`, falling back to the default language, then any."""
        if isinstance(value, Mapping):
            for key in (lang, self.default_language):
                if value.get(key):
                    return str(value[key])
            return next((str(v) for v in value.values() if v), "")
        return str(value or "")


_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def csp_origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, or None when the URL is not a plain one.

    Only this string enters a Content-Security-Policy: a URL holding `;form-action …`, spaces,
    quotes or credentials would otherwise add directives of its own."""
    text = str(url or "")
    if re.search(r"[\x00-\x20\x7f;,'\"\\]", text):
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("http", "https") or parts.username or parts.password or not _HOST.fullmatch(host):
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _origin(url: str) -> str:
    return csp_origin(url) or ""


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ConfigError(f"{where}.{key} must be text, got {type(value).__name__}")
    return str(value).strip()


def _localized(raw: Mapping[str, Any], key: str, where: str) -> Localized:
    value = raw.get(key, "")
    if isinstance(value, Mapping):
        for lang, text in value.items():
            if not isinstance(text, str):
                raise ConfigError(f"{where}.{key}.{lang} must be text")
        return dict(value)
    return _text(raw, key, where)


def _http_url(value: str, key: str, *, allow_path: bool) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or csp_origin(value) is None:
        raise ConfigError(f"{key} must be an absolute http(s) URL, got {value!r}",
                          hint=f"for example {key}: https://www.example.com")
    if not allow_path and parts.path not in ("", "/"):
        raise ConfigError(f"{key} must be the site root without a path, got {value!r}")
    return value.rstrip("/") if not allow_path else value


def _list(raw: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = raw.get(key) or []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ConfigError(f"{where}.{key} must be a list")
    return value


def _analytics(raw: Any, host: str) -> Analytics:
    where = "site.analytics"
    if raw in (None, False, "none", ""):
        return Analytics()
    if isinstance(raw, str):
        raw = {"provider": raw}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a mapping with a provider")
    provider = _text(raw, "provider", where).lower() or "none"
    if provider not in PROVIDERS:
        raise ConfigError(f"{where}.provider must be one of {', '.join(PROVIDERS)}, got {provider!r}")
    if provider == "none":
        return Analytics()
    script = _text(raw, "script_url", where) or DEFAULT_SCRIPTS[provider]
    _http_url(script, f"{where}.script_url", allow_path=True)
    if urlsplit(script).scheme != "https":
        raise ConfigError(f"{where}.script_url must use https, got {script!r}")
    if provider == "plausible":
        site_id = _text(raw, "domain", where) or host
    elif provider == "umami":
        site_id = _text(raw, "website_id", where)
        if not UMAMI_RE.match(site_id):
            raise ConfigError(f"{where}.website_id must be the Umami website id (a UUID), got {site_id!r}")
    else:
        site_id = _text(raw, "measurement_id", where)
        if not GA4_RE.match(site_id):
            raise ConfigError(f"{where}.measurement_id must look like G-XXXXXXX, got {site_id!r}")
    return Analytics(provider, script, site_id)


def _logo(value: str, config: Config | None) -> tuple[str, bytes]:
    """(https URL, b'') or ('', PNG bytes) for site.logo; a relative path is read from the folder
    of assetkit.yaml. Only PNG: search engines want a raster logo, and a wrong file type is
    better refused here than published."""
    if not value:
        return "", b""
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        _http_url(value, "site.logo", allow_path=True)
        if urlsplit(value).scheme != "https" or not urlsplit(value).path.lower().endswith(".png"):
            raise ConfigError(f"site.logo must be an https URL of a .png file or a local PNG file, got {value!r}")
        return value, b""
    folder = config.path if config is not None else None
    path = Path(value).expanduser()
    if not path.is_absolute() and folder is not None:
        path = folder.parent / path
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"site.logo: cannot read {path}: {exc.strerror or exc}",
                          hint="give the path of a PNG file (relative to assetkit.yaml) or an https URL") from None
    if not data.startswith(PNG_SIGNATURE):
        raise ConfigError(f"site.logo: {path} is not a PNG file", hint="export the logo as PNG (at least 112x112 px)")
    return "", data


def _business_name(config: Config | None) -> str:
    """`business.name` from assetkit.yaml, the fallback for site.company."""
    business = config.raw.get("business") if config is not None else None
    return str(business.get("name") or "").strip() if isinstance(business, Mapping) else ""


def parse_site_settings(config: Config | None, preview: bool = False) -> SiteSettings:
    """Validate the `site:` section; every error names the offending key.

    Missing required keys are listed together in one error (not one per try). With
    `preview=True` they are filled with clearly marked placeholders instead (see PREVIEW_DOMAIN).
    """
    raw = dict(config.section("site")) if config is not None else {}
    where = "site"
    company_raw = raw.get("company")
    company = company_raw if isinstance(company_raw, Mapping) else {"name": company_raw}
    name = _text(company, "name", "site.company") or _business_name(config)
    domain = _text(raw, "domain", where)
    endpoint = _text(raw, "rfq_endpoint", where)
    missing = [key for key, value in (("site.company", name), ("site.domain", domain),
                                      ("site.rfq_endpoint", endpoint)) if not value]
    if missing and not preview:
        listed = "; ".join(f"{key} ({REQUIRED_KEYS[key]})" for key in missing)
        raise ConfigError(f"the site configuration lacks {len(missing)} key(s): {listed}",
                          hint="add them under site: in assetkit.yaml (docs/site.md), or look at a preview "
                               "with placeholders first: assetkit export site DIR --preview")
    name = name or "Your Company (placeholder)"
    domain = domain or PREVIEW_DOMAIN
    endpoint = endpoint or PREVIEW_RFQ_ENDPOINT
    if "://" not in domain:
        domain = "https://" + domain
    base_url = _http_url(domain, "site.domain", allow_path=False)
    languages = [str(x) for x in _list(raw, "languages", where)] or ["en"]
    for i, lang in enumerate(languages):
        if not LANG_RE.match(lang):
            raise ConfigError(f"site.languages[{i}] must be a language code like en or pt-BR, got {lang!r}")
    if len(set(languages)) != len(languages):
        raise ConfigError("site.languages lists a language twice")
    _http_url(endpoint, "site.rfq_endpoint", allow_path=True)
    contact = raw.get("contact") or {}
    if not isinstance(contact, Mapping):
        raise ConfigError("site.contact must be a mapping (email, phone, address)")
    email = _text(contact, "email", "site.contact")
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise ConfigError(f"site.contact.email is not an email address: {email!r}")
    phone = _text(contact, "phone", "site.contact")
    if phone and not re.match(r"^\+?[0-9 ()./-]{5,25}$", phone):
        raise ConfigError(f"site.contact.phone is not a phone number: {phone!r}")
    apps = _list(raw, "applications", where)
    for i, app in enumerate(apps):
        if not isinstance(app, Mapping) or not app.get("title"):
            raise ConfigError(f"site.applications[{i}] needs a title (and optionally text)")
    founded = raw.get("founded", company.get("founded"))
    if founded is not None and not (isinstance(founded, int) and 1800 <= founded <= 2100):
        raise ConfigError(f"site.founded must be a year, got {founded!r}")
    faq_max = raw.get("faq_max", 8)
    if not isinstance(faq_max, int) or not 1 <= faq_max <= 30:
        raise ConfigError(f"site.faq_max must be a whole number from 1 to 30, got {faq_max!r}")
    strings = raw.get("strings") or {}
    if not isinstance(strings, Mapping) or not all(isinstance(v, Mapping) for v in strings.values()):
        raise ConfigError("site.strings must map a language code to {key: text}")
    incoterms = tuple(str(x).upper() for x in _list(raw, "incoterms", where)) or DEFAULT_INCOTERMS
    faq = raw.get("faq") or {}
    if not isinstance(faq, Mapping):
        raise ConfigError("site.faq must map a topic (moq, samples, payment …) to your answer",
                          hint="for example: site: {faq: {samples: Free samples for orders over 500 pcs.}}")
    faq_answers = {str(k): _localized(faq, k, "site.faq") for k in faq}
    storefronts = [str(url).strip() for url in _list(raw, "storefronts", where)]
    for i, url in enumerate(storefronts):
        _http_url(url, f"site.storefronts[{i}]", allow_path=True)
    logo_url, logo_png = _logo(_text(raw, "logo", where), config)
    return SiteSettings(
        company=name,
        base_url=base_url,
        languages=tuple(languages),
        rfq_endpoint=endpoint,
        tagline=_localized(raw, "tagline", where),
        description=_localized(raw, "description", where) or _localized(company, "description", "site.company"),
        about=_localized(raw, "about", where),
        quality=_localized(raw, "quality", where),
        email=email,
        phone=phone,
        address=_text(contact, "address", "site.contact"),
        founded=founded,
        certifications=tuple(str(c) for c in _list(raw, "certifications", where)),
        applications=tuple(apps),
        incoterms=incoterms,
        analytics=_analytics(raw.get("analytics"), urlsplit(base_url).hostname or ""),
        faq_max=faq_max,
        strings=strings,
        incoterms_configured=bool(raw.get("incoterms")),
        faq_answers={k: v for k, v in faq_answers.items() if v},
        placeholders=tuple(missing),
        storefronts=tuple(storefronts),
        logo_url=logo_url,
        logo_png=logo_png,
    )
