"""The ASGI app behind `whatworks serve`: one address for the site, the exports and Datasette.

    /            the static site (_build/site): Starlette's StaticFiles in HTML mode, which
                 serves a/b/ as a/b/index.html and missing pages as MkDocs' 404.html
    /exports/    the downloads (_build/exports), folders listed
    /data/       Datasette (base_url "/data/") as published, with the search plugin's /data/-/search,
                 and CORS on its JSON (Datasette's cors=True, as `datasette publish` passes --cors)
    /robots.txt  the published Datasette's crawl policy, for its pages under /data/ (crawlers read
                 only the root robots.txt; the site's own pages have nothing to keep them out of)

A small router rather than a web framework: three prefixes, a maintained static-file handler
(it refuses paths outside its folder, NUL bytes and over-long names with a 404), and a
Datasette app that is swapped for a fresh one after each rebuild (an immutable database is
opened once, so a rebuilt file needs a new Datasette). Datasette is used as configured for
publishing, with no patches, so what the preview and bench/load.py show is what is published.
"""

from __future__ import annotations

import html
import json
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from datasette_whatworks_search.robots import robots_txt

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]

DATA_PREFIX = "/data/"
EXPORTS_PREFIX = "/exports/"
NOT_BUILT = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Site not built yet</title></head>"
             "<body><h1>The site has not been built yet</h1><p>The static site (_build/site) does not exist yet. "
             "The <a href=\"/data/\">database</a> and <a href=\"/exports/\">downloads</a> may already work; "
             "this page shows the site once <code>whatworks build</code> has built it.</p></body></html>")


def make_datasette(out: Path) -> Any:
    """A read-only Datasette over out/evidence.db, configured from out/metadata.json; None if not built."""
    from datasette.app import Datasette

    db, meta_file = out / "evidence.db", out / "metadata.json"
    if not db.exists() or not meta_file.exists():
        return None
    metadata = json.loads(meta_file.read_text(encoding="utf-8"))
    settings = dict(metadata.pop("settings", {})) | {"base_url": DATA_PREFIX}
    plugins = metadata.setdefault("plugins", {})
    plugins["whatworks-search"] = dict(plugins.get("whatworks-search", {})) | {"index_dir": str((out / "search").resolve())}
    # immutable: opened read-only with no locking and no change checks; Datasette never writes to it
    return Datasette(immutables=[str(db)], metadata=metadata, settings=settings, cors=True)


class Router:
    def __init__(self, out: Path) -> None:
        self.out = Path(out).resolve()
        self.datasette: ASGIApp | None = None
        self.site = StaticFiles(directory=self.out / "site", html=True, check_dir=False)
        self.exports = StaticFiles(directory=self.out / "exports", check_dir=False)
        self.reload()

    def reload(self) -> None:
        """Pick up a rebuilt database and metadata (called after each build)."""
        datasette = make_datasette(self.out)
        self.datasette = datasette.app() if datasette is not None else None

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == "/robots.txt":
            response: Response = PlainTextResponse(robots_txt(DATA_PREFIX))
        elif path in (DATA_PREFIX.rstrip("/"), EXPORTS_PREFIX.rstrip("/")):
            response = RedirectResponse(path + "/", status_code=302)
        elif path.startswith(DATA_PREFIX):
            if self.datasette is not None:
                await self.datasette(scope, receive, send)
                return
            response = PlainTextResponse("The database has not been built yet: fix the problems `whatworks lint` "
                                         "reports; the server rebuilds when the evidence changes.", status_code=503)
        elif path.startswith(EXPORTS_PREFIX):
            response = await _static(self.exports, {**scope, "root_path": scope.get("root_path", "") + EXPORTS_PREFIX[:-1]},
                                     listing=True)
        elif not (self.out / "site" / "index.html").is_file():
            response = HTMLResponse(NOT_BUILT, status_code=200 if path == "/" else 404)
        else:
            response = await _static(self.site, scope)
        await response(scope, receive, send)


async def _static(files: StaticFiles, scope: Scope, listing: bool = False) -> Response:
    """The maintained handler's answer; its refusals (404, 405) as plain text. Folders without
    a trailing slash redirect (302, as before: StaticFiles would send a 307 to an absolute URL)."""
    path = files.get_path(scope)
    try:
        if scope["method"] in ("GET", "HEAD"):
            folder, found = files.lookup_path("" if path == "." else path)
            if found and stat.S_ISDIR(found.st_mode):
                if not scope["path"].endswith("/"):
                    return RedirectResponse(scope["path"] + "/", status_code=302)
                if listing and not (Path(folder) / "index.html").is_file():
                    return _listing(Path(folder), scope["path"])
        return await files.get_response(path, scope)
    except HTTPException as exc:
        if exc.status_code == 405:
            return PlainTextResponse("Method not allowed: this server is read-only.", status_code=405, headers=exc.headers)
        return _not_found(files) if exc.status_code == 404 else PlainTextResponse(str(exc.detail), status_code=exc.status_code)
    except (ValueError, OSError):  # NUL byte, over-long name: get_response maps these to 404, lookup_path does not
        return _not_found(files)


def _not_found(files: StaticFiles) -> Response:
    """The site's own 404 page (MkDocs writes one), so the preview matches the published site."""
    page = Path(str(files.directory)) / "404.html"
    if files.html and page.is_file():
        return FileResponse(page, status_code=404)
    return PlainTextResponse("Not found.", status_code=404)


def _listing(folder: Path, path: str) -> Response:
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir() if not p.name.startswith("."))
    items = "".join(f'<li><a href="{html.escape(n)}">{html.escape(n)}</a></li>' for n in names)
    return HTMLResponse(f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(path)}</title>"
                        f"</head><body><h1>Downloads: {html.escape(path)}</h1><ul>{items}</ul></body></html>")


async def _lifespan(receive: Callable, send: Callable) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
