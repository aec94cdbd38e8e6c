"""Entry tables: approaches, programmes and studies (their findings, ratings and references are
in database_results.py).

Each table is a `Table` spec: columns with descriptions from models.py, and a function
that yields its rows from the Corpus in a stable order. Link and lookup tables live in
database_links.py; the database, metadata and CSV exports are all written from these specs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..evidence.corpus import Corpus
from ..evidence.kinds import KINDS
from .spec import Column, Table, as_bool, as_date, as_json, doc
from ..evidence.models import (
    AgeRange, EntryBase, InterventionBase, Programme, Review, Sample, Study,
)

ENTRY_TYPES = {k.folder: k.name for k in KINDS}  # table -> entry type
KIND_PLURAL = {k.name: k.folder for k in KINDS}


def _review_columns() -> tuple[Column, ...]:
    return (
        Column("review_status", "string", doc(Review, "status")),
        Column("last_reviewed", "date", doc(Review, "last_reviewed")),
        Column("next_review_due", "date", doc(Review, "next_review_due")),
        Column("reviewers", "array", doc(Review, "reviewers") + " JSON array."),
    )


def _file_columns(kind: str) -> tuple[Column, ...]:
    return (
        Column("yaml_path", "string", f"Path of the YAML file this {kind} was built from, relative to the repository root."),
        Column("yaml_sha256", "string", "SHA-256 of that YAML file's bytes; changes whenever the file changes."),
    )


def _review_values(corpus: Corpus, entry: EntryBase) -> dict[str, Any]:
    review = entry.review
    return {
        "review_status": review.status,
        "last_reviewed": as_date(review.last_reviewed),
        "next_review_due": as_date(review.next_review_due),
        "reviewers": as_json(review.reviewers),
        "yaml_path": corpus.files.get(entry.id),
        "yaml_sha256": corpus.hashes.get(entry.id),
    }


def _array(model: type, name: str, vocabulary: str | None = None) -> Column:
    where = f" Also in the link table `{vocabulary}`." if vocabulary else ""
    return Column(name, "array", f"{doc(model, name)} JSON array of ids, for array facets.{where}")


def _intervention_columns(kind: str) -> tuple[Column, ...]:
    m = InterventionBase
    return (
        Column("id", "string", doc(m, "id")),
        Column("name", "string", doc(m, "name")),
        Column("summary", "string", doc(m, "summary")),
        Column("description", "string", doc(m, "description")),
        _array(m, "priority_areas", f"{kind}_priority_areas"),
        _array(m, "settings", f"{kind}_settings"),
        _array(m, "outcomes", f"{kind}_outcomes"),
        _array(m, "targeting", f"{kind}_targeting"),
        _array(m, "prevention", f"{kind}_prevention_levels"),
        Column("age_min", "integer", doc(AgeRange, "min")),
        Column("age_max", "integer", doc(AgeRange, "max")),
        Column("age_bands", "array", "Age bands (0-9, 10-13, 14-17, 18-25) that overlap the age range, derived from "
               "`age_min`/`age_max`. JSON array."),
        Column("how_it_works", "string", doc(m, "how_it_works")),
        Column("for_whom", "string", doc(m, "for_whom")),
        Column("implementation", "string", doc(m, "implementation")),
        Column("cost_notes", "string", doc(m, "cost_notes")),
        Column("cautions", "string", doc(m, "cautions")),
        Column("harmful", "boolean", "1 if a named source rates it harmful (harmonised band `harmful`), else 0. "
               "Derived by the build."),
        Column("backfires", "integer", "Number of unfavourable findings (things got worse) in the studies that "
               "evaluate it directly; shown beside `harmful`, not folded into it."),
        Column("headline_band", "string", "Impact on violence, the one band every list shows: the best harmonised band "
               "of its ratings on violence perpetration or victimisation, or `harmful` if any source rates it harmful "
               "(Corpus.headline). Derived by the build."),
        Column("evidence_bases", "integer", "Number of independent evidence bases behind its ratings: ratings resting "
               "on the same review (`ratings.evidence_base`) count once."),
        Column("rating_count", "integer", "Number of rows in `ratings` for it."),
        Column("study_count", "integer", "Number of studies in `studies` that evaluate it directly, of any design."),
        Column("impact_study_count", "integer", "Of those, studies whose design compares against something "
               "(`designs.comparative`): the ones that can count as evidence of impact."),
        Column("studies_pooled", "integer", "Studies pooled by the reviews held here behind it (that evaluate it or "
               "that its ratings rest on), summed over the reviews that say; empty if none says."),
        _array(m, "related"),
    )


def _intervention_values(corpus: Corpus, entry: InterventionBase) -> dict[str, Any]:
    ages, studies = entry.ages, corpus.studies_for(entry.id)
    return {
        "id": entry.id, "name": entry.name, "summary": entry.summary, "description": entry.description,
        "priority_areas": as_json(entry.priority_areas), "settings": as_json(entry.settings),
        "outcomes": as_json(entry.outcomes), "targeting": as_json(entry.targeting),
        "prevention": as_json(entry.prevention),
        "age_min": ages.min if ages else None, "age_max": ages.max if ages else None,
        "age_bands": as_json(corpus.age_bands(entry)),
        "how_it_works": entry.how_it_works, "for_whom": entry.for_whom, "implementation": entry.implementation,
        "cost_notes": entry.cost_notes, "cautions": entry.cautions,
        "harmful": as_bool(corpus.is_harmful(entry)), "backfires": len(corpus.backfires(entry)),
        "headline_band": corpus.headline(entry), "evidence_bases": len(corpus.evidence_bases(entry)),
        "rating_count": len(entry.ratings), "study_count": len(studies),
        "impact_study_count": sum(corpus.is_comparative(s) for s in studies),
        "studies_pooled": sum(s.studies_pooled or 0 for s in corpus.studies_behind(entry) if corpus.is_review(s)) or None,
        "related": as_json(entry.related),
    }


def approaches_table(corpus: Corpus) -> Table:
    def rows() -> Iterator[dict[str, Any]]:
        for entry in corpus.approaches:
            extra = {"programme_count": len(corpus.programmes_for(entry.id))}
            yield _intervention_values(corpus, entry) | extra | _review_values(corpus, entry)

    columns = _intervention_columns("approach") + (
        Column("programme_count", "integer", "Number of programmes in `programmes` that are examples of it."),
    ) + _review_columns() + _file_columns("approach")
    return Table("approaches", "Approaches: families of interventions (toolkit strands), e.g. mentoring. "
                 "One row per file in evidence/approaches/.", columns, rows,
                 fts=("name", "summary", "description"), indexes=("name", "review_status", "harmful", "headline_band", "next_review_due"),
                 label_column="name")


def programmes_table(corpus: Corpus) -> Table:
    p = Programme

    def rows() -> Iterator[dict[str, Any]]:
        for entry in corpus.programmes:
            extra = {
                "provider": entry.provider, "funder": entry.funder, "approaches": as_json(entry.approaches),
                "countries": as_json(entry.countries), "boroughs": as_json(entry.boroughs),
                "vru_funded": as_bool(entry.vru_funded), "evaluation_status": entry.evaluation_status,
                "evaluation_checked": as_date(entry.evaluation_checked), "evaluation_url": entry.evaluation_url,
                "evaluation_recheck_due": as_date(corpus.status_recheck_due(entry)),
                "evaluation_note": entry.evaluation_note, "website": entry.website,
            }
            yield _intervention_values(corpus, entry) | extra | _review_values(corpus, entry)

    columns = _intervention_columns("programme") + (
        Column("provider", "string", doc(p, "provider")),
        Column("funder", "string", doc(p, "funder")),
        _array(p, "approaches", "programme_approaches"),
        _array(p, "countries", "programme_countries"),
        _array(p, "boroughs", "programme_boroughs"),
        Column("vru_funded", "boolean", doc(p, "vru_funded") + " Stored as 1 or 0."),
        Column("evaluation_status", "string", doc(p, "evaluation_status")),
        Column("evaluation_checked", "date", doc(p, "evaluation_checked")),
        Column("evaluation_url", "string", doc(p, "evaluation_url")),
        Column("evaluation_recheck_due", "date", "Date the evaluation status should be checked again: 6 months after "
               "`evaluation_checked`. A status past this date is shown as not re-checked."),
        Column("evaluation_note", "string", doc(p, "evaluation_note")),
        Column("website", "string", doc(p, "website")),
    ) + _review_columns() + _file_columns("programme")
    return Table("programmes", "Programmes: named interventions and local (London) services, e.g. Becoming a Man. "
                 "One row per file in evidence/programmes/.", columns, rows,
                 foreign_keys=(("evaluation_status", "evaluation_statuses"),),
                 fts=("name", "summary", "description"),
                 indexes=("name", "evaluation_status", "vru_funded", "review_status", "harmful", "headline_band", "evaluation_recheck_due", "next_review_due"),
                 label_column="name")


def studies_table(corpus: Corpus) -> Table:
    s = Study

    def rows() -> Iterator[dict[str, Any]]:
        for study in corpus.studies:
            sample, pooled = study.sample, study.pooled_sample
            yield {
                "id": study.id, "name": study.name, "summary": study.summary, "title": study.title,
                "authors": as_json(study.authors), "year": study.year,
                "year_approximate": as_bool(study.year_approximate), "publication": study.publication,
                "doi": study.doi, "url": study.url, "design": study.design, "sms_level": corpus.sms_level(study),
                "countries": as_json(study.countries), "settings": as_json(study.settings),
                "sample_size": sample.size if sample else None, "sample_unit": sample.unit if sample else None,
                "sample_note": sample.note if sample else None, "studies_pooled": study.studies_pooled,
                "pooled_sample_size": pooled.size if pooled else None, "pooled_sample_unit": pooled.unit if pooled else None,
                "evaluator": study.evaluator,
                "independent": as_bool(study.independent), "funder": study.funder,
                "evaluates": as_json(study.evaluates), "finding_count": len(study.findings),
                "backfires": len(corpus.backfires(study)), "limitations": study.limitations,
            } | _review_values(corpus, study)

    columns = (
        Column("id", "string", doc(s, "id")),
        Column("name", "string", doc(s, "name")),
        Column("summary", "string", doc(s, "summary")),
        Column("title", "string", doc(s, "title")),
        Column("authors", "array", doc(s, "authors") + " JSON array."),
        Column("year", "integer", doc(s, "year")),
        Column("year_approximate", "boolean", doc(s, "year_approximate") + " Stored as 1 or 0."),
        Column("publication", "string", doc(s, "publication")),
        Column("doi", "string", doc(s, "doi")),
        Column("url", "string", doc(s, "url")),
        Column("design", "string", doc(s, "design")),
        Column("sms_level", "integer", "Maryland Scientific Methods Scale level of the design (1 weakest to 5 = "
               "randomised), copied from `designs`; empty for reviews."),
        _array(s, "countries", "study_countries"),
        _array(s, "settings", "study_settings"),
        Column("sample_size", "integer", doc(Sample, "size")),
        Column("sample_unit", "string", doc(Sample, "unit")),
        Column("sample_note", "string", doc(Sample, "note")),
        Column("studies_pooled", "integer", doc(s, "studies_pooled")),
        Column("pooled_sample_size", "integer", doc(s, "pooled_sample") + " Number of units."),
        Column("pooled_sample_unit", "string", "What the pooled sample counts (e.g. young people)."),
        Column("evaluator", "string", doc(s, "evaluator")),
        Column("independent", "boolean", doc(s, "independent") + " Stored as 1 or 0; empty if not stated."),
        Column("funder", "string", doc(s, "funder")),
        _array(s, "evaluates", "study_approaches and study_programmes"),
        Column("finding_count", "integer", "Number of rows in `findings` from this study."),
        Column("backfires", "integer", "Number of this study's findings that are unfavourable (things got worse)."),
        Column("limitations", "string", doc(s, "limitations")),
    ) + _review_columns() + _file_columns("study")
    return Table("studies", "Studies: individual evaluations and systematic reviews. One row per file in "
                 "evidence/studies/; their results are in `findings`.", columns, rows,
                 foreign_keys=(("design", "designs"),), fts=("name", "summary", "title"),
                 indexes=("design", "sms_level", "year", "review_status", "next_review_due"),
                 label_column="name")



def entry_tables(corpus: Corpus) -> list[Table]:
    return [approaches_table(corpus), programmes_table(corpus), studies_table(corpus)]
