"""Rows that belong to an entry: findings (of studies), ratings (of approaches and programmes) and
references (of any entry). Ids are "<entry id>-<position>", stable while the entry's list is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..evidence.corpus import Corpus
from ..evidence.evidence_map import base_key
from .spec import Column, Table, as_bool, as_date, as_json, doc
from .entries import ENTRY_TYPES
from ..evidence.models import Effect, Estimate, Finding, Rating, Reference


def _owner_columns(kinds: tuple[str, ...], what: str) -> tuple[Column, ...]:
    """One nullable foreign key per kind of owning entry, so Datasette links rows both ways."""
    owners = tuple(Column(ENTRY_TYPES[k], "string", f"Id of the {ENTRY_TYPES[k]} this {what} belongs to "
                          f"(empty if it belongs to another kind of entry).") for k in kinds)
    return owners + (
        Column("entry_type", "string", f"Kind of entry the {what} belongs to: {', '.join(ENTRY_TYPES[k] for k in kinds)}."),
        Column("position", "integer", f"Order of the {what} within its entry's YAML file, from 1."),
    )


def _owner_values(kind: str, kinds: tuple[str, ...], entry_id: str, position: int) -> dict[str, Any]:
    values: dict[str, Any] = {ENTRY_TYPES[k]: entry_id if k == kind else None for k in kinds}
    return values | {"entry_type": ENTRY_TYPES[kind], "position": position}


def _row_id(what: str) -> Column:
    return Column("id", "string", f"Stable identifier of the {what}: the entry's id, a hyphen and its position.")


def findings_table(corpus: Corpus) -> Table:
    f, e = Finding, Effect

    def rows() -> Iterator[dict[str, Any]]:
        for study in corpus.studies:
            comparative = corpus.is_comparative(study)
            for n, finding in enumerate(study.findings, 1):
                effect = finding.effect
                yield {
                    "id": f"{study.id}-{n}", "study": study.id, "position": n, "outcome": finding.outcome,
                    "measure": finding.measure, "result": finding.result, "direction": finding.direction,
                    "comparative": as_bool(comparative),
                    "effect_type": effect.type if effect else None, "effect_value": effect.value if effect else None,
                    "effect_range_low": effect.range_low if effect else None,
                    "effect_range_high": effect.range_high if effect else None,
                    "effect_ci_low": effect.ci_low if effect else None,
                    "effect_ci_high": effect.ci_high if effect else None,
                    "effect_significant": as_bool(effect.significant) if effect else None,
                    "follow_up_months": finding.follow_up_months, "subgroup": finding.subgroup,
                    "url": finding.url or study.url, "note": finding.note,
                }

    columns = (
        _row_id("finding"),
        Column("study", "string", "Id of the study (in `studies`) that reported the finding."),
        Column("position", "integer", "Order of the finding within its study's YAML file, from 1."),
        Column("outcome", "string", doc(f, "outcome")),
        Column("measure", "string", doc(f, "measure")),
        Column("result", "string", doc(f, "result")),
        Column("direction", "string", doc(f, "direction")),
        Column("comparative", "boolean", "1 if the study's design compares against something (`designs.comparative`), "
               "0 for monitoring, case studies and before-and-after without comparison: such a finding has no "
               "direction and never counts as evidence of impact. Stored as 1 or 0."),
        Column("effect_type", "string", doc(e, "type") + " This is the unit of `effect_value`."),
        Column("effect_value", "number", doc(e, "value")),
        Column("effect_range_low", "number", doc(e, "range_low")),
        Column("effect_range_high", "number", doc(e, "range_high")),
        Column("effect_ci_low", "number", doc(e, "ci_low")),
        Column("effect_ci_high", "number", doc(e, "ci_high")),
        Column("effect_significant", "boolean", doc(e, "significant") + " Stored as 1 or 0; empty if not stated."),
        Column("follow_up_months", "number", doc(f, "follow_up_months")),
        Column("subgroup", "string", doc(f, "subgroup")),
        Column("url", "string", "Page the figure was checked on: the finding's own URL, or else the study's URL."),
        Column("note", "string", doc(f, "note")),
    )
    return Table("findings", "Findings: one result of one study, per outcome and measure, with the effect size as "
                 "a number and its type (unit) in its own column.", columns, rows,
                 foreign_keys=(("study", "studies"), ("outcome", "outcomes"), ("effect_type", "effect_types")),
                 fts=("measure", "result"), indexes=("study", "outcome", "direction", "comparative", "effect_type"),
                 label_column="measure")


def _based_on_column() -> Column:
    return Column("based_on", "array", doc(Rating, "based_on") + " JSON array; also in the link table `rating_reviews`.")


def ratings_table(corpus: Corpus) -> Table:
    r, est, kinds = Rating, Estimate, ("approaches", "programmes")

    def rows() -> Iterator[dict[str, Any]]:
        for kind in kinds:
            for entry in getattr(corpus, kind):
                for n, rating in enumerate(entry.ratings, 1):
                    estimate = rating.estimate
                    yield {"id": f"{entry.id}-{n}"} | _owner_values(kind, kinds, entry.id, n) | {
                        "source": rating.source, "outcome": rating.outcome, "outcome_wording": rating.outcome_wording,
                        "impact": rating.impact, "band": corpus.band(rating),
                        "estimate_type": estimate.type if estimate else None,
                        "estimate_value": estimate.value if estimate else None,
                        "estimate_range_low": estimate.range_low if estimate else None,
                        "estimate_range_high": estimate.range_high if estimate else None,
                        "estimate_ci_low": estimate.ci_low if estimate else None,
                        "estimate_ci_high": estimate.ci_high if estimate else None,
                        "evidence": rating.evidence, "cost": rating.cost, "in_words": rating.in_words,
                        "strand": rating.strand, "based_on": as_json(rating.based_on),
                        "evidence_base": base_key(rating), "url": rating.url,
                        "checked": as_date(rating.checked), "note": rating.note,
                    }

    columns = (_row_id("rating"),) + _owner_columns(kinds, "rating") + (
        Column("source", "string", doc(r, "source")),
        Column("outcome", "string", doc(r, "outcome")),
        Column("outcome_wording", "string", doc(r, "outcome_wording")),
        Column("impact", "string", doc(r, "impact")),
        Column("band", "string", "Harmonised impact band (vocabulary `impact-bands`) derived from the source's own "
               "label by the `impact_labels` map in sources.yml; empty where the label gives no size."),
        Column("estimate_type", "string", doc(est, "type") + " This is the unit of `estimate_value`."),
        Column("estimate_value", "number", doc(est, "value")),
        Column("estimate_range_low", "number", doc(est, "range_low")),
        Column("estimate_range_high", "number", doc(est, "range_high")),
        Column("estimate_ci_low", "number", doc(est, "ci_low")),
        Column("estimate_ci_high", "number", doc(est, "ci_high")),
        Column("evidence", "string", doc(r, "evidence")),
        Column("cost", "string", doc(r, "cost")),
        Column("in_words", "string", doc(r, "in_words")),
        Column("strand", "string", doc(r, "strand")),
        _based_on_column(),
        Column("evidence_base", "string", "What the rating rests on, as one key: its `based_on` review ids joined by "
               "'+', or '<source>:own-review' where it names none. Ratings with the same key (within an entry) are "
               "one evidence base: count them once."),
        Column("url", "string", doc(r, "url")),
        Column("checked", "date", doc(r, "checked")),
        Column("note", "string", doc(r, "note")),
    )
    return Table("ratings", "Ratings: what each clearinghouse or toolkit says about an approach or programme, one row "
                 "per source and outcome, with the source's own labels verbatim beside our harmonised band.",
                 columns, rows,
                 foreign_keys=(("approach", "approaches"), ("programme", "programmes"), ("source", "sources"),
                               ("outcome", "outcomes"), ("band", "impact_bands"), ("estimate_type", "effect_types")),
                 indexes=("approach", "programme", "entry_type", "source", "outcome", "band", "estimate_type", "evidence_base"))


def references_table(corpus: Corpus) -> Table:
    ref, kinds = Reference, ("approaches", "programmes", "studies")

    def rows() -> Iterator[dict[str, Any]]:
        for kind in kinds:
            for entry in getattr(corpus, kind):
                for n, reference in enumerate(entry.references, 1):
                    yield {"id": f"{entry.id}-{n}"} | _owner_values(kind, kinds, entry.id, n) | {
                        "title": reference.title, "url": reference.url, "publisher": reference.publisher,
                        "year": reference.year, "doi": reference.doi,
                    }

    columns = (_row_id("reference"),) + _owner_columns(kinds, "reference") + tuple(
        Column(name, "integer" if name == "year" else "string", doc(ref, name))
        for name in ("title", "url", "publisher", "year", "doi")
    )
    return Table("references", "References: the sources behind the text of each approach, programme and study.",
                 columns, rows,
                 foreign_keys=(("approach", "approaches"), ("programme", "programmes"), ("study", "studies")),
                 indexes=("approach", "programme", "study", "entry_type", "publisher"), label_column="title")


def result_tables(corpus: Corpus) -> list[Table]:
    return [findings_table(corpus), ratings_table(corpus), references_table(corpus)]
