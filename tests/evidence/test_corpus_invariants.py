"""Invariants of the real corpus (issues #3 and #14): coverage, sourcing and honesty checks that
the schema alone cannot express. The counts are floors a London commissioner relies on: a change
that drops below one has removed evidence and must say why."""

from __future__ import annotations

import re
from collections import Counter

AP_SETTINGS = {"pru", "other-ap", "in-school-ap-unit"}  # the settings vocabulary's alternative_provision terms
NUMBER = re.compile(r"(?<![\w.-])\d+(\.\d+)?%?")


UK = {"england", "wales", "scotland", "northern-ireland"}
# Entries *about* alternative provision (not merely usable in it), as listed in the December 2026 audit.
ABOUT_AP = {
    "alternative-provision-support", "internal-alternative-provision", "ap-specialist-taskforces",
    "integrated-programme", "pru-mentoring", "school-exclusion-trial", "the-difference-leadership-programme",
    "afacan-2019-behaviour-alternative-middle-schools", "disley-2023-integrated-evaluation",
    "ioe-nfer-2014-school-exclusion-trial", "kendall-2003-alternative-education-initiatives",
    "kendall-2005-further-study-alternative-education", "malcolm-2022-post16-destinations-ap",
    "martin-2012-back-on-track-ap-pilots", "ofsted-2019-knife-crime-london", "rand-2023-apst-evaluation",
    "thomson-2021-investigating-alternative-provision", "timpson-2019-review-school-exclusion",
    "yef-2024-children-violence-vulnerability", "iff-2018-alternative-provision", "vru-2024-pru-mentoring-monitoring",
}


def test_counts(real_corpus):
    assert len(real_corpus.approaches) >= 38
    assert len(real_corpus.programmes) >= 30
    assert sum(bool(p.boroughs) for p in real_corpus.programmes) >= 18  # run in London
    assert len(real_corpus.studies) >= 45
    assert sum(bool(UK & set(s.countries)) for s in real_corpus.studies) >= 15  # UK or London evaluations
    assert sum(p.vru_funded for p in real_corpus.programmes) >= 8


def test_every_priority_area_has_at_least_ten_entries(real_corpus):
    counts = Counter(area for e in real_corpus.approaches + real_corpus.programmes for area in e.priority_areas)
    assert {t.id for t in real_corpus.vocabularies["priority-areas"].terms} == set(counts)
    assert min(counts.values()) >= 10, counts


def test_stronger_families_has_ten_entries_and_four_studies(real_corpus):
    family = {e.id for e in real_corpus.approaches + real_corpus.programmes if "stronger-families" in e.priority_areas}
    studies = [s.id for s in real_corpus.studies if family & set(s.evaluates)]
    assert len(family) >= 10 and len(studies) >= 4, (family, studies)
    assert sum(bool(UK & set(real_corpus.entry(s).countries)) for s in studies) >= 4  # UK family trials


def test_alternative_provision_coverage(real_corpus):
    tagged = [e.id for e in real_corpus.entries if AP_SETTINGS & set(getattr(e, "settings", ()))]
    assert len(tagged) >= 8, tagged
    assert ABOUT_AP <= {e.id for e in real_corpus.entries} and len(ABOUT_AP) >= 12
    assert all(AP_SETTINGS & set(real_corpus.entry(i).settings) for i in ABOUT_AP)


def test_harmful_practices_are_present_and_flagged(real_corpus):
    for entry_id in ("prison-awareness-programmes", "boot-camps"):
        assert real_corpus.is_harmful(real_corpus.entry(entry_id)), entry_id
    assert [e.id for e in real_corpus.entries if real_corpus.is_harmful(e)] == ["boot-camps", "prison-awareness-programmes"]
    backfires = [s.id for s in real_corpus.studies if real_corpus.backfires(s)]
    assert "petrosino-2013-scared-straight" in backfires
    assert real_corpus.backfires(real_corpus.entry("prison-awareness-programmes"))


def test_every_rating_has_a_source_url_and_check_date(real_corpus):
    ratings = [r for e in real_corpus.approaches + real_corpus.programmes for r in e.ratings]
    assert len(ratings) >= 40
    assert all(r.url.startswith("https://") and r.checked for r in ratings)


def test_every_number_in_prose_has_a_reference(real_corpus):
    """An entry whose text states figures must list where they were checked."""
    for entry in real_corpus.approaches + real_corpus.programmes:
        prose = " ".join(filter(None, [entry.summary, entry.description, entry.how_it_works, entry.for_whom,
                                       entry.implementation, entry.cost_notes, entry.cautions]))
        if NUMBER.search(prose):
            assert entry.references or entry.ratings, f"{entry.id} states figures but cites no source"


def test_every_entry_has_summary_and_review(real_corpus):
    for entry in real_corpus.entries:
        assert 40 <= len(entry.summary) <= 400, entry.id
        assert entry.review.last_reviewed and entry.review.next_review_due > entry.review.last_reviewed, entry.id


def test_evaluation_status_is_stated_for_every_programme(real_corpus):
    statuses = Counter(p.evaluation_status for p in real_corpus.programmes)
    assert statuses["monitoring-only"] >= 1 and statuses["results-not-yet-published"] >= 1, statuses


def test_excluded_list_explains_what_was_left_out(real_corpus):
    assert len(real_corpus.excluded) >= 10
    assert all(len(x.reason) >= 10 for x in real_corpus.excluded)


def test_alternative_provision_settings_are_vocabulary_data(real_corpus):
    terms = real_corpus.vocabularies["settings"].terms
    assert {t.id for t in terms if t.alternative_provision} == AP_SETTINGS
