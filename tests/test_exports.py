"""Exports: CSV per table, corpus.json, Frictionless datapackage.json and JSON Schemas."""

from __future__ import annotations

import csv
import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from build_tools.database.build import build_database
from build_tools.exports import build_exports
from build_tools.evidence.models import Rating
from conftest import TODAY, config_of


@pytest.fixture(scope="module")
def exported(fixture_corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    build_database(fixture_corpus, config_of(fixture_corpus), out)
    return build_exports(fixture_corpus, config_of(fixture_corpus), out)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_csv_per_database_table(exported):
    db = sqlite3.connect(exported.parent / "evidence.db")
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table' and name not like '%_fts%'")}
    csvs = {p.stem for p in exported.glob("*.csv")}
    assert csvs == tables
    for name in sorted(tables):
        header = next(csv.reader((exported / f"{name}.csv").open(encoding="utf-8", newline="")))
        columns = [r[1] for r in db.execute(f"pragma table_info([{name}])")]
        count = db.execute(f"select count(*) from [{name}]").fetchone()[0]
        assert (name, header, len(read_csv(exported / f"{name}.csv"))) == (name, columns, count)
    assert sorted(p.name for p in exported.iterdir() if not p.name.endswith(".csv")) == [
        "corpus.json", "datapackage.json", "schema"]


def test_ratings_csv_exact(exported):
    assert (exported / "ratings.csv").read_bytes().decode().splitlines()[:2] == [
        "id,approach,programme,entry_type,position,source,outcome,outcome_wording,impact,band,estimate_type,"
        "estimate_value,estimate_range_low,estimate_range_high,estimate_ci_low,estimate_ci_high,evidence,cost,in_words,"
        "strand,based_on,evidence_base,url,checked,note",
        "sample-boot-camps-1,sample-boot-camps,,approach,1,yef-toolkit,violence-perpetration,,Harmful,harmful,"
        "percent-change,6.0,,,,,,,,,[],yef-toolkit:own-review,https://example.org/yef/boot-camps,2026-01-15,",
    ]


def test_datapackage_describes_every_csv(exported):
    package = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {p.stem for p in exported.glob("*.csv")}
    for name, resource in resources.items():
        header = next(csv.reader((exported / resource["path"]).open(encoding="utf-8", newline="")))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header
        assert all(f["description"] and f["type"] in {"string", "integer", "number", "boolean", "date", "array"}
                   for f in fields), name
        for fk in resource["schema"].get("foreignKeys", []):
            assert fk["reference"]["resource"] in resources
    ratings = {f["name"]: f for f in resources["ratings"]["schema"]["fields"]}
    assert ratings["estimate_value"] == {
        "name": "estimate_value", "type": "number",
        "description": "The published figure as a number; reductions are negative (e.g. -21 for a 21% reduction). "
                       "May be left out when the source gives only a range (`range_low` and `range_high`)."}
    assert ratings["checked"]["type"] == "date"
    assert resources["approach_settings"]["schema"]["primaryKey"] == ["approach", "setting"]
    assert {"fields": ["setting"], "reference": {"resource": "settings", "fields": ["id"]}} in \
        resources["approach_settings"]["schema"]["foreignKeys"]


def test_corpus_json_holds_every_entry(exported, fixture_corpus):
    data = json.loads((exported / "corpus.json").read_text(encoding="utf-8"))
    assert [a["id"] for a in data["approaches"]] == ["sample-boot-camps", "sample-mentoring"]
    assert [s["id"] for s in data["studies"]] == ["sample-study-2020"]
    assert data["studies"][0]["findings"][0]["effect"] == {
        "type": "odds-ratio", "value": 0.8, "range_low": None, "range_high": None, "ci_low": 0.65, "ci_high": 0.98,
        "significant": True}
    assert data["files"]["sample-programme"] == "evidence/programmes/sample-programme.yml"
    assert len(data["vocabularies"]) == len(fixture_corpus.vocabularies)


def test_json_schemas_included(exported):
    assert sorted(p.name for p in (exported / "schema").iterdir()) == [
        "approach.schema.json", "excluded.schema.json", "programme.schema.json", "study.schema.json",
        "synonyms.schema.json", "vocabulary.schema.json"]


def test_exports_are_deterministic(fixture_corpus, exported, tmp_path):
    again = build_exports(fixture_corpus, config_of(fixture_corpus), tmp_path)
    files = sorted(p.relative_to(exported) for p in exported.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert [(again / f).read_bytes() for f in files] == [(exported / f).read_bytes() for f in files]


def test_failed_export_keeps_previous_folder(fixture_corpus, tmp_path):
    build_exports(fixture_corpus, config_of(fixture_corpus), tmp_path)
    before = (tmp_path / "exports" / "ratings.csv").read_bytes()
    bad = Rating(source="no-such-source", outcome="offending", impact="High", url="https://example.org/x", checked=TODAY)
    first = fixture_corpus.approaches[0]
    broken = dataclasses.replace(fixture_corpus, approaches=(first.model_copy(update={"ratings": (bad,)}),)
                                 + fixture_corpus.approaches[1:])
    with pytest.raises(KeyError):
        build_exports(broken, config_of(broken), tmp_path)
    assert (tmp_path / "exports" / "ratings.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"]
