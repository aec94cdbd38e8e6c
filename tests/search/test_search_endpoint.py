"""The /-/search endpoint (Datasette plugin) on a real build: Datasette's own test client,
as `whatworks serve` configures it, and one real `datasette` server process."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote_plus

import httpx
import pytest
from datasette.app import Datasette

from build_tools.evidence.corpus import load_corpus
from build_tools.database.build import build_database
from build_tools.search.documents import documents
from datasette_whatworks_search import SearchIndex
from build_tools.search.index import build_search_index
from build_tools.serve.app import make_datasette

from conftest import REPO, TODAY, config_of, first_response, free_port

sys.path.insert(0, str(REPO / "bench"))
import judged_search  # noqa: E402  (bench/judged_search.py: the judged queries' scoring)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    loaded = load_corpus(REPO / "evidence", today=TODAY)
    if loaded.corpus is None:
        pytest.skip("the real corpus in evidence/ does not lint yet")
    out = tmp_path_factory.mktemp("endpoint")
    build_database(loaded.corpus, config_of(loaded.corpus), out)
    build_search_index(documents(loaded.corpus), out, loaded.corpus.synonyms)
    return out


@pytest.fixture(scope="module")
def served(out):
    """GET through Datasette's test client, configured exactly as `whatworks serve` does."""
    datasette = make_datasette(out)

    def get(path: str) -> httpx.Response:
        return asyncio.run(datasette.client.get(path))

    return get


def test_json_results_link_to_datasette_rows(served):
    response = served("/-/search.json?q=%22scared+straight%22&limit=2")  # quoted: as typed, no synonyms
    assert response.status_code == 200
    data = response.json()
    assert [(r["id"], r["url"]) for r in data["results"]] == [
        ("petrosino-2013-scared-straight", "/data/evidence/studies/petrosino-2013-scared-straight"),
        ("prison-awareness-programmes", "/data/evidence/approaches/prison-awareness-programmes"),
    ]
    assert (data["ok"], data["total"], data["suggestion"]) == (True, 2, None)
    assert data["facets"]["type"] == {"approach": 1, "study": 1}
    # the link leads to the row (the test client adds the /data/ base itself)
    assert served(data["results"][0]["url"].removeprefix("/data") + ".json").status_code == 200


def test_json_answers_and_errors_carry_datasettes_cors_headers(served):
    """As Datasette's own JSON with cors=True (`whatworks serve`; `datasette publish` passes --cors)."""
    cors = {"access-control-allow-origin": "*", "access-control-allow-headers": "Authorization",
            "access-control-expose-headers": "Link"}
    for path, status in (("/-/search.json?q=mentoring", 200), ("/-/search.json?q=colour:red", 400)):
        response = served(path)
        assert (response.status_code, {k: response.headers.get(k) for k in cors}) == (status, cors)
    plain = asyncio.run(Datasette(memory=True).client.get("/-/search.json?q=mentoring"))  # without --cors: none
    assert "access-control-allow-origin" not in plain.headers


def test_json_expands_synonyms_from_the_index_folder(served):
    """Practitioners' words, answered from the synonyms.json the build wrote beside the index."""
    data = served("/-/search.json?q=kicked+out+of+school&limit=3").json()
    assert (data["ok"], data["suggestion"], data["corrected"]) == (True, None, False)  # no "did you mean" for "kicked"
    assert data["results"][0]["id"] == "school-exclusion-prevention"
    assert "<mark>excluded</mark>" in data["results"][0]["snippet"]
    ae = served("/-/search.json?q=A%26E&limit=3").json()
    assert "ae-navigators" in [r["id"] for r in ae["results"]]
    typo = served("/-/search.json?q=kicked+out+of+scool&limit=3").json()  # a typo beside a synonym
    assert (typo["suggestion"], typo["results"][0]["id"]) == ("kicked out of school", "school-exclusion-prevention")


