"""The researchers' database: real SQLite files built from the fixture corpus (and the real one)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from build_tools.evidence.corpus import load_corpus
from build_tools.database.build import build_database
from build_tools.database.metadata import MetadataError
from build_tools.evidence.models import Rating
from conftest import REPO, TODAY, config_of, make_tree


@pytest.fixture(scope="module")
def built(fixture_corpus, tmp_path_factory) -> Path:
    return build_database(fixture_corpus, config_of(fixture_corpus), tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="module")
def db(built) -> sqlite_utils.Database:
    return sqlite_utils.Database(sqlite3.connect(f"file:{built}?mode=ro", uri=True))


def rows(db: sqlite_utils.Database, sql: str) -> list[dict]:
    return list(db.query(sql))


def test_row_counts(db):
    counts = {t: db[t].count for t in ("approaches", "programmes", "studies", "findings", "ratings", "references",
                                        "approach_settings", "programme_settings", "programme_boroughs",
                                        "programme_approaches", "study_approaches", "study_programmes",
                                        "study_settings", "related_entries", "designs", "impact_bands")}
    assert counts == {"approaches": 2, "programmes": 1, "studies": 1, "findings": 2, "ratings": 3, "references": 0,
                      "approach_settings": 3, "programme_settings": 2, "programme_boroughs": 2,
                      "programme_approaches": 1, "study_approaches": 1, "study_programmes": 1, "study_settings": 1,
                      "related_entries": 1, "designs": db.execute("select count(*) from designs").fetchone()[0],
                      "impact_bands": 6}
    assert db["designs"].count >= 6
    assert set(db.view_names()) == {"ratings_crosswalk", "ratings_side_by_side", "entries"}
    assert {"evidence_gap_map", "rating_reviews", "excluded"} <= set(db.table_names())


def test_approach_row_has_derived_columns(db):
    row = rows(db, "select * from approaches where id = 'sample-mentoring'")[0]
    assert {k: row[k] for k in ("name", "settings", "priority_areas", "age_min", "age_max", "age_bands", "harmful",
                                "backfires",
                                "rating_count", "study_count", "programme_count", "review_status", "last_reviewed",
                                "next_review_due", "reviewers", "yaml_path", "related")} == {
        "name": "Sample mentoring", "settings": '["community","pru"]',
        "priority_areas": '["violence-and-exploitation","inclusive-education"]', "age_min": 10, "age_max": 17,
        "age_bands": '["10-13","14-17"]', "harmful": 0, "backfires": 1, "rating_count": 2, "study_count": 1, "programme_count": 1,
        "review_status": "reviewed", "last_reviewed": "2026-01-15", "next_review_due": "2026-07-15",
        "reviewers": '["tester"]', "yaml_path": "evidence/approaches/sample-mentoring.yml",
        "related": '["sample-boot-camps"]',
    }
    assert len(row["yaml_sha256"]) == 64


def test_study_has_design_and_sms_level(db):
    row = rows(db, "select design, sms_level, sample_size, sample_unit, independent, backfires from studies")[0]
    assert row == {"design": "rct", "sms_level": 5, "sample_size": 400, "sample_unit": "young people",
                   "independent": 1, "backfires": 1}
    harmful = rows(db, "select id, harmful, backfires from approaches order by id")
    assert harmful == [{"id": "sample-boot-camps", "harmful": 1, "backfires": 0},
                       {"id": "sample-mentoring", "harmful": 0, "backfires": 1}]


def test_ratings_keep_source_label_verbatim_beside_band(db):
    got = rows(db, "select id, approach, programme, source, impact, band, estimate_value, estimate_type, evidence, url, "
                   "checked from ratings order by id")
    assert got == [
        {"id": "sample-boot-camps-1", "approach": "sample-boot-camps", "programme": None, "source": "yef-toolkit",
         "impact": "Harmful", "band": "harmful", "estimate_value": 6.0, "estimate_type": "percent-change",
         "evidence": None, "url": "https://example.org/yef/boot-camps", "checked": "2026-01-15"},
        {"id": "sample-mentoring-1", "approach": "sample-mentoring", "programme": None, "source": "yef-toolkit",
         "impact": "Moderate", "band": "moderate", "estimate_value": -21.0, "estimate_type": "percent-change",
         "evidence": None, "url": "https://example.org/yef/mentoring", "checked": "2026-01-15"},
        {"id": "sample-mentoring-2", "approach": "sample-mentoring", "programme": None, "source": "eef-toolkit",
         "impact": "Low impact", "band": "low", "estimate_value": 2.0, "estimate_type": "months-progress",
         "evidence": "moderate evidence", "url": "https://example.org/eef/mentoring", "checked": "2026-01-15"},
    ]


def test_findings_store_numbers_units_and_their_url(db):
    got = rows(db, "select id, study, outcome, direction, effect_type, effect_value, effect_ci_low, effect_ci_high, "
                   "effect_significant, follow_up_months, url from findings order by id")
    assert got == [
        {"id": "sample-study-2020-1", "study": "sample-study-2020", "outcome": "violence-perpetration",
         "direction": "favourable", "effect_type": "odds-ratio", "effect_value": 0.8, "effect_ci_low": 0.65,
         "effect_ci_high": 0.98, "effect_significant": 1, "follow_up_months": 12.0, "url": "https://example.org/study"},
        {"id": "sample-study-2020-2", "study": "sample-study-2020", "outcome": "suspension",
         "direction": "unfavourable", "effect_type": "percent-change", "effect_value": 10.0, "effect_ci_low": None,
         "effect_ci_high": None, "effect_significant": None, "follow_up_months": None,
         "url": "https://example.org/study"},
    ]
    assert db["findings"].columns_dict["effect_value"] is float


def test_foreign_keys_link_rows_both_ways(db):
    def fks(table: str) -> set[tuple[str, str]]:
        return {(fk.column, fk.other_table) for fk in db[table].foreign_keys}

    assert fks("approach_settings") == {("approach", "approaches"), ("setting", "settings")}
    assert fks("programme_boroughs") == {("programme", "programmes"), ("borough", "boroughs")}
    assert fks("study_programmes") == {("study", "studies"), ("programme", "programmes")}
    assert fks("ratings") == {("approach", "approaches"), ("programme", "programmes"), ("source", "sources"),
                              ("outcome", "outcomes"), ("band", "impact_bands"), ("estimate_type", "effect_types")}
    assert fks("studies") == {("design", "designs")}
    assert fks("programmes") == {("evaluation_status", "evaluation_statuses")}
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert rows(db, "select id, sms_level from designs where id = 'rct'") == [{"id": "rct", "sms_level": 5}]


def test_full_text_search_uses_porter_stemming(db):
    assert "porter" in db["approaches_fts"].schema
    hits = rows(db, "select a.id from approaches_fts join approaches a on a.rowid = approaches_fts.rowid "
                    "where approaches_fts match 'mentors' order by bm25(approaches_fts)")
    assert hits == [{"id": "sample-mentoring"}]
    assert {t: db[t].detect_fts() for t in ("approaches", "programmes", "studies", "findings")} == {
        "approaches": "approaches_fts", "programmes": "programmes_fts", "studies": "studies_fts",
        "findings": "findings_fts"}


def test_facet_columns_are_indexed(db, built):
    metadata = json.loads((built.parent / "metadata.json").read_text())
    tables = metadata["databases"]["evidence"]["tables"]
    missing = []
    for name, entry in tables.items():
        indexed = {tuple(i.columns)[0] for i in db[name].indexes} if name in db.table_names() else set()
        pk = set(db[name].pks) if name in db.table_names() else set()
        for facet in entry.get("facets", []):
            if isinstance(facet, str) and facet not in indexed | pk:
                missing.append(f"{name}.{facet}")
    assert missing == []


def test_evidence_gap_map(db):
    got = rows(db, "select approach, outcome, targeted, status, evidence, reviews_held, reviews_not_held, primary_studies, "
                   "best_design, max_sms_level, favourable, unfavourable, monitoring_studies, rated_by "
                   "from evidence_gap_map where approach = 'sample-mentoring' order by rowid")
    common = {"approach": "sample-mentoring", "reviews_held": 0, "monitoring_studies": 0}
    assert got == [
        common | {"outcome": "violence-perpetration", "targeted": 1, "status": "evidence", "evidence": 2,
                  "reviews_not_held": 1, "primary_studies": 1, "best_design": "rct", "max_sms_level": 5,
                  "favourable": 1, "unfavourable": 0, "rated_by": '["yef-toolkit"]'},
        common | {"outcome": "exclusion", "targeted": 1, "status": "gap", "evidence": 0, "reviews_not_held": 0,
                  "primary_studies": 0, "best_design": None, "max_sms_level": None, "favourable": 0,
                  "unfavourable": 0, "rated_by": "[]"},
        common | {"outcome": "suspension", "targeted": 0, "status": "evidence", "evidence": 1, "reviews_not_held": 0,
                  "primary_studies": 1, "best_design": "rct", "max_sms_level": 5, "favourable": 0,
                  "unfavourable": 1, "rated_by": "[]"},
        common | {"outcome": "attainment", "targeted": 0, "status": "evidence", "evidence": 1, "reviews_not_held": 1,
                  "primary_studies": 0, "best_design": None, "max_sms_level": None, "favourable": 0,
                  "unfavourable": 0, "rated_by": '["eef-toolkit"]'},
    ]


def test_ratings_crosswalk_views(db):
    got = rows(db, "select entry, source_label, impact, band_label, estimate_value, estimate_unit from ratings_crosswalk")
    assert got == [
        {"entry": "sample-boot-camps", "source_label": "YEF Toolkit", "impact": "Harmful", "band_label": "Harmful",
         "estimate_value": 6.0, "estimate_unit": "Percent change"},
        {"entry": "sample-mentoring", "source_label": "YEF Toolkit", "impact": "Moderate",
         "band_label": "Moderate impact", "estimate_value": -21.0, "estimate_unit": "Percent change"},
        {"entry": "sample-mentoring", "source_label": "EEF Teaching and Learning Toolkit", "impact": "Low impact",
         "band_label": "Low impact", "estimate_value": 2.0, "estimate_unit": "Months' progress"},
    ]
    grid = rows(db, "select entry, yef_toolkit, eef_toolkit from ratings_side_by_side")
    assert grid == [
        {"entry": "sample-boot-camps", "yef_toolkit": "Harmful [harmful] (violence-perpetration)", "eef_toolkit": None},
        {"entry": "sample-mentoring", "yef_toolkit": "Moderate [moderate] (violence-perpetration)",
         "eef_toolkit": "Low impact [low] (attainment)"},
    ]


def test_two_builds_give_identical_bytes(fixture_corpus, built, tmp_path):
    again = build_database(fixture_corpus, config_of(fixture_corpus), tmp_path)
    assert again.read_bytes() == built.read_bytes()
    assert (tmp_path / "metadata.json").read_bytes() == (built.parent / "metadata.json").read_bytes()


def test_failed_build_keeps_previous_database(fixture_corpus, tmp_path):
    previous = build_database(fixture_corpus, config_of(fixture_corpus), tmp_path).read_bytes()
    # A rating whose source is in no vocabulary makes the band lookup fail half-way through the build.
    bad_rating = Rating(source="no-such-source", outcome="offending", impact="High", url="https://example.org/x",
                        checked=TODAY)
    first = fixture_corpus.approaches[0]
    broken = dataclasses.replace(fixture_corpus, approaches=(first.model_copy(update={"ratings": (bad_rating,)}),)
                                 + fixture_corpus.approaches[1:])
    with pytest.raises(KeyError):
        build_database(broken, config_of(broken), tmp_path)
    assert (tmp_path / "evidence.db").read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence.db", "metadata.json"]


def _undescribed(db_path: Path) -> list[str]:
    metadata = json.loads((db_path.parent / "metadata.json").read_text())
    described = metadata["databases"]["evidence"]["tables"]
    db = sqlite_utils.Database(db_path)
    missing = []
    for name in db.table_names() + db.view_names():
        entry = described.get(name, {})
        if not entry.get("description"):
            missing.append(name)
        columns = db[name].columns if name in db.table_names() else db.view(name).columns
        missing += [f"{name}.{c.name}" for c in columns if not entry.get("columns", {}).get(c.name)]
    return missing


def test_every_table_and_column_is_described(built):
    assert _undescribed(built) == []


def test_every_table_and_column_is_described_on_real_corpus(tmp_path):
    result = load_corpus(REPO / "evidence", today=TODAY)
    if result.corpus is None:
        pytest.skip(f"real corpus fails lint ({len(result.problems)} problems): {result.problems[0]}")
    assert _undescribed(build_database(result.corpus, config_of(result.corpus), tmp_path)) == []


def test_metadata_names_an_unknown_table(tmp_path):
    evidence = make_tree(tmp_path)
    (tmp_path / "datasette_metadata.yml").write_text(
        "databases:\n  evidence:\n    tables:\n      approachs:\n        sort: name\n", encoding="utf-8")
    corpus = load_corpus(evidence, today=TODAY).corpus
    with pytest.raises(MetadataError, match=r"^datasette_metadata.yml:4: databases.evidence.tables.approachs: no such "
                                            r"table or view in the database. Fix: use one of approach_outcomes, "):
        build_database(corpus, config_of(corpus), tmp_path / "out")
    assert not (tmp_path / "out" / "metadata.json").exists()


def test_every_table_the_build_owns_is_reserved_from_vocabulary_ids(db, fixture_corpus):
    """Lint refuses a vocabulary named like one of these (rules_vocab.reserved_table): a new
    table or view of the build must be covered there too, or a vocabulary could shadow it."""
    from build_tools.tables.spec import table_name
    from build_tools.evidence.rules_vocab import reserved_table

    lookups = {table_name(v) for v in fixture_corpus.vocabularies}
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()]
    assert lookups <= set(names)
    assert [n for n in names if n not in lookups and not reserved_table(n)] == []
    assert not any(reserved_table(n) for n in lookups)


def test_source_ids_that_are_not_plain_sql_names_still_build(tmp_path):
    """Every identifier the build writes into SQL itself is quoted: a source id starting with a
    digit (valid, if odd) becomes a column of ratings_side_by_side."""
    import re

    evidence = make_tree(tmp_path)
    sources = evidence / "vocabularies" / "sources.yml"
    sources.write_text(re.sub(r"\byef-toolkit\b", "1st-toolkit", sources.read_text()))
    for path in (evidence / "approaches").glob("*.yml"):
        path.write_text(path.read_text().replace("yef-toolkit", "1st-toolkit"))
    result = load_corpus(evidence, today=TODAY)
    assert result.corpus is not None, result.problems
    build_database(result.corpus, config_of(result.corpus), tmp_path / "out")
    db = sqlite3.connect(tmp_path / "out" / "evidence.db")
    columns = [r[1] for r in db.execute("PRAGMA table_info(ratings_side_by_side)")]
    assert "1st_toolkit" in columns
    assert db.execute('SELECT count(*) FROM ratings_side_by_side WHERE "1st_toolkit" IS NOT NULL').fetchone()[0] >= 1
