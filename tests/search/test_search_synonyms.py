"""Synonyms in search: which words of a query expand, the clauses they add, how they rank,
their caps, and that they travel with the index (synonyms.json)."""

from __future__ import annotations

import json
import time

import pytest
from whoosh import query
from whoosh.analysis import StemmingAnalyzer

from build_tools.search.documents import documents
from build_tools.search.index import build_search_index
from datasette_whatworks_search import SYNONYMS_FILE, IndexMissing, SearchIndex, analyse
from datasette_whatworks_search.query import MAX_QUERY_WORDS
from datasette_whatworks_search.synonyms import BOOST, MAX_ALTERNATIVES, MAX_PHRASE_WORDS, Synonyms

GROUPS = (("kicked out", "pupil referral unit", "a&e"), ("boot camps", "military-style"), ("kids", "young person"))


@pytest.fixture(scope="module")
def index(tmp_path_factory, fixture_corpus):
    out = tmp_path_factory.mktemp("synonyms")
    build_search_index(documents(fixture_corpus), out, GROUPS)
    with SearchIndex(out / "search") as ix:
        yield ix


def ids(result) -> list[str]:
    return [row["id"] for row in result.results]


def alternatives(synonyms: Synonyms, text: str) -> list[list[str]]:
    return [[" ".join(stems) for stems in phrases] for phrases in synonyms.expand(text).alternatives]


# ---------------------------------------------------------------- which words expand


def test_a_phrase_matches_by_its_stems_and_adds_the_other_phrases_of_its_group():
    synonyms = Synonyms([list(g) for g in GROUPS])
    assert alternatives(synonyms, "Kicked out") == [["pupil referr unit", "a&"]]
    assert alternatives(synonyms, "boot camp for kid") == [["militari style"], ["young person"]]  # plurals match
    assert alternatives(synonyms, "A&E") == [["kick out", "pupil referr unit"]]
    assert synonyms.expand("kicked out, A&E!").matched == {"kicked", "out", "a&e"}


def test_only_plain_ranked_words_expand():
    synonyms = Synonyms([list(g) for g in GROUPS])
    for text in ('"kicked out"', "NOT kids", "-kids", "kids AND school", "kids OR school", "setting:kids", "kids*", "(kids)"):
        assert synonyms.expand(text).alternatives == (), text
    assert alternatives(synonyms, "NOT boot camps kids") == [["young person"]]


def test_alternatives_that_add_no_word_to_what_was_typed_are_left_out():
    synonyms = Synonyms([["gangs", "gang violence", "group violence", "gang"]])
    # "gang violence" holds "gang", which already finds it; "gang" is what was typed
    assert alternatives(synonyms, "gangs") == [["group violenc"]]
    assert alternatives(synonyms, "gang violence") == [["group violenc"]]


def test_a_phrase_in_two_groups_adds_both_groups():
    synonyms = Synonyms([["gang", "crew"], ["gangs", "groups"]])  # gang, gangs: one stem
    assert alternatives(synonyms, "gangs") == [["crew", "group"]]


def test_expansion_is_capped_however_many_words_match():
    group = [f"word{n}" for n in range(12)]
    synonyms = Synonyms([group])
    text = " ".join(["word0"] * MAX_QUERY_WORDS)
    found = synonyms.expand(text).alternatives
    assert sum(len(phrases) for phrases in found) == MAX_ALTERNATIVES
    long_phrase = " ".join(f"w{n}" for n in range(MAX_PHRASE_WORDS + 1))
    assert Synonyms([[long_phrase, "short"]]).expand(long_phrase).alternatives == ()
    start = time.perf_counter()
    for _ in range(100):
        synonyms.expand(text)
    assert time.perf_counter() - start < 5  # ~1 ms each; a bound, not a benchmark


# ---------------------------------------------------------------- through the index


def test_a_synonym_finds_entries_that_use_the_other_phrases(index, tmp_path, fixture_corpus):
    build_search_index(documents(fixture_corpus), tmp_path)
    with SearchIndex(tmp_path / "search") as plain:
        assert "sample-programme" not in ids(plain.search("kicked out"))  # only "out" is in the others
    result = index.search("kicked out")
    assert ids(result)[0] == "sample-programme"  # "pupil referral unit" in its summary
    assert result.suggestion is None  # no "did you mean" for the words a synonym stands for
    assert "<mark>pupil</mark> <mark>referral</mark> <mark>unit</mark>" in result.results[0]["snippet"]


