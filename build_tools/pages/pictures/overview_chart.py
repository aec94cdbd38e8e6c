"""Overview chart: every approach placed by its impact on violence (the headline band the
site's lists show, from pages/facts.py) against the strength of evidence held here (best
Maryland SMS level among its studies), its cost label beside it where a source gives one.
Each mark links to the approach's page; the page puts the same facts in a table."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from ...evidence.corpus import Corpus
from ..facts import Facts
from . import render_svg

LEFT = 140  # width of the row headings (bands)
COL = 112
TOP = 40  # column headings above the first row
LINE = 13
WRAP = 19  # characters per line of a mark's name
SMS_COLUMNS = (None, 1, 2, 3, 4, 5)
UNRATED = "unrated"


@dataclass(frozen=True)
class Mark:
    id: str
    href: str
    lines: tuple[str, ...]  # the name, wrapped
    cost: str  # "" if no source gives one
    band: str
    label: str  # accessible name: everything the mark says
    x: float
    y: float


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    y: float
    height: float


def cost_label(f: Facts) -> str:
    """The first source's own cost label ("Source: label" -> "label"), verbatim."""
    return f.cost[0].rsplit(": ", 1)[-1] if f.cost else ""


def sms_heading(level: int | None) -> str:
    return f"SMS {level}" if level else "No SMS level"


def _mark_height(f: Facts) -> int:
    return LINE * (len(textwrap.wrap(f.name, WRAP)) + bool(f.cost)) + 8


def chart(corpus: Corpus, facts: Mapping[str, Facts], root: str) -> tuple[list[Band], list[Mark], float]:
    approaches = sorted((f for f in facts.values() if f.kind == "approach"), key=lambda f: (f.name.casefold(), f.id))
    cells: dict[tuple[str, int | None], list[Facts]] = {}
    for f in approaches:
        cells.setdefault((f.headline or UNRATED, f.best_sms), []).append(f)
    bands, marks, y = [], [], TOP
    for band in sorted({b for b, _ in cells}, key=lambda b: corpus.band_rank(None if b == UNRATED else b)):
        height = max(sum(_mark_height(f) for f in cells.get((band, s), [])) for s in SMS_COLUMNS) + 6
        label = "Not rated on violence" if band == UNRATED else corpus.label("impact-bands", band)
        bands.append(Band(band, label, y, height))
        for col, level in enumerate(SMS_COLUMNS):
            my = y + 4
            for f in cells.get((band, level), []):
                cost = cost_label(f)
                marks.append(Mark(
                    id=f.id, href=f"{root}{f.path}", lines=tuple(textwrap.wrap(f.name, WRAP)), cost=f"£ {cost}" if cost else "",
                    band=band, x=LEFT + col * COL + 6, y=my,
                    label=f"{f.name}: {label}; {sms_heading(level)}" + (f"; cost {f.cost[0]}" if cost else ""),
                ))
                my += _mark_height(f)
        y += height
    return bands, marks, y


def overview_chart(corpus: Corpus, facts: Mapping[str, Facts], root: str) -> Markup:
    bands, marks, bottom = chart(corpus, facts, root)
    columns = [(LEFT + i * COL, sms_heading(level)) for i, level in enumerate(SMS_COLUMNS)]
    return render_svg("overview_chart.svg.j2", bands=bands, marks=marks, columns=columns, col=COL, left=LEFT,
                      top=TOP, line=LINE, width=LEFT + COL * len(SMS_COLUMNS), height=bottom + 30, bottom=bottom)
