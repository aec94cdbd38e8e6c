"""Citable releases: CITATION.cff names the release; the site, the Datasette metadata and the
release workflow all read it from there."""

from __future__ import annotations

import json
from html import unescape

import pytest
import yaml

from build_tools.database.build import build_database
from build_tools.exports import build_exports
from build_tools.pages.build import build_site, site_links
from build_tools.release import Release, ReleaseError, read_release
from conftest import REPO, config_of
from site_support import site_repo
from build_tools.config import read_config
from build_tools.errors import BuildError


def test_citation_names_a_release_in_step_with_its_date():
    release = read_release(REPO)
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert release == Release(cff["version"], cff["date-released"])
    assert release.version == f"evidence-{release.date:%Y.%m}"


@pytest.mark.parametrize("text, message", [
    ("version: 0.1.0\ndate-released: 2026-12-01\n",
     "CITATION.cff: version: '0.1.0' is not a release name. Fix: use evidence-YYYY.MM, e.g. evidence-2027.01"),
    ("version: evidence-2026.12\n",
     "CITATION.cff: date-released: missing or not a date. Fix: give the release day as YYYY-MM-DD"),
    ("version: evidence-2026.12\ndate-released: 2027-01-04\n",
     "CITATION.cff: date-released 2027-01-04 is not in the month of version evidence-2026.12. Fix: set both to the release being cut"),
    ("version: [evidence\n", "CITATION.cff:2:1: not valid YAML. Fix: check the indentation and quoting there"),
])
def test_a_citation_that_names_no_release_is_a_located_error(tmp_path, text, message):
    (tmp_path / "CITATION.cff").write_text(text, encoding="utf-8")
    with pytest.raises(ReleaseError) as caught:
        read_release(tmp_path)
    assert str(caught.value) == message


def test_no_citation_file_means_no_release(tmp_path):
    assert read_release(tmp_path) is None


def test_entry_pages_cite_the_release_and_datasette_shows_it(tmp_path, fixture_corpus):
    repo = site_repo(tmp_path / "repo")
    (repo / "CITATION.cff").write_text("version: evidence-2031.02\ndate-released: 2031-02-03\n", encoding="utf-8")
    assert site_links(read_config(repo)).release == "evidence-2031.02 (2031-02-03)"
    site = build_site(fixture_corpus, read_config(repo), repo / "_build")
    html = unescape((site / "approaches" / "sample-mentoring.html").read_text(encoding="utf-8"))
    assert "London Violence Reduction Unit. Evidence release evidence-2031.02 (2031-02-03). Last reviewed" in html

    build_database(fixture_corpus, config_of(fixture_corpus), tmp_path / "db")
    meta = json.loads((tmp_path / "db" / "metadata.json").read_text(encoding="utf-8"))
    release = read_release(REPO)
    assert (meta["about"], meta["about_url"]) == (
        f"Evidence release {release}", f"https://github.com/london-vru/whatworks/releases/tag/{release.version}")


def test_a_broken_citation_stops_the_site_build_with_its_message(tmp_path):
    repo = site_repo(tmp_path / "repo")
    (repo / "CITATION.cff").write_text("version: 1\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"^CITATION.cff: version: '1' is not a release name"):
        read_config(repo)


def test_the_release_workflow_checks_the_tag_and_attaches_database_exports_and_offline_site():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    assert workflow[True]["push"]["tags"] == ["evidence-*"]  # YAML 1.1 reads the key `on` as True
    job = workflow["jobs"]["release"]
    assert job["permissions"] == {"contents": "write"}
    script = "\n".join(s.get("run", "") for s in job["steps"])
    assert "release.version != os.environ[\"TAG\"]" in script and "sys.exit(" in script
    assert script.index("read_release") < script.index("make build") < script.index("gh release create")
    for name in ("$TAG-evidence.db", "$TAG-exports.zip", "$TAG-site-offline.zip", "SHA256SUMS"):
        assert name in script


def test_the_data_package_names_the_release_it_belongs_to(tmp_path, fixture_corpus):
    repo = site_repo(tmp_path / "repo")
    (repo / "CITATION.cff").write_text("version: evidence-2031.02\ndate-released: 2031-02-03\n", encoding="utf-8")
    package = json.loads((build_exports(fixture_corpus, read_config(repo), tmp_path / "a") / "datapackage.json").read_text())
    assert (package["version"], package["created"]) == ("evidence-2031.02", "2031-02-03T00:00:00Z")
    (repo / "CITATION.cff").unlink()  # no release named: the package claims none
    package = json.loads((build_exports(fixture_corpus, read_config(repo), tmp_path / "b") / "datapackage.json").read_text())
    assert "version" not in package and "created" not in package
