"""The site's search box in a real browser (Debian's chromium through Playwright), both ways it
answers: served with its Datasette (the Whoosh endpoint's JSON) and opened from disk (the
offline index built with the site), with a typo and a synonym on each, axe on the results
page, a phone-width screen, and the form without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from site_support import CHROMIUM, DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (make chromium)")]

PHONE = {"width": 360, "height": 740}


def _results(page, mode: str) -> list[str]:
    """Names of the results once the page has answered in `mode` (served or offline)."""
    page.locator(f"#ww-search[data-mode={mode}]").wait_for()
    return page.locator("#ww-search-results .ww-result__name").all_inner_texts()


def _search_from_header(page, start: str, query: str) -> None:
    page.goto(start)
    box = page.get_by_role("search").get_by_label("Search the evidence")
    box.fill(query)
    box.press("Enter")


def test_served_box_answers_from_the_endpoint(page, served_url):
    endpoint: list[str] = []
    offline: list[str] = []
    page.on("request", lambda r: endpoint.append(r.url) if "/-/search.json" in r.url else None)
    page.on("request", lambda r: offline.append(r.url) if "offline" in r.url else None)
    _search_from_header(page, served_url + "approaches/sample-mentoring.html", "mentoring")
    assert page.url == served_url + "search/index.html?q=mentoring"
    names = _results(page, "served")
    assert sorted(names[:2]) == ["Sample mentoring", "Sample trial of mentoring (2020)"]
    assert endpoint == [served_url + "data/-/search.json?q=mentoring"]
    assert offline == []  # the offline engine and index are loaded only when the endpoint does not answer
    assert page.locator("#ww-search-status").inner_text().startswith(f"{len(names)} entries match “mentoring”")
    # each result opens the entry's page in the site, not its database row
    page.get_by_role("link", name="Sample mentoring", exact=True).click()
    assert page.url == served_url + "approaches/sample-mentoring.html"


def test_served_facets_narrow_the_results(page, served_url):
    page.goto(served_url + "search/index.html?q=mentoring")
    _results(page, "served")
    page.locator("#ww-search-facets").get_by_role("link", name=re.compile(r"^Studies \(1\)$")).click()
    assert _results(page, "served") == ["Sample trial of mentoring (2020)"]
    assert "type=study" in page.url


def test_served_typo_is_corrected_with_a_did_you_mean_link(page, served_url):
    page.goto(served_url + "search/index.html?q=mentring")
    names = _results(page, "served")
    assert sorted(names[:2]) == ["Sample mentoring", "Sample trial of mentoring (2020)"]
    hint = page.locator("#ww-search-hint")
    assert hint.get_by_role("link").inner_text() == "mentoring"
    assert hint.get_by_role("link").get_attribute("href") == "?q=mentoring"
    assert "entries match “mentoring”" in page.locator("#ww-search-status").inner_text()


def test_offline_from_disk_ranks_forgives_a_typo(page, site):
    """A downloaded copy used in a school: file:// pages, the offline index as a script."""
    _search_from_header(page, (site / "approaches" / "sample-mentoring.html").as_uri(), "mentring")
    assert page.url == (site / "search" / "index.html").as_uri() + "?q=mentring"
    names = _results(page, "offline")
    assert sorted(names[:2]) == ["Sample mentoring", "Sample trial of mentoring (2020)"]
    assert page.locator("#ww-search-hint").get_by_role("link").inner_text() == "mentoring"
    assert "entries match “mentoring”" in page.locator("#ww-search-status").inner_text()  # what was searched
    assert "(offline)" in page.locator("#ww-search-status").inner_text()
    page.get_by_role("link", name="Sample mentoring", exact=True).click()
    assert page.url == (site / "approaches" / "sample-mentoring.html").as_uri()


def test_static_host_without_endpoint_falls_back_offline(page, base_url):
    """A static host (no Datasette beside it): the endpoint answers 404, the offline index answers."""
    page.goto(base_url + "search/index.html?q=" + quote("boot camps"))
    assert _results(page, "offline")[0] == "Sample boot camps"


def test_results_page_has_no_accessibility_violations(page, served_url, site):
    from axe_playwright_python.sync_playwright import Axe

    for url, mode in ((served_url + "search/index.html?q=mentoring", "served"),
                      ((site / "search" / "index.html").as_uri() + "?q=mentoring", "offline")):
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            page.goto(url)
            _results(page, mode)
            violations = Axe().run(page).response["violations"]
            assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == [], (url, viewport)


def test_results_page_fits_a_360px_screen(page, served_url):
    page.set_viewport_size(PHONE)
    page.goto(served_url + "search/index.html?q=" + quote("mentoring for excluded pupils in a pupil referral unit"))
    _results(page, "served")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the header's magnifier opens the box on a phone
    page.locator("label.md-header__button[for=__search]").click()
    box = page.get_by_role("search").get_by_label("Search the evidence")
    box.fill("boot camps")
    box.press("Enter")
    assert _results(page, "served")[0] == "Sample boot camps"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_without_javascript_the_box_goes_to_the_datasette_search_page(browser, served_url):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.goto(served_url)
    box = page.get_by_role("search").get_by_label("Search the evidence")
    box.fill("mentoring")
    box.press("Enter")
    page.wait_for_url(served_url + "data/-/search?q=mentoring")
    # Datasette's page in the site's look, linking the site's pages
    assert page.get_by_role("link", name="What works: the evidence site").get_attribute("href") == "/"
    page.get_by_role("link", name="Sample mentoring", exact=True).click()
    assert page.url == served_url + "approaches/sample-mentoring.html"
    context.close()


def test_datasette_search_page_in_the_sites_look_passes_axe_and_fits_a_phone(page, served_url):
    from axe_playwright_python.sync_playwright import Axe

    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(served_url + "data/-/search?q=mentring")
        assert page.get_by_role("link", name="mentoring", exact=True).is_visible()  # did you mean
        violations = Axe().run(page).response["violations"]
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == [], viewport
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_offline_synonym_finds_what_the_evidence_calls_otherwise(page, site, fixture_corpus):
    """No entry says "kicked out"; the synonyms vocabulary groups it with "excluded", "exclusion"."""
    assert any({"kicked out", "exclusion"} <= set(group) for group in fixture_corpus.synonyms)
    page.goto((site / "search" / "index.html").as_uri() + "?q=" + quote("kicked out"))
    assert sorted(_results(page, "offline")) == ["Sample London programme", "Sample mentoring"]  # outcome: exclusion
    assert page.locator("#ww-search-hint").is_hidden()  # a synonym is not a typo


def test_served_synonym_finds_what_the_evidence_calls_otherwise(page, served_url):
    page.goto(served_url + "search/index.html?q=" + quote("kicked out"))
    assert sorted(_results(page, "served")) == ["Sample London programme", "Sample mentoring"]
