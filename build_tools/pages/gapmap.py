"""The evidence gap map: approaches x outcome domains, each cell the studies found.

A study counts for an approach when it evaluates the approach itself or one of the
approach's programmes, and for an outcome when it reports a finding on it. The cell
shows how many such studies there are and the best design among them (Maryland SMS).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..evidence.corpus import Corpus
from ..evidence.models import Study
from .facts import Facts
from .text import front_matter, template_env


@dataclass(frozen=True)
class Cell:
    studies: int
    best_sms: int | None  # None: no study with an SMS level (e.g. reviews only)
    reviews: int  # systematic reviews among them
    targeted: bool  # the approach names this outcome among its aims

    @property
    def shade(self) -> str:
        """CSS class suffix; the text in the cell says the same thing."""
        if not self.studies:
            return "gap" if self.targeted else "none"
        return "few" if self.studies == 1 else "some" if self.studies <= 3 else "many"


def _studies_of(corpus: Corpus, approach_id: str) -> list[Study]:
    found = {s.id: s for s in corpus.studies_for(approach_id)}
    for programme in corpus.programmes_for(approach_id):
        found.update({s.id: s for s in corpus.studies_for(programme.id)})
    return [found[k] for k in sorted(found)]


def gap_cells(corpus: Corpus) -> tuple[list[str], dict[str, dict[str, Cell]]]:
    """(outcome ids shown as columns, approach id -> outcome id -> cell)."""
    rows: dict[str, dict[str, Cell]] = {}
    used: set[str] = set()
    for approach in corpus.approaches:
        by_outcome: dict[str, list[Study]] = {}
        for study in _studies_of(corpus, approach.id):
            for outcome in dict.fromkeys(f.outcome for f in study.findings):
                by_outcome.setdefault(outcome, []).append(study)
        used.update(by_outcome, approach.outcomes)
        cells = {}
        for outcome in set(by_outcome) | set(approach.outcomes):
            studies = by_outcome.get(outcome, [])
            levels = [lvl for lvl in (corpus.sms_level(s) for s in studies) if lvl is not None]
            cells[outcome] = Cell(len(studies), max(levels) if levels else None,
                                  sum(s.design == "systematic-review" for s in studies), outcome in approach.outcomes)
        rows[approach.id] = cells
    columns = [t.id for t in corpus.vocabularies["outcomes"].terms if t.id in used]
    return columns, rows


def gap_map_page(corpus: Corpus, facts: Mapping[str, Facts]) -> str:
    columns, cells = gap_cells(corpus)
    approaches = sorted(corpus.approaches, key=lambda a: (a.name.casefold(), a.id))
    empty = Cell(0, None, 0, False)
    return template_env().get_template("gap_map.md.j2").render(
        corpus=corpus, columns=columns, approaches=approaches, cells=cells, empty=empty, facts=facts, root="../",
        front=front_matter("Evidence gap map", "Approaches against outcome domains: how many studies there are, and how strong the best one is.", hide=("toc",)),
    )
