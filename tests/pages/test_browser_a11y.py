"""Our own markup against the checks pa11y (WCAG2AA, HTML_CodeSniffer) ran on the built site,
kept in `make test` with axe and the browser (pa11y itself needs npm: `make pa11y`,
tests/a11y/README.md): every table is named, and every link's visible text is part of its
accessible name (WCAG 2.5.3 label in name; axe's experimental label-content-name-mismatch)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_support import CHROMIUM, DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (make chromium)")]

# what `make pa11y` checks (home, an approach, the gap map, a borough, the overview), and the other pages with tables
PAGES = ["index.html", "approaches/sample-mentoring.html", "gap-map/index.html", "london/hackney.html", "overview/index.html",
         "studies/sample-study-2020.html", "programmes/sample-programme.html", "browse/index.html", "studies/index.html",
         "london/index.html", "london/vru-portfolio.html", "rating-scales.html", "excluded.html"]

UNNAMED_TABLES = """() => [...document.querySelectorAll('table')]
  .filter(t => !(t.caption && t.caption.textContent.trim()) && !t.getAttribute('aria-label') && !t.getAttribute('aria-labelledby'))
  .map(t => t.outerHTML.slice(0, 80))"""

# Links named by aria-label whose visible text is not in that name (letters and digits compared,
# as HTML_CodeSniffer's F96 does), in HTML and in the SVG pictures.
LABEL_NOT_IN_NAME = """() => {
  const words = s => (s || '').toLowerCase().replace(/[^a-z0-9]/g, '');
  return [...document.querySelectorAll('a[aria-label]')].filter(a => {
    const shown = words([...a.childNodes].filter(n => n.nodeName.toLowerCase() !== 'title').map(n => n.textContent).join(' '));
    return shown && !words(a.getAttribute('aria-label')).includes(shown);
  }).map(a => [a.getAttribute('aria-label'), a.textContent.trim()]);
}"""


@pytest.mark.parametrize("path", PAGES)
def test_tables_named_label_in_name_and_axe_finds_nothing(page, base_url, path):
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size(DESKTOP)
    page.goto(base_url + path)
    assert page.evaluate(UNNAMED_TABLES) == [], path
    assert page.evaluate(LABEL_NOT_IN_NAME) == [], path
    options = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}
    results = Axe().run(page, options=options).response
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]
    assert found == [], (path, found)


def test_gap_map_cells_and_map_tiles_say_what_they_show(page, base_url):
    """The accessible name a screen reader or voice control uses starts with the visible text."""
    page.goto(base_url + "gap-map/index.html")
    cell = page.locator(".ww-gapmap tbody tr").last.locator("td").first  # sample mentoring, violence
    assert cell.inner_text().split("\n") == ["2", "review · SMS 5"]
    assert cell.locator("a").get_attribute("aria-label") == "2 review · SMS 5: Sample mentoring, Violence (perpetration)"
    assert page.get_by_role("link", name="2 review · SMS 5: Sample mentoring, Violence (perpetration)").count() == 1
    assert page.locator("table.ww-gapmap caption").text_content() == "Evidence gap map"
    page.goto(base_url)
    tile = page.get_by_role("link", name="Hackney (HCK): 1 programme", exact=True)  # from the tile's <title>
    assert [t.strip() for t in tile.locator("text").all_text_contents()] == ["HCK", "1"]
