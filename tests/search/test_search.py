"""The Whoosh search index: documents, build and update, exact counts, ranking, suggestions,
related entries, and the judged practitioner queries against the real corpus."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
import yaml

from datasette_whatworks_search import schema as search
from datasette_whatworks_search.query import SearchIndex
from datasette_whatworks_search.schema import IndexMissing, SearchError, analyse
from build_tools.evidence.corpus import load_corpus
from build_tools.evidence.problems import render
from build_tools.search.documents import documents
from build_tools.search.index import build_search_index
from build_tools.search.related import related_entries

from conftest import REPO, TODAY

JUDGED = yaml.safe_load((REPO / "tests" / "judged_queries.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fixture_index(tmp_path_factory, fixture_corpus) -> SearchIndex:
    out = tmp_path_factory.mktemp("search")
    assert build_search_index(documents(fixture_corpus), out) == "built 4"
    with SearchIndex(out / "search") as ix:
        yield ix


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """(corpus, open index) for evidence/; skipped only while the real corpus fails lint."""
    result = load_corpus(REPO / "evidence", today=TODAY)
    if result.corpus is None:
        pytest.skip("the real corpus in evidence/ does not lint yet:\n" + render(result.problems[:5], "text"))
    out = tmp_path_factory.mktemp("real-search")
    build_search_index(documents(result.corpus), out, result.corpus.synonyms)
    with SearchIndex(out / "search") as ix:
        yield result.corpus, ix


@pytest.fixture(scope="module")
def real_plain(tmp_path_factory, real):
    """The real corpus's index built without synonyms."""
    out = tmp_path_factory.mktemp("real-plain")
    build_search_index(documents(real[0]), out)
    with SearchIndex(out / "search") as ix:
        yield ix


def ids(result) -> list[str]:
    return [row["id"] for row in result.results]


# ---------------------------------------------------------------- documents and building


def test_documents_index_only_what_is_searched_or_shown(fixture_corpus):
    docs = {d["id"]: d for d in documents(fixture_corpus)}
    prog = docs["sample-programme"]
    assert {k: v for k, v in prog.items() if k != "body"} == {
        "id": "sample-programme", "type": "programme", "name": "Sample London programme",
        "summary": "A synthetic London programme used by the tests. Youth workers support pupils in a pupil referral unit.",
        "settings": "in-school-ap-unit,pru", "outcomes": "attendance,exclusion", "priority_areas": "inclusive-education",
        "band": "", "design": "rct", "level": "5",
    }
    # vocabulary labels and the names of linked entries are searchable; link targets are not
    assert fixture_corpus.label("settings", "pru") in prog["body"]
    assert "Sample mentoring" in prog["body"]
    assert "example.org" not in docs["sample-mentoring"]["body"]
    assert docs["sample-boot-camps"]["band"] == "harmful"


def test_build_writes_the_index_whole_and_readers_refuse_another_format(tmp_path, fixture_corpus):
    docs = documents(fixture_corpus)
    assert build_search_index(docs, tmp_path) == "built 4"
    assert (tmp_path / "search" / search.FORMAT_FILE).read_text(encoding="utf-8") == search.FORMAT + "\n"
    assert build_search_index(docs, tmp_path) == "unchanged 4"  # same documents: the same index, byte for byte
    assert build_search_index(docs[1:], tmp_path) == "built 3"  # otherwise built whole, ranking as a fresh one
    assert build_search_index(docs, tmp_path) == "built 4"
    (tmp_path / "search" / search.FORMAT_FILE).write_text("whatworks-search-0\n", encoding="utf-8")
    with pytest.raises(IndexMissing) as err:
        SearchIndex(tmp_path / "search")
    assert str(err.value) == (f"{tmp_path / 'search'}: the search index was written by another version. "
                              "Fix: run `whatworks build --only search`")
    assert build_search_index(docs, tmp_path) == "built 4"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["search"]  # no temp folders left behind


# ---------------------------------------------------------------- queries


