"""Lint time against the parse-only floor, on a synthetic corpus.

    python bench/bench_lint.py [N ...]     (default: 1000 10000)

Target (issue #2): lint of 10,000 entries <= 2x the floor.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, parse_floor  # noqa: E402
from generate import generate  # noqa: E402

from build_tools.evidence.corpus import load_corpus  # noqa: E402


def lint_seconds(evidence: Path) -> float:
    start = time.perf_counter()
    result = load_corpus(evidence)
    elapsed = time.perf_counter() - start
    assert result.corpus is not None, result.problems[:3]
    return elapsed


def main(sizes: list[int]) -> None:
    print(f"{'entries':>8} {'floor s':>8} {'lint s':>8} {'ratio':>6}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            evidence = generate(n, Path(tmp))
            floor = best_of(3, parse_floor, evidence)
            lint = best_of(3, lint_seconds, evidence)
            print(f"{n:>8} {floor:>8.3f} {lint:>8.3f} {lint / floor:>6.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
