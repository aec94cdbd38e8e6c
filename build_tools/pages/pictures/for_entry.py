"""The pictures an approach or programme page shows, in one call for pages/entry.py."""

from __future__ import annotations

from markupsafe import Markup

from ...evidence.corpus import Corpus
from ...evidence.models import Entry, Programme
from .borough_map import programme_map
from .forest import forest_plot


def entry_pictures(corpus: Corpus, entry: Entry, root: str) -> dict[str, Markup]:
    """{"forest": figure or "", "map": figure or ""} (the map only on programme pages)."""
    return {
        "forest": forest_plot(corpus, entry.id, entry.name),
        "map": programme_map(corpus, entry, root) if isinstance(entry, Programme) else Markup(""),
    }
