"""The practitioner site, built for real: generated Markdown, then `mkdocs build --strict`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as htmllib
import json
import re
from pathlib import Path

import pytest

from build_tools.evidence.corpus import load_corpus
from build_tools.evidence.models import Approach, Rating, Reference, Review
from build_tools.pages.build import GENERATED_DIRS, SiteBuildError, build_site, generate_pages, site_links
from site_support import HISTORY, RELATED, REPO, parse, site_repo
from build_tools.config import read_config

FIXTURE_IDS = {"sample-boot-camps": "approaches", "sample-mentoring": "approaches",
               "sample-programme": "programmes", "sample-study-2020": "studies"}


@pytest.fixture(scope="module")
def built(tmp_path_factory, fixture_corpus):
    """(repo, site folder) of the fixture corpus, with related entries, history and a feed."""
    repo = site_repo(tmp_path_factory.mktemp("site") / "repo")
    site = build_site(fixture_corpus, read_config(repo), repo / "_build", related=RELATED, history=HISTORY,
                      extra_files={"feed.xml": "<rss version=\"2.0\"></rss>\n"})
    return repo, site


def page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def section(html: str, anchor: str) -> str:
    """The HTML of one page section: from its heading (id=anchor) to the next h2."""
    return html.split(f'id="{anchor}">', 1)[1].split("<h2", 1)[0]


def text_of(html: str) -> str:
    """The article's text as a reader sees it: tags dropped, entities decoded, whitespace folded."""
    if "<article" in html:
        html = html.split("<article", 1)[1].split(">", 1)[1].split("</article>", 1)[0]
    html = re.sub(r"<(script|style)\b.*?</\1>|<a class=\"headerlink\".*?</a>", " ", html, flags=re.S)
    html = re.sub(r"</?(a|span|strong|em|code|b|i)\b[^>]*>", "", html)  # inline tags join their text
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


# ---------------------------------------------------------------- generation


def test_every_entry_has_a_page_headed_by_its_yaml(built, fixture_corpus):
    repo, site = built
    for entry_id, section in FIXTURE_IDS.items():
        md = (repo / "site" / section / f"{entry_id}.md").read_text(encoding="utf-8")
        body = md.split("\n---\n", 1)[1]
        assert body.startswith(f"<!-- Generated from evidence/{section}/{entry_id}.yml by `whatworks build`."), body[:120]
        assert (site / section / f"{entry_id}.html").is_file()
    built_entries = sorted(p.stem for d in ("approaches", "programmes", "studies") for p in (site / d).glob("*.html") if p.stem != "index")
    assert built_entries == sorted(FIXTURE_IDS)
    assert page(site, "feed.xml") == "<rss version=\"2.0\"></rss>\n"
    assert not [p.name for p in (repo / "_build").iterdir() if p.name != "site"]  # no temp folders left


def test_generated_markdown_is_deterministic(fixture_corpus):
    links = site_links(read_config(REPO))
    first = dict(generate_pages(fixture_corpus, links, RELATED, HISTORY))
    second = dict(generate_pages(fixture_corpus, links, RELATED, HISTORY))
    assert first == second
    assert list(first) == list(second)
    topics = sum(len(fixture_corpus.vocabularies[v].terms) + 1 for v in ("settings", "outcomes", "priority-areas"))
    # a page per borough and pan-London, the London index, the VRU portfolio, the overview chart page
    london = len(fixture_corpus.vocabularies["boroughs"].terms) + 3
    # 4 entries, 3 section indexes, topic pages and their indexes, browse, gap map, home, glossary, rating
    # scales, considered and excluded
    assert len(first) == 4 + 3 + topics + 1 + 1 + 4 + london


def test_entries_stay_out_of_the_navigation(built):
    _, site = built
    nav_links = re.findall(r'class="md-nav__link[^"]*"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*class="md-nav__link', page(site, "approaches/sample-mentoring.html"))
    targets = {a or b for a, b in nav_links}
    assert not any(re.search(r"(approaches|programmes|studies)/sample-", t) for t in targets), targets


def test_every_internal_link_resolves(built):
    """Generated pages link with raw HTML (MkDocs does not check those): check them all,
    anchors included. Links to Datasette (/data/...) and outside the site are skipped."""
    _, site = built
    ids: dict[Path, set[str]] = {}
    broken = []
    checked = 0
    for path in sorted(site.rglob("*.html")):
        for tag, attrs in parse(path).tags:
            href = attrs.get("href") if tag == "a" else None
            if not href or re.match(r"[a-z]+:|/", href):
                continue
            file, _, anchor = href.partition("#")
            target = (path.parent / file.split("?")[0]).resolve() if file else path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append((path.relative_to(site).as_posix(), href))
                continue
            if anchor and not anchor.startswith("__"):
                if target not in ids:
                    ids[target] = {a.get("id") for _, a in parse(target).tags if a.get("id")}
                if anchor not in ids[target]:
                    broken.append((path.relative_to(site).as_posix(), href))
            checked += 1
    assert broken == []
    assert checked > 500


