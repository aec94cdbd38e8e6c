"""London tile map: the 32 boroughs and the City as equal squares in the familiar London
tile-grid layout (as on the "London Squared" map), each linking to its borough page.

Names and ids come from evidence/vocabularies/boroughs.yml; only the grid places live here
(a test checks they cover the vocabulary exactly)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from ...evidence.corpus import Corpus
from . import render_svg

PAN_LONDON = "pan-london"
# borough id -> (column, row, short label on the tile)
GRID: dict[str, tuple[int, int, str]] = {
    "enfield": (4, 0, "ENF"),
    "harrow": (2, 1, "HRW"), "barnet": (3, 1, "BRN"), "haringey": (4, 1, "HGY"), "waltham-forest": (5, 1, "WTH"),
    "hillingdon": (0, 2, "HDN"), "ealing": (1, 2, "EAL"), "brent": (2, 2, "BRT"), "camden": (3, 2, "CMD"),
    "islington": (4, 2, "ISL"), "hackney": (5, 2, "HCK"), "redbridge": (6, 2, "RDB"), "havering": (7, 2, "HAV"),
    "hounslow": (0, 3, "HNS"), "hammersmith-and-fulham": (1, 3, "HMS"), "kensington-and-chelsea": (2, 3, "KNS"),
    "westminster": (3, 3, "WST"), "city-of-london": (4, 3, "CTY"), "tower-hamlets": (5, 3, "TOW"),
    "newham": (6, 3, "NWM"), "barking-and-dagenham": (7, 3, "BAR"),
    "richmond-upon-thames": (1, 4, "RCH"), "wandsworth": (2, 4, "WNS"), "lambeth": (3, 4, "LAM"),
    "southwark": (4, 4, "SWK"), "lewisham": (5, 4, "LSH"), "greenwich": (6, 4, "GRN"), "bexley": (7, 4, "BXL"),
    "kingston-upon-thames": (2, 5, "KNG"), "merton": (3, 5, "MRT"), "croydon": (4, 5, "CRD"), "bromley": (5, 5, "BRM"),
    "sutton": (3, 6, "STN"),
}
TILE, GAP = 56, 4
PAD_TOP = 4


@dataclass(frozen=True)
class Tile:
    id: str
    name: str
    abbr: str
    x: int
    y: int
    shade: str  # CSS class suffix; the tile's text says the same
    value: str  # text under the abbreviation ("" for none)
    label: str  # accessible name of the tile's link: the borough, the abbreviation shown, what the tile says


def borough_names(corpus: Corpus) -> dict[str, str]:
    """Borough id -> name, in the vocabulary's order, without pan-London."""
    return {t.id: t.label for t in corpus.vocabularies["boroughs"].terms if t.id != PAN_LONDON}


def runs_in(programme, borough: str) -> bool:
    """A pan-London programme runs in every borough."""
    return borough in programme.boroughs or PAN_LONDON in programme.boroughs


def count_shade(named: int, pan: int) -> str:
    """Shade by the programmes that name the borough: pan-London ones alone give every tile the lightest fill."""
    if named == 0:
        return "pan" if pan else "none"
    return "few" if named == 1 else "some" if named == 2 else "many"


def tiles(corpus: Corpus, states: Mapping[str, tuple[str, str, str]]) -> list[Tile]:
    """states: borough id -> (shade, value, what the tile says in words). Boroughs the grid does not know are left out."""
    out = []
    for bid, name in borough_names(corpus).items():
        if bid not in GRID:
            continue
        col, row, abbr = GRID[bid]
        shade, value, words = states[bid]
        # the name holds the visible abbreviation too (WCAG 2.5.3 label in name: "click BRN" works)
        out.append(Tile(bid, name, abbr, col * (TILE + GAP), PAD_TOP + row * (TILE + GAP), shade, value,
                        f"{name} ({abbr}): {words}"))
    return out


def borough_map(corpus: Corpus, root: str, map_id: str, title: str, description: str,
                states: Mapping[str, tuple[str, str, str]]) -> Markup:
    columns = 1 + max(c for c, _, _ in GRID.values())
    rows = 1 + max(r for _, r, _ in GRID.values())
    return render_svg("borough_map.svg.j2", tiles=tiles(corpus, states), root=root, map_id=map_id, title=title,
                      description=description, width=columns * (TILE + GAP) - GAP, height=PAD_TOP + rows * (TILE + GAP) - GAP,
                      tile=TILE)


def london_counts_map(corpus: Corpus, root: str) -> Markup:
    """Home and London pages: how many programmes run in each borough (pan-London ones count everywhere)."""
    pan = sum(PAN_LONDON in p.boroughs for p in corpus.programmes)
    states = {}
    for bid, name in borough_names(corpus).items():
        n = sum(runs_in(p, bid) for p in corpus.programmes)
        states[bid] = (count_shade(n - pan, pan), str(n), f"{n} programme{'s' if n != 1 else ''}")
    named = sorted(((states[b][1], n) for b, n in borough_names(corpus).items() if int(states[b][1]) > pan), key=lambda t: (-int(t[0]), t[1]))
    everywhere = f"{pan} programme{'s run' if pan != 1 else ' runs'} across all of London, so every borough has at least {pan}. " if pan else ""
    more = ("More run in " if pan else "Programmes run in ") + ", ".join(f"{name} ({n})" for n, name in named) + ". " if named else ""
    description = everywhere + (more or "No programme here names a borough. ") + "Darker squares have more programmes that name the borough itself."
    return borough_map(corpus, root, "london-map", "Where programmes run in London: number of programmes in each borough", description, states)


def programme_map(corpus: Corpus, programme, root: str) -> Markup:
    """A programme page: the boroughs it runs in, filled; nothing if it names no borough."""
    if not programme.boroughs:
        return Markup("")
    names = borough_names(corpus)
    states = {bid: (("runs", "runs here", "runs here") if runs_in(programme, bid) else ("none", "", "not listed"))
              for bid in names}
    if PAN_LONDON in programme.boroughs:
        description = f"{programme.name} runs across all of London: every borough is filled."
    else:
        description = f"{programme.name} runs in " + ", ".join(names[b] for b in programme.boroughs if b in names) + "."
    return borough_map(corpus, root, f"map-{programme.id}", f"Where {programme.name} runs in London", description, states)
