"""The HTML report in headless Chromium: renders with no console error or CSP violation, asks the
network for nothing, sorts its tables, passes axe-core, and is not blank."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetkit.config import Config
from assetkit.store import open_store
from tests.helpers.report import build_database

pytestmark = pytest.mark.slow  # a real Chromium per module: among the slowest tests


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assetkit.export.report import write_report

    root = tmp_path_factory.mktemp("browser-report")
    db = build_database(root)
    with open_store(db) as store:
        return write_report(store.con, Config(), root / "report.html", "html")


def test_report_is_clean_offline_and_accessible(browser, report_file: Path, tmp_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report_file.as_uri())
    page.wait_for_load_state("load")
    assert [u for u in requests if not u.startswith("file:")] == []  # no network resource at all
    assert [u for u in requests if u.startswith("file:")] == [report_file.as_uri()]
    assert problems == []  # includes CSP violations, which Chromium reports on the console
    results = Axe().run(page)
    serious = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=False)
    data = shot.read_bytes()
    assert len(data) > 20_000  # a blank white page compresses to a few kB
    page.close()


def test_section_links_are_at_least_24_css_pixels(browser, report_file: Path) -> None:
    """WCAG 2.5.8 (target size, minimum): each link of the table of contents is a 24x24 target."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(report_file.as_uri())
    boxes = page.locator("nav a").evaluate_all("links => links.map(a => a.getBoundingClientRect())"
                                               ".map(r => [r.width, r.height])")
    assert boxes and all(w >= 24 and h >= 24 for w, h in boxes), boxes
    page.close()


def test_tables_sort_on_click_without_external_scripts(browser, report_file: Path) -> None:
    page = browser.new_page()
    page.goto(report_file.as_uri())
    table = page.locator("#costs table").first
    header = table.locator("thead th").nth(1)  # gross revenue
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [float(v) for v in table.locator("tbody tr td:nth-child(2)").evaluate_all(
        "cells => cells.map(c => c.getAttribute('data-sort'))")]
    assert values == sorted(values)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    page.close()


def test_injected_inline_script_would_be_blocked_by_the_csp(browser, report_file: Path, tmp_path: Path) -> None:
    """The check above can fail: a script the CSP does not allow is reported, and does not run."""
    tampered = tmp_path / "tampered.html"
    tampered.write_text(report_file.read_text(encoding="utf-8").replace(
        "</main>", "<script>document.title='pwned'</script></main>"), encoding="utf-8")
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(tampered.as_uri())
    assert page.title() != "pwned"
    assert any("Content Security Policy" in m for m in messages)
    page.close()