# ---------------------------------------------------------------- entry pages


def test_approach_page_at_a_glance_crosswalk_and_links(built):
    _, site = built
    html = page(site, "approaches/sample-mentoring.html")
    text = text_of(html)
    assert "<title>Sample mentoring - What works to prevent youth violence</title>" in html
    assert "Moderate impact on violence (perpetration) YEF Toolkit: “Moderate”, −21%" in text
    assert "Low impact on attainment EEF Teaching and Learning Toolkit: “Low impact”, +2 months' progress" in text
    assert "EEF Teaching and Learning Toolkit: “moderate evidence”" in text
    assert "In this repository: 1 study, best SMS 5" in text
    assert "A study found an outcome got worse" in text  # backfire warning, not the harmful banner
    assert "Caution: harmful" not in text.split("Related entries")[0]
    crosswalk = section(html, "ratings")
    assert crosswalk.count("<tr>") == 3  # header + one row per source/outcome
    assert "YEF Toolkit checked 2026-01-15 Violence (perpetration) (“violence”) Moderate Moderate impact −21% –" in text_of(crosswalk)
    assert "EEF Teaching and Learning Toolkit checked 2026-01-15 Attainment Low impact Low impact +2 months' progress " \
        "Evidence: moderate evidence Cost: moderate" in text_of(crosswalk)
    findings = section(html, "findings")
    assert text_of(findings).endswith(
        "Sample trial of mentoring (2020) Randomised controlled trial (SMS 5) Violence (perpetration) violent offences over 12 months "
        "Follow-up: 12 months odds ratio 0.8 (CI 0.65 to 0.98), significant Favourable Fewer violent offences in the mentored group. "
        "Sample trial of mentoring (2020) Randomised controlled trial (SMS 5) Suspension suspensions over 12 months "
        "Follow-up: not stated +10% Unfavourable More suspensions in the mentored group.")
    assert 'href="https://github.com/london-vru/whatworks/edit/main/evidence/approaches/sample-mentoring.yml">Suggest a change</a>' in html
    assert 'href="/data/evidence/approaches/sample-mentoring"' in html
    assert 'href="/data/evidence/approaches/sample-mentoring.json"' in html
    assert 'href="/data/evidence/approaches.csv?id=sample-mentoring"' in html
    assert ("Cite this page: Sample mentoring. In: What works to prevent youth violence. London Violence Reduction Unit. "
            "Last reviewed 2026-01-15. https://london-vru.github.io/whatworks/approaches/sample-mentoring.html") in text
    related = text_of(section(html, "related"))
    assert related.startswith("Related entries Sample boot camps (approach) Caution: harmful Sample London programme (programme)")
    assert "First added 2025-12-01 Last changed 2026-01-15" in text


def test_harmful_banner_names_the_source(built):
    _, site = built
    html = page(site, "approaches/sample-boot-camps.html")
    assert '<div class="admonition danger">' in html
    assert "Caution: harmful YEF Toolkit rates it “Harmful” for violence (perpetration). Read the ratings" in text_of(html)
    assert '<span class="ww-band ww-band--harmful">Harmful</span>' in html


def test_study_page_findings_and_citation(built):
    _, site = built
    text = text_of(page(site, "studies/sample-study-2020.html"))
    assert "Randomised controlled trial Maryland Scientific Methods Scale level 5 of 5" in text
    assert "400 young people" in text
    assert "Tester A, Checker B (2020). A synthetic randomised trial of sample mentoring. Journal of Tests 1(1):1-10. DOI: 10.1234/test.2020.1" in text
    assert "Unfavourable More suspensions in the mentored group." in text
    assert 'href="https://doi.org/10.1234/test.2020.1"' in page(site, "studies/sample-study-2020.html")
    assert "Evaluates Sample mentoring, Sample London programme" in text


def test_search_index_holds_names_and_summaries_only(built, fixture_corpus):
    _, site = built
    docs = json.loads(page(site, "search/search_index.json"))["docs"]
    for entry_id, section in FIXTURE_IDS.items():
        mine = [d for d in docs if d["location"].split("#")[0] == f"{section}/{entry_id}.html"]
        assert len(mine) == 1, mine  # one document per entry: name + summary, body excluded
        assert len(json.dumps(mine, ensure_ascii=False).encode()) <= 2048
        assert fixture_corpus.entry(entry_id).summary in mine[0]["text"]
    everything = json.dumps(docs)
    assert "A trusted adult helps" not in everything  # how_it_works body text
    assert "violent offences over 12 months" not in everything  # findings table
    assert (site / "search" / "search_index.js").is_file()  # offline search (file://)


