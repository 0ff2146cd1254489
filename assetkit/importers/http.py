"""HTTP for API pulls and rate downloads: always a timeout, bounded retries, clear offline errors.

`requests` has no default timeout; every call here passes one. Transient server errors are
retried by urllib3's `Retry` (respecting Retry-After, capped at MAX_RETRY_AFTER: a server
asking for a day must not hold the database lock for a day); rate limiting (HTTP 429 or an
API body saying so) is left to the caller, which knows the API's rules. A per-read timeout
does not bound a server that trickles a byte every few seconds, so a pull also runs under
one overall deadline (`overall_deadline`). Redirects are followed only on the same host and
scheme: the request carries an API key. Messages never include query strings, because API
keys travel there, and `redactor` removes a key in any of its encodings from any text.
"""

from __future__ import annotations

import base64
import contextlib
import html
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

from assetkit.errors import NetworkError

if TYPE_CHECKING:
    import requests

TIMEOUT = (10, 60)  # connect, read (seconds)
MAX_RETRY_AFTER = 60.0  # the longest wait a server's Retry-After buys at one time (seconds)
MAX_REDIRECTS = 5


def session(retries: int = 3) -> requests.Session:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    class CappedRetry(Retry):
        """Retry-After honoured up to MAX_RETRY_AFTER seconds; a 429 goes back to the caller
        (urllib3 would otherwise retry it itself, sleeping where the caller cannot see)."""

        RETRY_AFTER_STATUS_CODES = frozenset({503})

        def get_retry_after(self, response):  # noqa: ANN001, ANN202 - urllib3's signature
            seconds = super().get_retry_after(response)
            return None if seconds is None else min(seconds, MAX_RETRY_AFTER)

    retry = CappedRetry(total=retries, connect=1, read=retries, backoff_factor=0.5, backoff_max=MAX_RETRY_AFTER,
                        status_forcelist=(500, 502, 503, 504), allowed_methods=frozenset({"GET"}),
                        respect_retry_after_header=True, raise_on_status=False)
    s = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers["User-Agent"] = "assetkit (+https://github.com/assetkit)"
    return s


def public_url(url: str) -> str:
    """The URL without its query string (which may hold a key)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def get(s: requests.Session, url: str, params: dict[str, str] | None = None,
        timeout: tuple[float, float] = TIMEOUT, same_host: bool = True) -> requests.Response:
    """GET with timeouts and clear errors. Redirects are followed only to the same scheme and
    host (the request may carry a key), unless `same_host` is False (public files)."""
    response = _get_once(s, url, params, timeout)
    origin = urlsplit(url)
    for _ in range(MAX_REDIRECTS):
        if not response.is_redirect:
            return response
        target = urljoin(response.url, response.headers.get("Location", ""))
        moved = urlsplit(target)
        if same_host and (moved.scheme, moved.netloc) != (origin.scheme, origin.netloc):
            raise NetworkError(f"{public_url(url)} redirected to another host ({moved.scheme}://{moved.netloc}); "
                               "assetkit does not follow it, the request carries your key",
                               hint="check the API URL; if the API really moved, pass the new one with --url")
        response = _get_once(s, target, None, timeout)
    raise NetworkError(f"{public_url(url)} redirected more than {MAX_REDIRECTS} times")


def _get_once(s: requests.Session, url: str, params: dict[str, str] | None,
              timeout: tuple[float, float]) -> requests.Response:
    import requests

    began = time.monotonic()

    def silent() -> NetworkError:
        took = time.monotonic() - began
        retried = f" (gave up after {took:.0f} s, retries included)" if took > timeout[1] * 1.5 else ""
        return NetworkError(f"{public_url(url)} did not answer within {timeout[1]:g} s{retried}",
                            hint="try again later; check your connection")

    try:
        return s.get(url, params=params, timeout=timeout, allow_redirects=False)
    except requests.exceptions.Timeout:
        raise silent() from None
    except requests.exceptions.ConnectionError as exc:
        # With retries, urllib3 reports a read timeout as "max retries exceeded", which requests
        # wraps in ConnectionError: say it timed out, not that the host is unreachable.
        if "timed out" in str(exc).lower():
            raise silent() from None
        raise NetworkError(f"cannot reach {public_url(url)} (offline, or the host refused the connection)",
                           hint="check your internet connection; offline, import a downloaded file instead") from None
    except requests.exceptions.RequestException as exc:
        raise NetworkError(f"request to {public_url(url)} failed: {type(exc).__name__}") from None


class DeadlinePassed(BaseException):
    """Raised by the alarm inside a blocked read. A BaseException, so no `except Exception`
    in requests or urllib3 swallows it or retries."""


@contextlib.contextmanager
def overall_deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` with DeadlinePassed, even inside a read that keeps
    receiving a byte now and then. Uses SIGALRM, so only in the main thread on Unix;
    elsewhere the per-read timeouts and the caller's own clock checks remain."""
    usable = (seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise DeadlinePassed

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def redactor(secret: str, mask: str = "***") -> Callable[[str], str]:
    """A function removing `secret` from text in any encoding a server might echo it in:
    plain, percent-encoded (either case, also twice; `+` for a space), JSON `\\uXXXX`, HTML
    character references, base64 — each character in any of these forms."""
    if not secret:
        return lambda text: text
    forms = []
    for ch in secret:
        code = ord(ch)
        percent = "".join("%(?:25)?" + _hex(b, 2) for b in ch.encode("utf-8"))
        variants = [re.escape(ch), percent, r"\\u" + _hex(code, 4), f"&#0*{code};", f"&#[xX]0*{_hex(code, 1)};"]
        if ch == " ":
            variants.append(r"\+")
        if html.escape(ch) != ch:
            variants.append(re.escape(html.escape(ch)))
        forms.append("(?:" + "|".join(variants) + ")")
    pattern = re.compile("".join(forms))
    raw = secret.encode("utf-8")
    encoded = {base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}

    def redact(text: str) -> str:
        text = pattern.sub(mask, text)
        for form in encoded:
            text = text.replace(form, mask)
        return text

    return redact


def _hex(code: int, width: int) -> str:
    """A regex for `code` in hex digits of either case, zero-padded to `width`."""
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{code:0{width}x}")