def test_ranked_results_with_highlighted_snippets(fixture_index):
    result = fixture_index.search("mentoring", limit=2)
    assert result.total == 3
    assert ids(result) == ["sample-study-2020", "sample-mentoring"]
    assert result.results[0]["snippet"] == (
        "A synthetic randomised trial used by the tests. <mark>Mentoring</mark> cut violence but raised suspensions.")
    assert result.results[1]["snippet"] == (
        "A synthetic approach used by the tests. A <mark>mentor</mark> meets a young person each week to give support and advice.")
    assert result.suggestion is None


def test_snippets_escape_html(tmp_path, fixture_corpus):
    entry = fixture_corpus.approaches[0].model_copy(update={"summary": "Boot camps <script>alert(1)</script> & drills were harmful to young people."})
    build_search_index(documents(dataclasses.replace(fixture_corpus, approaches=(entry, fixture_corpus.approaches[1]))), tmp_path)
    with SearchIndex(tmp_path / "search") as ix:
        [row] = ix.search("drills").results
    assert row["snippet"] == "Boot camps &lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>drills</mark> were harmful to young people."


def test_fielded_query_with_aliases_filters_and_ranks(fixture_index):
    result = fixture_index.search("setting:pru outcome:exclusion mentoring")
    assert ids(result) == ["sample-mentoring", "sample-programme"]
    assert result.facets == {"type": {"approach": 1, "programme": 1},
                             "setting": {"pru": 2, "community": 1, "in-school-ap-unit": 1},
                             "outcome": {"exclusion": 2, "attendance": 1, "violence-perpetration": 1},
                             "priority_area": {"inclusive-education": 2, "violence-and-exploitation": 1}}
    assert ids(fixture_index.search("kind:approach impact:harmful")) == ["sample-boot-camps"]
    assert ids(fixture_index.search("mentoring", {"type": ["study", "programme"]})) == ["sample-study-2020", "sample-programme"]


def test_unknown_field_and_missing_index_give_a_fix(tmp_path, fixture_index):
    with pytest.raises(SearchError) as err:
        fixture_index.search("colour:red mentoring")
    assert str(err.value) == (
        "query: unknown field 'colour'. Fix: use one of area, band, design, evidence, id, impact, kind, level, name, "
        "outcome, outcomes, priority, priority-area, priority_area, priority_areas, setting, settings, sms, summary, type")
    with pytest.raises(IndexMissing) as err:
        SearchIndex(tmp_path / "nowhere")
    assert str(err.value) == f"{tmp_path / 'nowhere'}: no search index here. Fix: run `whatworks build --only search` (or pass --index)"


