"""`mkdocs build --strict --dirty` that leaves exactly what a clean build would.

    python -m build_tools.pages.mkdocs_dirty CONFIG_FILE SITE_DIR

SITE_DIR holds the previous build's HTML as hard links (site_incremental.py puts them
there). MkDocs rebuilds a page only when its HTML is missing or older than its Markdown;
everything else is left as it was. Three things differ from running the stock command:

* `mkdocs build --strict --dirty` always fails: MkDocs logs a warning that dirty builds
  are for development, and strict mode counts it. That one message is dropped here; every
  other warning still aborts the build.
* Files MkDocs will write are unlinked first, so a write never goes through a hard link
  into the previous site (which must stay whole until the new one replaces it).
* Material's search plugin indexes only the pages it rebuilt. The index is then put
  together again in a clean build's page order: rebuilt pages' entries from this run, the
  others' from the previous index (search_index.js, the offline copy, likewise).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

# Written on every build, whatever changed (theme templates and the search index).
ALWAYS_WRITTEN = ("404.html", "sitemap.xml", "sitemap.xml.gz", "search/search_index.json", "search/search_index.js")
DIRTY_NOTICE = "A 'dirty' build is being performed"


class _DropDirtyNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(DIRTY_NOTICE)


def _page_urls(cfg) -> list[tuple[str, object]]:
    """(url, File) of every page, in the order a build visits them (and indexes them)."""
    from mkdocs.structure.files import InclusionLevel, get_files

    files = get_files(cfg)
    return [(f.url, f) for f in files.documentation_pages(inclusion=InclusionLevel.is_included)]


def _by_page(docs: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for doc in docs:
        grouped.setdefault(doc["location"].split("#", 1)[0], []).append(doc)
    return grouped


def _prepare(cfg, site: Path) -> tuple[set[str], dict | None]:
    """Unlink what this build will write; return the urls of pages it will rebuild and the
    previous search index."""
    from mkdocs.structure.files import get_files

    files = get_files(cfg)
    files.add_files_from_theme(cfg.theme.get_env(), cfg)
    rebuilt = set()
    for f in files:
        if f.is_modified():
            if f.is_documentation_page():
                rebuilt.add(f.url)
            Path(f.abs_dest_path).unlink(missing_ok=True)
    index = site / "search" / "search_index.json"
    previous = json.loads(index.read_text(encoding="utf-8")) if index.is_file() else None
    for rel in ALWAYS_WRITTEN:
        (site / rel).unlink(missing_ok=True)
    return rebuilt, previous


def _merge_search_index(cfg, site: Path, rebuilt: set[str], previous: dict) -> None:
    """The index a clean build writes: every page's entries, in build order."""
    index = site / "search" / "search_index.json"
    if not index.is_file():
        return
    fresh = json.loads(index.read_text(encoding="utf-8"))
    new, old = _by_page(fresh["docs"]), _by_page(previous["docs"])
    docs = []
    for url, _ in _page_urls(cfg):
        docs.extend(new.get(url, []) if url in rebuilt else old.get(url, []))
    # Same serialisation as Material's search plugin, then its offline plugin's script copy.
    data = json.dumps({"config": fresh["config"], "docs": docs}, separators=(",", ":"), default=str)
    index.write_bytes(data.encode("utf-8"))
    script = site / "search" / "search_index.js"
    if script.is_file():
        script.write_text(f"var __index = {data}", encoding="utf-8")


def main(config_file: str, site_dir: str) -> int:
    from mkdocs import config as mkdocs_config
    from mkdocs import utils
    from mkdocs.commands import build
    from mkdocs.exceptions import Abort

    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger.addHandler(handler)
    build.log.addFilter(_DropDirtyNotice())
    build.log.addFilter(utils.DuplicateFilter())

    site = Path(site_dir)
    cfg = mkdocs_config.load_config(config_file=config_file, site_dir=site_dir, strict=True)
    rebuilt, previous = _prepare(cfg, site)
    if previous is None:
        print("ERROR   -  no previous search index to update; run a full build", file=sys.stderr)
        return 1
    cfg.plugins.on_startup(command="build", dirty=True)
    try:
        build.build(cfg, dirty=True)
    except Abort as exc:
        print(f"ERROR   -  {exc}", file=sys.stderr)
        return 1
    finally:
        cfg.plugins.on_shutdown()
    _merge_search_index(cfg, site, rebuilt, previous)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    sys.exit(main(*sys.argv[1:3]))
