"""`whatworks build`: validate once, then run each output builder on the same Corpus.

Builders are pure functions `build_x(corpus, config, out_dir)`: the Corpus is the evidence,
the BuildConfig the configuration files and environment, each read once here; no builder
reads YAML, opens a settings file or imports another builder. The search documents are made once here; related entries come from them
and are handed to the
site builder here, so the two stay independent.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from .atomic import sweep_stale
from .config import BuildConfig, read_config
from .errors import BuildBug, BuildError
from .evidence.corpus import Corpus, load_corpus
from .evidence.problems import render
from .progress import counter, step

OUTPUTS = ("db", "search", "exports", "site")


def run_build(evidence: Path, out: Path, only: tuple[str, ...] = (), repo: Path | None = None) -> int:
    """Build the chosen outputs into `out`. Returns a process exit code."""
    with counter("Checking evidence") as tick:
        result = load_corpus(evidence, progress=tick)
    if result.corpus is None:
        click.echo(render(result.problems, "text"), err=True)
        click.echo(f"build stopped: {len(result.problems)} problem(s) in the evidence; previous outputs kept.", err=True)
        return 1
    try:
        config = read_config(repo or Path(evidence).resolve().parent)
        build_outputs(result.corpus, config, out, only or OUTPUTS)
    except BuildError as exc:  # the user's to fix: the message says where and how
        click.echo(f"{exc}\nbuild stopped; the previous outputs are unchanged.", err=True)
        return 1
    except BuildBug as exc:
        click.echo(f"whatworks: internal error building the outputs: {exc}. Fix: this is a bug in whatworks, not in "
                   "your evidence (it passed lint); please report it. The previous outputs are unchanged.", err=True)
        return 3
    except sqlite3.Error as exc:  # SQLite's own errors that are not about the disk are ours too
        if not _disk_trouble(exc):
            click.echo(f"whatworks: internal error writing the database ({type(exc).__name__}: {exc}). Fix: this is a "
                       "bug in whatworks, not in your evidence; please report it. The previous outputs are unchanged.", err=True)
            return 3
        click.echo(f"{out}: cannot write output ({exc}). Fix: free disk space or check that {out} is a "
                   "writable folder; the previous outputs are unchanged.", err=True)
        return 1
    except OSError as exc:  # disk full, permission denied, a file where a folder should be, ...
        where = getattr(exc, "filename", None) or out
        reason = getattr(exc, "strerror", None) or str(exc)
        click.echo(f"{where}: cannot write output ({reason}). Fix: free disk space or check that "
                   f"{out} is a writable folder; the previous outputs are unchanged.", err=True)
        return 1
    return 0


def _disk_trouble(exc: sqlite3.Error) -> bool:
    """SQLite errors that mean the disk or its permissions, not our SQL."""
    text = str(exc).lower()
    return any(word in text for word in ("disk", "full", "readonly", "read-only", "unable to open", "permission", "i/o"))


def check_config(corpus: Corpus, config: BuildConfig, only: tuple[str, ...]) -> None:
    """What the outputs make of the configuration, checked before any output is replaced (BuildError if not)."""
    if "db" in only:
        from .database.metadata import build_metadata
        from .database.views import views
        from .tables.catalogue import all_tables

        build_metadata(config, all_tables(corpus), views(corpus))
    if "site" in only and config.mkdocs is not None:  # (a tree without one builds the rest; the site says why not)
        from .pages.build import site_links
        from .pages.mkdocs_config import check_mkdocs_config

        check_mkdocs_config(config)
        site_links(config)


def build_outputs(corpus: Corpus, config: BuildConfig, out: Path, only: tuple[str, ...]) -> None:
    out = Path(out)
    check_config(corpus, config, only)
    sweep_stale(out)
    if "db" in only:
        from .database.build import build_database

        with step("database"):
            build_database(corpus, config, out)
    if "search" in only or "site" in only:
        from .search.documents import documents
        from .search.related import related_entries

        docs = documents(corpus)  # once per build: the index and the related entries read the same
        if "search" in only:
            from .search.index import build_search_index

            with step("search index"):
                build_search_index(docs, out, corpus.synonyms)
    if "exports" in only:
        from .exports import build_exports

        with step("exports"):
            build_exports(corpus, config, out)
    if "site" in only:
        from .pages.build import build_site
        from .pages.history import atom_feed, entry_history, site_url

        with step("related entries"):
            related = related_entries(docs)
        with step("site"):
            history = entry_history(config.repo, corpus)  # {} outside git: pages then show no dates
            feed = atom_feed(corpus, history, site_url(config))
            build_site(corpus, config, out, related=related, history=history, extra_files={"feed.xml": feed})


@click.command("build")
@click.option("--only", multiple=True, type=click.Choice(OUTPUTS), help="Build only these outputs (repeatable).")
@click.option("--evidence", default="evidence", show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", default="_build", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def build_command(only: tuple[str, ...], evidence: Path, out: Path) -> None:
    """Validate the evidence, then build the database, search index, exports and site into _build/."""
    sys.exit(run_build(evidence, out, only))
