"""HTTP for API pulls and rate downloads: always a timeout, bounded retries, clear offline errors.

`requests` has no default timeout; every call here passes one. Transient server errors are
retried by urllib3's `Retry` (respecting Retry-After); rate limiting (HTTP 429 or an API body
saying so) is left to the caller, which knows the API's rules. Messages never include query
strings, because API keys travel there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from assetkit.errors import NetworkError

if TYPE_CHECKING:
    import requests

TIMEOUT = (10, 60)  # connect, read (seconds)


def session(retries: int = 3) -> requests.Session:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retry = Retry(total=retries, connect=1, read=retries, backoff_factor=0.5,
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
        timeout: tuple[float, float] = TIMEOUT) -> requests.Response:
    import requests

    try:
        return s.get(url, params=params, timeout=timeout)
    except requests.exceptions.Timeout:
        raise NetworkError(f"{public_url(url)} did not answer within {timeout[1]:g} s",
                           hint="try again later; check your connection") from None
    except requests.exceptions.ConnectionError:
        raise NetworkError(f"cannot reach {public_url(url)} (offline, or the host refused the connection)",
                           hint="check your internet connection; offline, import a downloaded file instead") from None
    except requests.exceptions.RequestException as exc:
        raise NetworkError(f"request to {public_url(url)} failed: {type(exc).__name__}") from None
