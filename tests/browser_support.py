"""Browser fixtures shared by the site's browser tests, loaded as a pytest plugin by conftest.py:
the fixture corpus's site built once per module, served on 127.0.0.1, and Debian's chromium
through Playwright. No request may leave the
machine: anything not on 127.0.0.1, file:// or data: is aborted and fails the test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from build_tools.pages.build import build_site
from site_support import CHROMIUM, CHROMIUM_ARGS, DESKTOP, HISTORY, RELATED, serve, site_repo
from build_tools.config import read_config


@pytest.fixture(scope="module")
def site(tmp_path_factory, fixture_corpus) -> Path:
    repo = site_repo(tmp_path_factory.mktemp("browser") / "repo")
    return build_site(fixture_corpus, read_config(repo), repo / "_build", related=RELATED, history=HISTORY)


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
