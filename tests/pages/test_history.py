"""Entry history from one `git log` (renames followed, re-added files restart) and the Atom feed."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from build_tools.pages.history import EntryHistory, atom_feed, entry_history, site_url
from git_support import commit, git
from conftest import load_ok, make_tree
from build_tools.config import read_config
from build_tools.errors import BuildError

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Four commits: add all; edit mentoring; rename the study and delete the programme; re-add it."""
    root = tmp_path_factory.mktemp("history")
    evidence = make_tree(root)
    git(root, "init", "-q", "-b", "main")
    shas = {"add": commit(root, "Add the sample evidence", "2026-01-05T10:00:00+00:00")}
    mentoring = evidence / "approaches" / "sample-mentoring.yml"
    mentoring.write_text(mentoring.read_text().replace("Sample mentoring", "Sample mentoring scheme", 1))
    (root / "README.md").write_text("not evidence\n")
    shas["edit"] = commit(root, "Mentoring: clearer name", "2026-02-10T12:00:00+01:00")
    study = evidence / "studies" / "sample-study-2020.yml"
    study.rename(evidence / "studies" / "sample-trial-2020.yml")
    renamed = evidence / "studies" / "sample-trial-2020.yml"
    renamed.write_text(renamed.read_text().replace("id: sample-study-2020", "id: sample-trial-2020"))
    programme = evidence / "programmes" / "sample-programme.yml"
    kept = programme.read_text()
    programme.unlink()
    shas["rename"] = commit(root, "Rename the study; drop the programme", "2026-03-01T09:30:00+00:00")
    programme.write_text(kept)
    shas["readd"] = commit(root, "Bring the programme back", "2026-04-01T08:00:00-04:00")
    return root, shas


def test_history_follows_renames_and_restarts_at_re_adds(repo):
    root, shas = repo
    corpus = load_ok(root / "evidence")
    assert entry_history(root, corpus) == {
        "sample-boot-camps": EntryHistory(dt.date(2026, 1, 5), dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
                                          shas["add"], "Add the sample evidence", 1),
        "sample-mentoring": EntryHistory(dt.date(2026, 1, 5), dt.date(2026, 2, 10), dt.datetime(2026, 2, 10, 11, 0, tzinfo=UTC),
                                         shas["edit"], "Mentoring: clearer name", 2),
        "sample-programme": EntryHistory(dt.date(2026, 4, 1), dt.date(2026, 4, 1), dt.datetime(2026, 4, 1, 12, 0, tzinfo=UTC),
                                         shas["readd"], "Bring the programme back", 1),
        "sample-trial-2020": EntryHistory(dt.date(2026, 1, 5), dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
                                          shas["rename"], "Rename the study; drop the programme", 2),
    }


def test_uncommitted_entries_have_no_history(repo, tmp_path):
    root, _ = repo
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    extra = copy / "evidence" / "approaches" / "sample-extra.yml"
    extra.write_text((copy / "evidence" / "approaches" / "sample-boot-camps.yml").read_text().replace("id: sample-boot-camps", "id: sample-extra"))
    history = entry_history(copy, load_ok(copy / "evidence"))
    assert sorted(history) == ["sample-boot-camps", "sample-mentoring", "sample-programme", "sample-trial-2020"]


def test_no_history_outside_git(tmp_path, fixture_corpus):
    assert entry_history(tmp_path, load_ok(make_tree(tmp_path))) == {}
    empty = tmp_path / "empty"
    evidence = make_tree(empty)
    git(empty, "init", "-q")  # a repository without commits
    assert entry_history(empty, load_ok(evidence)) == {}


