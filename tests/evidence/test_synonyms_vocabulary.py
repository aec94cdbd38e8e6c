"""vocabularies/synonyms.yml: loaded with the other vocabularies, handed on normalised."""

from __future__ import annotations

from build_tools.evidence.corpus import load_corpus
from conftest import TODAY, load_ok, make_tree

SYNONYMS = """id: synonyms
name: Search synonyms
description: Words practitioners search with.
groups:
  - [Gangs,  group   violence]
  - ["  Kicked Out ", excluded, A&E]
"""


def test_corpus_synonyms_are_lower_case_single_spaced_in_file_order(tmp_path):
    corpus = load_ok(make_tree(tmp_path, {"vocabularies/synonyms.yml": SYNONYMS}))
    assert corpus.synonyms == (("gangs", "group violence"), ("kicked out", "excluded", "a&e"))
    assert "synonyms" not in corpus.vocabularies  # not a list of terms: no lookup table, no glossary


def test_without_a_synonyms_file_there_are_none(tmp_path):
    evidence = make_tree(tmp_path)
    (evidence / "vocabularies" / "synonyms.yml").unlink()
    assert load_ok(evidence).synonyms == ()


def test_a_broken_synonyms_file_is_a_problem_not_a_crash(tmp_path):
    evidence = make_tree(tmp_path, {"vocabularies/synonyms.yml": "id: synonyms\nname: S\ndescription: D.\ngroups: [gangs]\n"})
    result = load_corpus(evidence, today=TODAY)
    assert result.corpus is None
    assert [p.text() for p in result.problems] == [
        f"{evidence}/vocabularies/synonyms.yml:4:10: groups[0]: expected a list, got 'gangs'. "
        "Fix: write it as a list in brackets: [value, value] [wrong-type]"]


def test_the_real_synonyms_cover_the_words_practitioners_use(real_corpus):
    phrases = {p for group in real_corpus.synonyms for p in group}
    for word in ("gangs", "county lines", "knife", "knives", "blade", "stabbing", "excluded", "kicked out", "pru",
                 "pupil referral unit", "ap", "alternative provision", "cbt", "mst", "fft", "yot", "youth offending team",
                 "a&e", "emergency department", "behaviour", "behavior", "anger", "kids", "children", "focused deterrence",
                 "sexual assault", "domestic abuse", "asb", "semh", "looked after children"):
        assert word in phrases, word


def test_the_real_synonyms_leave_out_what_the_audit_found_misleading(real_corpus):
    """An independent audit (2026-12): these matched unrelated text or joined what differs
    (children are not young people to 25; youth justice is the whole system, not the YOT)."""
    phrases = {p for group in real_corpus.synonyms for p in group}
    for phrase in ("the met", "officers", "group violence", "drug dealing", "young people", "youth", "juveniles",
                   "youth justice", "liaison and diversion", "life skills", "befriending", "role model", "attendance",
                   "family violence", "sro"):  # the second audit: family therapy under "domestic abuse"; Senior Responsible Owner
        assert phrase not in phrases, phrase
    together = {p: set(group) for group in real_corpus.synonyms for p in group}
    assert "domestic abuse" not in together["dating violence"]
    assert "trauma" not in together["adverse childhood experiences"]
    assert "alcohol" not in together["drugs"]


def test_lint_refuses_what_the_endpoint_treats_as_syntax_and_looks_for_no_longer_phrases():
    """Lint (which must not import the search engine) keeps its own copy of these two facts; the
    endpoint's are the source, so a synonym lint accepts is one the endpoint can look for."""
    from build_tools.evidence import rules_synonyms
    from datasette_whatworks_search import schema, synonyms

    assert rules_synonyms.SYNTAX_WORDS == schema.OPERATORS
    assert rules_synonyms.MAX_PHRASE_WORDS == synonyms.MAX_PHRASE_WORDS
