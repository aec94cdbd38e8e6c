"""The site build, redoing only the pages whose inputs changed (issue #8).

A full build renders every page and runs `mkdocs build --strict` (pages.py). After it, a
manifest (out_dir/cache/site.json) records per generated page the hash of its Markdown,
and for entry pages a key: a hash of everything the page shows — the entry's file, its
studies' files, the programmes filed under it, its related entries, its history, and the
facts (name, band, ...) of every other entry the page looked up while rendering (recorded,
not guessed). The next build then

1. recomputes each entry page's key and renders only pages whose key changed; listing
   pages (home, browse, topics, sections, gap map) are cheap and always rendered;
2. writes only the Markdown files whose text changed, so the others keep their mtimes;
3. hard-links the previous HTML into a temp folder, drops the HTML of changed and
   deleted pages, and runs MkDocs in dirty mode there (mkdocs_dirty.py), which renders
   only pages without HTML and puts together the same search index a clean build writes;
4. swaps the temp folder in, as a full build does.

Anything global (code, templates, mkdocs.yml, hand-written pages, vocabularies, tool
versions: incremental.fingerprint) changing, a missing or unreadable manifest, or
`--full` means a full build. tests/test_incremental.py checks the result equals a full
build byte for byte.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

from ..atomic import atomic_dir, write_text
from ..evidence.corpus import Corpus
from .manifest import fingerprint, forget_manifest, read_manifest, text_hash, write_manifest
from .build import (DOCS_DIR, GENERATED_DIRS, GENERATED_FILES, data_date, listing_pages, run_mkdocs,
                    site_links, write_generated)
from .entry import SiteLinks, history_dates, entry_page
from .facts import all_facts

MANIFEST = "site"


class _Recording(Mapping):
    """The facts mapping, noting which entries a page looked up (its dependencies)."""

    def __init__(self, data: Mapping) -> None:
        self.data, self.seen, self.whole = data, set(), False

    def __getitem__(self, key):
        self.seen.add(key)
        return self.data[key]

    def __contains__(self, key) -> bool:
        self.seen.add(key)
        return key in self.data

    def __iter__(self) -> Iterator:
        self.whole = True  # a page that walks all entries depends on all of them
        return iter(self.data)

    def __len__(self) -> int:
        self.whole = True
        return len(self.data)


def page_key(corpus: Corpus, entry_id: str, facts: Mapping, deps: list[str], related: Mapping | None,
             history: Mapping | None) -> str:
    """Hash of every input of one entry page, given the entries it looked up last time."""
    parts = (
        entry_id, corpus.files.get(entry_id), corpus.hashes.get(entry_id),
        tuple((s.id, corpus.hashes.get(s.id)) for s in corpus.studies_for(entry_id)),
        tuple(p.id for p in corpus.programmes_for(entry_id)),
        tuple((related or {}).get(entry_id, ())),
        repr(history_dates(history, entry_id)),
        tuple((d, repr(facts.get(d))) for d in deps),
    )
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


def _html(rel: str) -> str:
    return rel[:-3] + ".html" if rel.endswith(".md") else rel


def _on_disk(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def plan_pages(corpus: Corpus, links: SiteLinks, docs: Path, related: Mapping | None, history: Mapping | None,
               feed: str | None, previous: Mapping[str, dict]) -> tuple[dict[str, str | None], dict[str, dict]]:
    """(rel -> Markdown, or None where docs/rel already holds the unchanged page; rel -> manifest record)."""
    facts = all_facts(corpus)
    texts: dict[str, str | None] = {}
    records: dict[str, dict] = {}
    for entry in corpus.entries:
        rel = f"{facts[entry.id].section}/{entry.id}.md"
        before = previous.get(rel)
        if before and before.get("key"):
            key = page_key(corpus, entry.id, facts, before["deps"], related, history)
            if key == before["key"] and text_hash(_on_disk(docs / rel) or "") == before["md"]:
                texts[rel], records[rel] = None, before
                continue
        recording = _Recording(facts)
        text = entry_page(corpus, entry, recording, links, related, history)
        deps = sorted(recording.seen)
        key = None if recording.whole else page_key(corpus, entry.id, facts, deps, related, history)
        texts[rel], records[rel] = text, {"md": text_hash(text), "key": key, "deps": deps}
    topic_keys: dict[str, str] = {}

    def unchanged_topic(rel: str, members: list) -> bool:
        """A topic page shows its term (vocabularies are global) and its members' facts."""
        key = topic_keys[rel] = hashlib.sha256(repr((rel, members)).encode("utf-8")).hexdigest()[:32]
        before = previous.get(rel)
        return bool(before) and before.get("key") == key and text_hash(_on_disk(docs / rel) or "") == before["md"]

    for rel, text in listing_pages(corpus, facts, feed, unchanged_topic):
        if text is None:
            texts[rel], records[rel] = None, previous[rel]
        else:
            texts[rel], records[rel] = text, {"md": text_hash(text), **({"key": topic_keys[rel]} if rel in topic_keys else {})}
    return texts, records


