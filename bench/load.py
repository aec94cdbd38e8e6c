"""Bounded load test of the real `whatworks serve` (loopback only; stops by itself).

    python bench/load.py [--clients 20] [--duration 30] [--max-requests 50000] [--think MS] [--corpus N] [--json]

1. Copies the evidence (real, or N synthetic entries from bench/generate.py) into a throwaway
   repository skeleton, so the server's build never writes into the shared site/ or _build/ and
   edits others make to evidence/ during the run cannot trigger a rebuild mid-measurement.
2. Starts `whatworks serve` on a free 127.0.0.1 port (output to a log file, never a pipe) and
   waits until the site and Datasette answer.
3. Floor: each kind of request alone, one client, no load (same run, same machine).
4. Load: `--clients` concurrent clients (no think time unless `--think`), until `--duration`
   seconds or `--max-requests` requests, whichever comes first, over the mix in request_mix();
   the server process's CPU time per request is read from /proc.
5. Pathological SQL: queries that would run for minutes, sent through Datasette's SQL
   interface, must come back as "SQL Interrupted" within the time limit while probe clients
   keep getting answers (measured during and after).
The Datasette measured is the published configuration: Datasette 0.65 as released, the
metadata and settings `whatworks build` writes, the search plugin; serve adds no patches
and no response cache (build_tools/serve/app.py).
Reports per kind: count, errors, p50, p95, max (ms) and p95 as a multiple of the floor.
Exit status 1 if any request failed or a pathological query was not interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx

from build_tools.pages.build import GENERATED_DIRS, GENERATED_FILES

REPO = Path(__file__).resolve().parent.parent
WHATWORKS = Path(sys.executable).parent / "whatworks"
SITE_GENERATED = {*GENERATED_DIRS, *GENERATED_FILES, "feed.xml"}  # written by the build, not copied
TABLE_KINDS = ("table", "table_facets")  # the target: p95 <= 100 ms, 0 errors
TARGET_P95_MS = 100.0
SEARCHES = ("mentoring", "knife crime", "exclusion", "family therapy", "mentorign", "police")
PATHOLOGICAL = {
    "recursive CTE to 10^9": "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) "
                             "select count(*) from c",
    "8-way cross join": "select count(*) from studies a, studies b, studies c, studies d, studies e, studies f, "
                        "studies g, studies h",
}


# ---- a throwaway repository and the server process ------------------------------------------------

def prepare_repo(root: Path, corpus: int | None) -> Path:
    """root/{mkdocs.yml, CONTRIBUTING.md, site/ (hand-written part), evidence/}; returns the evidence."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "CONTRIBUTING.md", ".gitignore"):
        shutil.copy(REPO / name, root / name)
    src = REPO / "site"
    shutil.copytree(src, root / "site", ignore=lambda d, names: [n for n in names if Path(d) == src and n in SITE_GENERATED])
    if corpus is None:
        shutil.copytree(REPO / "evidence", root / "evidence", ignore=shutil.ignore_patterns(".*"))
        return root / "evidence"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from generate import generate

    return generate(corpus, root)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(root: Path, evidence: Path, startup_timeout: float = 600) -> Iterator[tuple[str, int]]:
    """`whatworks serve` on a free loopback port; yields (base URL, pid) once the site and Datasette answer."""
    port, log = free_port(), root / "serve.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as handle:  # a file, not a pipe: an unread pipe would stall the server
        proc = subprocess.Popen([str(WHATWORKS), "serve", "--port", str(port), "--evidence", str(evidence),
                                 "--out", str(root / "_build")], cwd=root, stdout=handle, stderr=handle)
    try:
        deadline, last = time.monotonic() + startup_timeout, "no answer"
        while True:
            text = log.read_text(errors="replace")
            if proc.poll() is not None or "build stopped" in text or "build failed" in text:
                raise RuntimeError(f"whatworks serve did not build (exit {proc.poll()}); log:\n{text}")
            try:
                data, home = httpx.get(f"{base}/data/evidence.json", timeout=5), httpx.get(f"{base}/", timeout=5)
                if data.status_code == 200 and home.status_code == 200 and "not been built" not in home.text:
                    break
                last = f"{data.status_code}/{home.status_code}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            if time.monotonic() > deadline:
                raise RuntimeError(f"{base} not ready in {startup_timeout} s ({last}); log:\n{log.read_text()}")
            time.sleep(0.3)
        yield base, proc.pid
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- the request mix ------------------------------------------------------------------------------

