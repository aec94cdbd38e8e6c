"""A short load test of the real `whatworks serve` (bench/load.py, `make load`, is the long one):
a server process on a free loopback port over a copy of the real evidence, 5 clients for 3 s
over the whole request mix, then a pathological SQL query that the time limit must stop while
the server keeps answering."""

from __future__ import annotations

import asyncio
import sys

import httpx
import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import load  # noqa: E402

KINDS = ["fts", "fts_ranked", "row", "search", "site_browse", "site_entry", "site_gap_map", "site_home", "table", "table_facets"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("load")
    evidence = load.prepare_repo(root, None)
    with load.serve(root, evidence, startup_timeout=180) as (base, pid):
        yield base, pid, load.request_mix(base), root / "_build"


@pytest.mark.slow
def test_every_kind_of_request_answers_under_load_without_errors(server):
    base, pid, mix, _ = server
    run = asyncio.run(load.run_load(base, mix, clients=5, duration=3.0, max_requests=20_000, server_pid=pid))
    assert sorted(run["kinds"]) == KINDS
    assert run["errors"] == 0, {k: v["error_kinds"] for k, v in run["kinds"].items() if v["errors"]}
    assert run["requests"] == sum(k["count"] for k in run["kinds"].values())
    assert all(k["count"] >= 3 for k in run["kinds"].values()), run["kinds"]
    assert 2.9 <= run["seconds"] < 15  # stopped by the duration, not by a hang
    assert run["server_cpu_s"] > 0  # the CPU was the server process's, read from /proc


@pytest.mark.slow
def test_the_request_cap_stops_the_clients_exactly(server):
    base, _, mix, _ = server
    run = asyncio.run(load.run_load(base, mix, clients=5, duration=60.0, max_requests=37))
    assert (run["requests"], run["errors"]) == (37, 0)
    assert run["seconds"] < 30


@pytest.mark.slow
def test_pathological_sql_is_stopped_by_the_time_limit_and_the_server_keeps_answering(server):
    base, _, mix, _ = server
    limit = httpx.get(f"{base}/data/-/settings.json").json()["sql_time_limit_ms"] / 1000
    result = asyncio.run(load.pathological(base, mix, load.PATHOLOGICAL["recursive CTE to 10^9"]))
    [answer] = result["answers"]
    assert (answer["status"], answer["title"], answer["interrupted"]) == (400, "SQL Interrupted", True)
    assert limit * 0.95 <= answer["seconds"] < limit + 10  # ran until the limit, then was stopped
    during, after = result["during"], result["after"]
    assert during["errors"] == 0 and after["errors"] == 0
    assert {"site_home", "search"} <= set(during["kinds"])  # answered while the query ran
    assert sorted(after["kinds"]) == KINDS
    assert all(k["count"] >= 1 for k in after["kinds"].values())
