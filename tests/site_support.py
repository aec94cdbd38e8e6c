"""Helpers shared by the site tests: a throwaway copy of the repository's site sources
(so tests never write into the real site/), a real static file server, HTML scanning."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

from build_tools.pages.build import GENERATED_DIRS, GENERATED_FILES

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}  # viewport of the browser tests
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
RELATED = {"sample-mentoring": ("sample-programme", "sample-boot-camps")}
HISTORY = {"sample-mentoring": {"added": "2025-12-01", "changed": "2026-01-15"}}


def site_repo(root: Path) -> Path:
    """A repository skeleton at root: mkdocs.yml, CONTRIBUTING.md and the hand-written site/."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    contributing = REPO / "CONTRIBUTING.md"
    if contributing.exists():
        shutil.copy(contributing, root / "CONTRIBUTING.md")
    else:
        (root / "CONTRIBUTING.md").write_text("# Contributing\n", encoding="utf-8")
    skip = set(GENERATED_DIRS) | set(GENERATED_FILES) | {"feed.xml"}
    shutil.copytree(REPO / "site", root / "site", ignore=lambda d, names: [n for n in names if Path(d) == REPO / "site" and n in skip])
    return root


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve folder on a free 127.0.0.1 port in a thread; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text inside <script> tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(path: Path) -> Tags:
    tags = Tags()
    tags.feed(path.read_text(encoding="utf-8"))
    tags.close()
    return tags
