"""The third-party checks CI runs on every pull request (validate.yml), run here on a real build
of the fixture evidence: frictionless on the exports' data package, feedparser on the Atom feed,
an XML parser on the sitemap, zizmor on the workflows. (check-jsonschema on the evidence:
tests/evidence/test_schema_vs_lint.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, make_tree
from ecosystem_checks import feed_problems, main, sitemap_problems
from site_support import site_repo

BIN = Path(sys.executable).parent
BASE = "https://london-vru.github.io/whatworks"  # mkdocs.yml site_url


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    make_tree(root)
    site_repo(root)
    for name in ("datasette_metadata.yml", "CITATION.cff"):
        (root / name).write_bytes((REPO / name).read_bytes())
    run = subprocess.run([sys.executable, "-m", "build_tools", "build"], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return root


def test_data_package_validates_with_frictionless(built):
    run = subprocess.run([str(BIN / "frictionless"), "validate", "--json", "_build/exports/datapackage.json"],
                         cwd=built, capture_output=True, text=True)
    report = json.loads(run.stdout)
    assert (run.returncode, report["valid"], report["stats"]["errors"], report["stats"]["warnings"]) == (0, True, 0, 0)
    assert report["stats"]["tasks"] == len(json.loads((built / "_build/exports/datapackage.json").read_text())["resources"])


def test_feed_and_sitemap_parse_and_name_pages_of_the_site(built, capsys):
    assert main([str(built)]) == 0
    assert capsys.readouterr().out == f"feed.xml and sitemap.xml: well-formed, every URL a page under {BASE}/\n"


def test_feed_and_sitemap_problems_are_named(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>home</p>")
    (site / "orphan.html").write_text("<p>not listed</p>")
    (site / "feed.xml").write_text('<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry>')
    (site / "sitemap.xml").write_text('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                      f"<url><loc>{BASE}/index.html</loc></url><url><loc>https://elsewhere.example/x.html</loc></url></urlset>")
    feed = feed_problems(site, BASE)
    assert feed[0].startswith("feed.xml: not well-formed: ") and "feed.xml: no entries" not in feed
    assert sitemap_problems(site, BASE) == [
        f"sitemap.xml: https://elsewhere.example/x.html is not a page of the site at {BASE}/",
        "sitemap.xml: leaves out 1 pages, e.g. orphan.html",
    ]
    (site / "sitemap.xml").write_text("<urlset>")
    assert sitemap_problems(site, BASE)[0].startswith("sitemap.xml: not well-formed: ")


def test_workflows_are_clean_under_zizmor():
    run = subprocess.run([str(BIN / "zizmor"), "--offline", "--no-progress", ".github/workflows/"], cwd=REPO,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No findings to report" in run.stdout
