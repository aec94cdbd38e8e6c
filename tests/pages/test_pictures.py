"""The build-time SVG pictures, checked by structure: rows, axes, the no-effect line's
position, the favourable side's words, links, titles and descriptions."""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET

import pytest

from build_tools.pages.facts import all_facts
from build_tools.pages.pictures.borough_map import GRID, PAN_LONDON, london_counts_map, programme_map
from build_tools.pages.pictures.forest import LOWER_IS_BETTER, HIGHER_IS_BETTER, PLOT_LEFT, PLOT_RIGHT, forest_panels, forest_plot
from build_tools.pages.pictures.overview_chart import overview_chart
from conftest import load_ok, make_tree

STUDY = """\
id: {id}
name: {name}
summary: A synthetic study used by the picture tests, with effects and confidence intervals.
title: {name}
authors: [Tester A]
year: {year}
url: https://example.org/{id}
design: {design}
countries: [england]
evaluates: [sample-mentoring]
findings:
{findings}
review: {{status: reviewed, last_reviewed: 2026-03-01, next_review_due: 2027-03-01, reviewers: [tester]}}
"""
FINDING = """\
  - outcome: {outcome}
    measure: a measure
    result: A result in words.
{direction}    effect: {{type: {type}, value: {value}, ci_low: {low}, ci_high: {high}}}
"""


def _study(sid, year, design, rows):
    findings = "".join(FINDING.format(outcome=o, type=t, value=v, low=lo, high=hi,
                                      direction="" if design == "pre-post" else "    direction: no-difference\n")
                       for o, t, v, lo, hi in rows)
    return STUDY.format(id=sid, name=f"Picture study {sid}", year=year, design=design, findings=findings)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    files = {
        # With the fixture trial's odds ratio (0.8, CI 0.65 to 0.98), the log axis spans 0.5 to 2: 1 sits mid-way.
        "studies/pic-ratio.yml": _study("pic-ratio", 2022, "qed", [("offending", "odds-ratio", 1.0, 0.5, 2.0)]),
        "studies/pic-smd.yml": _study("pic-smd", 2021, "rct", [("attainment", "smd", -0.3, -0.4, -0.2)]),
        # Monitoring figures have no comparison: never drawn, even with an interval.
        "studies/pic-monitoring.yml": _study("pic-monitoring", 2023, "pre-post", [("offending", "odds-ratio", 0.5, 0.3, 0.9)]),
        "programmes/pic-everywhere.yml": (
            (make_tree.__globals__["FIXTURES"] / "valid" / "programmes" / "sample-programme.yml").read_text(encoding="utf-8")
            .replace("id: sample-programme", "id: pic-everywhere").replace("name: Sample London programme", "name: Everywhere programme")
            .replace("boroughs: [hackney, lambeth]", "boroughs: [pan-london]").replace("vru_funded: true", "vru_funded: false")
        ),
    }
    return load_ok(make_tree(tmp_path_factory.mktemp("pictures"), files))