def _write_changed(docs: Path, texts: Mapping[str, str | None]) -> None:
    """Write pages whose text differs from the file; remove generated files no page owns."""
    for rel, text in texts.items():
        if text is not None and _on_disk(docs / rel) != text:
            write_text(docs / rel, text)
    for name in GENERATED_DIRS:
        folder = docs / name
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and path.relative_to(docs).as_posix() not in texts:
                    path.unlink()


def _link_tree(source: Path, target: Path) -> None:
    """Mirror source into target with hard links (a copy where links are not possible)."""
    for folder, dirs, names in os.walk(source):
        here = Path(folder)
        there = target / here.relative_to(source)
        there.mkdir(exist_ok=True)
        for name in names:
            try:
                os.link(here / name, there / name)
            except OSError:
                shutil.copy2(here / name, there / name)


def build_site_incremental(corpus: Corpus, out_dir: Path, repo: Path, related: Mapping | None = None,
                           history: Mapping | None = None, extra_files: Mapping[str, str] | None = None,
                           full: bool = False) -> str:
    """Build out_dir/site as pages.build_site does, reusing the previous build where its
    inputs are unchanged. Returns what was done, e.g. "full: 10,274 pages" or "3 of 10,274 pages"."""
    repo, out_dir = Path(repo), Path(out_dir)
    docs, target = repo / DOCS_DIR, out_dir / "site"
    links = site_links(repo)
    feed = "feed.xml" if "feed.xml" in (extra_files or {}) else None
    generated = frozenset(GENERATED_DIRS) | frozenset(GENERATED_FILES) | frozenset(extra_files or {})
    stamp = fingerprint(repo, corpus.root, generated)
    epoch = data_date(corpus)
    before = None if full or not (target / "search" / "search_index.json").is_file() else read_manifest(out_dir, MANIFEST, stamp)
    previous: dict[str, dict] = (before or {}).get("pages", {})
    texts, records = plan_pages(corpus, links, docs, related, history, feed, previous)
    for rel, text in sorted((extra_files or {}).items()):
        texts[rel], records[rel] = text, {"md": text_hash(text)}

    if before is None:
        write_generated(docs, {rel: text for rel, text in texts.items() if text is not None})
        forget_manifest(out_dir, MANIFEST)
        with atomic_dir(target) as tmp:
            run_mkdocs(repo, tmp, epoch)
        done = f"full: {len(records):,} pages"
    else:
        _write_changed(docs, texts)
        stale = sorted(rel for rel, record in records.items() if previous.get(rel, {}).get("md") != record["md"])
        deleted = sorted(set(previous) - set(records))
        for rel in deleted:
            if not rel.endswith(".md"):
                (docs / rel).unlink(missing_ok=True)  # an extra file no longer written (feed.xml)
        with atomic_dir(target) as tmp:
            _link_tree(target, tmp)
            for rel in stale + deleted:
                (tmp / _html(rel)).unlink(missing_ok=True)
            run_mkdocs(repo, tmp, epoch, dirty=True)
            forget_manifest(out_dir, MANIFEST)
        done = f"{len(stale) + len(deleted):,} of {len(records):,} pages"
    write_manifest(out_dir, MANIFEST, {"fingerprint": stamp, "pages": records})
    return done