# ---------------------------------------------------------------- listings


def test_browse_table_lists_every_entry_with_filter_data(built):
    _, site = built
    html = page(site, "browse/index.html")
    rows = re.findall(r"<tr data-kind=[^>]+>", html)
    assert len(rows) == 4
    assert ('<tr data-kind="approach" data-setting="community pru" data-age="10-13 14-17" '
            'data-outcome="violence-perpetration exclusion" data-area="violence-and-exploitation inclusive-education" '
            'data-band="moderate" data-evidence="5" data-cost="eef-teaching-and-learning-toolkit-moderate">') in rows
    assert re.search(r'<form id="ww-filters"[^>]*\shidden[\s>]', html)  # shown only by browse.js
    options = re.findall(r'<select id="ww-f-setting".*?</select>', html)[0]
    assert re.findall(r'<option value="([^"]*)"', options)[:4] == ["", "pru", "other-ap", "in-school-ap-unit"]


def test_topic_pages_put_alternative_provision_first(built):
    _, site = built
    text = text_of(page(site, "settings/index.html"))
    assert text.index("Alternative provision and pupil referral units") < text.index("Other settings") < text.index("Mainstream school")
    pru = page(site, "settings/pru.html")
    assert re.findall(r'<a href="\.\./(?:approaches|programmes)/([a-z0-9-]+)\.html">', pru.split('id="studies"')[0]) == ["sample-mentoring", "sample-programme"]
    assert "sample-study-2020.html" in pru.split('id="studies"')[1]
    assert "Nothing is filed under this setting yet" in text_of(page(site, "settings/online.html"))
    area = text_of(page(site, "priority-areas/inclusive-education.html"))
    assert "2 filed under this priority area, highest-rated first." in area


def test_home_page_entry_points(built):
    _, site = built
    html = page(site, "index.html")
    areas = re.findall(r'<a class="ww-area" href="priority-areas/([a-z-]+)\.html">', html)
    assert areas == ["violence-and-exploitation", "positive-opportunities", "stronger-families", "inclusive-education", "community-led"]
    text = text_of(html)
    assert "Highest-rated approaches Approaches with the highest impact band any source gives them for violence. Ratings on other outcomes (behaviour, exclusions, attainment) are on each approach's page. Moderate impact Sample mentoring" in text
    assert "Harmful practices At least one source rates these as harmful: they made outcomes worse. Read the page before using any of them. Sample boot camps (approach)" in text
    recent = re.findall(r'<li><a href="([^"]+)">', html.split('id="recently-reviewed"')[1])
    assert recent == ["studies/sample-study-2020.html", "programmes/sample-programme.html",
                      "approaches/sample-mentoring.html", "approaches/sample-boot-camps.html"]
    assert '<a href="feed.xml" type="application/atom+xml">news feed of changes</a>' in html


def test_gap_map_cells(built):
    _, site = built
    html = page(site, "gap-map/index.html")
    rows = {m[0]: m[1] for m in re.findall(r'<tr><th scope="row"><a href="\.\./approaches/([a-z-]+)\.html">.*?</th>(.*?)</tr>', html)}
    assert set(rows) == {"sample-boot-camps", "sample-mentoring"}
    columns = [htmllib.unescape(c) for c in re.findall(r'<th scope="col">([^<]+)</th>', html.split("<tbody>")[0])[1:]]
    assert columns == ["Violence (perpetration)", "Offending", "Permanent exclusion", "Suspension", "Attainment"]
    cells = re.findall(r'<td class="ww-gap ww-gap--(\w+)">(.*?)</td>', rows["sample-mentoring"])
    assert [shade for shade, _ in cells] == ["some", "none", "gap", "few", "few"]
    # violence: YEF's rating (its review, not held here) and the trial held here
    assert ">2</a><span class=\"ww-gap__design\">review · SMS 5</span>" in cells[0][1]
    assert cells[0][1].startswith('<a href="../approaches/sample-mentoring.html#ratings"')
    # named by what it shows, then its row and column (WCAG 2.5.3 label in name)
    assert 'aria-label="2 review · SMS 5: Sample mentoring, Violence &#40;perpetration&#41;"' in cells[0][1]
    assert "rated by YEF Toolkit (its review is not held here); 1 primary study" in htmllib.unescape(cells[0][1])
    assert cells[2] == ("gap", "Gap")  # aimed at exclusion, nothing known
    assert ">1</a><span class=\"ww-gap__design\">SMS 5</span>" in cells[3][1] and "#findings" in cells[3][1]
    assert ">1</a><span class=\"ww-gap__design\">review</span>" in cells[4][1]  # EEF's rating on attainment
    # boot camps: YEF rates it harmful on violence, so violence is no gap; offending is aimed at, nothing known
    assert [c[0] for c in re.findall(r'<td class="ww-gap ww-gap--(\w+)">(.*?)</td>', rows["sample-boot-camps"])] == [
        "few", "gap", "none", "none", "none"]


