"""One run, every stage, each against the parse-only floor measured in the same run (issue #8).

    python bench/run.py [N ...] [--old TREE] [--new TREE] [--rounds R] [--parallel] [--cpu]   (default: 1000 10000)

With --old TREE (a worktree of an earlier commit, e.g. `git worktree add --detach ../old 88c6b24`),
each N is measured for that tree and this one (or --new TREE, e.g. a frozen copy of this
commit, so edits made meanwhile do not leak in) in the SAME run, alternating, R rounds each
(each in its own process), and both are printed with their ratios to their own floor and
new/old per stage; the best round of each is kept (least disturbed by other load).

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
the site. Ratios are what count: this machine is noisy. With --cpu (for --old comparisons on a
machine others are using), every timing is CPU seconds of the measuring process and of the
children it waited for (the `mkdocs` build), read through the tree's own `time.perf_counter`:
wall-clock floors moved 4x between rounds while others' tests ran, CPU seconds by about 1%.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]
from bench_search import mixed_queries  # noqa: E402
from common import best_of, parse_floor  # noqa: E402
from generate import generate  # noqa: E402
from site_support import site_repo  # noqa: E402

from build_tools.config import read_config  # noqa: E402
from build_tools.evidence.corpus import load_corpus  # noqa: E402
from build_tools.search.documents import documents  # noqa: E402
from build_tools.search.index import build_search_index  # noqa: E402
from build_tools.search.related import related_entries  # noqa: E402
from datasette_whatworks_search import SearchIndex  # noqa: E402
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
        repo = site_repo(root / "repo")
        config = read_config(repo)
        row["db"] = best_of(repeat, seconds, build_database, corpus, config, out)
        row["exports"] = best_of(repeat, seconds, build_exports, corpus, config, out)
        start = time.perf_counter()
        docs = documents(corpus)  # made once per build, as build.py does; counted in the search stage
        build_search_index(docs, out)
        row["search"] = time.perf_counter() - start
        start = time.perf_counter()
        related = related_entries(docs)
        row["related"] = time.perf_counter() - start
        row["site"] = seconds(build_site, corpus, config, out, related)
        pages = [p.stat().st_size for p in (out / "site" / "approaches").glob("approach-*.html")]
        row["page_kb"] = statistics.mean(pages) / 1024
        index = SearchIndex(out / "search")
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


STAGES = ("floor", "lint", "db", "exports", "search", "related", "site")
LATENCIES = ("query_p50", "query_p95", "json_p50", "json_p95")


CPU_CLOCK = ("import os, time\n"
             "def _cpu():\n"
             "    t = os.times()\n"
             "    return time.process_time() + t.children_user + t.children_system\n"
             "time.perf_counter = _cpu\n")


def measure_in(tree: Path, n: int, repeat: int, cpu: bool = False) -> dict[str, float]:
    """measure(n) in a fresh process running `tree`'s code and its own bench/run.py."""
    code = ((CPU_CLOCK if cpu else "") + "import json, sys; sys.path.insert(0, 'bench'); import run; "
            f"print('RESULT ' + json.dumps(run.measure({n}, {repeat})))")
    plugin = tree / "plugins" / "datasette-whatworks-search"  # this tree's search plugin, not the installed one
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in (tree, plugin) if p.is_dir())}
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: measure({n}) failed:\n{done.stderr[-3000:]}")
    return json.loads(next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))[7:])


def row_text(label: str, r: dict[str, float]) -> list[str]:
    return [f"{label:>10} " + " ".join(f"{r[s]:>9.2f}" for s in STAGES)
            + f" {r['page_kb']:>7.1f} {r['query_p50']:>7.2f}/{r['query_p95']:<7.2f} {r['json_p50']:>6.2f}/{r['json_p95']:<7.2f}",
            f"{'x floor':>10} " + " ".join(f"{r[s] / r['floor']:>9.2f}" for s in STAGES)]


def header() -> str:
    return (f"{'':>10} " + " ".join(f"{s + ' s':>9}" for s in STAGES)
            + f" {'page KB':>7} {'query p50/p95 ms':>15} {'json p50/p95 ms':>14}")


def compare(sizes: list[int], old: Path, rounds: int, repeat: int, new: Path | None = None,
            parallel: bool = False, cpu: bool = False) -> None:
    """Old and new (default: this tree), alternating in one run; the best round of each stage.
    `parallel`: each round runs old and new at the same time (both see the same machine load)."""
    here = new or HERE.parent
    print(header())
    for n in sizes:
        runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
        for _ in range(rounds):
            if parallel:
                with ThreadPoolExecutor(2) as pool:
                    both = {name: pool.submit(measure_in, tree, n, repeat, cpu) for name, tree in (("old", old), ("new", here))}
                for name, future in both.items():
                    runs[name].append(future.result())
                continue
            for name, tree in (("old", old), ("new", here)):
                runs[name].append(measure_in(tree, n, repeat, cpu))
        best = {name: {k: min(r[k] for r in found) for k in found[0]} for name, found in runs.items()}
        print(f"N = {n:,}  ({rounds} rounds each, alternating; best of them)")
        for name in ("old", "new"):
            print("\n".join(row_text(name, best[name])))
        ratios = " ".join(f"{best['new'][s] / best['old'][s]:>9.2f}" for s in STAGES)
        lat = " ".join(f"{best['new'][k] / best['old'][k]:.2f}" for k in LATENCIES)
        print(f"{'new/old':>10} {ratios}   query p50 p95, json p50 p95: {lat}")
        spread = {s: max(r[s] for r in runs["new"]) / min(r[s] for r in runs["new"]) for s in STAGES}
        print(f"{'noise':>10} " + " ".join(f"{spread[s]:>9.2f}" for s in STAGES) + "   (slowest/fastest round, new)")


def main(sizes: list[int], repeat: int = 3) -> None:
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    print(header())
    for n in sizes:
        print(f"N = {n:,}")
        print("\n".join(row_text("", measure(n, repeat))))


if __name__ == "__main__":
    args = sys.argv[1:]
    old = Path(args[args.index("--old") + 1]).resolve() if "--old" in args else None
    new = Path(args[args.index("--new") + 1]).resolve() if "--new" in args else None
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 2
    sizes = [int(a) for i, a in enumerate(args) if a.isdigit() and (i == 0 or args[i - 1] not in ("--old", "--new", "--rounds"))]
    if old:
        print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; old: {old}")
        if "--cpu" in args:
            print("timings: CPU seconds of each measuring process and its waited-for children")
        compare(sizes or [1000, 10000], old, rounds, 3, new, parallel="--parallel" in args, cpu="--cpu" in args)
    else:
        main(sizes or [1000, 10000])
