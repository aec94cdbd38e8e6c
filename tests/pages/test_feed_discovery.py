"""Feed autodiscovery: every page of the real site build points feed readers at feed.xml."""

from __future__ import annotations


from build_tools.pages.build import build_site
from site_support import Tags, site_repo
from build_tools.config import read_config


def test_every_page_links_the_atom_feed_relative_to_itself(tmp_path, fixture_corpus):
    repo = site_repo(tmp_path / "repo")
    site = build_site(fixture_corpus, read_config(repo), repo / "_build", extra_files={"feed.xml": "<feed/>\n"})
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20 and (site / "feed.xml").is_file()
    for path in pages:
        tags = Tags()
        tags.feed(path.read_text(encoding="utf-8"))
        feeds = [a for tag, a in tags.tags if tag == "link" and a.get("type") == "application/atom+xml"]
        if path.name == "404.html":  # served at any depth, so MkDocs writes its links from site_url
            assert [(f["rel"], f["href"]) for f in feeds] == [("alternate", "/whatworks/feed.xml")]
            continue
        depth = len(path.relative_to(site).parts) - 1
        assert [(f["rel"], f["href"]) for f in feeds] == [("alternate", "../" * depth + "feed.xml")], path
        assert (path.parent / feeds[0]["href"]).resolve() == (site / "feed.xml").resolve()
