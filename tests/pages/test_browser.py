"""The built site in a real browser (Debian's chromium through Playwright), as a reader uses it:
home -> priority area -> approach, the browse filters, and an axe-core accessibility scan
(the search box: test_browser_search.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_support import CHROMIUM, DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (make chromium)")]

PHONE = {"width": 390, "height": 844}


def test_home_to_priority_area_to_approach(page, base_url):
    page.goto(base_url)
    page.get_by_role("link", name=re.compile("^Healthy relationships and inclusive education")).click()
    assert page.url == base_url + "priority-areas/inclusive-education.html"
    assert page.locator("h1").inner_text() == "Healthy relationships and inclusive education"
    page.get_by_role("link", name="Sample mentoring", exact=True).click()
    assert page.url == base_url + "approaches/sample-mentoring.html"
    assert page.locator("h1").inner_text() == "Sample mentoring"
    glance = page.locator(".ww-glance")
    assert glance.locator(".ww-card__title").all_inner_texts() == ["IMPACT", "EVIDENCE STRENGTH", "COST"]
    assert glance.locator(".ww-band").all_inner_texts() == ["Moderate impact", "Low impact"]
    assert page.get_by_role("link", name="Suggest a change").get_attribute("href") == \
        "https://github.com/london-vru/whatworks/edit/main/evidence/approaches/sample-mentoring.yml"


def test_browse_filters_and_sorting(page, base_url):
    from playwright.sync_api import expect

    page.goto(base_url + "browse/index.html")
    rows = page.locator("#ww-browse tbody tr")
    count = page.locator("#ww-count")
    assert page.locator("#ww-filters").is_visible()
    expect(rows).to_have_count(4)
    expect(count).to_have_text("4 of 4 entries shown")

    page.get_by_label("Setting").select_option("pru")
    expect(count).to_have_text("3 of 4 entries shown")
    assert page.locator("#ww-browse tbody tr:visible td:first-child a").all_inner_texts() == \
        ["Sample London programme", "Sample mentoring", "Sample trial of mentoring (2020)"]
    expect(page).to_have_url(base_url + "browse/index.html?setting=pru")

    page.get_by_label("Impact on violence (our band)").select_option("harmful")
    expect(count).to_have_text("0 of 4 entries shown")
    page.get_by_role("button", name="Clear filters").click()
    expect(count).to_have_text("4 of 4 entries shown")

    page.get_by_label("Evidence (best design)").select_option("5")
    expect(count).to_have_text("3 of 4 entries shown")
    page.get_by_label("Evidence (best design)").select_option("0")
    assert page.locator("#ww-browse tbody tr:visible td:first-child a").all_inner_texts() == ["Sample boot camps"]
    page.get_by_label("Evidence (best design)").select_option("")

    page.get_by_role("button", name="Impact on violence (our band)").click()
    first = page.locator("#ww-browse tbody tr td:first-child a").all_inner_texts()
    assert first[:2] == ["Sample mentoring", "Sample boot camps"]  # moderate, then harmful, then unrated
    assert page.locator("#ww-browse th").nth(2).get_attribute("aria-sort") == "ascending"

    # A shared link opens with its filter applied.
    page.goto(base_url + "browse/index.html?band=harmful")
    expect(count).to_have_text("1 of 4 entries shown")
    assert page.get_by_label("Impact on violence (our band)").input_value() == "harmful"


def test_browse_works_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.goto(base_url + "browse/index.html")
    assert page.locator("#ww-browse tbody tr").count() == 4
    assert page.locator("#ww-browse tbody tr:visible").count() == 4
    assert not page.locator("#ww-filters").is_visible()
    assert page.get_by_role("link", name="Sample boot camps").is_visible()
    context.close()


@pytest.mark.parametrize("path", ["", "approaches/sample-mentoring.html", "browse/index.html", "gap-map/index.html"])
def test_no_serious_accessibility_violations(page, base_url, path):
    from axe_playwright_python.sync_playwright import Axe

    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(base_url + path)
        violations = Axe().run(page).response["violations"]
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], (path, viewport, serious)


@pytest.mark.parametrize("path", ["approaches/sample-mentoring.html", "studies/sample-study-2020.html", "browse/index.html", "index.html"])
def test_pages_fit_a_phone_screen(page, base_url, path):
    """On a phone nothing runs off the side: tables stack into cards (the gap map scrolls
    inside its own region on purpose)."""
    page.set_viewport_size(PHONE)
    page.goto(base_url + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (path, width)
    assert page.locator("table:visible").count() == 0 or page.locator(".ww-stack tbody tr").first.evaluate("e => getComputedStyle(e).display") == "block"
