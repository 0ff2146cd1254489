"""Drafted messages: Jinja2 plain-text templates per language, and .eml drafts.

Templates are files `<template>.<language>.txt.j2` (first line `Subject: …`, a blank line,
then the body). Buyer data only ever enters as template *variables*, never as template
source, and templates run in Jinja2's sandbox, so a buyer called `{{ 7*7 }}` stays literally
that. Output is plain text (no autoescape: an e-mail body is not HTML). The .eml files carry
`X-Unsent: 1` so mail clients open them as drafts; assetkit never sends anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from assetkit.analysis.followups.model import Action

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")  # C0, DEL and C1 controls
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    language: str


def header_text(value: Any) -> str:
    """One header line: control characters (CR/LF included) become spaces, so no buyer text
    can add a header."""
    return " ".join(_CONTROL.sub(" ", str(value or "")).split())


class Drafter:
    """Renders the drafts of one run; user templates (a folder) override the shipped ones."""

    def __init__(self, business: str, site_url: str | None = None, templates_dir: str | Path | None = None):
        from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        shipped = Path(str(resources.files("assetkit").joinpath("data", "followup_templates")))
        loaders = [FileSystemLoader(str(shipped))]
        if templates_dir is not None:
            if not Path(templates_dir).is_dir():
                raise ConfigError(f"follow-up templates folder {templates_dir} does not exist",
                                  hint="set follow_ups.templates in assetkit.yaml to a folder of *.txt.j2 files")
            loaders.insert(0, FileSystemLoader(str(templates_dir)))
        self.env = SandboxedEnvironment(loader=ChoiceLoader(loaders), autoescape=False,
                                        undefined=StrictUndefined, keep_trailing_newline=True)
        self._cache: dict[str, tuple[Any, Any, str]] = {}
        self.business = business
        self.site_url = site_url

    def _template(self, name: str, language: str):
        """Subject and body compiled separately from the template *file*, so a value containing a
        line break can never move text from the subject into the body or the headers."""
        from jinja2 import TemplateNotFound

        for lang in dict.fromkeys((language, "en")):
            key = f"{name}.{lang}.txt.j2"
            if key in self._cache:
                return self._cache[key]
            try:
                source, _, _ = self.env.loader.get_source(self.env, key)
            except TemplateNotFound:
                continue
            first, _, body = source.partition("\n")
            if not first.startswith("Subject:"):
                raise ConfigError(f"template {key} must start with a 'Subject: …' line")
            compiled = (self.env.from_string(first[len("Subject:"):]), self.env.from_string(body.lstrip("\n")), lang)
            self._cache[key] = compiled
            return compiled
        raise ConfigError(f"no template {name}.en.txt.j2 for follow-up messages",
                          hint="every template needs at least an English version")

    def render(self, template: str, language: str, context: dict[str, Any]) -> Draft:
        from jinja2 import TemplateError

        try:
            subject, body, lang = self._template(template, language)
            values = {"business": self.business, "site_url": self.site_url or "", "recommendations": [], **context}
            return Draft(header_text(subject.render(**values)), body.render(**values), lang)
        except TemplateError as exc:
            raise ConfigError(f"template {template}.{language}: {exc}",
                              hint="variables: name, company, product, platform, business, site_url, numbers, recommendations") from None


_DRAFT_POLICY = email_policy.default.clone(max_line_length=998)


def to_email(action: Action, sender: str | None, now: Any) -> EmailMessage:
    """The .eml draft of one action: To is the buyer's owned address (when there is one)."""
    # RFC 5322's hard line limit: CPython's folding at 78 drops the space between two
    # encoded words (a Subject "… 𐀀 ¡" came back as "…𐀀¡"); one line per header keeps it.
    msg = EmailMessage(policy=_DRAFT_POLICY)
    msg["Subject"] = header_text(action.subject)
    if action.email and EMAIL_RE.match(action.email):
        msg["To"] = Address(display_name=header_text(action.display_name), addr_spec=action.email)
    if sender:
        msg["From"] = header_text(sender)
    msg["Date"] = format_datetime(now)
    msg["X-Unsent"] = "1"
    msg["X-Assetkit-Action"] = action.action_id
    msg.set_content(action.body, subtype="plain", charset="utf-8")
    return msg


def write_drafts(actions: list[Action], folder: str | Path, sender: str | None = None) -> list[Path]:
    """One `<action_id>.eml` per action in `folder` (created if missing); returns the paths."""
    import datetime as dt

    from assetkit.atomic import write_text_atomic

    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--drafts {out} is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    paths = []
    for action in actions:
        path = out / f"{action.action_id}.eml"
        write_text_atomic(path, to_email(action, sender, now).as_string())
        paths.append(path)
    return paths
