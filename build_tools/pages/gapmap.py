"""The evidence gap map page: approaches x outcome domains. Each cell is Corpus.gap_map's
cell (evidence/evidence_map.py), the same definition the database table reads; this module
only words and shades it."""

from __future__ import annotations

from collections.abc import Mapping

from ..evidence.corpus import Corpus
from ..evidence.evidence_map import GapCell
from .facts import Facts
from .text import front_matter, template_env


def shade(cell: GapCell | None) -> str:
    """CSS class suffix; the text in the cell says the same thing."""
    if cell is None or not cell.evidence:
        return "gap" if cell is not None and cell.targeted else "none"
    return "few" if cell.evidence == 1 else "some" if cell.evidence <= 3 else "many"


def describe(corpus: Corpus, cell: GapCell) -> str:
    """The cell in words, for its label and title: what is known and from where."""
    parts = []
    held = cell.reviews
    unheld = [b for b in cell.bases if not b.reviews]
    if held:
        pooled = f", pooling {cell.studies_pooled} studies" if cell.studies_pooled else ""
        pooled += " where stated" if cell.pooled_partial else ""
        parts.append(f"{len(held)} review{'s' if len(held) > 1 else ''} held here{pooled}")
    if unheld:
        names = ", ".join(corpus.label("sources", b.sources[0]) for b in unheld)
        parts.append(f"rated by {names} (its review is not held here)")
    if cell.primary:
        parts.append(f"{len(cell.primary)} primary stud{'y' if len(cell.primary) == 1 else 'ies'}")
    if cell.best_design:
        parts.append(f"best design: {corpus.label('designs', cell.best_design)}")
    if cell.monitoring:
        parts.append(f"{len(cell.monitoring)} with no comparison group, not counted")
    return "; ".join(parts) or "nothing known"


def badge(corpus: Corpus, cell: GapCell) -> str:
    """The short line under the count: whether a review stands behind it, and the best SMS level."""
    level = corpus.term("designs", cell.best_design).sms_level if cell.best_design else None
    if cell.reviews or cell.bases:
        return "review" + (f" · SMS {level}" if level else "")
    return f"SMS {level}" if level else "no SMS"


def gap_map_page(corpus: Corpus, facts: Mapping[str, Facts]) -> str:
    cells = corpus.gap_map
    used = {o for _, o in cells}
    columns = [t.id for t in corpus.vocabularies["outcomes"].terms if t.id in used]
    approaches = sorted(corpus.approaches, key=lambda a: (a.name.casefold(), a.id))
    return template_env().get_template("gap_map.md.j2").render(
        corpus=corpus, columns=columns, approaches=approaches, cells=cells, facts=facts, root="../",
        shade=shade, describe=describe, badge=badge,
        front=front_matter("Evidence gap map", "Approaches against outcome domains: the reviews behind clearinghouse ratings and the studies held here, and how strong the best design is.", hide=("toc",)),
    )