def request_mix(base: str) -> dict[str, list[str]]:
    """kind -> the URLs a client cycles through (entry ids are read from the served database)."""
    def ids(table: str) -> list[str]:
        rows = httpx.get(f"{base}/data/evidence/{table}.json?_shape=array&_size=20&_col=name", timeout=30).json()
        return [row["id"] for row in rows]

    entries = [(t, i) for t in ("approaches", "programmes", "studies") for i in ids(t)]
    approaches = [i for t, i in entries if t == "approaches"]
    return {
        "site_home": ["/"],
        "site_entry": [f"/{t}/{i}.html" for t, i in entries],
        "site_browse": ["/browse/"],
        "site_gap_map": ["/gap-map/"],
        "table": ["/data/evidence/approaches.json?_shape=array"],  # default facets from the metadata
        "table_facets": ["/data/evidence/studies.json?_facet=design&_facet=year&_size=20"],
        "row": [f"/data/evidence/approaches/{quote(i)}.json?_shape=array" for i in approaches],
        "fts": [f"/data/evidence/approaches.json?_search={quote(q)}&_shape=array" for q in SEARCHES[:4]],
        "fts_ranked": [f"/data/evidence/full_text_search.json?q={quote(q)}&_shape=array" for q in SEARCHES[:4]],
        "search": [f"/data/-/search.json?q={quote(q)}" for q in SEARCHES],
    }


def schedule(mix: dict[str, list[str]]) -> list[tuple[str, str]]:
    """One round over every kind, each kind's URLs in turn: an even mix of kinds."""
    width = max(len(urls) for urls in mix.values())
    return [(kind, urls[i % len(urls)]) for i in range(width) for kind, urls in mix.items()]


async def fetch(client: httpx.AsyncClient, kind: str, url: str) -> tuple[str, float, str | None, int]:
    """(kind, milliseconds, error or None, body bytes). An error is anything but a 200 of the expected type."""
    start, size = time.perf_counter(), 0
    try:
        response = await client.get(url)
        error, size = None if response.status_code == 200 else f"HTTP {response.status_code}", len(response.content)
        want = "text/html" if kind.startswith("site") else "application/json"
        if error is None and not response.headers.get("content-type", "").startswith(want):
            error = f"content-type {response.headers.get('content-type')}"
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    return kind, (time.perf_counter() - start) * 1000, error, size


def client_for(base: str, clients: int, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=10, transport=transport)


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


async def run_load(base: str, mix: dict[str, list[str]], clients: int, duration: float, max_requests: int,
                   stop: asyncio.Event | None = None, server_pid: int | None = None, think: float = 0.0,
                   transport: httpx.AsyncBaseTransport | None = None) -> dict:
    """Closed-loop clients over the mix until duration, max_requests or `stop`; stats per kind.
    clients=0 means one client per kind, each asking only for its kind (probes). Each client
    waits `think` seconds between its requests (0: as fast as the server answers)."""
    plans = ([[(k, u) for u in urls] for k, urls in mix.items()] if clients == 0 else [schedule(mix)] * clients)
    results, issued = [], 0
    deadline = time.perf_counter() + duration

    async def worker(plan: list[tuple[str, str]], offset: int) -> None:
        nonlocal issued
        step = offset * 7  # spread the clients over the plan
        while time.perf_counter() < deadline and issued < max_requests and not (stop and stop.is_set()):
            issued += 1
            results.append(await fetch(client, *plan[step % len(plan)]))
            step += 1
            if think:
                await asyncio.sleep(think)

    async with client_for(base, len(plans), transport) as client:
        start, cpu, own = time.perf_counter(), cpu_seconds(server_pid), time.process_time()
        # the hard bound: clients stop at the deadline; a stuck request is cut by the 10 s timeout
        await asyncio.wait_for(asyncio.gather(*(worker(plan, c) for c, plan in enumerate(plans))), duration + 30)
        elapsed = time.perf_counter() - start
        cpu, own = cpu_seconds(server_pid) - cpu, time.process_time() - own
    summary = summarise(results, elapsed)
    if server_pid and results:
        summary |= {"server_cpu_s": round(cpu, 2), "server_cpu_ms_per_request": round(cpu * 1000 / len(results), 2),
                    "client_cpu_s": round(own, 2)}
    return summary


