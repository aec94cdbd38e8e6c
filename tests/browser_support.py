"""Browser fixtures shared by the site's browser tests, loaded as a pytest plugin by conftest.py:
the fixture corpus's site built once per module, served on 127.0.0.1 (as static files, or with
its Datasette and search endpoint as `whatworks serve` serves them), and Debian's chromium
through Playwright. No request may leave the
machine: anything not on 127.0.0.1, file:// or data: is aborted and fails the test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from build_tools.pages.build import build_site
from build_tools.search.documents import documents
from site_support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, HISTORY, RELATED, serve, site_repo
from build_tools.config import read_config


@pytest.fixture(scope="module")
def site(tmp_path_factory, fixture_corpus) -> Path:
    repo = site_repo(tmp_path_factory.mktemp("browser") / "repo")
    return build_site(fixture_corpus, read_config(repo), repo / "_build", related=RELATED, history=HISTORY,
                      search_docs=documents(fixture_corpus))


@pytest.fixture(scope="module")
def served_url(tmp_path_factory, fixture_tree):
    """The fixture corpus fully built (site, database, search index) and served by the app behind
    `whatworks serve` (site at /, Datasette and /data/-/search.json at /data/) in a thread."""
    import threading
    import time

    import uvicorn

    from build_tools.build import run_build
    from build_tools.serve.app import Router
    from conftest import free_port

    repo = site_repo(tmp_path_factory.mktemp("served") / "repo")
    assert run_build(fixture_tree, repo / "_build", repo=repo) == 0
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(Router(repo / "_build"), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the served site did not start"
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def base_url(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    outside: list[str] = []
    context.route(re.compile(r"^(?!http://127\.0\.0\.1|file://|data:|about:).*"), lambda route: (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert outside == []
