"""`whatworks serve`: the one-address router (through httpx's ASGI transport), change detection,
and the real command in a subprocess on a free loopback port."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from build_tools.serve.cli import ignored_prefixes, snapshot
from build_tools.serve.app import NOT_BUILT, Router
from datasette_whatworks_search.robots import robots_txt
from conftest import REPO, free_port, make_tree

WHATWORKS = REPO / ".venv" / "bin" / "whatworks"


def fetch(app: Router, path: str, method: str = "GET") -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.request(method, path)

    return asyncio.run(go())


@pytest.fixture()
def out(tmp_path) -> Path:
    site = tmp_path / "site"
    (site / "approaches" / "mentoring").mkdir(parents=True)
    (site / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    (site / "404.html").write_text("<h1>missing</h1>", encoding="utf-8")
    (site / "approaches" / "mentoring" / "index.html").write_text("<h1>mentoring</h1>", encoding="utf-8")
    (site / "style.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "ratings.csv").write_text("id\n", encoding="utf-8")
    return tmp_path


def test_site_pages_and_directory_urls(out):
    app = Router(out)
    home = fetch(app, "/")
    assert (home.status_code, home.text, home.headers["content-type"]) == (200, "<h1>home</h1>", "text/html; charset=utf-8")
    moved = fetch(app, "/approaches/mentoring")
    assert (moved.status_code, moved.headers["location"]) == (302, "/approaches/mentoring/")
    assert fetch(app, "/approaches/mentoring/").text == "<h1>mentoring</h1>"
    assert fetch(app, "/style.css").headers["content-type"] == "text/css; charset=utf-8"
    missing = fetch(app, "/no/such/page/")
    assert (missing.status_code, missing.text) == (404, "<h1>missing</h1>")
    assert fetch(app, "/%2e%2e/exports/ratings.csv").status_code == 404  # no way out of the site folder
    assert fetch(app, "/", method="POST").status_code == 405


@pytest.mark.parametrize("path,page", [
    ("/index.html%00", "<h1>missing</h1>"), ("/%00/x", "<h1>missing</h1>"), ("/%2500", "<h1>missing</h1>"),
    ("/%252e%252e/exports/ratings.csv", "<h1>missing</h1>"), ("/" + "a" * 5000, "<h1>missing</h1>"),
    ("/exports/%00", "Not found."), ("/exports/%252e%252e/site/index.html", "Not found."), ("/exports/nope", "Not found."),
])
def test_nul_double_encoded_and_overlong_paths_are_not_found(out, path, page):
    """A NUL byte or a double-encoded path is a page that does not exist, never a server error."""
    response = fetch(Router(out), path)
    assert (response.status_code, response.text) == (404, page)


def test_exports_and_data_prefixes(out):
    app = Router(out)
    assert fetch(app, "/exports/ratings.csv").text == "id\n"
    assert '<a href="ratings.csv">ratings.csv</a>' in fetch(app, "/exports/").text
    assert fetch(app, "/exports").headers["location"] == "/exports/"
    assert fetch(app, "/data").headers["location"] == "/data/"
    no_db = fetch(app, "/data/evidence.json")
    assert no_db.status_code == 503 and no_db.text.startswith("The database has not been built yet")


def test_plain_page_while_the_site_is_not_built(tmp_path):
    response = fetch(Router(tmp_path), "/")
    assert (response.status_code, response.text) == (200, NOT_BUILT)
    assert fetch(Router(tmp_path), "/approaches/").status_code == 404


def test_generated_site_sections_do_not_trigger_rebuilds(tmp_path):
    (tmp_path / ".gitignore").write_text("_build/\nsite/approaches/\nsite/index.md\n", encoding="utf-8")
    for rel in ("site/about.md", "site/index.md", "site/approaches/x.md", "evidence/a.yml", "evidence/.a.yml.swp"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    ignored = ignored_prefixes(tmp_path)
    assert ignored == ("site/approaches/", "site/index.md")
    seen = snapshot(tmp_path, (tmp_path / "evidence", tmp_path / "site"), ignored)
    assert sorted(seen) == ["evidence/a.yml", "site/about.md"]


def wait_for(url: str, check, timeout: float, log: Path) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(url, timeout=5)
            if check(last):
                return last
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"{url} not ready in {timeout} s (last: {last}); server log:\n{log.read_text()}")


@pytest.mark.slow
def test_real_serve_process_builds_serves_rebuilds_and_stops(tmp_path):
    evidence = make_tree(tmp_path)
    shutil.copy(REPO / ".gitignore", tmp_path / ".gitignore")
    port, log = free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as handle:  # a file, not a pipe: an unread pipe would stall the server
        proc = subprocess.Popen([str(WHATWORKS), "serve", "--port", str(port), "--evidence", str(evidence),
                                 "--out", str(tmp_path / "_build")], cwd=tmp_path, stdout=handle, stderr=handle)
    try:
        data = wait_for(f"{base}/data/evidence.json", lambda r: r.status_code == 200, 120, log).json()
        assert {"approaches", "studies", "evidence_gap_map"} <= {t["name"] for t in data["tables"] + data["views"]}
        home = httpx.get(f"{base}/")
        site_index = tmp_path / "_build" / "site" / "index.html"
        assert home.status_code == 200
        assert home.content == (site_index.read_bytes() if site_index.exists() else NOT_BUILT.encode())
        rows = httpx.get(f"{base}/data/evidence/approaches.json?_search=mentoring&_shape=array").json()
        assert [r["id"] for r in rows] == ["sample-mentoring"]
        for path in ("/data/evidence/approaches.json", "/data/evidence.json?sql=select+1", "/data/-/search.json?q=mentoring"):
            response = httpx.get(base + path)  # a browser on another site may call the JSON API
            assert (response.status_code, response.headers["access-control-allow-origin"]) == (200, "*"), path
        assert httpx.get(f"{base}/robots.txt").text == robots_txt("/data/")

        path = evidence / "approaches" / "sample-mentoring.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("name: Sample mentoring", "name: Edited mentoring"),
                        encoding="utf-8")
        url = f"{base}/data/evidence/approaches/sample-mentoring.json?_shape=array"
        edited = wait_for(url, lambda r: r.status_code == 200 and r.json()[0]["name"] == "Edited mentoring", 120, log)
        assert edited.json()[0]["name"] == "Edited mentoring"
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0, log.read_text()
    assert "serve: stopped." in log.read_text()
    assert not [p.name for p in (tmp_path / "_build").iterdir() if p.name.endswith(".tmp")]
    assert os.path.exists(tmp_path / "_build" / "evidence.db")