def percentile(sorted_ms: list[float], q: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, max(0, int(q * len(sorted_ms) + 0.999999) - 1))] if sorted_ms else 0.0


def summarise(results: list[tuple[str, float, str | None, int]], elapsed: float) -> dict:
    kinds: dict[str, dict] = {}
    for kind in sorted({r[0] for r in results}):
        mine = [r for r in results if r[0] == kind]
        ms = sorted(r[1] for r in mine)
        errors = sorted({r[2] for r in mine if r[2]})
        kinds[kind] = {"count": len(mine), "errors": sum(1 for r in mine if r[2]), "error_kinds": errors,
                       "p50_ms": round(percentile(ms, 0.5), 1), "p95_ms": round(percentile(ms, 0.95), 1),
                       "max_ms": round(ms[-1], 1) if ms else 0.0, "kb": round(sum(r[3] for r in mine) / len(mine) / 1024, 1)}
    total = len(results)
    return {"requests": total, "errors": sum(k["errors"] for k in kinds.values()), "seconds": round(elapsed, 2),
            "throughput_rps": round(total / elapsed, 1) if elapsed else 0.0, "kinds": kinds}


async def floor(base: str, mix: dict[str, list[str]], repeats: int) -> dict:
    """Each kind alone: one client, `repeats` sequential requests (after one warm-up)."""
    out = {}
    async with client_for(base, 1) as client:
        for kind, urls in mix.items():
            await fetch(client, kind, urls[0])
            results = [await fetch(client, kind, urls[i % len(urls)]) for i in range(repeats)]
            out[kind] = summarise(results, 1.0)["kinds"][kind]
    return out


# ---- a pathological query -------------------------------------------------------------------------

async def pathological(base: str, mix: dict[str, list[str]], sql: str, parallel: int = 1) -> dict:
    """Send `parallel` copies of `sql`; one probe client per kind runs during it and then for 2 s after."""
    url = f"/data/evidence.json?sql={quote(sql)}"
    stop = asyncio.Event()

    async def bad() -> dict:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            start = time.perf_counter()
            response = await client.get(url)
            elapsed = time.perf_counter() - start
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        return {"status": response.status_code, "seconds": round(elapsed, 2), "title": body.get("title"),
                "interrupted": "SQL query took too long" in str(body.get("error"))}

    async def bad_then_stop() -> list[dict]:
        try:
            return list(await asyncio.gather(*(bad() for _ in range(parallel))))
        finally:
            stop.set()

    answers, during = await asyncio.gather(bad_then_stop(), run_load(base, mix, 0, 120, 10**6, stop))
    after = await run_load(base, mix, 0, 2.0, 10**6)
    return {"parallel": parallel, "answers": answers, "during": during, "after": after}


async def settings(base: str) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        return (await client.get("/data/-/settings.json")).json()


# ---- report ---------------------------------------------------------------------------------------

def table(load: dict, floors: dict) -> str:
    lines = [f"{'kind':<13} {'count':>6} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'floor p50':>9} {'p95/floor':>9} {'KB':>7}"]
    for kind, k in load["kinds"].items():
        base = floors.get(kind, {}).get("p50_ms") or 0
        ratio = f"{k['p95_ms'] / base:9.1f}" if base else f"{'-':>9}"
        lines.append(f"{kind:<13} {k['count']:>6} {k['errors']:>6} {k['p50_ms']:>7.1f} {k['p95_ms']:>7.1f} "
                     f"{k['max_ms']:>7.1f} {base:>9.1f} {ratio} {k['kb']:>7.1f}")
    lines.append(f"{'all':<13} {load['requests']:>6} {load['errors']:>6}   {load['throughput_rps']} requests/s over {load['seconds']} s")
    return "\n".join(lines)


def targets(load: dict) -> dict:
    worst = max(load["kinds"][k]["p95_ms"] for k in TABLE_KINDS if k in load["kinds"])
    return {"table_json_p95_ms": worst, "table_json_p95_met": worst <= TARGET_P95_MS, "zero_errors_met": load["errors"] == 0}


