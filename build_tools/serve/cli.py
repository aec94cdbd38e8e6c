"""`whatworks serve`: build, then serve the site, exports and Datasette on one local address,
rebuilding when a hand-written file under evidence/ or site/ changes.

Changes are found by polling modification times once a second (no extra dependency). Files
the build itself writes into site/ are listed in .gitignore and skipped, so a build never
triggers another. Ctrl-C stops the server and waits for a running build to finish.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import click

from ..build import run_build
from .app import Router

POLL_SECONDS = 1.0


def build_once(evidence: Path, out: Path) -> None:
    """Run the full build; keep serving whatever exists if it fails, and say why."""
    try:
        if run_build(evidence, out) != 0:
            click.echo("serve: still showing the previous build; fix the problems above and save again.", err=True)
    except Exception as exc:  # noqa: BLE001 - a broken output builder must not stop the preview
        click.echo(f"serve: build failed ({type(exc).__name__}: {exc}); building the database and exports only.",
                   err=True)
        for only in ("db", "exports"):
            try:
                run_build(evidence, out, only=(only,))
            except Exception as inner:  # noqa: BLE001
                click.echo(f"serve: {only} failed too ({type(inner).__name__}: {inner}).", err=True)


def ignored_prefixes(repo: Path) -> tuple[str, ...]:
    """Generated site sections, from the site/ lines of .gitignore (paths relative to the repo)."""
    gitignore = repo / ".gitignore"
    if not gitignore.exists():
        return ()
    lines = (line.strip() for line in gitignore.read_text(encoding="utf-8").splitlines())
    return tuple(line.lstrip("/") for line in lines if line.lstrip("/").startswith("site/"))


def snapshot(repo: Path, folders: tuple[Path, ...], ignored: tuple[str, ...]) -> dict[str, float]:
    """Path -> mtime of every hand-written file in the watched folders."""
    seen: dict[str, float] = {}
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            rel_dir = Path(dirpath).relative_to(repo).as_posix()
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not _ignored(f"{rel_dir}/{d}/", ignored))
            for name in filenames:
                rel = f"{rel_dir}/{name}"
                if name.startswith(".") or name.endswith(("~", ".swp", ".tmp")) or _ignored(rel, ignored):
                    continue
                try:
                    seen[rel] = os.stat(os.path.join(dirpath, name)).st_mtime_ns
                except FileNotFoundError:  # removed while we looked
                    continue
    return seen


def _ignored(rel: str, ignored: tuple[str, ...]) -> bool:
    return any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in ignored)


class Watcher(threading.Thread):
    """Rebuilds, then reloads Datasette, whenever the watched files change."""

    def __init__(self, evidence: Path, out: Path, router: Router) -> None:
        super().__init__(name="whatworks-watch", daemon=True)
        self.evidence, self.out, self.router = evidence, out, router
        self.repo = evidence.resolve().parent
        self.folders = tuple(p for p in (evidence.resolve(), self.repo / "site") if p.is_dir())
        self.ignored = ignored_prefixes(self.repo)
        self.stop = threading.Event()
        self.last = snapshot(self.repo, self.folders, self.ignored)

    def run(self) -> None:
        # time.sleep, not stop.wait(timeout): a timed wait takes an absolute deadline, which a
        # shifted clock (faketime, a VM resumed from suspend) can put days away.
        while not self.stop.is_set():
            time.sleep(POLL_SECONDS)
            if self.stop.is_set():
                break
            current = snapshot(self.repo, self.folders, self.ignored)
            if current == self.last:
                continue
            changed = sorted(set(current.items()) ^ set(self.last.items()))
            self.last = current  # taken before the build, so edits made during it trigger the next one
            click.echo(f"serve: {changed[0][0]} changed; rebuilding …", err=True)
            build_once(self.evidence, self.out)
            self.router.reload()
            click.echo("serve: rebuilt; reload the page to see it.", err=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--evidence", default="evidence", show_default=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", default="_build", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def serve_command(host: str, port: int, evidence: Path, out: Path) -> None:
    """Build, then serve the site at /, downloads at /exports/ and Datasette at /data/.

    Edits under evidence/ or site/ trigger a rebuild; reload the page to see them. Ctrl-C stops.
    """
    import uvicorn

    build_once(evidence, out)
    router = Router(out)
    watcher = Watcher(evidence, out, router)
    watcher.start()
    click.echo(f"serve: site http://{host}:{port}/  database http://{host}:{port}/data/  "
               f"downloads http://{host}:{port}/exports/  (Ctrl-C stops)", err=True)
    try:
        uvicorn.run(router, host=host, port=port, log_level="warning", lifespan="on")
    finally:
        watcher.stop.set()
        start = time.monotonic()
        watcher.join(timeout=60)  # let a running build finish so no temp files are left behind
        if watcher.is_alive():
            click.echo(f"serve: build still running after {time.monotonic() - start:.0f} s; exiting anyway.", err=True)
        click.echo("serve: stopped.", err=True)
