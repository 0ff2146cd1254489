"""`assetkit pull indiamart`: leads from the IndiaMART Lead Manager CRM API v2.

The key comes from `ASSETKIT_INDIAMART_KEY` only: it is never stored, logged or put in a
message (URLs are shown without their query). The API answers a JSON envelope
(CODE/STATUS/MESSAGE/TOTAL_RECORDS/RESPONSE): CODE 200 carries leads, 204 is an empty
window, 429 (HTTP status or body) means "too frequent": wait (Retry-After, else
`backoff` seconds) and ask again. Pulls go window by window (the API serves at most about a
week per call); each answered window is saved as a JSON file in the API's own format and
imported by the normal engine with the indiamart_leads profile, so pulling twice adds
nothing twice and every lead keeps its provenance.
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

from assetkit.errors import NetworkError, UsageError
from assetkit.importers.http import get, public_url, session

INDIAMART_URL = "https://mapi.indiamart.com/wservce/crm/crmListing/v2/"
KEY_ENV = "ASSETKIT_INDIAMART_KEY"
WINDOW_DAYS = 7
MAX_RATE_LIMIT_WAITS = 5


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
                   base_url: str | None = None, backoff: float = 300.0, min_interval: float = 1.0,
                   sleep: Callable[[float], None] = time.sleep, config: Any = None) -> PullResult:
    """Fetch every window from `since` to now, save each as JSON, import them; see module doc."""
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
    s = session()
    files: list[str] = []
    leads = 0
    spans = windows(since, until)
    for i, (start, end) in enumerate(spans):
        if i and min_interval:
            sleep(min_interval)
        body = _window(s, url, key, start, end, backoff, sleep)
        if body is None:
            continue
        target = save_dir / f"indiamart_{start:%Y%m%d%H%M%S}_{end:%Y%m%d%H%M%S}.json"
        target.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
        files.append(str(target))
        leads += len(body.get("RESPONSE") or [])
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


def _window(s: Any, url: str, key: str, start: dt.datetime, end: dt.datetime, backoff: float,
            sleep: Callable[[float], None]) -> dict[str, Any] | None:
    params = {"glusr_crm_key": key, "start_time": _fmt(start), "end_time": _fmt(end)}
    for _ in range(MAX_RATE_LIMIT_WAITS + 1):
        response = get(s, url, params=params)
        body: dict[str, Any] = {}
        if response.status_code != 204 and response.content:
            try:
                body = response.json()
            except ValueError:
                raise NetworkError(f"{public_url(url)} answered HTTP {response.status_code} without JSON") from None
        code = str(body.get("CODE", response.status_code))
        if response.status_code == 429 or code == "429" or "too frequent" in str(body.get("MESSAGE", "")).lower():
            wait = response.headers.get("Retry-After")
            sleep(float(wait) if wait and wait.isdigit() else backoff)
            continue
        if response.status_code == 204 or code == "204":
            return None
        if response.status_code == 200 and code == "200":
            return body
        message = str(body.get("MESSAGE") or "").replace(key, "***")
        raise NetworkError(f"{public_url(url)} answered HTTP {response.status_code}, CODE {code}: {message or 'no message'}",
                           hint="check the key (a new key invalidates the old one) and the date range")
    raise NetworkError(f"{public_url(url)} kept answering 'too frequent' (429) after {MAX_RATE_LIMIT_WAITS} waits",
                       hint="IndiaMART limits how often the API may be called; try again later")
