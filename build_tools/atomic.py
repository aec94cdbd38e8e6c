"""Outputs appear whole or not at all: write to a temp path beside the target, then rename."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it; put it straight back
    os.umask(mask)
    return mask


def published_mode(path: Path) -> None:
    """Temp files and folders are private (0600/0700); what we publish is 0644/0755 less the umask,
    as any other file the user makes: a web server running as another user must read it."""
    os.chmod(path, (0o777 if os.path.isdir(path) else 0o666) & ~_umask())


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temp path in the target's folder; on success it replaces target in one rename."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # callers (e.g. SQLite) create the file themselves
    try:
        yield Path(tmp)
        published_mode(Path(tmp))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield an empty temp folder; on success it takes the target's place.

    The old folder is moved aside and removed only after the new one is in place, so a
    build killed at any point leaves either the old or the new folder at `target`
    (recover_dir() puts the old one back if a kill landed between the two renames).
    """
    target = Path(target)
    recover_dir(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    old = target.with_name(f".{target.name}.old")
    try:
        yield tmp
        published_mode(tmp)
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def recover_dir(target: Path) -> None:
    old = target.with_name(f".{target.name}.old")
    if old.exists() and not target.exists():
        os.replace(old, target)


def write_text(target: Path, text: str) -> None:
    """Atomic, deterministic text write (UTF-8, \\n line ends)."""
    with atomic_file(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def sweep_stale(out_dir: Path) -> None:
    """Remove temp files and folders left by a build that was killed mid-way (one build at a
    time writes an output folder, so anything temp found at the start is stale)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return
    for path in out_dir.iterdir():
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        elif path.name.startswith(".") and path.name.endswith(".old"):
            recover_dir(path.with_name(path.name[1:-4]))
            shutil.rmtree(path, ignore_errors=True)
