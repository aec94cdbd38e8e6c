"""Search: Whoosh's own searcher (what the project uses) beside the custom BM25 engine it
replaced and SQLite FTS5, on one synthetic corpus, in one run.

    python bench/bench_search.py [N]      (default N = 2000)

The decision rule (issue 12): if Whoosh's own searcher answers typical queries within 50 ms
p95 at 2,000 entries, use it and delete the custom engine. "Whoosh's own, whole answer" is
what the endpoint must give, through Whoosh's public API only: parse, rank the top 10
(searcher.search), exact total and facet counts (docs_for_query), snippets, "did you mean";
"top 10 only" is its lower bound. The engine is what /-/search uses (engine.py). FTS5 ranks
the top 10 and counts matches.
Queries: >= 200 mixed practitioner-style queries (1-4 words, fielded, NOT, phrases, typos),
the same queries rendered as FTS5 MATCH expressions.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import WORDS, generate  # noqa: E402

SETTINGS = ("pru", "mainstream-school", "community", "hospital", "youth-justice", "other-ap")
STEMMED = sorted({w for w in WORDS if len(w) > 3})


def mixed_queries(n: int = 240, seed: int = 11) -> list[tuple[str, str]]:
    """(whoosh query, fts5 query) pairs, deterministic."""
    rng = random.Random(seed)
    words = lambda k: rng.sample(STEMMED, k)  # noqa: E731
    ors = lambda ws: " OR ".join(f'"{w}"' for w in ws)  # noqa: E731
    out = []
    for i in range(n):
        kind = rng.random()
        if kind < 0.40:
            ws = words(rng.randint(1, 2))
            out.append((" ".join(ws), ors(ws)))
        elif kind < 0.65:
            ws = words(rng.randint(3, 4))
            out.append((" ".join(ws), ors(ws)))
        elif kind < 0.75:
            s, ws = rng.choice(SETTINGS), words(2)
            out.append((f"setting:{s} {' '.join(ws)}", f'settings : "{s}" AND ({ors(ws)})'))
        elif kind < 0.83:
            a, b = words(2)
            out.append((f"{a} -{b}", f'"{a}" NOT "{b}"'))
        elif kind < 0.88:
            a, b = words(2)
            out.append((f'"{a} {b}"', f'"{a} {b}"'))
        elif kind < 0.95:
            w = rng.choice(STEMMED)
            cut = rng.randint(1, len(w) - 2)
            typo = w[:cut] + w[cut + 1:]
            out.append((typo, f'"{typo}"'))
        else:
            w = rng.choice(STEMMED)
            out.append((f"type:study {w}", f'type : "study" AND "{w}"'))
    return out


def fts5(docs: list[dict], path: Path) -> tuple[sqlite3.Connection, float]:
    start = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, name, summary, body, settings, outcomes, type, "
               "tokenize='porter unicode61')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(d["id"], d["name"], d["summary"], d["body"], d["settings"], d["outcomes"], d["type"]) for d in docs])
    db.commit()
    return db, time.perf_counter() - start


def fts5_query(db: sqlite3.Connection, match: str) -> tuple[list, int]:
    rows = db.execute("SELECT id, bm25(docs, 0, 3.0, 1.5, 1.0, 0, 0, 0) AS r FROM docs WHERE docs MATCH ? ORDER BY r LIMIT 10",
                      (match,)).fetchall()
    total = db.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()[0]
    return rows, total


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def whoosh_own_answer(ix, text: str) -> dict:
    """The endpoint's whole answer through Whoosh's public API only: its BM25F searcher for the
    top 10, docs_for_query for the exact total and the facet counts, stored fields, suggest."""
    from datasette_whatworks_search.query import mark
    from datasette_whatworks_search.suggest import suggest

    q = ix.parse(text)
    matched = set(ix.searcher.docs_for_query(q))
    facets = {name: {v: n for v, docs in values.items() if (n := len(matched & docs))} for name, values in ix.facet_docs.items()}
    rows = [(hit["id"], hit.score, mark(hit["summary"], set())) for hit in ix.searcher.search(q, limit=10)]
    return {"total": len(matched), "facets": facets, "rows": rows, "suggestion": suggest(ix.searcher.reader(), text)}


def measure(n: int) -> dict[str, object]:
    """One corpus, one index: the engine (what /-/search uses), Whoosh's own searcher, FTS5."""
    from build_tools.evidence.corpus import load_corpus
    from build_tools.search.documents import documents
    from build_tools.search.index import build_search_index
    from datasette_whatworks_search import SearchIndex

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = load_corpus(generate(n, tmp / "gen")).corpus
        docs = documents(corpus)
        start = time.perf_counter()
        build_search_index(docs, tmp)
        build = time.perf_counter() - start
        queries = mixed_queries()
        found: dict[str, list[float]] = {}
        with SearchIndex(tmp / "search") as ix:  # a fresh index for each engine: no shared caches
            found["engine, first pass"] = timed(lambda q: ix.search(q[0], limit=10), queries)
            found["engine, second pass"] = timed(lambda q: ix.search(q[0], limit=10), queries)
        with SearchIndex(tmp / "search") as ix:
            found["Whoosh's own searcher, whole answer"] = timed(lambda q: whoosh_own_answer(ix, q[0]), queries)
            found["Whoosh's own searcher, top 10 only"] = timed(lambda q: ix.searcher.search(ix.parse(q[0]), limit=10), queries)
        db, fts_build = fts5(docs, tmp / "fts.db")
        found["SQLite FTS5 (top 10 + count)"] = timed(lambda q: fts5_query(db, q[1]), queries)
        db.close()
    return {"build": build, "fts_build": fts_build, "times": found, "queries": len(queries),
            "words": sum(len(" ".join((d["name"], d["summary"], d["body"])).split()) for d in docs) / n}


def main(n: int) -> None:
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    r = measure(n)
    print(f"corpus: {n} entries, {r['words']:.0f} words each; {r['queries']} mixed queries")
    print(f"index build (s): Whoosh {r['build']:.2f} | FTS5 {r['fts_build']:.2f}")
    print("\nquery latency (ms)                                   p50     p95     max")
    for label, values in r["times"].items():
        print(f"  {label:<48} {p(values, 50):7.2f} {p(values, 95):7.2f} {max(values):7.1f}")
    own = p(r["times"]["Whoosh's own searcher, whole answer"], 95)
    print(f"\ndecision rule (issue 12): Whoosh's own searcher p95 <= 50 ms at 2,000 entries: {own:.1f} ms: "
          + ("met, use it" if own <= 50 else "NOT met: the engine stays, behind the one seam (seam.py)"))


if __name__ == "__main__":
    sizes = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(sizes[0]) if sizes else 2000)
