"""Tables of what the evidence adds up to, read from the Corpus's one definition
(evidence/evidence_map.py): the evidence gap map, the reviews each rating rests on, and the
items considered and excluded (evidence/excluded.yml)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..evidence.corpus import Corpus
from ..evidence.models import Exclusion
from .spec import Column, Table, as_bool, as_date, as_json, doc

DIRECTIONS = ("favourable", "unfavourable", "no-difference", "mixed")


def gap_map_table(corpus: Corpus) -> Table:
    def rows() -> Iterator[dict[str, Any]]:
        for (approach, outcome), cell in corpus.gap_map.items():
            counts = Counter(cell.directions)
            design = corpus.term("designs", cell.best_design) if cell.best_design else None
            yield {
                "approach": approach, "outcome": outcome, "targeted": as_bool(cell.targeted), "status": cell.status,
                "evidence": cell.evidence, "reviews_held": len(cell.reviews),
                "reviews_not_held": sum(1 for b in cell.bases if not b.reviews),
                "studies_pooled": cell.studies_pooled, "primary_studies": len(cell.primary),
                "best_design": cell.best_design, "max_sms_level": design.sms_level if design else None,
                **{d.replace("-", "_"): counts[d] for d in DIRECTIONS},
                "monitoring_studies": len(cell.monitoring),
                "reviews": as_json(r.id for r in cell.reviews),
                "rated_by": as_json(dict.fromkeys(s for b in cell.bases for s in b.sources)),
            }

    columns = (
        Column("approach", "string", "Id of the approach (in `approaches`)."),
        Column("outcome", "string", "Id of the outcome domain (in `outcomes`)."),
        Column("targeted", "boolean", "1 if the approach lists this outcome among those it aims to change."),
        Column("status", "string", "`evidence` if anything is known (a rating's review or a comparative study), "
               "`gap` if the approach aims at the outcome and nothing is known, `none` otherwise."),
        Column("evidence", "integer", "Independent evidence on this outcome: reviews held here (named by ratings or "
               "with a finding on it), plus sources' own reviews not held here, plus primary comparative studies."),
        Column("reviews_held", "integer", "Reviews held here behind it, each once even if several sources rest on it."),
        Column("reviews_not_held", "integer", "Sources that rate it on this outcome without naming a review held here "
               "(each counts as that source's own review)."),
        Column("studies_pooled", "integer", "Studies pooled by the reviews held here, summed over those that say."),
        Column("primary_studies", "integer", "Studies held here, not reviews, that compare against something and "
               "report on this outcome."),
        Column("best_design", "string", "Design (in `designs`) of the strongest of those reviews and studies: highest "
               "SMS level, then list order."),
        Column("max_sms_level", "integer", "Maryland SMS level (1-5) of that design; empty for reviews."),
        Column("favourable", "integer", "Comparative findings in the intended direction."),
        Column("unfavourable", "integer", "Comparative findings in the wrong direction (backfires)."),
        Column("no_difference", "integer", "Comparative findings with no detectable difference."),
        Column("mixed", "integer", "Comparative findings that went both ways."),
        Column("monitoring_studies", "integer", "Studies with figures on this outcome but no comparison group: shown, "
               "never counted above."),
        Column("reviews", "array", "Ids of the reviews held here behind it. JSON array."),
        Column("rated_by", "array", "Ids of the sources that rate the approach (or its programmes) on this outcome. "
               "JSON array."),
    )
    return Table("evidence_gap_map", "Evidence gap map: one row per approach and outcome domain it aims at, is rated on "
                 "or has a finding on. Combines the reviews behind clearinghouse ratings and the comparative studies "
                 "held here (of the approach or its programmes); `gap` only where neither exists. The site's gap map "
                 "page shows the same cells.", columns, rows, pk=("approach", "outcome"),
                 foreign_keys=(("approach", "approaches"), ("outcome", "outcomes"), ("best_design", "designs")),
                 indexes=("outcome", "status", "targeted"), facets=("status", "outcome", "targeted"))


def rating_reviews_table(corpus: Corpus) -> Table:
    def rows() -> Iterator[dict[str, Any]]:
        for entry in corpus.approaches + corpus.programmes:
            for n, rating in enumerate(entry.ratings, 1):
                for position, study in enumerate(rating.based_on, 1):
                    yield {"rating": f"{entry.id}-{n}", "study": study, "position": position}

    columns = (
        Column("rating", "string", "Id of the rating (in `ratings`)."),
        Column("study", "string", "Id of the review study (in `studies`) the rating rests on."),
        Column("position", "integer", "Order in the rating's `based_on` list, from 1."),
    )
    return Table("rating_reviews", "Links each rating to the reviews held here that it rests on (its `based_on`): "
                 "two ratings linked to one review are one evidence base.", columns, rows, pk=("rating", "study"),
                 foreign_keys=(("rating", "ratings"), ("study", "studies")), indexes=("study",), facets=("study",))


def excluded_table(corpus: Corpus) -> Table:
    def rows() -> Iterator[dict[str, Any]]:
        for n, item in enumerate(corpus.excluded, 1):
            yield {"id": n, "item": item.item, "reason": item.reason, "considered": as_date(item.considered), "url": item.url}

    columns = (
        Column("id", "integer", "Position in evidence/excluded.yml, from 1."),
        Column("item", "string", doc(Exclusion, "item")),
        Column("reason", "string", doc(Exclusion, "reason")),
        Column("considered", "date", doc(Exclusion, "considered")),
        Column("url", "string", doc(Exclusion, "url")),
    )
    return Table("excluded", "Considered and excluded: studies, programmes, figures and sources that were looked at "
                 "and left out, with why (evidence/excluded.yml), so nobody adds them later by mistake.",
                 columns, rows, fts=("item", "reason"), label_column="item", sort="id")


def evidence_map_tables(corpus: Corpus) -> list[Table]:
    return [gap_map_table(corpus), rating_reviews_table(corpus), excluded_table(corpus)]
