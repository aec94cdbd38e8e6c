"""Search: Whoosh's own searcher (what the project uses) beside the custom BM25 engine it
replaced and SQLite FTS5, on one synthetic corpus, in one run.

    python bench/bench_search.py [N] [--old TREE]      (default N = 2000)

The decision rule (issue 12): if Whoosh's own searcher answers typical queries within 50 ms
p95 at 2,000 entries, use it and delete the custom engine. "Whoosh" here is the whole answer
the endpoint gives: parse, rank the top 10 (searcher.search), exact total and facet counts
(docs_for_query), snippets, "did you mean". The custom engine is measured from TREE, a
worktree of the commit before it was deleted (e.g. `git worktree add --detach ../old 88c6b24`),
in its own process on the same generated corpus. FTS5 ranks the top 10 and counts matches.
Queries: >= 200 mixed practitioner-style queries (1-4 words, fielded, NOT, phrases, typos),
the same queries rendered as FTS5 MATCH expressions.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import subprocess
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


def whoosh_own(n: int) -> dict[str, object]:
    """This tree: build the index, then answer every query twice (first pass: cold caches)."""
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
        with SearchIndex(tmp / "search") as ix:
            first = timed(lambda q: ix.search(q[0], limit=10), queries)
            second = timed(lambda q: ix.search(q[0], limit=10), queries)
        db, fts_build = fts5(docs, tmp / "fts.db")
        fts = timed(lambda q: fts5_query(db, q[1]), queries)
        db.close()
    return {"build": build, "first": first, "second": second, "fts_build": fts_build, "fts": fts,
            "words": sum(len(" ".join((d["name"], d["summary"], d["body"])).split()) for d in docs) / n}


OLD_ENGINE = """
import json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, "bench")
from bench_search import generate, mixed_queries, timed
from build_tools import search
from build_tools.corpus import load_corpus
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    corpus = load_corpus(generate(N, tmp / "gen")).corpus
    start = time.perf_counter()
    search.build_search_index(corpus, tmp)
    build = time.perf_counter() - start
    ix = search.SearchIndex(tmp / "search")
    queries = mixed_queries()
    first = timed(lambda q: ix.search(q[0], limit=10), queries)
    second = timed(lambda q: ix.search(q[0], limit=10), queries)
print("RESULT " + json.dumps({"build": build, "first": first, "second": second}))
"""


def custom_engine(n: int, tree: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", OLD_ENGINE.replace("generate(N", f"generate({n}")], cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: the custom engine failed:\n{done.stderr[-3000:]}")
    return json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))[7:])


def main(n: int, old: Path | None) -> None:
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    ours = whoosh_own(n)
    theirs = custom_engine(n, old) if old else None
    print(f"corpus: {n} entries, {ours['words']:.0f} words each; {len(mixed_queries())} mixed queries")
    print(f"index build (s): Whoosh {ours['build']:.2f}" + (f" | custom engine's tree {theirs['build']:.2f}" if theirs else "")
          + f" | FTS5 {ours['fts_build']:.2f}")
    print("\nquery latency (ms)                                   p50     p95     max")
    rows = [("Whoosh's own searcher, first pass", ours["first"]), ("Whoosh's own searcher, second pass", ours["second"])]
    if theirs:
        rows += [("custom BM25 engine (deleted), first pass", theirs["first"]),
                 ("custom BM25 engine (deleted), second pass", theirs["second"])]
    rows.append(("SQLite FTS5 (top 10 + count)", ours["fts"]))
    for label, values in rows:
        print(f"  {label:<48} {p(values, 50):7.2f} {p(values, 95):7.2f} {max(values):7.1f}")
    verdict = "met: Whoosh's own searcher is used" if p(ours["first"], 95) <= 50 else "NOT met"
    print(f"\ntarget (issue 12): Whoosh's own searcher p95 <= 50 ms at 2,000 entries: {p(ours['first'], 95):.1f} ms, {verdict}")


if __name__ == "__main__":
    args = sys.argv[1:]
    old = Path(args[args.index("--old") + 1]).resolve() if "--old" in args else None
    sizes = [a for i, a in enumerate(args) if a.isdigit() and (i == 0 or args[i - 1] != "--old")]
    main(int(sizes[0]) if sizes else 2000, old)
