"""The crawl policy of the published Datasette (/robots.txt from the search plugin), read by
Protego, a parser that follows RFC 9309 as the big crawlers do (`*` wildcards, longest match
wins); urllib.robotparser ignores wildcards, so it cannot check this policy."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from datasette.app import Datasette
from protego import Protego

from build_tools.serve.app import Router
from datasette_whatworks_search.robots import robots_txt

ALLOWED = [
    "/", "/evidence", "/evidence/approaches", "/evidence/studies", "/evidence/approach_settings",
    "/evidence/approaches/mentoring", "/evidence/approach_settings/mentoring,pru",
    "/evidence/evidence_gap_map",  # a view or canned query page, without parameters
    "/-/static/app.css", "/-/static/app.css?d6f7a1b2",  # what the allowed pages need to render
    "/-/static-plugins/datasette_whatworks_search/x.js",
]
BLOCKED = [
    "/evidence/approaches?_facet=settings", "/evidence/approaches?_facet=settings&_facet=ages",
    "/evidence/approaches?_sort=name", "/evidence/approaches?_sort_desc=updated",
    "/evidence/approaches?_next=50", "/evidence/approaches?id__exact=mentoring", "/evidence/approaches?_search=knife",
    "/evidence?sql=select+*+from+approaches", "/evidence/evidence_gap_map?outcome=offending",
    "/evidence.json", "/evidence/approaches.json", "/evidence/approaches.json?_shape=array",
    "/evidence/approaches/mentoring.json", "/evidence/approaches.csv", "/evidence/approaches.csv?_dl=1",
    "/evidence.db",
    "/-/search", "/-/search?q=mentoring", "/-/search.json?q=mentoring", "/-/versions", "/-/metadata.json",
]


def test_the_exact_policy():
    assert robots_txt() == ("User-agent: *\n"
                            "Allow: /-/static/\nAllow: /-/static-plugins/\n"
                            "Disallow: /*?\nDisallow: /*.json\nDisallow: /*.csv\nDisallow: /*.db\nDisallow: /-/\n")


@pytest.mark.parametrize("base", ["/", "/data/"])
def test_pages_allowed_and_permutations_blocked(base):
    policy = Protego.parse(robots_txt(base))
    url = lambda path: "https://data.example.org" + base + path.lstrip("/")  # noqa: E731
    for agent in ("Googlebot", "bingbot", "SomeOtherCrawler"):
        assert [p for p in ALLOWED if not policy.can_fetch(url(p), agent)] == [], agent
        assert [p for p in BLOCKED if policy.can_fetch(url(p), agent)] == [], agent


def test_published_datasette_serves_it_at_its_root():
    response = asyncio.run(Datasette(memory=True).client.get("/robots.txt"))
    assert (response.status_code, response.headers["content-type"], response.text) == (
        200, "text/plain; charset=utf-8", robots_txt("/"))


def test_whatworks_serve_puts_the_policy_for_data_at_the_root(tmp_path):
    """One address serves the site and Datasette; crawlers read only /robots.txt, so it keeps
    them out of /data/'s permutations and lets them read the whole static site."""

    async def get(path: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=Router(tmp_path)), base_url="http://test") as client:
            return await client.get(path)

    response = asyncio.run(get("/robots.txt"))
    assert (response.status_code, response.text) == (200, robots_txt("/data/"))
    policy = Protego.parse(response.text)
    site = ["/", "/index.html", "/approaches/mentoring.html", "/gap-map/index.html", "/search/search_index.json",
            "/exports/approaches.csv", "/feed.xml"]
    assert [p for p in site if not policy.can_fetch("http://127.0.0.1:8000" + p, "Googlebot")] == []
    assert not policy.can_fetch("http://127.0.0.1:8000/data/evidence/approaches?_facet=settings", "Googlebot")
