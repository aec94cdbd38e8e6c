"""A short load test of the real `whatworks serve` (bench/load.py, `make load`, is the long one):
a server process on a free loopback port over a copy of the real evidence, 5 clients for 3 s
over the whole request mix, then a pathological SQL query that the time limit must stop while
the server keeps answering."""

from __future__ import annotations

import asyncio
import sys

import httpx
import pytest
from datasette.database import Database

from build_tools.serve.app import make_datasette
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


def test_served_datasette_skips_the_per_request_schema_check_and_answers_the_same(server, monkeypatch):
    """The speed-up in serve_app.make_datasette (found by bench/load.py): the immutable database's
    schema is read once, not before every request, and answers are unchanged."""
    out = server[3]
    statements: list[str] = []
    execute = Database.execute

    async def recording(self, sql, *args, **kwargs):
        statements.append(sql)
        return await execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", recording)  # records, then runs the real query
    datasette = make_datasette(out)

    async def twice() -> tuple[httpx.Response, int, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=datasette.app()), base_url="http://t") as client:
            first = await client.get("/data/evidence/approaches.json?_shape=array")
            count = len(statements)
            return first, count, await client.get("/data/evidence/approaches.json?_shape=array")

    first, count, second = asyncio.run(twice())
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and len(first.json()) > 0
    assert "PRAGMA schema_version" in statements[:count]
    assert "PRAGMA schema_version" not in statements[count:]


def test_datasette_errors_print_no_traceback_on_the_event_loop(server, capfd):
    """Datasette printed every 404, bad query and interrupted query as a rich traceback with all
    locals, stalling the whole server for 250-700 ms each (bench/load.py); serve_app turns that off."""
    datasette = make_datasette(server[3])

    async def errors() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=datasette.app()), base_url="http://t") as client:
            return [await client.get("/data/evidence/no_such_table.json"),
                    await client.get("/data/evidence.json?sql=select+no_such_column")]

    capfd.readouterr()
    missing, bad_sql = asyncio.run(errors())
    assert missing.status_code == 404
    assert missing.json() == {"ok": False, "error": "Table not found", "status": 404, "title": None}
    assert (bad_sql.status_code, bad_sql.json()["error"]) == (400, "no such column: no_such_column")
    printed = capfd.readouterr()
    assert "Traceback" not in printed.out + printed.err and "locals" not in printed.out + printed.err
