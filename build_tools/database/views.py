"""SQL views over the tables: the ratings crosswalk and a list of all entries. (The evidence gap
map is a table, written from the Corpus's one definition: tables/evidence_map.py.)

Views are plain SQL over the tables written by sqlite-utils (no data is inserted here).
Each view's columns are described here, next to the SQL that makes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..evidence.corpus import Corpus
from ..tables.spec import quote_name, quote_text, table_name


@dataclass(frozen=True)
class View:
    name: str
    description: str
    sql: str
    columns: dict[str, str]  # column -> description, in the view's column order


_CROSSWALK = """
SELECT coalesce(r.approach, r.programme) AS entry, r.entry_type, coalesce(a.name, p.name) AS entry_name,
  r.source, src.label AS source_label, r.outcome, o.label AS outcome_label, r.outcome_wording,
  r.impact, r.band, b.label AS band_label, r.estimate_value, r.estimate_type, t.label AS estimate_unit,
  r.evidence, r.cost, r.in_words, r.strand, r.based_on, r.evidence_base,
  (SELECT count(DISTINCT r2.source) FROM ratings r2
   WHERE coalesce(r2.approach, r2.programme) = coalesce(r.approach, r.programme)
     AND r2.evidence_base = r.evidence_base) AS sources_on_base,
  r.url, r.checked, r.id AS rating
FROM ratings r
LEFT JOIN approaches a ON a.id = r.approach
LEFT JOIN programmes p ON p.id = r.programme
JOIN sources src ON src.id = r.source
JOIN outcomes o ON o.id = r.outcome
LEFT JOIN impact_bands b ON b.id = r.band
LEFT JOIN effect_types t ON t.id = r.estimate_type
ORDER BY r.entry_type, entry_name, src.position, o.position, r.position
"""

_ENTRIES = """
SELECT id, 'approach' AS type, name, summary, harmful, backfires, review_status, last_reviewed, next_review_due,
  yaml_path
FROM approaches
UNION ALL
SELECT id, 'programme', name, summary, harmful, backfires, review_status, last_reviewed, next_review_due, yaml_path
FROM programmes
UNION ALL
SELECT id, 'study', name, summary, 0, backfires, review_status, last_reviewed, next_review_due, yaml_path
FROM studies
ORDER BY id
"""


def _side_by_side(corpus: Corpus) -> View:
    """One row per approach or programme with ratings, one column per source: the crosswalk as a grid."""
    sources = corpus.vocabularies["sources"].terms
    cells = ",\n  ".join(
        f"group_concat(CASE WHEN r.source = {quote_text(s.id)} THEN coalesce(r.impact, 'no label') || "
        f"coalesce(' [' || r.band || ']', '') || ' (' || r.outcome || ')' END, '; ') AS {quote_name(table_name(s.id))}"
        for s in sources
    )
    sql = f"""
SELECT coalesce(r.approach, r.programme) AS entry, r.entry_type, coalesce(a.name, p.name) AS entry_name,
  {cells}
FROM (SELECT * FROM ratings ORDER BY position) r
LEFT JOIN approaches a ON a.id = r.approach
LEFT JOIN programmes p ON p.id = r.programme
GROUP BY entry, r.entry_type
ORDER BY r.entry_type, entry_name
"""
    columns = {
        "entry": "Id of the approach or programme.",
        "entry_type": "approach or programme.",
        "entry_name": "Name of the approach or programme.",
    } | {table_name(s.id): f"What {s.label} says: its own impact label, our harmonised band in brackets, and the "
                           "outcome it refers to; several ratings are separated by ';'." for s in sources}
    return View("ratings_side_by_side", "The ratings crosswalk as a grid: one row per approach or programme, one "
                "column per source, so sources can be read side by side.", sql, columns)


def views(corpus: Corpus) -> list[View]:
    crosswalk = View("ratings_crosswalk", "Ratings crosswalk: each source's rating of each approach and programme, "
                     "one row per rating with labels spelled out, ordered by entry and source.", _CROSSWALK, {
                         "entry": "Id of the approach or programme rated.",
                         "entry_type": "approach or programme.",
                         "entry_name": "Name of the approach or programme.",
                         "source": "Id of the rating source.",
                         "source_label": "Name of the rating source.",
                         "outcome": "Id of the outcome domain rated.",
                         "outcome_label": "Name of the outcome domain.",
                         "outcome_wording": "The source's own name for the outcome, verbatim.",
                         "impact": "The source's own impact label, verbatim.",
                         "band": "Our harmonised impact band.",
                         "band_label": "Name of the harmonised impact band.",
                         "estimate_value": "The source's headline number.",
                         "estimate_type": "Id of the kind of number (its unit).",
                         "estimate_unit": "Name of the kind of number (its unit).",
                         "evidence": "The source's own evidence-strength label, verbatim.",
                         "cost": "The source's own cost label, verbatim.",
                         "in_words": "Our paraphrase of a rating the source gives only in prose.",
                         "strand": "The source's own sub-strand name, verbatim.",
                         "based_on": "Ids of the review studies held here the rating rests on (JSON array).",
                         "evidence_base": "What the rating rests on, as one key (see `ratings.evidence_base`).",
                         "sources_on_base": "How many sources' ratings of this entry rest on the same evidence base: "
                                            "2 or more means they share a review and count once.",
                         "url": "Page the rating was read from.",
                         "checked": "Date the rating was last checked.",
                         "rating": "Id of the row in `ratings`.",
                     })
    entries = View("entries", "Every approach, programme and study in one list, with review dates.", _ENTRIES, {
        "id": "Id of the entry.",
        "type": "approach, programme or study.",
        "name": "Name of the entry.",
        "summary": "Plain-language summary.",
        "harmful": "1 if a named source rates it harmful (always 0 for studies, which are not rated).",
        "backfires": "Number of unfavourable findings (things got worse) in it or in the studies of it.",
        "review_status": "Editorial state: draft, reviewed or needs-update.",
        "last_reviewed": "Date the entry was last checked.",
        "next_review_due": "Date by which it should be checked again.",
        "yaml_path": "The YAML file it was built from.",
    })
    return [crosswalk, _side_by_side(corpus), entries]
