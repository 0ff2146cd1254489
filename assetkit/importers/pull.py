"""`assetkit pull indiamart`: leads from the IndiaMART Lead Manager CRM API v2.

The key comes from `ASSETKIT_INDIAMART_KEY` only: it is never stored, logged or put in a
message (URLs are shown without their query, and whatever the server echoes, in any
encoding, is redacted before it is shown, saved or imported); a redirect to another host
is not followed. The API answers a JSON envelope (CODE/STATUS/MESSAGE/TOTAL_RECORDS/
RESPONSE): CODE 200 carries leads, 204 is an empty window, 429 (HTTP status or body) means
"too frequent": wait (Retry-After, capped, else `backoff` seconds) and ask again. The whole
pull runs under one deadline, since it holds the database lock. Pulls go window by window
(the API serves at most about a week per call); each answered window is saved as a JSON
file in the API's own format and imported by the normal engine with the indiamart_leads
profile, so pulling twice adds nothing twice and every lead keeps its provenance.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assetkit.config import Config
from assetkit.errors import NetworkError, UsageError, quote_excerpt
from assetkit.importers.http import (
    MAX_RETRY_AFTER,
    TIMEOUT,
    DeadlinePassed,
    get,
    overall_deadline,
    public_url,
    redactor,
    session,
)

INDIAMART_URL = "https://mapi.indiamart.com/wservce/crm/crmListing/v2/"
KEY_ENV = "ASSETKIT_INDIAMART_KEY"
WINDOW_DAYS = 7
MAX_RATE_LIMIT_WAITS = 5
PULL_DEADLINE = 300.0  # seconds for one whole pull: it holds the database lock meanwhile


@dataclass
class PullResult:
    windows: int
    leads: int
    files: list[str]
    imports: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def windows(since: dt.date, until: dt.datetime, days: int = WINDOW_DAYS) -> list[tuple[dt.datetime, dt.datetime]]:
    start = dt.datetime.combine(since, dt.time())
    out = []
    while start < until:
        end = min(start + dt.timedelta(days=days), until)
        out.append((start, end - dt.timedelta(seconds=1) if end < until else end))
        start = end
    return out


def _fmt(moment: dt.datetime) -> str:
    return moment.strftime("%d-%b-%Y %H:%M:%S")


def pull_indiamart(store: Any, since: dt.date, until: dt.datetime | None = None, save_dir: Path | None = None,
                   base_url: str | None = None, backoff: float = MAX_RETRY_AFTER, min_interval: float = 1.0,
                   sleep: Callable[[float], None] = time.sleep, config: Config | None = None,
                   deadline: float = PULL_DEADLINE, progress: Callable[[str], None] | None = None) -> PullResult:
    """Fetch every window from `since` to now, save each as JSON, import them; see module doc.

    The whole fetch (every window, wait and retry) must finish within `deadline` seconds, or
    it stops with a NetworkError: a pull runs holding the database lock. `progress(line)`
    hears what happens (the CLI's --verbose)."""
    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise UsageError(f"no IndiaMART CRM key: set {KEY_ENV}",
                         hint="generate it at https://seller.indiamart.com/leadmanager/crmapi (it is emailed to you)")
    url = base_url or os.environ.get("ASSETKIT_INDIAMART_URL") or INDIAMART_URL
    until = until or dt.datetime.now()
    if dt.datetime.combine(since, dt.time()) >= until:
        raise UsageError(f"--since {since} is not in the past")
    save_dir = save_dir or Path("assetkit-pulls") / "indiamart"
    save_dir.mkdir(parents=True, exist_ok=True)
    call = _Caller(session(), url, key, time.monotonic() + deadline, deadline, backoff, sleep, progress or (lambda _: None))
    files: list[str] = []
    leads = 0
    spans = windows(since, until)
    for i, (start, end) in enumerate(spans):
        if i and min_interval:
            call.wait(min_interval, "between windows")
        call.tell(f"window {i + 1}/{len(spans)}: {_fmt(start)} to {_fmt(end)}")
        body = call.window(start, end)
        if body is None:
            continue
        target = save_dir / f"indiamart_{start:%Y%m%d%H%M%S}_{end:%Y%m%d%H%M%S}.json"
        target.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
        files.append(str(target))
        found = len(body.get("RESPONSE") or [])
        leads += found
        call.tell(f"window {i + 1}/{len(spans)}: {found} lead(s), saved to {target}")
    result = PullResult(len(spans), leads, files)
    if files:
        from assetkit.importers.engine import import_paths

        imported = import_paths(store, [Path(f) for f in files], platform="indiamart", config=config)
        result.imports = [r.to_dict() for r in imported]
        failed = [r for r in imported if not r.ok]
        if failed:
            raise NetworkError(f"pulled {leads} leads but importing {failed[0].path} failed: {failed[0].error}",
                               hint="the responses are saved; fix and run `assetkit import` on them")
    return result


class _Caller:
    """One pull's requests: its deadline, its waits, and the key kept out of every message."""

    def __init__(self, s: Any, url: str, key: str, ends_at: float, deadline: float, backoff: float,
                 sleep: Callable[[float], None], tell: Callable[[str], None]) -> None:
        self.s, self.url, self.key = s, url, key
        self.ends_at, self.deadline, self.backoff = ends_at, deadline, backoff
        self.sleep, self.tell = sleep, tell
        self.redact = redactor(key)

    def left(self) -> float:
        return self.ends_at - time.monotonic()

    def wait(self, seconds: float, why: str) -> None:
        if seconds >= self.left():
            raise NetworkError(f"{public_url(self.url)}: waiting {seconds:g} s ({why}) would pass this pull's "
                               f"deadline of {self.deadline:g} s; stopped",
                               hint="nothing half-done: run the pull again later (cron can simply retry)")
        self.tell(f"waiting {seconds:g} s ({why})")
        self.sleep(seconds)

    def get(self, params: dict[str, str]) -> Any:
        left = self.left()
        if left <= 0:
            raise self._late()
        try:
            with overall_deadline(left):
                response = get(self.s, self.url, params=params, timeout=(min(TIMEOUT[0], left), min(TIMEOUT[1], left)))
                response.content  # noqa: B018 - read the body inside the deadline
                return response
        except DeadlinePassed:
            raise self._late() from None

    def _late(self) -> NetworkError:
        return NetworkError(f"the pull from {public_url(self.url)} passed its deadline of {self.deadline:g} s "
                            "(a slow or stalled server); stopped",
                            hint="run the pull again later; windows answered before are saved, "
                                 "and importing them again adds nothing twice")

    def window(self, start: dt.datetime, end: dt.datetime) -> dict[str, Any] | None:
        params = {"glusr_crm_key": self.key, "start_time": _fmt(start), "end_time": _fmt(end)}
        for _ in range(MAX_RATE_LIMIT_WAITS + 1):
            response = self.get(params)
            body: dict[str, Any] = {}
            if response.status_code != 204 and response.content:
                try:
                    body = response.json()
                except ValueError:
                    raise NetworkError(f"{public_url(self.url)} answered HTTP {response.status_code} without JSON") from None
            if not isinstance(body, dict):
                raise NetworkError(f"{public_url(self.url)} answered HTTP {response.status_code} with JSON that is not an object")
            body = _redacted(body, self.redact)
            code = str(body.get("CODE", response.status_code))
            if response.status_code == 429 or code == "429" or "too frequent" in str(body.get("MESSAGE", "")).lower():
                asked = response.headers.get("Retry-After", "")
                seconds = min(float(asked), MAX_RETRY_AFTER) if asked.isdigit() else self.backoff
                self.wait(seconds, "the API says: too frequent")
                continue
            if response.status_code == 204 or code == "204":
                return None
            if response.status_code == 200 and code == "200":
                return body
            message = quote_excerpt(str(body.get("MESSAGE") or ""))
            raise NetworkError(f"{public_url(self.url)} answered HTTP {response.status_code}, CODE {code}: "
                               f"{message or 'no message'}",
                               hint="check the key (a new key invalidates the old one) and the date range")
        raise NetworkError(f"{public_url(self.url)} kept answering 'too frequent' (429) after {MAX_RATE_LIMIT_WAITS} waits",
                           hint="IndiaMART limits how often the API may be called; try again later")


def _redacted(value: Any, redact: Callable[[str], str]) -> Any:
    """`value` with the key removed from every string in it (keys and values): a server that
    echoes the key must not get it into a saved response or the database."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): _redacted(v, redact) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, redact) for v in value]
    return value
