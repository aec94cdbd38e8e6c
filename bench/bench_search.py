"""Search index build time, one-entry update time and query latency on a synthetic corpus,
beside two references measured in the same run: a naive Whoosh index and SQLite FTS5.

    python bench/bench_search.py [N] [--skip-naive]      (default N = 10000)

Targets (issue #6): query p95 <= 20 ms (FTS5's own p95 in the issue), a one-entry change
updates the index in <= 1 s, a full build at most half the naive build.
Queries: >= 200 mixed practitioner-style queries (1-4 words, fielded, NOT, phrases,
typos), the same queries rendered as FTS5 MATCH expressions.
"""

from __future__ import annotations

import dataclasses
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import WORDS, generate  # noqa: E402

from build_tools.search import index as search  # noqa: E402
from build_tools.evidence.corpus import load_corpus  # noqa: E402

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


def naive_build(docs: list[dict], where: Path) -> float:
    """The naive index: every field stored, positions everywhere, Whoosh's per-document
    spelling words, one process."""
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, KEYWORD, TEXT, Schema

    stem = StemmingAnalyzer()
    schema = Schema(id=ID(stored=True, unique=True), type=ID(stored=True),
                    name=TEXT(stored=True, analyzer=stem, field_boost=3.0, spelling=True),
                    summary=TEXT(stored=True, analyzer=stem, spelling=True), body=TEXT(stored=True, analyzer=stem, spelling=True),
                    **{f: KEYWORD(stored=True, commas=True) for f in search.FACETS if f != "type"})
    start = time.perf_counter()
    ix = index.create_in(str(where), schema)
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**{k: v for k, v in doc.items() if k != "digest"})
    writer.commit()
    return time.perf_counter() - start


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


def main(n: int, skip_naive: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = load_corpus(generate(n, tmp / "gen")).corpus
        assert corpus is not None
        docs = search.documents(corpus)
        print(f"corpus: {n} entries, {sum(len(' '.join((d['name'], d['summary'], d['body'])).split()) for d in docs) / n:.0f} words each")

        naive = None if skip_naive else naive_build(docs, Path(tempfile.mkdtemp(dir=tmp)))
        start = time.perf_counter()
        search.build_search_index(corpus, tmp / "ours")
        build = time.perf_counter() - start
        db, fts_build = fts5(docs, tmp / "fts.db")

        updates, changed = [], corpus
        for i in range(5):  # each run changes one more entry's summary
            entry = corpus.approaches[i].model_copy(update={"summary": f"Changed in run {i}: mentoring in a pupil referral unit."})
            changed = dataclasses.replace(changed, approaches=changed.approaches[:i] + (entry,) + changed.approaches[i + 1:])
            start = time.perf_counter()
            assert search.build_search_index(changed, tmp / "ours") == "updated 1, removed 0"
            updates.append(time.perf_counter() - start)
        corpus = changed
        start = time.perf_counter()
        related = search.related_entries(corpus, tmp / "ours")
        related_s = time.perf_counter() - start
        assert len(related) == n

        queries = mixed_queries()
        start = time.perf_counter()
        ix = search.SearchIndex(tmp / "ours" / "search")
        open_ms = (time.perf_counter() - start) * 1000
        first = timed(lambda q: ix.search(q[0], limit=10), queries)  # caches fill as a server's would
        second = timed(lambda q: ix.search(q[0], limit=10), queries)
        whoosh = timed(lambda q: ix.whoosh_scores(q[0], limit=10), queries)
        fts = timed(lambda q: fts5_query(db, q[1]), queries)

    print(f"\nbuild (s): ours {build:.2f}" + (f" | naive Whoosh {naive:.2f} | ratio {build / naive:.2f} (target <= 0.50)" if naive else "")
          + f" | FTS5 {fts_build:.2f}")
    print(f"one-entry update (s): median {statistics.median(updates):.3f}, max {max(updates):.3f} (target <= 1.0)")
    print(f"related entries for all {n} (s): {related_s:.2f}")
    print(f"index open (ms): {open_ms:.0f}")
    print(f"\nquery latency over {len(queries)} mixed queries (ms)   p50     p95     max")
    for label, values in (("ours, first pass", first), ("ours, second pass", second),
                          ("Whoosh's own collector (top 10 only)", whoosh), ("SQLite FTS5 (top 10 + count)", fts)):
        print(f"  {label:<38} {p(values, 50):7.2f} {p(values, 95):7.2f} {max(values):7.1f}")
    print(f"\np95 ours (first pass) / FTS5: {p(first, 95) / p(fts, 95):.2f}; target p95 <= 20 ms: "
          f"{'met' if p(first, 95) <= 20 else 'NOT met'}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 10000, "--skip-naive" in sys.argv)
