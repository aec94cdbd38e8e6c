"""Whole-build guarantees (issue #8): same input -> same bytes; a build killed at any moment
or failing on a full disk leaves the previous outputs whole."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, make_tree
from site_support import site_repo as shared_site_repo

WHATWORKS = [sys.executable, "-m", "build_tools"]


def snapshot(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def site_repo(root: Path) -> Path:
    """A repository-shaped folder: the fixture evidence plus the site sources and metadata."""
    make_tree(root)
    shared_site_repo(root)
    (root / "datasette_metadata.yml").write_bytes((REPO / "datasette_metadata.yml").read_bytes())
    return root


def build(root: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*WHATWORKS, "build", *args], cwd=root, capture_output=True, text=True, **kwargs)


def test_two_builds_of_the_same_input_are_byte_identical(tmp_path):
    root = site_repo(tmp_path)
    first = build(root)
    assert first.returncode == 0, first.stderr
    before = snapshot(root / "_build")
    assert {"evidence.db", "metadata.json", "site/index.html", "exports/datapackage.json"} <= set(before)
    assert any(name.startswith("search/") for name in before)
    second = build(root)
    assert second.returncode == 0, second.stderr
    assert snapshot(root / "_build") == before


def test_disk_full_keeps_previous_outputs(tmp_path):
    root = site_repo(tmp_path)
    assert build(root, "--only", "db", "--only", "exports").returncode == 0
    before = snapshot(root / "_build")

    def tiny_files():  # writes over 20 kB fail with EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    for only in ("db", "exports", "search"):
        result = build(root, "--only", only, preexec_fn=tiny_files)
        assert result.returncode == 1, result.stderr
        assert "cannot write output" in result.stderr and "the previous outputs are unchanged" in result.stderr
        assert "Traceback" not in result.stderr
    after = snapshot(root / "_build")
    assert {k: v for k, v in after.items() if not k.startswith("search/")} == before


@pytest.mark.slow
def test_build_killed_at_any_moment_leaves_outputs_whole(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    root = site_repo(tmp_path)
    generate(300, tmp_path / "synthetic")
    os.replace(root / "evidence", tmp_path / "small-evidence")
    os.replace(tmp_path / "synthetic" / "evidence", root / "evidence")
    assert build(root).returncode == 0
    out = root / "_build"
    old_count = _count(out)
    source = root / "evidence" / "approaches" / "approach-00001.yml"  # the next build has one entry more
    (source.parent / "approach-99999.yml").write_text(source.read_text().replace("approach-00001", "approach-99999"))
    for delay in (0.3, 0.8, 1.5, 2.5, 4.0, 6.0):
        # Its own process group, killed whole, as Ctrl-C or a cancelled CI job would (mkdocs included).
        proc = subprocess.Popen([*WHATWORKS, "build"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _count(out) in (old_count, old_count + 1), delay
        assert (out / "site" / "index.html").stat().st_size > 1000, delay
        assert json.loads((out / "exports" / "datapackage.json").read_text())["resources"], delay
        assert any((out / "search").iterdir()), delay
    assert build(root).returncode == 0
    assert _count(out) == old_count + 1
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "stale temp files left behind"


def _count(out: Path) -> int:
    with sqlite3.connect(f"file:{out / 'evidence.db'}?mode=ro", uri=True) as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        return db.execute("select count(*) from approaches").fetchone()[0]