def _brute_force(docs: list[dict], words: tuple[str, ...] = (), where=lambda d: True) -> tuple[int, dict]:
    """Count matches by reading every document: any of `words` (stemmed) in the text, and `where`."""
    stems = {s for w in words for s in analyse(w)}
    matched = [d for d in docs if where(d) and (not stems or stems & set(analyse(" ".join((d["name"], d["summary"], d["body"])))))]
    facets = {}
    for name, fld in search.FACET_REPORT.items():
        counts = Counter(v for d in matched for v in d[fld].split(",") if v)
        facets[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return len(matched), facets


def _values(doc: dict, fld: str) -> list[str]:
    return doc[fld].split(",")


BRUTE = [
    ("-setting:pru", (), lambda d: "pru" not in _values(d, "settings")),
    ("NOT type:study", (), lambda d: d["type"] != "study"),
    ("violence -outcome:exclusion", ("violence",), lambda d: "exclusion" not in _values(d, "outcomes")),
    ("school pupils NOT type:approach", ("school", "pupils"), lambda d: d["type"] != "approach"),
    ("setting:pru OR setting:community", (), lambda d: {"pru", "community"} & set(_values(d, "settings"))),
    ("mentoring outcome:offending", ("mentoring",), lambda d: "offending" in _values(d, "outcomes")),
    ("", (), lambda d: True),
]


@pytest.mark.parametrize("query,words,where", BRUTE, ids=[q or "(empty)" for q, _, _ in BRUTE])
def test_totals_and_facets_equal_a_brute_force_count(real, query, words, where):
    """Counts over ALL matches, even with a limit of 1 (Whoosh's len(results) is not used)."""
    corpus, ix = real
    result = ix.search(query, limit=1)
    assert (result.total, result.facets) == _brute_force(documents(corpus), words, where)
    assert len(result.results) == min(1, result.total)


@pytest.mark.parametrize("query", ["mentoring for excluded pupils", "knife crime", "violence OR school", '"scared straight"',
                                   "family AND therapy", "mentor*"])
def test_scores_equal_whooshs_own_search(real_plain, query):
    """The results are Whoosh's own BM25F ranking, unchanged by the wrapper. (Without synonyms:
    Whoosh's own disjunction-max scores documents wrongly; test_synonyms checks ours.)"""
    ix = real_plain
    ours = {row["id"]: row["score"] for row in ix.search(query, limit=1000).results}
    theirs = {hit["id"]: hit.score for hit in ix.searcher.search(ix.parse(query), limit=1000)}
    assert set(ours) == set(theirs)
    for entry_id, score in theirs.items():
        assert ours[entry_id] == pytest.approx(score, rel=0.02, abs=1e-3), entry_id


def test_suggestions_come_from_the_index_vocabulary(real, fixture_index):
    _, ix = real
    assert ix.search("mentring").suggestion == "mentoring"
    assert ix.search("multisistemic").suggestion == "multisystemic"
    assert ix.search("scared strait").suggestion is None  # "strain" never occurs with "scared"
    assert ix.search("setting:pru mentring").suggestion == "setting:pru mentoring"
    assert fixture_index.search("mentoring").suggestion is None


@pytest.mark.parametrize("case", JUDGED, ids=[c["query"] for c in JUDGED])
def test_judged_queries_find_their_entries_in_the_top_three(real, case):
    corpus, ix = real
    assert set(case["top3"]) <= {e.id for e in corpus.entries}, "judged ids must exist in evidence/"
    result = ix.search(case["query"], limit=3)
    assert result.suggestion == case.get("suggestion")
    if result.suggestion:
        result = ix.search(result.suggestion, limit=3)
    missing = set(case["top3"]) - set(ids(result))
    if "known_miss" in case:  # written down with why; once it passes, the note must go
        assert missing, f"{case['query']!r} now finds its entries: remove its known_miss"
        pytest.xfail(case["known_miss"])
    assert not missing, f"{case['query']!r}: top 3 was {ids(result)}"


def test_judged_set_is_big_enough():
    assert len(JUDGED) >= 80  # 32 before issue 15, then 52 in practitioners' own words
    assert sum("suggestion" in c for c in JUDGED) >= 6
    assert sum("known_miss" in c for c in JUDGED) <= 5  # 3, then 2 the synonyms audit cost (bench/RESULTS.md)


# ---------------------------------------------------------------- related entries


def test_related_entries_are_a_deterministic_function_of_the_documents(fixture_corpus):
    related = related_entries(documents(fixture_corpus))
    assert related == {
        "sample-boot-camps": ("sample-study-2020", "sample-mentoring"),
        "sample-mentoring": ("sample-study-2020", "sample-boot-camps", "sample-programme"),
        "sample-programme": ("sample-study-2020", "sample-mentoring", "sample-boot-camps"),
        "sample-study-2020": ("sample-programme", "sample-mentoring"),
    }
    assert related_entries(documents(fixture_corpus)) == related


def test_related_entries_on_the_real_corpus(real):
    corpus, ix = real
    related = related_entries(documents(corpus))
    assert set(related) == {e.id for e in corpus.entries}
    assert all(entry_id not in others and len(others) <= 5 for entry_id, others in related.items())
    assert "heller-2017-becoming-a-man" in related["becoming-a-man"]


# ---------------------------------------------------------------- bad input from anyone (issue 11)


def test_long_queries_are_refused_with_the_reason(fixture_index):
    with pytest.raises(SearchError) as err:
        fixture_index.search("mentoring " * 820)
    assert str(err.value) == "query: 8,200 characters is too long (at most 500). Fix: search for a few key words"
    with pytest.raises(SearchError) as err:
        fixture_index.search("a " * 41)
    assert str(err.value) == "query: 41 words is too many (at most 40). Fix: search for a few key words"
    assert fixture_index.search("mentoring " * 40).total == 3  # 40 words is fine


@pytest.mark.parametrize("query", ["Scared Straight: a review", '"knife crime: what works"', "mentoring: what works",
                                   "Mentoring:", "setting:pru Mentoring: a trial"])
def test_a_pasted_title_with_a_colon_is_words(fixture_index, query):
    result = fixture_index.search(query)  # no "unknown field", no "has no value"
    assert result.query == query


def test_a_colon_title_finds_what_its_words_find(real):
    _, ix = real
    assert ids(ix.search("Scared Straight: a review", limit=2)) == ids(ix.search("Scared Straight a review", limit=2))
    assert ids(ix.search('"knife crime: what works"', limit=3)) == ids(ix.search('"knife crime what works"', limit=3))
    with pytest.raises(SearchError) as err:
        ix.search("setting: pru")
    assert str(err.value) == "query: 'setting:' has no value. Fix: write it as setting:value, e.g. setting:pru"


def test_spelling_work_is_bounded_per_query(real):
    """Every word unknown and long: at most a few are corrected, and the rest is left as typed."""
    _, ix = real
    words = ["mentorinq", "violenxe", "exclusiom", "pupilz", "familiez", "trainning", "polise", "schoool"]
    suggestion = ix.search(" ".join(words)).suggestion
    assert suggestion is not None and suggestion.split()[5:] == words[5:]


def test_wildcards_are_bounded(fixture_index, real):
    with pytest.raises(SearchError) as err:
        fixture_index.search("*ing mentoring")
    assert str(err.value) == "query: '*ing' needs at least 3 letters before * or ?. Fix: type more of the word, e.g. mentor*"
    with pytest.raises(SearchError) as err:
        fixture_index.search("me*")
    assert str(err.value) == "query: 'me*' needs at least 3 letters before * or ?. Fix: type more of the word, e.g. mentor*"
    with pytest.raises(SearchError) as err:
        fixture_index.search("abc* bcd* cde* def* efg*")
    assert str(err.value) == "query: 5 words with *, ? or ~ (at most 4). Fix: type more of each word, or fewer such words"
    assert ids(fixture_index.search("mentor* -type:programme")) == ["sample-study-2020", "sample-mentoring"]
    _, ix = real
    from datasette_whatworks_search import engine

    wide = max(("sch*", "pro*", "com*", "pre*"), key=lambda q: len(ix.searcher.search(ix.parse(q), limit=None)))
    limit, engine.MAX_EXPANSION = engine.MAX_EXPANSION, 20
    try:
        ix.engine = engine.Engine(ix.searcher, ix.searcher.weighting)  # no cached expansions
        with pytest.raises(SearchError) as err:
            ix.search(wide)
        assert str(err.value) == f"query: '{wide}' stands for more than 20 words. Fix: type more of the word"
    finally:
        engine.MAX_EXPANSION = limit


def test_band_is_the_sites_impact_on_violence(real):
    """`band:` reads the Corpus's one definition of the headline band (never recomputed here)."""
    corpus, ix = real
    docs = {d["id"]: d for d in documents(corpus)}
    assert {e.id: docs[e.id]["band"] for e in corpus.entries} == {e.id: corpus.headline(e) or "" for e in corpus.entries}
    for band in ("harmful", "high", "moderate"):
        assert ix.search(f"band:{band}").total == sum(corpus.headline(e) == band for e in corpus.entries)
