"""The ASGI app behind `whatworks serve`: one address for the site, the exports and Datasette.

    /            the static site (_build/site), MkDocs directory URLs (a/b/ -> a/b/index.html)
    /exports/    the downloads (_build/exports)
    /data/       Datasette (base_url "/data/"), with the search plugin's /data/-/search

A tiny router rather than a web framework: three prefixes, static files, and a Datasette
app that is swapped for a fresh one after each rebuild (an immutable database is opened
once, so a rebuilt file needs a new Datasette).
"""

from __future__ import annotations

import asyncio
import functools
import html
import json
import mimetypes
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

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
    from datasette.app import Datasette  # first: it registers Datasette's default plugins, this module among them
    import datasette.handle_exception as default_errors

    # Datasette's error handler prints every error (404s, bad SQL, queries stopped by the time limit)
    # as a rich traceback with all locals: 250-700 ms on the event loop, during which the whole server
    # stalls (bench/load.py). Client errors need no traceback; a 500 still prints a plain one.
    default_errors.rich = None
    db, meta_file = out / "evidence.db", out / "metadata.json"
    if not db.exists() or not meta_file.exists():
        return None
    metadata = json.loads(meta_file.read_text(encoding="utf-8"))
    settings = dict(metadata.pop("settings", {})) | {"base_url": DATA_PREFIX}
    plugins = metadata.setdefault("plugins", {})
    plugins["whatworks-search"] = dict(plugins.get("whatworks-search", {})) | {"index_dir": str((out / "search").resolve())}
    # immutable: opened read-only with no locking and no change checks; Datasette never writes to it
    datasette = Datasette(immutables=[str(db)], metadata=metadata, settings=settings)
    # Datasette 0.65.5 merges and deep-copies the whole metadata (every table's column descriptions)
    # on each table permission check, four per table request: a third of a table JSON request's time
    # (bench/load.py). The metadata is fixed for this instance (a rebuild makes a new one), so the
    # answer per table is too.
    datasette._table_permission_allows = functools.lru_cache(maxsize=None)(datasette._table_permission_allows)
    _refresh_schemas_once(datasette)
    return datasette


def _refresh_schemas_once(datasette: Any) -> None:
    """Datasette asks every database for its schema version before each request: three trips to its
    SQL threads, and under load each trip waits a full turn of the event loop (bench/load.py). The
    database is immutable and a rebuild makes a new Datasette, so the first answer stays true."""
    refresh, lock, done = datasette.refresh_schemas, asyncio.Lock(), False

    async def refresh_once() -> None:
        nonlocal done
        if not done:
            async with lock:
                if not done:
                    await refresh()
                    done = True

    datasette.refresh_schemas = refresh_once


class ResponseCache:
    """Datasette's JSON and CSV replies, kept by path and query string.

    The database is immutable between builds, so the same GET always gets the same reply;
    replaying it costs microseconds instead of a queue of SQL round trips (what a CDN does
    for the published copy). Only complete 200 replies without cookies are kept, within a
    byte budget, least recently used first out. A rebuild starts a new, empty cache.
    """

    KINDS = (b"application/json", b"text/csv", b"text/plain")

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, max_item: int = 1024 * 1024) -> None:
        self.items: OrderedDict[tuple[str, bytes], list[dict]] = OrderedDict()
        self.size, self.max_bytes, self.max_item = 0, max_bytes, max_item

    async def __call__(self, app: ASGIApp, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["method"] != "GET":
            await app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""))
        if (hit := self.items.get(key)) is not None:
            self.items.move_to_end(key)
            for message in hit:
                await send(message)
            return
        messages: list[dict] = []

        async def keep(message: dict) -> None:
            messages.append(message)
            await send(message)

        await app(scope, receive, keep)
        self._store(key, messages)

    def _store(self, key: tuple[str, bytes], messages: list[dict]) -> None:
        start = messages[0] if messages else {}
        headers = dict(start.get("headers", []))
        size = sum(len(m.get("body", b"")) for m in messages)
        if (start.get("status") != 200 or b"set-cookie" in headers or size > self.max_item
                or not headers.get(b"content-type", b"").startswith(self.KINDS)
                or messages[-1].get("more_body", False)):
            return
        self.items[key] = messages
        self.size += size
        while self.size > self.max_bytes:
            _, old = self.items.popitem(last=False)
            self.size -= sum(len(m.get("body", b"")) for m in old)