def test_atom_feed_lists_latest_changes_newest_first(repo):
    root, shas = repo
    corpus = load_ok(root / "evidence")
    feed = atom_feed(corpus, entry_history(root, corpus), "https://vru.example.org/whatworks/")
    base = "https://vru.example.org/whatworks"
    summaries = {e.id: e.summary for e in corpus.entries}
    assert feed == f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>whatworks: latest evidence changes</title>
  <id>{base}/feed.xml</id>
  <link rel="self" href="{base}/feed.xml"/>
  <link href="{base}/"/>
  <updated>2026-04-01T12:00:00Z</updated>
  <author><name>whatworks contributors</name></author>
  <entry>
    <title>Sample London programme (programme added)</title>
    <id>{base}/programmes/sample-programme.html#{shas["readd"][:12]}</id>
    <link href="{base}/programmes/sample-programme.html"/>
    <updated>2026-04-01T12:00:00Z</updated>
    <category term="programme"/>
    <summary>{summaries["sample-programme"]}</summary>
  </entry>
  <entry>
    <title>Sample trial of mentoring (2020) (study updated)</title>
    <id>{base}/studies/sample-trial-2020.html#{shas["rename"][:12]}</id>
    <link href="{base}/studies/sample-trial-2020.html"/>
    <updated>2026-03-01T09:30:00Z</updated>
    <category term="study"/>
    <summary>{summaries["sample-trial-2020"]}</summary>
  </entry>
  <entry>
    <title>{corpus.entry("sample-mentoring").name} (approach updated)</title>
    <id>{base}/approaches/sample-mentoring.html#{shas["edit"][:12]}</id>
    <link href="{base}/approaches/sample-mentoring.html"/>
    <updated>2026-02-10T11:00:00Z</updated>
    <category term="approach"/>
    <summary>{summaries["sample-mentoring"]}</summary>
  </entry>
  <entry>
    <title>{corpus.entry("sample-boot-camps").name} (approach added)</title>
    <id>{base}/approaches/sample-boot-camps.html#{shas["add"][:12]}</id>
    <link href="{base}/approaches/sample-boot-camps.html"/>
    <updated>2026-01-05T10:00:00Z</updated>
    <category term="approach"/>
    <summary>{summaries["sample-boot-camps"]}</summary>
  </entry>
</feed>
"""
    assert corpus.entry("sample-mentoring").name.startswith("Sample mentoring scheme")


def test_feed_outside_git_is_dated_by_review_and_escaped(fixture_corpus):
    feed = atom_feed(fixture_corpus, {}, "https://example.org/w?a=1&b=<2>")
    lines = feed.splitlines()
    assert lines[3] == "  <id>https://example.org/w?a=1&amp;b=&lt;2&gt;/feed.xml</id>"
    assert lines[4] == '  <link rel="self" href="https://example.org/w?a=1&amp;b=&lt;2&gt;/feed.xml"/>'
    assert [line.strip() for line in lines if line.strip().startswith(("<title>", "<updated>"))] == [
        "<title>whatworks: latest evidence changes</title>", "<updated>2026-03-01T00:00:00Z</updated>",
        "<title>Sample trial of mentoring (2020) (study reviewed)</title>", "<updated>2026-03-01T00:00:00Z</updated>",
        "<title>Sample London programme (programme reviewed)</title>", "<updated>2026-02-01T00:00:00Z</updated>",
        f"<title>{fixture_corpus.entry('sample-boot-camps').name} (approach reviewed)</title>",
        f"<updated>{fixture_corpus.entry('sample-boot-camps').review.last_reviewed}T00:00:00Z</updated>",
        f"<title>{fixture_corpus.entry('sample-mentoring').name} (approach reviewed)</title>",
        f"<updated>{fixture_corpus.entry('sample-mentoring').review.last_reviewed}T00:00:00Z</updated>",
    ]
    assert atom_feed(fixture_corpus, {}, "https://example.org/w?a=1&b=<2>") == feed  # deterministic


def test_site_url_from_mkdocs_yml(tmp_path):
    assert site_url(read_config(tmp_path)) == "https://example.org/whatworks"  # no mkdocs.yml: placeholder
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: whatworks\nsite_url: https://vru.example.org/whatworks/\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n")
    assert site_url(read_config(tmp_path)) == "https://vru.example.org/whatworks"
    (tmp_path / "mkdocs.yml").write_text("site_name: [unclosed\n")
    with pytest.raises(BuildError, match=r"^mkdocs.yml:2:1: "):  # read once, before any output, with its place
        read_config(tmp_path)
