"""Shared bench helpers: the parse-only floor every ratio is measured against."""

from __future__ import annotations

import time
from pathlib import Path

import yaml


def yaml_files(evidence: Path) -> list[Path]:
    return sorted(p for p in Path(evidence).rglob("*.yml") if "_template" not in p.parts)


def parse_floor(evidence: Path) -> float:
    """Seconds to read and parse every file with PyYAML's C safe loader: the floor."""
    files = yaml_files(evidence)
    start = time.perf_counter()
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def best_of(repeats: int, fn, *args) -> float:
    """Smallest of several timings: the least disturbed by other load on a noisy machine."""
    return min(fn(*args) for _ in range(repeats))