def test_glossary_and_rating_scales_come_from_the_data(built, fixture_corpus):
    _, site = built
    glossary = text_of(page(site, "glossary.html"))
    for vocabulary in fixture_corpus.vocabularies.values():
        assert vocabulary.name in glossary
    assert "source Who gave the rating (vocabulary sources), e.g. yef-toolkit." in glossary
    scales = page(site, "rating-scales.html")
    assert "<tr><td>Insufficient evidence</td><td><span class=\"ww-band ww-band--insufficient\">Insufficient evidence</span></td></tr>" in scales
    assert "<tr><td>Overall reduction</td><td>Not banded: the label gives a direction but no size</td></tr>" in scales
    assert "Insufficient evidence means there are too few good studies" in text_of(page(site, "methodology.html"))


# ---------------------------------------------------------------- safety, scale, atomicity

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def _hostile_corpus(corpus, extra: int):
    """The fixture corpus plus one entry full of hostile text, made through the models
    directly (lint never sees it), and `extra` plain synthetic approaches."""
    review = Review(status="reviewed", last_reviewed=dt.date(2026, 1, 1), next_review_due=dt.date(2027, 1, 1), reviewers=(HOSTILE,))
    evil = Approach(
        id="evil", name=f"Evil {HOSTILE} [click](javascript:alert(3)) {{: onclick=alert(4) }}",
        summary=f"Summary {HOSTILE} [x](javascript:alert(5)) --8<-- \"mkdocs.yml\" and more words to pass.",
        description=f"{HOSTILE}\n\n[link](javascript:alert(6)) <a href=\"javascript:alert(7)\">a</a>\n\n--8<-- \"mkdocs.yml\"\n\n"
                    f"![img](javascript:alert(8))\n\n<iframe src=\"https://evil.example\"></iframe> {{: onclick=alert(9) }}",
        how_it_works="[ok](https://example.org/\"onmouseover=\"alert(10))", cautions=f"<style>body{{display:none}}</style>{HOSTILE}",
        priority_areas=("violence-and-exploitation",), settings=("pru",), outcomes=("violence-perpetration",),
        ratings=(Rating(source="yef-toolkit", outcome="violence-perpetration", impact=f"Moderate{HOSTILE}", evidence=HOSTILE,
                        cost="javascript:alert(11)", note=HOSTILE, url="https://example.org/\"><script>alert(12)</script>",
                        checked=dt.date(2026, 1, 1)),),
        references=(Reference(title=HOSTILE, url="https://example.org/x\"onclick=\"alert(13)", publisher=HOSTILE),),
        review=review,
    )
    plain = tuple(Approach(id=f"plain-{i:03d}", name=f"Plain approach {i}", summary="A plain synthetic approach used to grow the corpus in tests.",
                           priority_areas=("community-led",), settings=("community",), outcomes=("offending",), review=review)
                  for i in range(extra))
    approaches = tuple(sorted(corpus.approaches + (evil,) + plain, key=lambda a: a.id))
    files = {**corpus.files, **{a.id: f"evidence/approaches/{a.id}.yml" for a in (evil, *plain)}}
    return dataclasses.replace(corpus, approaches=approaches, files=files)


def test_hostile_text_never_becomes_executable(tmp_path, fixture_corpus, built):
    _, clean_site = built
    corpus = _hostile_corpus(fixture_corpus, extra=40)
    repo = site_repo(tmp_path / "repo")
    site = build_site(corpus, read_config(repo), repo / "_build", related=RELATED)
    # Material's own inline scripts (config, scope), as they appear in the clean site
    allowed = {script for path in clean_site.rglob("*.html") for script in parse(path).scripts}
    checked = 0
    for path in sorted(site.rglob("*.html")):
        tags = parse(path)
        for tag, attrs in tags.tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), (path, tag, name, value)
                if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                    assert not re.match(r"\s*(javascript|vbscript|data):", value, re.I), (path, tag, value)
            assert tag not in ("iframe", "object", "embed", "style") or path.name == "404.html" and tag == "style", (path, tag)
            if tag == "script":
                assert attrs.get("src") is None or re.match(r"(\.\./)*assets/|/whatworks/assets/", attrs["src"]), (path, attrs)
        assert all(script in allowed or not script for script in tags.scripts), path
        checked += 1
    evil = page(site, "approaches/evil.html")
    assert "site_name:" not in evil  # the snippet marker was not expanded
    assert "--8&lt;--" in evil or "--8&#60;--" in evil
    assert "<title>Evil &lt;script&gt;alert(1)&lt;/script&gt;" in evil
    assert checked > 60