def test_judged_queries_through_the_endpoint(out):
    """bench/judged_search.py's served figures: the real endpoint, every judged query."""
    result = judged_search.score(judged_search.served_search(make_datasette(out)))
    assert result["queries"] == len(judged_search.judged()) >= 80
    assert result["success@5"] >= 0.95 and result["recall@5"] >= 0.95, result["misses"]


def test_judged_score_counts_success_and_recall_at_five():
    cases = [{"query": "a", "top3": ["x", "y"]}, {"query": "b", "top3": ["z"]}, {"query": "c", "top3": ["w"]}]
    answers = {"a": ["x", "q", "r", "s", "t", "y"], "b": ["z"], "c": []}
    assert judged_search.score(answers.__getitem__, cases) == {
        "queries": 3, "success@5": 0.667, "recall@5": 0.5,
        "misses": [{"query": "c", "relevant": ["w"], "found": []}]}


def test_json_filters_and_suggestion(served):
    data = served("/-/search.json?q=mentoring&type=programme&setting=pru").json()
    assert {r["id"] for r in data["results"]} >= {"pru-mentoring"}
    assert set(data["facets"]["type"]) == {"programme"}
    assert data["facets"]["setting"]["pru"] == data["total"]  # every match is in a PRU
    typo = served("/-/search.json?q=mentring").json()
    assert (typo["suggestion"], typo["corrected"], typo["query"]) == ("mentoring", True, "mentring")
    assert "pru-mentoring" in {r["id"] for r in typo["results"]}
    html = served("/-/search?q=mentring").text
    assert ('<p>No results for <strong>mentring</strong>; showing results for '
            '<a href="/data/-/search?q=mentoring">mentoring</a>.</p>') in html


def test_html_page_escapes_the_query_exactly(served):
    query = '<script>alert("x")</script> mentoring'
    response = served("/-/search?q=" + quote_plus(query))
    assert response.status_code == 200
    html = response.text
    assert "<script>alert" not in html
    assert ('<input id="ww-q" type="search" name="q" value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; mentoring" '
            'placeholder="e.g. mentoring for excluded pupils">') in html
    assert ' match <strong>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; mentoring</strong>' in html


def test_html_page_in_the_sites_look_when_served_with_the_site(served):
    """`whatworks serve` tells the plugin where the site is (site_url "/"): the page is where the
    site's search box sends readers without JavaScript, so it looks like the site and opens its pages."""
    html = served("/-/search?q=pupil+referral+unit").text
    assert "/-/static/app.css" not in html and "Powered by" not in html  # not Datasette's base.html
    assert '<header class="ww-site-header"><a href="/">What works: the evidence site</a></header>' in html
    assert '<form class="core" action="/data/-/search" method="get" role="search">' in html
    assert '<li><a href="/programmes/pru-mentoring.html">PRU and Alternative Provision Mentoring Programme</a>' in html
    assert "<mark>" in html
    assert '<a href="/data/">The database (Datasette)</a>' in html


def test_html_page_in_datasettes_look_without_a_site(out):
    datasette = Datasette(memory=True, metadata={"plugins": {"whatworks-search": {"index_dir": str(out / "search")}}})
    html = asyncio.run(datasette.client.get("/-/search?q=pupil+referral+unit")).text
    assert '<link rel="stylesheet" href="/-/static/app.css?' in html  # Datasette's base.html
    assert 'Powered by <a href="https://datasette.io/"' in html
    assert '<li><a href="/-/search?q=id%3Apru-mentoring">PRU and Alternative Provision Mentoring Programme</a>' in html


def test_bad_query_and_missing_index_are_explained(served, tmp_path):
    response = served("/-/search.json?q=colour:red")
    assert response.status_code == 400
    assert response.json()["error"].startswith("query: unknown field 'colour'. Fix: use one of area, band,")
    page = served("/-/search?q=%22open+quote")
    assert page.status_code == 400
    assert ('<p class="message-error">query: a quote (&#34;) is not closed. Fix: add the closing &#34; after the phrase</p>'
            in page.text)
    assert served("/-/search.json?q=x&limit=lots").json() == {
        "ok": False, "error": "limit: must be a whole number. Fix: e.g. limit=20"}

    missing = tmp_path / "no-index"
    datasette = Datasette(memory=True, metadata={"plugins": {"whatworks-search": {"index_dir": str(missing)}}})
    response = asyncio.run(datasette.client.get("/-/search.json?q=mentoring"))
    assert (response.status_code, response.json()) == (503, {
        "ok": False, "error": f"{missing}: no search index here. Fix: run `whatworks build --only search` (or pass --index)"})