def groups(run: dict) -> dict[str, dict]:
    """Per group of kinds (site pages, Datasette SQL, Whoosh search): requests, errors, worst p95 and max."""
    out: dict[str, dict] = {}
    for kind, k in run["kinds"].items():
        group = "site" if kind.startswith("site") else "search" if kind == "search" else "sql"
        g = out.setdefault(group, {"count": 0, "errors": 0, "p95_ms": 0.0, "max_ms": 0.0})
        g["count"] += k["count"]
        g["errors"] += k["errors"]
        g["p95_ms"], g["max_ms"] = max(g["p95_ms"], k["p95_ms"]), max(g["max_ms"], k["max_ms"])
    return out


async def main_async(args: argparse.Namespace, base: str, pid: int, out: Path) -> dict:
    mix = request_mix(base)
    floors = await floor(base, mix, args.floor_repeats)
    load = await run_load(base, mix, args.clients, args.duration, args.max_requests, server_pid=pid,
                          think=args.think / 1000)
    bad = {name: await pathological(base, mix, sql) for name, sql in PATHOLOGICAL.items()}
    if args.parallel_bad > 1:
        name, sql = next(iter(PATHOLOGICAL.items()))
        bad[f"{name}, {args.parallel_bad} at once"] = await pathological(base, mix, sql, args.parallel_bad)
    for p in bad.values():
        p["during_groups"], p["after_groups"] = groups(p["during"]), groups(p["after"])
    s = await settings(base)
    return {"machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "loadavg_before": list(os.getloadavg())},
            "config": {"clients": args.clients, "think_ms": args.think, "duration_s": args.duration,
                       "max_requests": args.max_requests,
                       "corpus": args.corpus or "real evidence/", "sql_time_limit_ms": s.get("sql_time_limit_ms"),
                       "num_sql_threads": s.get("num_sql_threads")},
            "floor": floors, "load": load, "targets": targets(load), "pathological": bad}


def print_report(r: dict) -> None:
    m, c, load = r["machine"], r["config"], r["load"]
    print(f"whatworks serve load: {c['clients']} clients ({c['think_ms']:g} ms think time), "
          f"{c['duration_s']} s or {c['max_requests']} requests, "
          f"corpus {c['corpus']}; nproc {m['nproc']}, Python {m['python']}, load average before {m['loadavg_before'][0]:.2f}")
    print(table(load, r["floor"]))
    if "server_cpu_s" in load:
        print(f"server CPU {load['server_cpu_s']} s = {load['server_cpu_ms_per_request']} ms per request; "
              f"client CPU {load['client_cpu_s']} s")
    t = r["targets"]
    print(f"target: Datasette table JSON p95 <= {TARGET_P95_MS:.0f} ms: {t['table_json_p95_ms']} ms "
          f"({'met' if t['table_json_p95_met'] else 'MISSED'}); 0 errors: {'met' if t['zero_errors_met'] else 'MISSED'}")
    print(f"pathological SQL (sql_time_limit_ms {c['sql_time_limit_ms']}, num_sql_threads {c['num_sql_threads']}); "
          "one probe client per kind, during the query and 2 s after:")
    for name, p in r["pathological"].items():
        answers = ", ".join(f"{a['status']} {a['title']} in {a['seconds']} s" for a in p["answers"])
        print(f"  {name}: {answers}")
        for when in ("during", "after"):
            parts = [f"{g} {v['count']} req, {v['errors']} err, p95 {v['p95_ms']:.0f} ms, max {v['max_ms']:.0f} ms"
                     for g, v in p[f"{when}_groups"].items()]
            print(f"    {when:<6} " + "; ".join(parts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=50_000, help="stop after this many requests")
    parser.add_argument("--think", type=float, default=0.0, help="ms each client waits between requests")
    parser.add_argument("--corpus", type=int, default=None, help="N synthetic entries instead of evidence/")
    parser.add_argument("--parallel-bad", type=int, default=3, help="copies of the bad query sent at once")
    parser.add_argument("--floor-repeats", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="whatworks-load-") as tmp:
        root = Path(tmp)
        evidence = prepare_repo(root, args.corpus)
        with serve(root, evidence) as (base, pid):
            report = asyncio.run(main_async(args, base, pid, root / "_build"))
        log = (root / "serve.log").read_text(errors="replace").splitlines()
        report["server_log_tail"] = [line for line in log if not line.startswith(("•", "  "))][-40:]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
        if report["load"]["errors"]:
            print("server log (last lines):", *report["server_log_tail"], sep="\n  ")
    ok = report["load"]["errors"] == 0 and all(a["interrupted"] for p in report["pathological"].values() for a in p["answers"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
