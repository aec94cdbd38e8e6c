"""One run, every stage, each against the parse-only floor measured in the same run (issue #8).

    python bench/run.py [N ...]          (default: 1000 10000)     also: make bench

For each N a synthetic corpus is generated (bench/generate.py) and timed:
  floor    read + parse every file with PyYAML's C safe loader
  lint     load_corpus: parse, schema, rules (what `whatworks lint` does)
  db       build_database (sqlite-utils, FTS, views, VACUUM, metadata.json)
  exports  CSVs, corpus.json, datapackage.json
  search   Whoosh index build; related entries (more-like-this for every entry)
  site     page generation + `mkdocs build --strict`; bytes per entry page
  query    200+ mixed search queries: p50 / p95 ms
  json     Datasette table JSON through its own ASGI client: p50 / p95 ms (one client;
           concurrent load is bench/load.py)
Seconds are the best of `--repeat` runs for the fast stages (default 3) and of one run for
the site. Ratios are what count: this machine is noisy.
"""

from __future__ import annotations

import asyncio
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]
from bench_search import mixed_queries  # noqa: E402
from common import best_of, parse_floor  # noqa: E402
from generate import generate  # noqa: E402
from site_support import site_repo  # noqa: E402

from build_tools.search import index as search  # noqa: E402
from build_tools.evidence.corpus import load_corpus  # noqa: E402
from build_tools.database.build import build_database  # noqa: E402
from build_tools.exports import build_exports  # noqa: E402
from build_tools.pages.build import build_site  # noqa: E402


def seconds(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def datasette_latency(out: Path, n_requests: int = 200) -> list[float]:
    from build_tools.serve.app import make_datasette

    ds = make_datasette(out)
    paths = ["/evidence/approaches.json?_shape=array&_size=20", "/evidence/studies.json?_facet=design&_size=20",
             "/evidence/programmes.json?_search=mentoring", "/evidence/ratings.json?_facet=source&_size=20"]

    async def run() -> list[float]:
        times = []
        for i in range(n_requests):
            start = time.perf_counter()
            response = await ds.client.get(paths[i % len(paths)])
            assert response.status_code == 200, response.text[:200]
            times.append((time.perf_counter() - start) * 1000)
        return times

    return asyncio.run(run())


def measure(n: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        evidence = generate(n, root / "gen")
        row: dict[str, float] = {"floor": best_of(repeat, parse_floor, evidence)}
        row["lint"] = best_of(repeat, lambda: seconds(load_corpus, evidence))
        corpus = load_corpus(evidence).corpus
        out = root / "_build"
        row["db"] = best_of(repeat, seconds, build_database, corpus, out)
        row["exports"] = best_of(repeat, seconds, build_exports, corpus, out)
        row["search"] = seconds(search.build_search_index, corpus, out)
        start = time.perf_counter()
        related = search.related_entries(corpus, out)
        row["related"] = time.perf_counter() - start
        repo = site_repo(root / "repo")
        row["site"] = seconds(build_site, corpus, out, repo, related)
        pages = [p.stat().st_size for p in (out / "site" / "approaches").glob("approach-*.html")]
        row["page_kb"] = statistics.mean(pages) / 1024
        index = search.SearchIndex(out / "search")
        queries = [q for q, _ in mixed_queries()]
        times = []
        for q in queries:
            start = time.perf_counter()
            index.search(q, limit=10)
            times.append((time.perf_counter() - start) * 1000)
        row["query_p50"], row["query_p95"] = pct(times, 50), pct(times, 95)
        ds = datasette_latency(out)
        row["json_p50"], row["json_p95"] = pct(ds, 50), pct(ds, 95)
        return row


def main(sizes: list[int], repeat: int = 3) -> None:
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores")
    stages = ("floor", "lint", "db", "exports", "search", "related", "site")
    print(f"{'N':>6} " + " ".join(f"{s + ' s':>10}" for s in stages) + f" {'page KB':>8} {'query p50/p95 ms':>17} {'json p50/p95 ms':>16}")
    for n in sizes:
        r = measure(n, repeat)
        print(f"{n:>6} " + " ".join(f"{r[s]:>10.2f}" for s in stages)
              + f" {r['page_kb']:>8.1f} {r['query_p50']:>8.2f}/{r['query_p95']:<8.2f} {r['json_p50']:>7.2f}/{r['json_p95']:<8.2f}")
        print(f"{'x floor':>6} " + " ".join(f"{r[s] / r['floor']:>10.2f}" for s in stages)
              + f"   lint+db {(r['lint'] + r['db']) / r['floor']:.2f}x (target <= 3), lint {r['lint'] / r['floor']:.2f}x (target <= 2)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
