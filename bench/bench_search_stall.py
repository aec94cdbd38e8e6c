"""The worst search query one can send to /-/search, its time, and whether a table request
sent while it runs waits for it (issue 11: one ~8 KB query cost ~6 s on the event loop).

    python bench/bench_search_stall.py [N]      (default: the real evidence/; N: synthetic entries)

1. Times candidate worst cases within the caps (MAX_QUERY_CHARS, MAX_QUERY_WORDS): many
   misspelt long words (spelling), wildcards that expand to much of the vocabulary, many
   words each in every document, deep brackets; and the ~8 KB query of the issue (now 400).
2. Through Datasette's own ASGI client as `whatworks serve` configures it: table JSON
   latency alone, then while the worst query runs (sent 5 times back to back).
Not a timed test: the machine is shared; the tests assert the 400s and that the loop is free.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from build_tools.database.build import build_database  # noqa: E402
from build_tools.evidence.corpus import load_corpus  # noqa: E402
from build_tools.search.documents import documents  # noqa: E402
from build_tools.search.index import build_search_index  # noqa: E402
from build_tools.serve.app import make_datasette  # noqa: E402
from datasette_whatworks_search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, SearchError, SearchIndex  # noqa: E402
from build_tools.config import read_config  # noqa: E402


def candidates() -> dict[str, str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    fit = lambda words: " ".join(words[:MAX_QUERY_WORDS])[:MAX_QUERY_CHARS + 1].rsplit(" ", 1)[0]  # noqa: E731
    return {
        "8 KB of words (the issue's)": "knife crime school exclusion " * 280,
        "40 misspelt 11-letter words": fit([f"{w}qz"[:11] for w in ("mentorinxxx", "violencezzz", "exclusionsq", "interventio",
                                                                    "programmesx", "communityyy", "evaluations", "familiesxxx")] * 5),
        "40 wildcards *x*": fit([f"*{c}*" for c in letters] + [f"*{a}{b}*" for a, b in zip(letters, letters[1:])]),
        "40 prefixes x*": fit([f"{c}*" for c in letters] + [f"{a}{b}*" for a, b in zip(letters, letters[1:])]),
        "4 prefixes xyz* + 36 words": fit(["pro*", "con*", "sch*", "int*"] + ["school", "young", "people", "violence"] * 9),
        "4 wildcards xyz*e* + 36 words": fit(["pro*e*", "con*i*", "sch*o*", "int*e*"] + ["school", "young", "people"] * 12),
        "40 common words": fit(["school", "young", "people", "violence", "programme", "evidence", "study", "pupils"] * 5),
        "40 NOT words": fit([f"-{w}" for w in ("school", "young", "people", "violence", "programme")] * 8),
        "brackets 20 deep": "(" * 20 + "mentoring OR school" + ")" * 20,
        "4 fuzzy words~2 + 36 words": fit(["mentoring~2", "violence~2", "exclusion~2", "families~2"]
                                          + ["school", "young", "people", "violence"] * 9),
        "40 fuzzy words~2": fit([f"{w}~2" for w in ("mentoring", "violence", "exclusion", "families", "pupils")] * 8),
        # each a phrase of a synonym group: expansion is capped at MAX_ALTERNATIVES phrases
        "40 synonym words": fit(["kids", "gangs", "knives", "excluded", "pru", "a&e", "behaviour", "cbt", "police", "mentoring"] * 4),
    }


def timed(ix: SearchIndex, text: str) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        result = ix.search(text, limit=20)
        outcome = f"{result.total} matches"
    except SearchError as exc:
        outcome = f"refused: {str(exc)[:60]}"
    return (time.perf_counter() - start) * 1000, outcome


async def table_latency(client, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = await client.get("/evidence/approaches.json?_shape=array&_size=20")
        assert response.status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return times


async def during(client, text: str, repeats: int = 5) -> tuple[list[float], list[float]]:
    """Table requests while `repeats` copies of the search run back to back."""
    searches: list[float] = []

    async def search_loop() -> None:
        for _ in range(repeats):
            start = time.perf_counter()
            await client.get("/-/search.json?q=" + quote_plus(text))
            searches.append((time.perf_counter() - start) * 1000)

    task = asyncio.create_task(search_loop())
    await asyncio.sleep(0.005)
    tables = []
    while not task.done():
        tables += await table_latency(client, 1)
    await task
    return searches, tables


def main(n: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if n:
            from generate import generate

            evidence = generate(n, out / "gen")
        else:
            evidence = HERE.parent / "evidence"
        corpus = load_corpus(evidence).corpus
        assert corpus is not None, "the evidence must lint"
        build_database(corpus, read_config(HERE.parent), out)
        build_search_index(documents(corpus), out, corpus.synonyms)
        print(f"corpus: {len(corpus.entries)} entries; caps {MAX_QUERY_CHARS} characters, {MAX_QUERY_WORDS} words; "
              f"load average {os.getloadavg()[0]:.2f}")
        with SearchIndex(out / "search") as ix:
            ix.search("warm up")
            found = {name: timed(ix, text) for name, text in candidates().items()}
        print(f"\n{'query':<30} {'chars':>5} {'ms':>8}  outcome")
        for name, (ms, outcome) in sorted(found.items(), key=lambda kv: -kv[1][0]):
            print(f"{name:<30} {len(candidates()[name]):>5} {ms:>8.1f}  {outcome}")
        worst = max((k for k in found if not found[k][1].startswith("refused")), key=lambda k: found[k][0])
        datasette = make_datasette(out)

        async def run() -> tuple[list[float], list[float], list[float]]:
            client = datasette.client
            await table_latency(client, 5)
            alone = await table_latency(client, 30)
            searches, tables = await during(client, candidates()[worst])
            return alone, searches, tables

        alone, searches, tables = asyncio.run(run())
    med = statistics.median
    print(f"\nworst accepted query: {worst!r}, {med(searches):.0f} ms median through the endpoint (5 back to back)")
    print(f"table JSON alone:              median {med(alone):6.1f} ms, max {max(alone):6.1f} ms ({len(alone)} requests)")
    print(f"table JSON during those 5:     median {med(tables):6.1f} ms, max {max(tables):6.1f} ms ({len(tables)} requests)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