def test_entry_page_size_does_not_grow_with_the_corpus(tmp_path, fixture_corpus, built):
    _, small = built
    repo = site_repo(tmp_path / "repo")
    big = build_site(_hostile_corpus(fixture_corpus, extra=40), read_config(repo), repo / "_build", related=RELATED, history=HISTORY)
    for rel in ("approaches/sample-mentoring.html", "studies/sample-study-2020.html"):
        assert (big / rel).stat().st_size == (small / rel).stat().st_size, rel


def test_failed_mkdocs_build_keeps_the_previous_site(tmp_path, fixture_corpus):
    repo = site_repo(tmp_path / "repo")
    site = build_site(fixture_corpus, read_config(repo), repo / "_build")
    before = (site / "index.html").read_bytes()
    (repo / "site" / "broken.md").write_text("# Broken\n\nSee [nowhere](missing-page.md).\n", encoding="utf-8")
    with pytest.raises(SiteBuildError) as failure:
        build_site(fixture_corpus, read_config(repo), repo / "_build")
    assert str(failure.value).startswith("mkdocs build --strict failed; previous site kept.")
    assert "missing-page.md" in str(failure.value)
    assert (site / "index.html").read_bytes() == before
    assert sorted(p.name for p in (repo / "_build").iterdir()) == ["site"]


def test_same_evidence_same_bytes(tmp_path, fixture_corpus, built):
    _, first = built
    repo = site_repo(tmp_path / "repo")
    second = build_site(fixture_corpus, read_config(repo), repo / "_build", related=RELATED, history=HISTORY,
                        extra_files={"feed.xml": "<rss version=\"2.0\"></rss>\n"})
    a = {p.relative_to(first): p.read_bytes() for p in first.rglob("*") if p.is_file()}
    b = {p.relative_to(second): p.read_bytes() for p in second.rglob("*") if p.is_file()}
    assert sorted(a) == sorted(b)
    assert [str(k) for k in sorted(a) if a[k] != b[k]] == []


def test_stale_pages_are_removed(tmp_path, fixture_corpus):
    repo = site_repo(tmp_path / "repo")
    stale = repo / "site" / "approaches" / "deleted-entry.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("# old\n", encoding="utf-8")
    site = build_site(fixture_corpus, read_config(repo), repo / "_build")
    assert not stale.exists() and not (site / "approaches" / "deleted-entry.html").exists()
    assert sorted(p.name for p in (repo / "site").iterdir() if p.name in GENERATED_DIRS) == sorted(GENERATED_DIRS)


@pytest.mark.slow
def test_real_corpus_builds_strict(tmp_path):
    result = load_corpus(REPO / "evidence")
    if result.corpus is None:
        pytest.skip(f"evidence/ does not lint clean yet ({len(result.problems)} problems)")
    repo = site_repo(tmp_path / "repo")
    site = build_site(result.corpus, read_config(repo), repo / "_build")
    for entry in result.corpus.entries:
        section = {"approach": "approaches", "programme": "programmes", "study": "studies"}[result.corpus.kind(entry.id)]
        assert (site / section / f"{entry.id}.html").is_file(), entry.id
    docs = json.loads(page(site, "search/search_index.json"))["docs"]
    entry_docs = [d for d in docs if re.match(r"(approaches|programmes|studies)/(?!index)", d["location"])]
    assert len(entry_docs) == len(result.corpus.entries)
    assert max(len(json.dumps(d, ensure_ascii=False).encode()) for d in entry_docs) <= 2048


def test_published_site_links_rows_on_the_datasette_host():
    from build_tools.pages.build import site_links
    from conftest import REPO

    assert site_links(read_config(REPO, environ={})).data_base == "/data/evidence"
    published = {"WHATWORKS_DATA_BASE": "https://whatworks-data.example.run.app/evidence/"}
    assert site_links(read_config(REPO, environ=published)).data_base == "https://whatworks-data.example.run.app/evidence"