def test_entries_with_the_typed_words_rank_above_those_with_a_synonym(index):
    # "kids" is in no entry: it finds what "young person" finds, each at BOOST of its score
    typed = {row["id"]: row["score"] for row in index.search("young person", limit=10).results}
    synonym = {row["id"]: row["score"] for row in index.search("kids", limit=10).results}
    assert synonym.keys() <= typed.keys() and "sample-mentoring" in synonym
    for entry_id, score in synonym.items():
        assert score == pytest.approx(typed[entry_id] * BOOST, abs=1e-3), entry_id


def test_filters_still_hold_with_synonyms(index):
    assert ids(index.search("kicked out setting:pru"))[0] == "sample-programme"
    assert "sample-programme" not in ids(index.search("kicked out setting:community"))  # a PRU programme
    assert set(index.search("kicked out", {"type": ["approach"]}).facets["type"]) == {"approach"}


def test_a_synonym_clause_scores_its_best_alternative_by_whooshs_bm25f(index):
    """Whoosh's own disjunction-max matcher scores some documents with another document's
    score, so the engine's max is checked against Whoosh's scores of each alternative."""
    clause = next(q for q in index.parse("kicked out boot camps").children() if isinstance(q, query.DisjunctionMax))
    alternatives_scores = [{hit["id"]: hit.score for hit in index.searcher.search(sub, limit=None)} for sub in clause.subqueries]
    best = {}
    for scores in alternatives_scores:
        for entry_id, score in scores.items():
            best[entry_id] = max(best.get(entry_id, 0.0), score * clause.boost)
    ours = {index.engine.ids[n]: s for n, s in index.engine.scores(clause).items()}
    assert ours.keys() == best.keys() and best
    for entry_id, score in best.items():
        assert ours[entry_id] == pytest.approx(score, rel=0.02), entry_id


def test_the_analyser_keeps_ae_and_is_whooshs_otherwise():
    assert analyse("A&E navigators") == ["a&", "navig"]
    text = "Mentoring (e.g. 3.5 hours) cuts **offending**; mentor* R & D."
    assert analyse(text) == [t.text for t in StemmingAnalyzer()(text)]


# ---------------------------------------------------------------- the file beside the index


def test_the_synonyms_travel_with_the_index(tmp_path, fixture_corpus):
    docs = documents(fixture_corpus)
    assert build_search_index(docs, tmp_path, GROUPS) == "built 4"
    assert json.loads((tmp_path / "search" / SYNONYMS_FILE).read_text(encoding="utf-8")) == {"groups": [list(g) for g in GROUPS]}
    assert build_search_index(docs, tmp_path, GROUPS) == "unchanged 4"
    assert build_search_index(docs, tmp_path, GROUPS[:1]) == "built 4"  # other synonyms: a new index
    with SearchIndex(tmp_path / "search") as ix:
        assert ids(ix.search("kids")) == []


def test_an_index_without_synonyms_searches_as_typed(tmp_path, fixture_corpus):
    build_search_index(documents(fixture_corpus), tmp_path)
    with SearchIndex(tmp_path / "search") as ix:
        assert ix.search("kicked out").total == 0


def test_a_damaged_synonyms_file_says_how_to_fix_it(tmp_path, fixture_corpus):
    build_search_index(documents(fixture_corpus), tmp_path, GROUPS)
    path = tmp_path / "search" / SYNONYMS_FILE
    for text in ("{not json", '{"groups": "kids"}', "[]"):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(IndexMissing, match=r"synonyms\.json: the synonyms cannot be read .*Fix: run `whatworks build --only search`"):
            SearchIndex(tmp_path / "search")


def test_odd_phrases_in_the_file_never_reach_the_parser(tmp_path, fixture_corpus):
    """Lint refuses such phrases; a hand-edited file still cannot break a query."""
    build_search_index(documents(fixture_corpus), tmp_path, [['kicked out', 'referral" OR (x', 'AND', '*:*', 7]])
    with SearchIndex(tmp_path / "search") as ix:
        assert ids(ix.search("kicked out"))[0] == "sample-programme"  # via "referral"
