"""Invariants of the real corpus (issue #3): coverage, sourcing and honesty checks that the
schema alone cannot express."""

from __future__ import annotations

import re
from collections import Counter

AP_SETTINGS = {"pru", "other-ap", "in-school-ap-unit"}
NUMBER = re.compile(r"(?<![\w.-])\d+(\.\d+)?%?")


def test_counts(real_corpus):
    assert len(real_corpus.approaches) >= 30
    assert len(real_corpus.programmes) >= 15
    assert len(real_corpus.studies) >= 15
    assert sum(p.vru_funded for p in real_corpus.programmes) >= 8


def test_every_priority_area_has_at_least_five_entries(real_corpus):
    counts = Counter(area for e in real_corpus.approaches + real_corpus.programmes for area in e.priority_areas)
    assert {t.id for t in real_corpus.vocabularies["priority-areas"].terms} == set(counts)
    assert min(counts.values()) >= 5, counts


def test_alternative_provision_coverage(real_corpus):
    ap = [e.id for e in real_corpus.entries if AP_SETTINGS & set(getattr(e, "settings", ()))]
    assert len(ap) >= 8, ap


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
