"""Datasette plugin: the whatworks search endpoint, beside the researchers' database.

`/-/search?q=…` is an HTML page in Datasette's own look (it extends Datasette's
base.html); `/-/search.json?q=…` returns the same data as `whatworks search --json`.
Filters: type, setting, outcome, priority_area (repeatable), limit. The index folder
comes from the plugin config, so the endpoint travels with any Datasette deploy:

    plugins:
      whatworks-search:
        index_dir: _build/search

Searches run on one worker thread, never on Datasette's event loop, so a slow query
cannot hold up table requests; query.check_size refuses what would be slow (HTTP 400).

With Datasette's --cors (`datasette publish` always passes it; `whatworks serve` sets cors=True)
the JSON carries Datasette's own CORS headers, so a notebook or another site can call it. The
plugin also serves /robots.txt, the crawl policy in robots.py.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Response

from .query import SearchIndex, check_size
from .robots import robots_txt
from .schema import FACET_REPORT, IndexMissing, SearchError

PLUGIN = "whatworks-search"
DEFAULT_INDEX = "_build/search"
TEMPLATE = Path(__file__).parent / "templates" / "whatworks_search.html"
TABLES = {"approach": "approaches", "programme": "programmes", "study": "studies"}
DATABASE = "evidence"
MAX_LIMIT = 100

# One thread: an open Whoosh index is not safe for two threads, and one search at a time
# bounds the CPU the endpoint can take from Datasette.
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whatworks-search")
_open: dict[str, tuple[tuple, SearchIndex]] = {}  # index folder -> (its signature, the open index); worker only


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page), (r"^/-/search\.json$", search_json), (r"^/robots\.txt$", robots)]


async def robots(datasette) -> Response:
    return Response.text(robots_txt(datasette.urls.path("/")))


def _index(folder: str) -> SearchIndex:
    """The open index, reopened when a build has replaced it. Runs on the worker thread."""
    try:
        stat = os.stat(folder)
        signature = (stat.st_ino, stat.st_mtime_ns, tuple(sorted(os.listdir(folder))))
    except OSError:
        signature = ()
    cached = _open.get(folder)
    if cached and cached[0] == signature:
        return cached[1]
    index = SearchIndex(Path(folder))  # raises IndexMissing with the fix
    if cached:
        cached[1].close()
    _open[folder] = (signature, index)
    return index


def run_search(folder: str, q: str, filters: dict, limit: int) -> dict:
    """One search, on the worker thread."""
    return _index(folder).search(q, filters, limit=limit).as_dict()


async def _run(datasette, request) -> dict:
    """Search for the request's parameters: the payload shared by the page and the JSON."""
    q = request.args.get("q", "")
    check_size(q)
    try:
        limit = max(0, min(MAX_LIMIT, int(request.args.get("limit", 20))))
    except ValueError:
        raise SearchError("limit: must be a whole number. Fix: e.g. limit=20") from None
    filters = {facet: request.args.getlist(facet) for facet in FACET_REPORT if request.args.getlist(facet)}
    for values in filters.values():
        for value in values:
            check_size(value)
    folder = str((datasette.plugin_config(PLUGIN) or {}).get("index_dir", DEFAULT_INDEX))
    result = await asyncio.get_running_loop().run_in_executor(_worker, run_search, folder, q, filters, limit)
    for row in result["results"]:
        row["url"] = _row_url(datasette, row)
    return result


def _row_url(datasette, row: dict) -> str:
    if DATABASE in datasette.databases:
        return datasette.urls.row(DATABASE, TABLES[row["type"]], row["id"])
    return datasette.urls.path(f"-/search?{urlencode({'q': 'id:' + row['id']})}")


async def search_json(datasette, request) -> Response:
    try:
        response = Response.json({"ok": True, **await _run(datasette, request)})
    except SearchError as exc:
        status = 503 if isinstance(exc, IndexMissing) else 400
        response = Response.json({"ok": False, "error": str(exc)}, status=status)
    if datasette.cors:  # as Datasette's own JSON views do
        add_cors_headers(response.headers)
    return response


async def search_page(datasette, request) -> Response:
    q = request.args.get("q", "")
    context = {"q": q, "searched": "q" in request.args, "error": None, "results": [], "facets": {}, "total": 0,
               "suggestion": None, "corrected": False, "json_url": datasette.urls.path("-/search.json") + "?" + request.query_string}
    status = 200
    if context["searched"]:
        try:
            context.update(await _run(datasette, request))
        except SearchError as exc:
            context["error"] = str(exc)
            status = 503 if isinstance(exc, IndexMissing) else 400
    template = datasette.jinja_env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)