def test_default_index_dir_is_build_search(monkeypatch, tmp_path, out):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "_build").mkdir()
    (tmp_path / "_build" / "search").symlink_to(out / "search")
    datasette = Datasette(memory=True)
    data = asyncio.run(datasette.client.get("/-/search.json?q=summer+jobs&limit=1")).json()
    assert data["results"][0]["url"] == "/-/search?q=id%3Aheller-2014-summer-jobs"  # no evidence database: link to search
    with SearchIndex(out / "search") as ix:  # the same index the CLI reads: same answer
        assert data["total"] == ix.search("summer jobs").total >= 4


def test_a_real_datasette_server_loads_the_plugin(out, tmp_path):
    metadata = tmp_path / "metadata.json"
    metadata.write_text(json.dumps({"plugins": {"whatworks-search": {"index_dir": str(out / "search")}}}), encoding="utf-8")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "datasette", "serve", "--memory", "--host", "127.0.0.1",
                               "--port", str(port), "--metadata", str(metadata)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        response = first_response(f"http://127.0.0.1:{port}/-/search.json?q=knife+crime+school&limit=1", server, timeout=20)
        assert response.status_code == 200
        assert response.json()["results"][0]["id"] == "knife-crime-education"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_long_queries_get_400_with_the_reason_as_json_and_as_a_page(served):
    long = "knife+crime+" * 700  # about 8 KB
    response = served(f"/-/search.json?q={long}")
    assert (response.status_code, response.json()) == (400, {
        "ok": False, "error": "query: 8,400 characters is too long (at most 500). Fix: search for a few key words"})
    page = served(f"/-/search?q={long}")
    assert page.status_code == 400
    assert '<p class="message-error">query: 8,400 characters is too long (at most 500). Fix: search for a few key words</p>' in page.text
    many = served("/-/search.json?q=" + "+".join(["word"] * 41))
    assert (many.status_code, many.json()["error"]) == (400, "query: 41 words is too many (at most 40). Fix: search for a few key words")
    filtered = served("/-/search.json?q=mentoring&setting=" + "x" * 600)
    assert (filtered.status_code, filtered.json()["error"]) == (
        400, "query: 600 characters is too long (at most 500). Fix: search for a few key words")


def test_a_pasted_title_with_a_colon_searches_its_words(served):
    data = served("/-/search.json?q=" + quote_plus("Scared Straight: a review") + "&limit=1").json()
    assert (data["ok"], data["results"][0]["id"]) == (True, "petrosino-2013-scared-straight")
    assert served("/-/search.json?q=" + quote_plus('"knife crime: what works"')).json()["ok"] is True


def test_searches_run_off_the_event_loop(out, monkeypatch):
    """While a search runs on the worker thread, a table request is answered (the loop is free)."""
    import threading

    from datasette_whatworks_search import plugin

    datasette = make_datasette(out)
    release, started = threading.Event(), threading.Event()
    real = plugin.run_search

    def slow(*args):
        started.set()
        release.wait(10)
        return real(*args)

    async def both() -> tuple[int, int, bool]:
        search = asyncio.create_task(datasette.client.get("/-/search.json?q=mentoring"))
        while not started.is_set():
            await asyncio.sleep(0.01)
        table = await datasette.client.get("/evidence/approaches.json?_shape=array&_size=1")
        answered_while_searching = not search.done()
        release.set()
        return (await search).status_code, table.status_code, answered_while_searching

    monkeypatch.setattr(plugin, "run_search", slow)
    assert asyncio.run(both()) == (200, 200, True)
