"""Database build time against the parse-only floor, on a synthetic corpus.

    python bench/bench_database.py [N ...]     (default: 1000 10000)

The floor is reading and parsing every YAML file with PyYAML's C safe loader. The database
build (tables, FTS, indexes, views, VACUUM, metadata.json) runs on an already loaded Corpus,
so the ratio says how much writing the database adds relative to just reading the evidence.
Exports are timed too, on the same corpus.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, parse_floor  # noqa: E402
from generate import generate  # noqa: E402

from build_tools.config import read_config  # noqa: E402
from build_tools.evidence.corpus import load_corpus  # noqa: E402
from build_tools.database.build import build_database  # noqa: E402
from build_tools.exports import build_exports  # noqa: E402


def timed(fn, corpus, out: Path) -> float:
    start = time.perf_counter()
    fn(corpus, read_config(Path(__file__).resolve().parents[1]), out)
    return time.perf_counter() - start


def main(sizes: list[int]) -> None:
    print(f"{'entries':>8} {'floor s':>8} {'db s':>8} {'ratio':>6} {'exports s':>9} {'ratio':>6} {'db MB':>6}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            evidence = generate(n, Path(tmp))
            result = load_corpus(evidence)
            assert result.corpus is not None, result.problems[:3]
            floor = best_of(3, parse_floor, evidence)
            out = Path(tmp) / "_build"
            db = best_of(3, timed, build_database, result.corpus, out)
            exports = best_of(3, timed, build_exports, result.corpus, out)
            size = (out / "evidence.db").stat().st_size / 1e6
            print(f"{n:>8} {floor:>8.3f} {db:>8.3f} {db / floor:>6.2f} {exports:>9.3f} {exports / floor:>6.2f} "
                  f"{size:>6.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
