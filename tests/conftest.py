"""Shared fixtures: a small synthetic corpus (tests/fixtures/valid + the real vocabularies)
and the real corpus in evidence/."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from build_tools.config import BuildConfig, read_config
from build_tools.evidence.corpus import Corpus, load_corpus
from build_tools.evidence.problems import render

REPO = Path(__file__).resolve().parent.parent
# the browser tests' fixtures (site, base_url, browser, page) live in tests/browser_support.py
pytest_plugins = ["browser_support"]
FIXTURES = REPO / "tests" / "fixtures"


def _latest_date(evidence: Path) -> dt.date:
    """The latest date the real corpus records as past (checked, reviewed), so the test clock is
    never before the corpus it reads, whatever the machine's date (next_review_due is future)."""
    found = re.findall(r"^\s*(?!next_review_due)[a-z_]+: ['\"]?(\d{4}-\d{2}-\d{2})", "\n".join(
        p.read_text(encoding="utf-8") for p in evidence.rglob("*.yml") if "_template" not in p.parts), re.M)
    return max(dt.date.fromisoformat(d) for d in found)


# The one test clock: fixtures are dated up to 2026-11-26; the real corpus may be newer. The
# autouse fixture below hands it to the CLI too (WHATWORKS_TODAY), so no test reads the system date.
TODAY = max(dt.date(2026, 11, 26), _latest_date(REPO / "evidence"))


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setenv("WHATWORKS_TODAY", TODAY.isoformat())


def make_tree(root: Path, files: dict[str, str] | None = None, with_valid: bool = True) -> Path:
    """An evidence tree at root/evidence: real vocabularies, the valid fixtures, plus `files`
    (path relative to evidence/ -> text)."""
    evidence = root / "evidence"
    shutil.copytree(REPO / "evidence" / "vocabularies", evidence / "vocabularies")
    if with_valid:
        for path in (FIXTURES / "valid").rglob("*.yml"):
            target = evidence / path.relative_to(FIXTURES / "valid")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    for rel, text in (files or {}).items():
        target = evidence / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return evidence


def config_of(corpus: Corpus) -> BuildConfig:
    """The configuration a build of `corpus` reads: the repository around its evidence folder."""
    return read_config(Path(corpus.root).resolve().parent)


def load_ok(evidence: Path) -> Corpus:
    result = load_corpus(evidence, today=TODAY)
    assert result.corpus is not None, render(result.problems, "text")
    return result.corpus


@pytest.fixture(scope="session")
def fixture_tree(tmp_path_factory) -> Path:
    return make_tree(tmp_path_factory.mktemp("fixture"))


@pytest.fixture(scope="session")
def fixture_corpus(fixture_tree) -> Corpus:
    return load_ok(fixture_tree)


@pytest.fixture(scope="session")
def real_corpus() -> Corpus:
    return load_ok(REPO / "evidence")


def free_port() -> int:
    """A loopback port nobody is listening on, for servers the tests start."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_response(url: str, server: subprocess.Popen, timeout: float) -> httpx.Response:
    """The first answer of a server the test started, once it listens; fails with the server's
    stderr if it exits or does not listen within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()
            time.sleep(0.2)
