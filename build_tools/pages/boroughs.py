"""London borough by borough: a page per borough (and pan-London), the London index with
the tile map, the VRU portfolio, and the overview chart page.

A programme runs in a borough when it names it or names `pan-london`. Each approach is
shown with its headline band from pages/facts.py, the one definition every list uses."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..evidence.corpus import Corpus
from ..evidence.models import Programme
from .facts import Facts
from .pictures.borough_map import PAN_LONDON, borough_names, london_counts_map, runs_in
from .pictures.overview_chart import overview_chart, sms_heading
from .text import front_matter, template_env

SECTION = "london"


def _programme_rows(corpus: Corpus, facts: Mapping[str, Facts], programmes: list[Programme]) -> list[dict]:
    return [{
        "f": facts[p.id], "p": p, "pan": PAN_LONDON in p.boroughs,
        "status": corpus.label("evaluation-statuses", p.evaluation_status),
        "approaches": [facts[a] for a in p.approaches if a in facts],
    } for p in sorted(programmes, key=lambda p: (p.name.casefold(), p.id))]


def programmes_in(corpus: Corpus, borough: str) -> list[Programme]:
    if borough == PAN_LONDON:
        return [p for p in corpus.programmes if PAN_LONDON in p.boroughs]
    return [p for p in corpus.programmes if runs_in(p, borough)]


def london_pages(corpus: Corpus, facts: Mapping[str, Facts]) -> Iterator[tuple[str, str]]:
    """(path inside site/, Markdown) for the London section and the overview chart page."""
    env = template_env()
    names = borough_names(corpus)
    counts = {b: len(programmes_in(corpus, b)) for b in names}
    n_pan = len(programmes_in(corpus, PAN_LONDON))
    pan_label = {t.id: t.label for t in corpus.vocabularies["boroughs"].terms}.get(PAN_LONDON)  # None if the vocabulary drops it
    yield f"{SECTION}/index.md", env.get_template("london.md.j2").render(
        corpus=corpus, names=names, counts=counts, n_pan=n_pan, pan_label=pan_label, root="../", map=london_counts_map(corpus, "../"),
        front=front_matter("London borough by borough", "Which programmes run in each London borough, how far each has been evaluated, and the evidence for its approach."))
    for bid, name in ([(PAN_LONDON, pan_label)] if pan_label else []) + list(names.items()):
        rows = _programme_rows(corpus, facts, programmes_in(corpus, bid))
        where = "across all of London" if bid == PAN_LONDON else f"in {name}"
        yield f"{SECTION}/{bid}.md", env.get_template("borough.md.j2").render(
            corpus=corpus, bid=bid, name=name, rows=rows, pan=bid == PAN_LONDON, root="../",
            front=front_matter(f"Programmes {where}", f"The programmes recorded as running {where}, their evaluation status and the evidence for their approaches."))
    vru = _programme_rows(corpus, facts, [p for p in corpus.programmes if p.vru_funded])
    yield f"{SECTION}/vru-portfolio.md", env.get_template("vru_portfolio.md.j2").render(
        corpus=corpus, rows=vru, root="../", names=names,
        front=front_matter("VRU portfolio", "Each programme the London VRU funds: the evidence for its approach beside its own evaluation status.", hide=("toc",)))
    approaches = sorted((f for f in facts.values() if f.kind == "approach"), key=lambda f: (f.name.casefold(), f.id))
    yield "overview/index.md", env.get_template("overview_chart.md.j2").render(
        corpus=corpus, approaches=approaches, root="../", chart=overview_chart(corpus, facts, "../"), sms_heading=sms_heading,
        front=front_matter("Approaches at a glance", "Every approach by its impact on violence and the strength of its evidence, with cost where a source gives it.", hide=("toc",)))
