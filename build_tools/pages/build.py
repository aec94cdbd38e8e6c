"""Build the practitioner site: generated Markdown into site/, then `mkdocs build --strict`.

Generation is plain Python + Jinja writing Markdown files (no MkDocs plugins or hooks),
so the site stays buildable by Material's successor, which reads the same mkdocs.yml and
Markdown. Generated sections of site/ are git-ignored and rewritten whole on each build;
the hand-written pages beside them (methodology, about, contributing, assets) are not
touched. The HTML goes to a temp folder first and replaces out_dir/site in one rename.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from ..atomic import atomic_dir, write_text
from ..config import DATA_BASE_ENV, MKDOCS_FILE, BuildConfig
from ..errors import BuildError
from ..evidence.corpus import Corpus
from .boroughs import london_pages
from .browse import browse_page, section_indexes, topic_pages
from .entry import SiteLinks, entry_page
from .facts import all_facts
from .gapmap import gap_map_page
from .search_page import search_files
from .overview import excluded_page, glossary_page, home_page, rating_scales_page

DOCS_DIR = "site"
# Everything the build owns inside site/ (all git-ignored). Anything else there is hand-written.
GENERATED_DIRS = ("approaches", "programmes", "studies", "priority-areas", "settings", "outcomes", "browse", "gap-map",
                  "london", "overview", "search")
GENERATED_FILES = ("index.md", "glossary.md", "rating-scales.md", "excluded.md")
MKDOCS_ENV = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


class SiteBuildError(BuildError):
    """MkDocs refused the site; str() says why (its own warnings, last lines first kept)."""


def site_links(build_config: BuildConfig) -> SiteLinks:
    """Addresses the pages link to, from mkdocs.yml (top-level keys and `extra`)."""
    config = build_config.mkdocs
    if config is None:
        raise SiteBuildError(f"{MKDOCS_FILE}: not found in {build_config.repo}. Fix: run from the repository root")
    if config.get("use_directory_urls", True):
        raise SiteBuildError("mkdocs.yml: use_directory_urls must be false: generated links end in .html")
    extra = config.get("extra") or {}
    return SiteLinks(
        repo_url=str(extra.get("repo_url") or config.get("repo_url", "")).rstrip("/"),
        branch=str(extra.get("repo_branch", "main")),
        # The published site lives on another host than its Datasette (publish.yml sets this).
        data_base=str(build_config.data_base or extra.get("data_base", "/data/evidence")).rstrip("/"),
        site_url=str(config.get("site_url", "")),
        site_name=str(config.get("site_name", "What works")),
        release=str(build_config.release or ""),
    )


def generate_pages(corpus: Corpus, links: SiteLinks, related: Mapping | None = None,
                   history: Mapping | None = None, feed: str | None = None) -> Iterator[tuple[str, str]]:
    """(path inside site/, Markdown) for every generated page, in a stable order."""
    facts = all_facts(corpus)
    for entry in corpus.entries:
        yield f"{facts[entry.id].section}/{entry.id}.md", entry_page(corpus, entry, facts, links, related, history)
    yield from listing_pages(corpus, facts, feed)


def listing_pages(corpus: Corpus, facts: Mapping, feed: str | None = None) -> Iterator[tuple[str, str]]:
    """(path, Markdown) of the pages about the whole corpus (lists, indexes, home, glossary)."""
    yield from section_indexes(corpus, facts)
    yield from topic_pages(corpus, facts)
    yield "browse/index.md", browse_page(corpus, facts)
    yield "gap-map/index.md", gap_map_page(corpus, facts)
    yield from london_pages(corpus, facts)
    yield "index.md", home_page(corpus, facts, feed)
    yield "glossary.md", glossary_page(corpus)
    yield "rating-scales.md", rating_scales_page(corpus)
    yield "excluded.md", excluded_page(corpus)


def write_generated(docs: Path, files: Mapping[str, str]) -> None:
    """Replace each generated section of docs/ whole, so pages of deleted entries disappear."""
    by_dir: dict[str, dict[str, str]] = {d: {} for d in GENERATED_DIRS}
    loose: dict[str, str] = {}
    for rel, text in files.items():
        top, _, rest = rel.partition("/")
        if rest and top in by_dir:
            by_dir[top][rest] = text
        else:
            loose[rel] = text
    for name, members in by_dir.items():
        with atomic_dir(docs / name) as tmp:
            for rest, text in sorted(members.items()):
                target = tmp / rest
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8", newline="\n")
    for rel, text in sorted(loose.items()):
        write_text(docs / rel, text)


def data_date(corpus: Corpus) -> int:
    """Seconds since the epoch of the latest review in the corpus. MkDocs stamps the sitemap
    with the build date unless SOURCE_DATE_EPOCH is set: this keeps the output a function
    of the data (same evidence, same bytes)."""
    latest = max((e.review.last_reviewed for e in corpus.entries), default=dt.date(2000, 1, 1))
    return int(dt.datetime(latest.year, latest.month, latest.day, tzinfo=dt.timezone.utc).timestamp())


def run_mkdocs(repo: Path, site_dir: Path, epoch: int, data_base: str) -> None:
    """`mkdocs build --strict` from the same environment as this Python, into site_dir.
    data_base is what site_links read: mkdocs.yml's `extra.data_base: !ENV [WHATWORKS_DATA_BASE, …]`
    hands it to the templates (the search box), so they link where the pages do."""
    config = str(Path(repo) / MKDOCS_FILE)
    # No --quiet: it hides warnings from MkDocs' counter, and then --strict lets them pass.
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", config, "--site-dir", str(site_dir)]
    env = {**os.environ, **MKDOCS_ENV, "SOURCE_DATE_EPOCH": str(epoch), DATA_BASE_ENV: data_base}
    done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        output = [line for line in (done.stdout + done.stderr).splitlines() if line.strip() and not line.startswith("INFO")]
        raise SiteBuildError("mkdocs build --strict failed; previous site kept.\n" + "\n".join(output[-40:]))


def build_site(corpus: Corpus, config: BuildConfig, out_dir: Path, related: Mapping | None = None,
               history: Mapping | None = None, extra_files: Mapping[str, str] | None = None,
               search_docs: Sequence[Mapping[str, str]] = ()) -> Path:
    """Generate the pages into repo/site and build the HTML into out_dir/site. Returns that folder.
    search_docs: the build's search documents, for the offline search index."""
    repo = Path(config.repo)
    links = site_links(config)
    feed = "feed.xml" if "feed.xml" in (extra_files or {}) else None
    files = dict(generate_pages(corpus, links, related, history, feed))
    files.update(search_files(corpus, search_docs))
    files.update(extra_files or {})
    write_generated(repo / DOCS_DIR, files)
    target = Path(out_dir) / "site"
    with atomic_dir(target) as tmp:
        run_mkdocs(repo, tmp, data_date(corpus), links.data_base)
    return target
