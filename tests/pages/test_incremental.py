"""Incremental builds (issue #8): after an edit, an addition and a deletion, `whatworks build`
redoes only what changed, and what it leaves equals a full build from scratch: database and
exports byte for byte, every site file byte for byte (search index and sitemap included),
and the same search answers."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, make_tree
from site_support import site_repo as shared_site_repo

from build_tools.pages.manifest import fingerprint
from build_tools.search.index import SearchIndex

WHATWORKS = [sys.executable, "-m", "build_tools"]
QUERIES = ("mentoring", "knife crime", "school exclusion", "family therapy", "mentorng", "type:study violence")


def repo_tree(root: Path) -> Path:
    make_tree(root)
    shared_site_repo(root)
    (root / "datasette_metadata.yml").write_bytes((REPO / "datasette_metadata.yml").read_bytes())
    return root


def build(root: Path, *args: str) -> str:
    """Run `whatworks build`; returns what the site step did (e.g. 'site: 3 of 40 pages')."""
    done = subprocess.run([*WHATWORKS, "build", *args], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return re.search(r"site: (.*pages)", done.stderr).group(1)


def files(out: Path, under: str = "") -> dict[str, str]:
    base = out / under
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(base.rglob("*")) if p.is_file()}


def answers(out: Path) -> list:
    with SearchIndex(out / "search") as index:
        found = [index.search(q, limit=20) for q in QUERIES]
        return [(r.results, r.facets, r.total, r.suggestion) for r in found] + [index.values("setting")]


def assert_same_as_full(root: Path) -> None:
    """Build from scratch into _full and compare with the incremental _build."""
    shutil.rmtree(root / "_full", ignore_errors=True)
    assert build(root, "--full", "--out", "_full").startswith("full")
    inc, full = root / "_build", root / "_full"
    for output in ("site", "exports", "cache"):
        assert files(inc, output) == files(full, output), output
    assert {p.name for p in (inc / "site").iterdir()} >= {"index.html", "sitemap.xml", "sitemap.xml.gz", "search"}
    assert (inc / "evidence.db").read_bytes() == (full / "evidence.db").read_bytes()
    assert (inc / "metadata.json").read_bytes() == (full / "metadata.json").read_bytes()
    assert answers(inc) == answers(full)


def test_incremental_build_equals_full_after_edit_add_delete(tmp_path):
    root = repo_tree(tmp_path)
    first = build(root)
    assert first.startswith("full: ")
    total = int(first.split()[1].replace(",", ""))
    assert build(root) == f"0 of {total:,} pages"  # nothing changed, nothing redone

    source = root / "evidence" / "approaches" / "sample-mentoring.yml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("summary: ", "summary: Edited. ", 1), encoding="utf-8")
    done = build(root)
    redone = int(done.split()[0])
    assert 1 <= redone < total // 2, done
    assert_same_as_full(root)

    added = source.with_name("sample-mentoring-copy.yml")
    added.write_text(text.replace("id: sample-mentoring", "id: sample-mentoring-copy", 1)
                     .replace("name: ", "name: Copy of ", 1), encoding="utf-8")
    done = build(root)
    assert done.endswith(f"of {total + 1:,} pages") and int(done.split()[0]) < total // 2, done
    assert (root / "_build" / "site" / "approaches" / "sample-mentoring-copy.html").is_file()
    assert_same_as_full(root)

    added.unlink()
    done = build(root)
    assert done.endswith(f"of {total:,} pages"), done
    assert not (root / "_build" / "site" / "approaches" / "sample-mentoring-copy.html").exists()
    assert not (root / "site" / "approaches" / "sample-mentoring-copy.md").exists()
    assert_same_as_full(root)


def test_global_changes_force_a_full_build(tmp_path):
    root = repo_tree(tmp_path)
    evidence = root / "evidence"
    stamp = fingerprint(root, evidence)
    assert build(root).startswith("full: ")
    about = root / "site" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert fingerprint(root, evidence) != stamp
    assert build(root).startswith("full: ")  # a hand-written page (like code or templates) changed
    settings = evidence / "vocabularies" / "settings.yml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert build(root).startswith("full: ")  # a vocabulary changed: labels are on every page
    assert build(root).startswith("0 of ")
    assert build(root, "--full").startswith("full: ")
    (root / "_build" / "cache" / "site.json").write_text("{not json", encoding="utf-8")
    assert build(root).startswith("full: ")  # an unreadable manifest is no reason to fail


def test_data_base_setting_is_part_of_the_fingerprint(tmp_path, monkeypatch):
    evidence = make_tree(tmp_path)
    before = fingerprint(tmp_path, evidence)
    monkeypatch.setenv("WHATWORKS_DATA_BASE", "https://data.example.org/evidence")
    assert fingerprint(tmp_path, evidence) != before
