"""The built site's feed and sitemap read by the ecosystems' own parsers (feedparser, an XML
parser), every URL on the site's base (mkdocs.yml `site_url`) and naming a built page. CI runs
it on the real build (validate.yml); tests/test_ecosystem_checks.py on the fixture build.

    python tests/ecosystem_checks.py [REPO]     # reads REPO/mkdocs.yml and REPO/_build/site
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import feedparser

from build_tools.config import read_config
from build_tools.pages.history import site_url

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def page_for(url: str, base: str, site: Path) -> Path | None:
    """The built file a URL on the site names (a directory URL names its index.html)."""
    if not url.startswith(base + "/"):
        return None
    rel = urlsplit(url[len(base) + 1:]).path
    path = site / rel
    return path / "index.html" if rel == "" or rel.endswith("/") else path


def feed_problems(site: Path, base: str) -> list[str]:
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    problems = [f"feed.xml: not well-formed: {feed.get('bozo_exception')}"] if feed.bozo else []
    if feed.version != "atom10":
        problems.append(f"feed.xml: read as {feed.version or 'no known format'}, not Atom 1.0")
    if not feed.entries:
        problems.append("feed.xml: no entries")
    links = [feed.feed.get("link", "")] + [link.href for entry in feed.entries for link in entry.get("links", [])]
    for entry in feed.entries:
        if not (entry.get("id") and entry.get("title") and entry.get("updated_parsed")):
            problems.append(f"feed.xml: entry {entry.get('id')!r} lacks an id, a title or a date")
    for url in links:
        page = page_for(url, base, site)
        if page is None or not page.is_file():
            problems.append(f"feed.xml: {url} is not a page of the site at {base}/")
    return problems


def sitemap_problems(site: Path, base: str) -> list[str]:
    try:
        root = ET.parse(site / "sitemap.xml").getroot()
    except ET.ParseError as exc:
        return [f"sitemap.xml: not well-formed: {exc}"]
    if root.tag != f"{SITEMAP}urlset":
        return [f"sitemap.xml: root element is {root.tag}, not a sitemaps.org urlset"]
    urls = [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
    problems = [] if urls else ["sitemap.xml: lists no URL"]
    for url in urls:
        page = page_for(url, base, site)
        if page is None or not page.is_file():
            problems.append(f"sitemap.xml: {url} is not a page of the site at {base}/")
    pages = {p for p in site.rglob("*.html") if p.name != "404.html"}
    missing = sorted(str(p.relative_to(site)) for p in pages - {page_for(u, base, site) for u in urls})
    if missing:
        problems.append(f"sitemap.xml: leaves out {len(missing)} pages, e.g. {missing[0]}")
    return problems


def main(argv: list[str]) -> int:
    repo = Path(argv[0]) if argv else Path(".")
    base, site = site_url(read_config(repo)), repo / "_build" / "site"
    problems = feed_problems(site, base) + sitemap_problems(site, base)
    print("\n".join(problems) or f"feed.xml and sitemap.xml: well-formed, every URL a page under {base}/")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