def _svgs(markup: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", str(markup), re.S)]


def test_forest_plot_one_panel_per_effect_type_and_no_monitoring_rows(corpus):
    panels = forest_panels(corpus, corpus.studies_for("sample-mentoring"))
    assert [(p.effect_type, p.log, p.null) for p in panels] == [("odds-ratio", True, 1.0), ("smd", False, 0.0)]
    assert [[r.study_id for r in p.rows] for p in panels] == [["pic-ratio", "sample-study-2020"], ["pic-smd"]]
    ratio, smd = panels
    assert ratio.null_x == (PLOT_LEFT + PLOT_RIGHT) / 2  # log10(1) mid-way between log10(0.5) and log10(2)
    assert [label for _, label in ratio.ticks] == ["0.5", "0.7", "1", "1.5", "2"]
    # SMD -0.4 to -0.2 and no effect at 0, padded by 8% of the span: 0 sits at 432/464 of the width.
    assert smd.null_x == PLOT_LEFT + 270.0
    row = ratio.rows[1]  # sample-study-2020: 0.8 (0.65 to 0.98), on the log axis
    x = lambda v: PLOT_LEFT + (math.log10(v) + math.log10(2) * 1.16) / (math.log10(2) * 2.32) * (PLOT_RIGHT - PLOT_LEFT)  # noqa: E731
    assert (row.x, row.x_low, row.x_high) == tuple(round(x(v), 1) for v in (0.8, 0.65, 0.98))
    assert row.x_low < row.x < row.x_high < ratio.null_x


def test_forest_plot_svg_structure(corpus):
    markup = forest_plot(corpus, "sample-mentoring", "Sample mentoring")
    ratio, smd = _svgs(markup)
    assert ratio.get("role") == "img" and ratio.get("data-effect-type") == "odds-ratio"
    title_id, desc_id = ratio.get("aria-labelledby").split()
    assert ratio.find("title").get("id") == title_id and ratio.find("desc").get("id") == desc_id
    assert ratio.find("title").text == "Forest plot of findings for Sample mentoring: Odds ratio (log scale), lower is better"
    desc = ratio.find("desc").text
    assert "Sample trial of mentoring (2020), violence (perpetration): odds ratio 0.8 (CI 0.65 to 0.98)." in desc
    assert "pic-monitoring" not in str(markup) and "Picture study pic-monitoring" not in desc
    rows = ratio.findall("g")
    assert [g.get("data-study") for g in rows] == ["pic-ratio", "sample-study-2020"]
    assert all(len(g.findall("line")) == 1 and len(g.findall("rect")) == 1 for g in rows)
    null = ratio.find("line[@class='ww-forest__null']")
    assert null.get("x1") == null.get("x2") == "475.0"
    sides = [t.text for t in ratio.findall("text[@class='ww-svg__side']")]
    assert sides == ["\u2190 favours the intervention", "favours the comparison \u2192"]
    # Attainment: higher is better, so the words swap ends; SMD is linear with no effect at 0.
    assert [t.text for t in smd.findall("text[@class='ww-svg__side']")] == ["\u2190 favours the comparison", "favours the intervention \u2192"]
    assert smd.find("title").text.endswith("Standardised mean difference, higher is better")
    assert smd.find("line[@class='ww-forest__null']").get("x1") == "600.0"
    assert [t.text for t in smd.findall("text") if t.text and t.text.startswith("No effect")] == ["No effect (0)"]


def test_no_forest_plot_without_intervals(corpus):
    assert forest_plot(corpus, "sample-boot-camps", "Sample boot camps") == ""


def test_real_findings_sit_on_the_side_their_direction_says(real_corpus):
    """The favourable-side words come from a table of outcomes; the evidence's own directions check it."""
    checked = 0
    for entry in real_corpus.approaches + real_corpus.programmes:
        for panel in forest_panels(real_corpus, real_corpus.studies_for(entry.id)):
            for row, (study, finding) in zip(panel.rows, _findings(real_corpus, entry.id, panel.effect_type)):
                clear = row.x_high < panel.null_x or row.x_low > panel.null_x
                # Outcomes in neither set (behaviour, family) get neutral words, so there is nothing to check.
                if finding.direction in ("favourable", "unfavourable") and clear and finding.outcome in LOWER_IS_BETTER | HIGHER_IS_BETTER:
                    left_good = finding.outcome in LOWER_IS_BETTER
                    assert (row.x < panel.null_x) == (left_good == (finding.direction == "favourable")), (study.id, finding.outcome)
                    checked += 1
    assert checked >= 3


def _findings(corpus, entry_id, effect_type):
    from build_tools.pages.pictures.forest import plotted_findings, _polarity
    found = plotted_findings(corpus, corpus.studies_for(entry_id))
    by_type = [(s, f) for s, f in found if f.effect.type == effect_type]
    return sorted(by_type, key=lambda sf: str(_polarity(sf[1].outcome)))


def test_tile_map_covers_the_boroughs_vocabulary(real_corpus):
    ids = [t.id for t in real_corpus.vocabularies["boroughs"].terms if t.id != PAN_LONDON]
    assert sorted(GRID) == sorted(ids) and len(ids) == 33
    assert len({(c, r) for c, r, _ in GRID.values()}) == 33  # no two boroughs share a square
    assert len({a for _, _, a in GRID.values()}) == 33


def test_programme_map_fills_its_boroughs(corpus):
    svg, = _svgs(programme_map(corpus, corpus.entry("sample-programme"), "../"))
    tiles = {a.get("data-borough"): a for a in svg.findall("a")}
    assert len(tiles) == 33
    filled = sorted(b for b, a in tiles.items() if a.find("rect").get("class").endswith("--runs"))
    assert filled == ["hackney", "lambeth"]
    assert tiles["hackney"].get("href") == "../london/hackney.html"
    # named by its <title> (no aria-label), which holds the abbreviation the tile shows (WCAG 2.5.3)
    assert [tiles[b].find("title").text for b in ("hackney", "sutton")] == ["Hackney (HCK): runs here", "Sutton (STN): not listed"]
    assert [a for a in svg.iter() if a.get("aria-label")] == []
    assert svg.find("title").text == "Where Sample London programme runs in London"
    assert svg.find("desc").text == "Sample London programme runs in Hackney, Lambeth."
    svg, = _svgs(programme_map(corpus, corpus.entry("pic-everywhere"), "../"))
    assert all(a.find("rect").get("class").endswith("--runs") for a in svg.findall("a"))
    assert svg.find("desc").text == "Everywhere programme runs across all of London: every borough is filled."


def test_london_map_counts_pan_london_everywhere(corpus):
    svg, = _svgs(london_counts_map(corpus, ""))
    tiles = {a.get("data-borough"): a for a in svg.findall("a")}
    assert [tiles[b].find("title").text for b in ("hackney", "sutton")] == ["Hackney (HCK): 2 programmes", "Sutton (STN): 1 programme"]
    assert tiles["sutton"].find("rect").get("class") == "ww-map__tile ww-map__tile--pan"
    assert tiles["hackney"].find("rect").get("class") == "ww-map__tile ww-map__tile--few"
    assert [t.text for t in tiles["hackney"].findall("text")] == ["HCK", "2"]
    assert svg.find("desc").text.startswith("1 programme runs across all of London, so every borough has at least 1. More run in Hackney (2), Lambeth (2).")


def test_overview_chart_marks_link_to_their_pages(corpus):
    facts = all_facts(corpus)
    svg, = _svgs(overview_chart(corpus, facts, "../"))
    assert svg.find("title").text == "Approaches by impact on violence and strength of evidence"
    assert svg.get("aria-labelledby") == "overview-title overview-desc"
    marks = {a.get("data-approach"): a for a in svg.findall("a")}
    assert sorted(marks) == sorted(a.id for a in corpus.approaches)
    assert marks["sample-mentoring"].get("href") == "../approaches/sample-mentoring.html"
    # The band is the headline the lists show (facts.py), never recomputed here.
    # named by its <title>, which starts with the visible name (WCAG 2.5.3 label in name)
    assert marks["sample-mentoring"].find("title").text == "Sample mentoring: Moderate impact; SMS 5; cost EEF Teaching and Learning Toolkit: moderate"
    assert [a for a in svg.findall("a") if a.get("aria-label")] == []
    assert [t.text for t in marks["sample-mentoring"].findall("text")] == ["Sample mentoring", "£ moderate"]
    assert marks["sample-boot-camps"].find("title").text.startswith("Sample boot camps: Harmful; ")
    bands = [t.text for t in svg.findall("text") if "ww-overview__bandtext" in (t.get("class") or "")]
    assert bands == ["Moderate impact", "Harmful"]


def test_london_pages_without_pan_london_in_the_vocabulary(tmp_path):
    """A vocabulary edit lint accepts must still build: no pan-London page, every borough page."""
    from build_tools.pages.boroughs import london_pages

    evidence = make_tree(tmp_path)
    vocab = evidence / "vocabularies" / "boroughs.yml"
    vocab.write_text(re.sub(r"  - id: pan-london\n(    .*\n)+", "", vocab.read_text(encoding="utf-8")), encoding="utf-8")
    corpus = load_ok(evidence)
    pages = dict(london_pages(corpus, all_facts(corpus)))
    assert "london/pan-london.md" not in pages and len([p for p in pages if p.startswith("london/")]) == 33 + 2
    assert "pan-london.html" not in pages["london/index.md"]
    assert "Programmes run in Hackney (1), Lambeth (1)." in html.unescape(pages["london/index.md"])


def test_borough_page_flags_a_stale_evaluation_status(tmp_path):
    """The status is a dated claim: past its re-check date the borough page says so (explicit dates: any-day safe)."""
    import datetime as dt

    from build_tools.pages.boroughs import london_pages
    from build_tools.pages.facts import all_facts as facts_on

    corpus = load_ok(make_tree(tmp_path))
    fresh = html.unescape(dict(london_pages(corpus, facts_on(corpus, today=dt.date(2026, 2, 2))))["london/hackney.md"])
    assert "checked 2026-02-01" in fresh and "may be out of date" not in fresh
    stale = html.unescape(dict(london_pages(corpus, facts_on(corpus, today=dt.date(2026, 9, 1))))["london/hackney.md"])
    assert "Not re-checked for over 6 months: may be out of date." in stale