class Router:
    def __init__(self, out: Path) -> None:
        self.out = Path(out).resolve()
        self.datasette: ASGIApp | None = None
        self.cache = ResponseCache()
        self.reload()

    def reload(self) -> None:
        """Pick up a rebuilt database and metadata (called after each build)."""
        datasette = make_datasette(self.out)
        self.datasette = datasette.app() if datasette is not None else None
        self.cache = ResponseCache()

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path in (DATA_PREFIX.rstrip("/"), EXPORTS_PREFIX.rstrip("/")):
            await _redirect(send, path + "/")
        elif path.startswith(DATA_PREFIX):
            app = self.datasette
            if app is None:
                await _text(send, 503, "The database has not been built yet: fix the problems `whatworks lint` "
                                       "reports; the server rebuilds when the evidence changes.")
            else:
                await self.cache(app, scope, receive, send)
        elif path.startswith(EXPORTS_PREFIX):
            await static(self.out / "exports", path[len(EXPORTS_PREFIX):], scope, send, listing=True)
        else:
            site = self.out / "site"
            if not (site / "index.html").exists():
                await _send(send, 200 if path == "/" else 404, NOT_BUILT.encode(), "text/html; charset=utf-8")
            else:
                await static(site, path.lstrip("/"), scope, send)


async def _lifespan(receive: Callable, send: Callable) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def static(root: Path, rel: str, scope: Scope, send: Callable, listing: bool = False) -> None:
    """Serve root/rel: files as they are, folders by their index.html (or a listing)."""
    if scope["method"] not in ("GET", "HEAD"):
        await _text(send, 405, "Method not allowed: this server is read-only.")
        return
    root = root.resolve()
    target = (root / unquote(rel)).resolve()
    if not target.is_relative_to(root) or not root.exists():
        await _not_found(root, send)
        return
    if target.is_dir():
        if rel and not rel.endswith("/"):
            await _redirect(send, scope["path"] + "/")
            return
        if (target / "index.html").is_file():
            target = target / "index.html"
        elif listing:
            await _listing(target, scope["path"], send)
            return
    if not target.is_file():
        await _not_found(root, send)
        return
    kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/json", "application/javascript", "image/svg+xml"):
        kind += "; charset=utf-8"
    body = target.read_bytes()
    await _send(send, 200, b"" if scope["method"] == "HEAD" else body, kind, length=len(body))


async def _listing(folder: Path, path: str, send: Callable) -> None:
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir() if not p.name.startswith("."))
    items = "".join(f'<li><a href="{html.escape(n)}">{html.escape(n)}</a></li>' for n in names)
    page = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(path)}</title></head>"
            f"<body><h1>Downloads: {html.escape(path)}</h1><ul>{items}</ul></body></html>")
    await _send(send, 200, page.encode(), "text/html; charset=utf-8")


async def _not_found(root: Path, send: Callable) -> None:
    page = root / "404.html"  # MkDocs writes one; use it so the preview matches the published site
    if page.is_file():
        await _send(send, 404, page.read_bytes(), "text/html; charset=utf-8")
    else:
        await _text(send, 404, "Not found.")


async def _redirect(send: Callable, location: str) -> None:
    await _send(send, 302, b"", "text/plain; charset=utf-8", headers=[(b"location", location.encode())])


async def _text(send: Callable, status: int, text: str) -> None:
    await _send(send, status, text.encode(), "text/plain; charset=utf-8")


async def _send(send: Callable, status: int, body: bytes, content_type: str, length: int | None = None,
                headers: list[tuple[bytes, bytes]] | None = None) -> None:
    head = [(b"content-type", content_type.encode()), (b"content-length", str(len(body) if length is None else length).encode()),
            (b"cache-control", b"no-cache")] + (headers or [])
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})
