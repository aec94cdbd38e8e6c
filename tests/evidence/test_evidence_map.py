"""Issue 13: the outputs cannot say more than the evidence does.

On a fixture tree (the valid fixtures plus a monitoring report, a review two sources rest on,
and an excluded list) and on the real corpus, with the real database, search documents,
exports and an `mkdocs build --strict` site: a non-comparative finding counts nowhere as
impact; no approach rated on an outcome shows "Gap" there; a shared review counts once;
headline and gap map agree; dated statuses go stale by the injected clock; exclusions are
published.
"""

from __future__ import annotations

import csv
import datetime as dt
import html as htmllib
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from build_tools.database.build import build_database
from build_tools.evidence.evidence_map import headline_outcomes
from build_tools.exports import build_exports
from build_tools.pages.build import build_site
from build_tools.pages.facts import all_facts
from build_tools.pages.gapmap import gap_map_page
from build_tools.search.documents import documents
from conftest import REPO, TODAY, config_of, load_ok, make_tree
from site_support import site_repo
from build_tools.config import read_config

REVIEW_META = "review: {status: draft, last_reviewed: 2026-01-15, next_review_due: 2027-01-15, reviewers: [tester]}\n"
EXTRA = {
    # Setting-reported figures on an outcome sample-mentoring aims at and no comparative study covers.
    "studies/sample-monitoring.yml": """id: sample-monitoring
name: Sample mentoring monitoring report
summary: Synthetic monitoring figures reported by the settings themselves, with no comparison group at all.
title: Sample monitoring report
authors: [Sample Trust]
year: 2024
year_approximate: true
url: https://example.org/monitoring
design: monitoring-only
countries: [england]
settings: [pru]
evaluates: [sample-mentoring]
findings:
  - outcome: exclusion
    measure: share of settings reporting fewer exclusions
    result: 80% of settings said exclusions fell.
""" + REVIEW_META,
    "studies/sample-review.yml": """id: sample-review
name: Sample meta-analysis of family support
summary: A synthetic systematic review that two clearinghouses both rest their ratings on, pooling 24 studies.
title: Sample meta-analysis
authors: [Reviewer R]
year: 2019
url: https://example.org/review
design: systematic-review
studies_pooled: 24
countries: [international]
evaluates: [sample-family-support]
findings:
  - outcome: offending
    measure: offending, pooled
    result: Less offending on average.
    direction: favourable
""" + REVIEW_META,
    "approaches/sample-family-support.yml": """id: sample-family-support
name: Sample family support
summary: A synthetic approach rated by two sources that both rest on one meta-analysis held here.
priority_areas: [stronger-families]
settings: [family-home]
outcomes: [violence-perpetration, offending, attendance]
ratings:
  - source: yef-toolkit
    outcome: violence-perpetration
    impact: Moderate
    estimate: {type: percent-change, range_low: -35, range_high: -28}
    based_on: [sample-review]
    url: https://example.org/yef/family
    checked: 2026-01-15
  - source: crimesolutions
    outcome: offending
    impact: Effective
    strand: Family support for older children
    based_on: [sample-review]
    url: https://example.org/cs/family
    checked: 2026-01-15
  - source: eef-toolkit
    outcome: attendance
    in_words: Describes the evidence on attendance as promising but thin.
    url: https://example.org/eef/family
    checked: 2026-01-15
""" + REVIEW_META,
    "excluded.yml": """excluded:
  - item: A sample evaluation that could not be read
    reason: The only copy found was behind a login, so no figure could be checked.
    url: https://example.org/closed
    considered: 2026-01-10
  - item: A sample press claim of 90% less reoffending
    reason: No comparison group and no report behind the claim.
    considered: 2026-02-10
""",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return load_ok(make_tree(tmp_path_factory.mktemp("honest"), EXTRA))


@pytest.fixture(scope="module")
def db(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("honest-db")
    path = build_database(corpus, config_of(corpus), out)
    build_exports(corpus, config_of(corpus), out)
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    return connection


@pytest.fixture(scope="module")
def site(corpus, tmp_path_factory):
    repo = site_repo(tmp_path_factory.mktemp("honest-site") / "repo")
    return build_site(corpus, read_config(repo), repo / "_build")


@pytest.fixture(scope="module")
def real_db(real_corpus, tmp_path_factory):
    connection = sqlite3.connect(build_database(real_corpus, config_of(real_corpus), tmp_path_factory.mktemp("real-db")))
    connection.row_factory = sqlite3.Row
    return connection


def canned(db, name: str, **params) -> list[dict]:
    sql = yaml.safe_load((REPO / "datasette_metadata.yml").read_text(encoding="utf-8"))["databases"]["evidence"]["queries"][name]["sql"]
    wanted = {k: params.get(k, "") for k in re.findall(r":(\w+)", sql)}
    return [dict(r) for r in db.execute(sql, wanted)]


def text_of(html: str) -> str:
    """The article's text as a reader sees it (as in test_site): inline tags join their text."""
    html = html.split("<article", 1)[1].split(">", 1)[1].split("</article>", 1)[0]
    html = re.sub(r"<(script|style)\b.*?</\1>|<a class=\"headerlink\".*?</a>", " ", html, flags=re.S)
    html = re.sub(r"</?(a|span|strong|em|code|b|i)\b[^>]*>", "", html)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def gap_cells_html(markdown: str, approach: str) -> list[tuple[str, str]]:
    row = re.search(rf'<tr><th scope="row"><a href="\.\./approaches/{approach}\.html">.*?</tr>', markdown).group(0)
    return re.findall(r'<td class="ww-gap ww-gap--(\w+)">(.*?)</td>', row)


# ---------------------------------------------------------------- monitoring is not impact


def test_a_non_comparative_finding_counts_nowhere_as_impact(corpus, db, site, tmp_path_factory):
    cell = corpus.gap_map[("sample-mentoring", "exclusion")]
    assert (cell.status, cell.evidence, [s.id for s in cell.monitoring]) == ("gap", 0, ["sample-monitoring"])
    assert [s.id for s, _ in corpus.backfires(corpus.entry("sample-mentoring"))] == ["sample-study-2020"]
    facts = all_facts(corpus)["sample-mentoring"]
    assert (facts.n_studies, facts.n_monitoring, facts.best_sms) == (1, 1, 5)

    finding = dict(db.execute("select direction, comparative from findings where study = 'sample-monitoring'").fetchone())
    assert finding == {"direction": None, "comparative": 0}
    gap = dict(db.execute("select status, evidence, monitoring_studies, favourable, no_difference from evidence_gap_map "
                          "where approach = 'sample-mentoring' and outcome = 'exclusion'").fetchone())
    assert gap == {"status": "gap", "evidence": 0, "monitoring_studies": 1, "favourable": 0, "no_difference": 0}
    row = dict(db.execute("select study_count, impact_study_count, backfires from approaches where id = 'sample-mentoring'").fetchone())
    assert row == {"study_count": 2, "impact_study_count": 1, "backfires": 1}
    ap = {r["id"]: r for r in canned(db, "strongest_evidence_in_ap")}
    assert (ap["sample-mentoring"]["studies"], ap["sample-mentoring"]["monitoring_only"]) == (1, 1)
    assert (ap["sample-monitoring"]["studies"], ap["sample-monitoring"]["max_sms_level"]) == (0, None)
    assert "sample-monitoring" not in (canned(db, "harmful_or_backfiring")[0]["backfire_findings"] or "")
    by_design = [r for r in canned(db, "findings_by_design") if r["study"] == "sample-monitoring"]
    assert [r["direction"] for r in by_design] == ["monitoring: no comparison group"]
    assert canned(db, "findings_by_design")[-1]["study"] == "sample-monitoring"  # after every comparative finding
    gaps = {(r["approach"], r["outcome"]): r["monitoring_studies"] for r in canned(db, "evidence_gaps")}
    assert gaps[("sample-mentoring", "exclusion")] == 1  # still a gap, with its monitoring listed

    docs = {d["id"]: d for d in documents(corpus)}
    assert (docs["sample-monitoring"]["level"], docs["sample-mentoring"]["level"]) == ("", "5")
    exported = {r["id"]: r for r in csv.DictReader((db_path_dir(db) / "exports" / "findings.csv").open(encoding="utf-8"))}
    assert (exported["sample-monitoring-1"]["comparative"], exported["sample-monitoring-1"]["direction"]) == ("0", "")

    approach = text_of((site / "approaches" / "sample-mentoring.html").read_text(encoding="utf-8"))
    assert "In this repository: 1 study, best SMS 5; 1 with no comparison group, not counted" in approach
    assert "Monitoring: no comparison group 80% of settings said exclusions fell." in approach
    study = text_of((site / "studies" / "sample-monitoring.html").read_text(encoding="utf-8"))
    assert "Study · about 2024 · Monitoring data only" in study and "No comparison group: its figures cannot show impact" in study
    cells = gap_cells_html((site / "gap-map" / "index.html").read_text(encoding="utf-8"), "sample-mentoring")
    assert ("gap", 'Gap<span class="ww-gap__design">no comparison</span>') in cells


def db_path_dir(db) -> Path:
    return Path(db.execute("pragma database_list").fetchone()[2]).parent


# ---------------------------------------------------------------- shared reviews, ranges, prose ratings


def test_sources_resting_on_one_review_count_once(corpus, db, site):
    entry = corpus.entry("sample-family-support")
    bases = corpus.evidence_bases(entry)
    assert [(b.key, b.sources, b.shared) for b in bases] == [
        ("sample-review", ("yef-toolkit", "crimesolutions"), True), ("eef-toolkit:own-review", ("eef-toolkit",), False)]
    assert bases[0].studies_pooled == 24
    violence = corpus.gap_map[("sample-family-support", "violence-perpetration")]
    offending = corpus.gap_map[("sample-family-support", "offending")]
    assert (violence.evidence, [r.id for r in violence.reviews], violence.studies_pooled) == (1, ["sample-review"], 24)
    assert (offending.evidence, [r.id for r in offending.reviews]) == (1, ["sample-review"])  # its own finding, once

    rows = [dict(r) for r in db.execute("select source, evidence_base, sources_on_base, based_on from ratings_crosswalk "
                                         "where entry = 'sample-family-support' order by rating")]
    assert rows == [
        {"source": "yef-toolkit", "evidence_base": "sample-review", "sources_on_base": 2, "based_on": '["sample-review"]'},
        {"source": "crimesolutions", "evidence_base": "sample-review", "sources_on_base": 2, "based_on": '["sample-review"]'},
        {"source": "eef-toolkit", "evidence_base": "eef-toolkit:own-review", "sources_on_base": 1, "based_on": "[]"},
    ]
    assert [dict(r) for r in db.execute("select rating, study from rating_reviews order by rating")] == [
        {"rating": "sample-family-support-1", "study": "sample-review"},
        {"rating": "sample-family-support-2", "study": "sample-review"}]
    assert canned(db, "shared_evidence_bases") == [{"entry": "sample-family-support", "entry_name": "Sample family support",
                                                    "evidence_base": "sample-review", "sources": "YEF Toolkit,CrimeSolutions",
                                                    "ratings": 2}]
    assert dict(db.execute("select evidence_bases, headline_band from approaches where id = 'sample-family-support'").fetchone()) == {
        "evidence_bases": 2, "headline_band": "moderate"}
    assert dict(db.execute("select estimate_value, estimate_range_low, estimate_range_high from ratings "
                           "where id = 'sample-family-support-1'").fetchone()) == {
        "estimate_value": None, "estimate_range_low": -35.0, "estimate_range_high": -28.0}

    page = text_of((site / "approaches" / "sample-family-support.html").read_text(encoding="utf-8"))
    assert ("3 ratings from 3 sources rest on 2 independent evidence bases. YEF Toolkit and CrimeSolutions rest on the "
            "same review: Sample meta-analysis of family support (24 studies); count it once.") in page
    assert "In this repository: 1 study (a review pooling 24 studies)" in page
    assert "YEF Toolkit: “Moderate”, −35 to −28%" in page
    assert "EEF Teaching and Learning Toolkit, in our words: Describes the evidence on attendance as promising but thin." in page
    assert "Strand: Family support for older children" in page
    assert page.count("Based on Sample meta-analysis of family support (24 studies)") == 2


# ---------------------------------------------------------------- the gap map tells the truth


@pytest.mark.parametrize("which", ["fixtures", "real"])
def test_no_approach_rated_on_an_outcome_shows_gap_there(which, corpus, real_corpus):
    c = corpus if which == "fixtures" else real_corpus
    page = gap_map_page(c, {})
    columns = [t.id for t in c.vocabularies["outcomes"].terms if t.id in {o for _, o in c.gap_map}]
    rated = 0
    for approach in c.approaches:
        cells = dict(zip(columns, gap_cells_html(page, approach.id)))
        for rating in approach.ratings + tuple(r for p in c.programmes_for(approach.id) for r in p.ratings):
            rated += 1
            assert c.gap_map[(approach.id, rating.outcome)].status == "evidence", (approach.id, rating.outcome)
            assert cells[rating.outcome][0] != "gap" and cells[rating.outcome][1] != "Gap", (approach.id, rating.outcome)
    assert rated >= (5 if which == "fixtures" else 50)


@pytest.mark.parametrize("which", ["fixtures", "real"])
def test_headline_and_gap_map_cannot_disagree(which, corpus, real_corpus, db, real_db):
    c, connection = (corpus, db) if which == "fixtures" else (real_corpus, real_db)
    facts = all_facts(c)
    docs = {d["id"]: d for d in documents(c)}
    stored = {r["id"]: r["headline_band"] for r in connection.execute(
        "select id, headline_band from approaches union all select id, headline_band from programmes")}
    headlined = 0
    for entry in c.approaches + c.programmes:
        band = c.headline(entry)
        assert stored[entry.id] == facts[entry.id].headline == band, entry.id
        assert docs[entry.id]["band"] == (band or ""), entry.id
        if band is None or entry not in c.approaches:
            continue
        headlined += 1
        behind = [r for r in entry.ratings if c.band(r) == band and (r.outcome in headline_outcomes(c) or band == "harmful")]
        assert behind, entry.id
        for rating in behind:  # whatever makes the headline is evidence on the gap map, never "Gap"
            assert c.gap_map[(entry.id, rating.outcome)].status == "evidence", (entry.id, rating.outcome)
    assert headlined >= (3 if which == "fixtures" else 20)


# ---------------------------------------------------------------- dated statuses


def test_a_status_not_rechecked_for_six_months_shows_as_such(corpus, db, site):
    programme = corpus.entry("sample-programme")  # checked 2026-02-01
    assert corpus.status_recheck_due(programme) == dt.date(2026, 8, 1)
    assert all_facts(corpus, dt.date(2026, 7, 31))["sample-programme"].status_stale is False
    assert all_facts(corpus, dt.date(2026, 8, 1))["sample-programme"].status_stale is True
    assert TODAY >= dt.date(2026, 8, 1)
    page = text_of((site / "programmes" / "sample-programme.html").read_text(encoding="utf-8"))
    assert ("Status checked 2026-02-01 on this page. Not re-checked for over 6 months (due 2026-08-01): this status "
            "may be out of date.") in page
    assert [r["programme"] for r in canned(db, "statuses_not_rechecked", as_of="2026-08-01")] == ["sample-programme"]
    assert canned(db, "statuses_not_rechecked", as_of="2026-07-31") == []


def test_recheck_date_keeps_to_the_end_of_short_months(corpus):
    programme = corpus.entry("sample-programme").model_copy(update={"evaluation_checked": dt.date(2026, 8, 31)})
    assert corpus.status_recheck_due(programme) == dt.date(2027, 2, 28)


# ---------------------------------------------------------------- exclusions are published


def test_exclusions_appear_on_the_site_and_in_the_database(corpus, db, site, real_corpus, real_db):
    rows = [dict(r) for r in db.execute("select item, reason, considered, url from excluded order by id")]
    assert rows == [{"item": x.item, "reason": x.reason, "considered": x.considered.isoformat(), "url": x.url}
                    for x in corpus.excluded]
    page = text_of((site / "excluded.html").read_text(encoding="utf-8"))
    assert ("2 items, most recently considered first. Considered and excluded Considered What Why it was left out "
            "2026-02-10 A sample press "
            "claim of 90% less reoffending No comparison group and no report behind the claim. 2026-01-10") in page
    assert '<a href="https://example.org/closed">A sample evaluation that could not be read</a>' in \
        (site / "excluded.html").read_text(encoding="utf-8")
    assert 'href="excluded.html"' in (site / "methodology.html").read_text(encoding="utf-8")
    assert real_db.execute("select count(*) from excluded").fetchone()[0] == len(real_corpus.excluded) > 50


def test_the_headline_outcomes_are_vocabulary_data(real_corpus):
    assert headline_outcomes(real_corpus) == ("violence-perpetration", "violence-victimisation")


def test_band_order_is_the_impact_bands_vocabulary_order(real_corpus):
    ranked = sorted(["harmful", None, "low", "high", "insufficient", "none", "moderate"], key=real_corpus.band_rank)
    assert ranked == ["high", "moderate", "low", "none", "insufficient", "harmful", None]
    assert [t.id for t in real_corpus.vocabularies["impact-bands"].terms] == ranked[:-1]
