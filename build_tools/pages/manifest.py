"""What an incremental build may reuse: a fingerprint of everything global, and manifests.

An output can be updated in place only if nothing it depends on globally has changed:
the code and templates (build_tools/), the site's configuration and hand-written pages,
the Datasette metadata, the vocabularies, and the versions of the tools that render
(MkDocs, Material, Markdown, ...). `fingerprint()` hashes all of those; a manifest
records the fingerprint it was built with, and any difference means a full build.

Manifests live in out_dir/cache/ (JSON, keys sorted, so two builds of one input are
byte-identical). A manifest is removed before its output is replaced and written again
after, so a build killed in between leaves no manifest, and the next build is full.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path

from ..atomic import write_text

CACHE_DIR = "cache"
FORMAT = 1
# Distributions whose code turns the same input into different bytes when they change.
RENDERING_PACKAGES = ("mkdocs", "mkdocs-material", "pymdown-extensions", "markdown", "jinja2", "nh3",
                      "pydantic", "pyyaml", "whoosh3", "sqlite-utils", "datasette")
PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Modules that never touch a build output (serving, the CLI's other commands, progress display).
NOT_BUILD_CODE = frozenset({"serve", "search/cli.py", "evidence/new.py", "evidence/diff.py", "progress.py", "cli.py"})


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _hash_tree(digest, root: Path, skip: frozenset[str] = frozenset()) -> None:
    """Feed every file under root (path and bytes) to digest, in a stable order.
    `skip`: paths relative to root (folders or files) to leave out."""
    if not root.is_dir():
        digest.update(f"missing:{root.name}\n".encode())
        return
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        rel = here.relative_to(root)
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and (rel / d).as_posix() not in skip)
        for name in sorted(names):
            if (rel / name).as_posix() in skip or name.endswith((".pyc", ".tmp")):
                continue
            path = here / name
            digest.update(f"{path.relative_to(root).as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def fingerprint(repo: Path, evidence: Path, generated: frozenset[str] = frozenset()) -> str:
    """Hash of every global input of the outputs. `generated`: top-level names in site/
    that the build writes (left out: they are outputs, not inputs)."""
    repo = Path(repo)
    digest = hashlib.sha256(f"format {FORMAT}\n{sys.version}\n".encode())
    for name in RENDERING_PACKAGES:
        digest.update(f"{name}=={_version(name)}\n".encode())
    # Settings taken from the environment change every page's links too.
    digest.update(f"WHATWORKS_DATA_BASE={os.environ.get('WHATWORKS_DATA_BASE', '')}\n".encode())
    _hash_tree(digest, PACKAGE_DIR, NOT_BUILD_CODE)
    for name in ("mkdocs.yml", "datasette_metadata.yml", "CONTRIBUTING.md", "CITATION.cff"):
        path = repo / name
        digest.update(f"{name}\n".encode() + (hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"-"))
    _hash_tree(digest, repo / "site", generated)
    _hash_tree(digest, Path(evidence) / "vocabularies")
    excluded = Path(evidence) / "excluded.yml"
    digest.update(hashlib.sha256(excluded.read_bytes()).digest() if excluded.is_file() else b"-")
    return digest.hexdigest()


def manifest_path(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / CACHE_DIR / f"{name}.json"


def read_manifest(out_dir: Path, name: str, fingerprint_now: str) -> dict | None:
    """The manifest if it was written with this fingerprint; None (build everything) otherwise."""
    try:
        data = json.loads(manifest_path(out_dir, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint_now:
        return None
    return data


def forget_manifest(out_dir: Path, name: str) -> None:
    """Call before replacing the output the manifest describes."""
    manifest_path(out_dir, name).unlink(missing_ok=True)


def write_manifest(out_dir: Path, name: str, data: dict) -> None:
    write_text(manifest_path(out_dir, name), json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
