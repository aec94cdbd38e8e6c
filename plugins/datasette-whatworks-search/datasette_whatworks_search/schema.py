"""The search index's fields, shared by the writer (`whatworks build`) and the readers.

Whoosh pickles the schema into the index, so the field classes must be importable wherever
the index is read: they live here, in the plugin, which the published Datasette installs
without the rest of the build.

One document per approach, programme and study. Only what is searched or shown is indexed:
`body` (the Markdown fields, findings, vocabulary labels) is searched but not stored, which
keeps the index small and the build fast.

The field classes that go beyond Whoosh's public API are in seam.py (the one Whoosh seam).
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, Schema

from .seam import SpelledText, spelling_once

# Whoosh's query operators (upper case only): words a query, a suggestion or a synonym treats as syntax.
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})

# Bump when the schema or the document text changes: a reader refuses an index of another format.
FORMAT = "whatworks-search-5"  # 5: synonyms.json beside the index
FORMAT_FILE = "FORMAT"
FACETS = ("type", "settings", "outcomes", "priority_areas", "band", "level", "design")
TEXT_FIELDS = ("name", "summary", "body")
# Query-syntax aliases, so `setting:pru` and `outcome:exclusion` read naturally.
ALIASES = {
    "settings": ["setting"], "outcomes": ["outcome"], "type": ["kind"],
    "priority_areas": ["priority", "priority_area", "priority-area", "area"],
    "band": ["impact"], "level": ["sms", "evidence"],
}
# facet name in output, filters and query syntax -> index field
FACET_REPORT = {"type": "type", "setting": "settings", "outcome": "outcomes", "priority_area": "priority_areas"}

# Whoosh's word pattern (whoosh.analysis.tokenizers.default_pattern), plus & inside a word:
# "A&E" is a word practitioners search for (the default splits it into "a" and "e", a stop
# word and a letter too short to keep, so A&E could not be found at all).
STEMMER = StemmingAnalyzer(expression=r"[\w\*]+([.&]?[\w\*]+)*")


class SearchError(Exception):
    """A problem the user can fix (missing index, bad query); str() is the message to show."""


class IndexMissing(SearchError):
    """No readable index at the given folder."""


def analyse(text: str) -> list[str]:
    """The words (stems) the index makes of a text."""
    return [t.text for t in STEMMER(text)]


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        type=ID(stored=True),
        # positions (exact phrases) only in names: summary and body postings stay small and fast
        name=SpelledText(stored=True, analyzer=STEMMER, field_boost=3.0, spelling=True),
        summary=SpelledText(stored=True, analyzer=STEMMER, field_boost=1.5, spelling=True, phrase=False),
        body=SpelledText(analyzer=STEMMER, spelling=True, phrase=False),
        **{f: KEYWORD(commas=True, lowercase=True) for f in FACETS if f != "type"},
    )


__all__ = ["FACETS", "FACET_REPORT", "FORMAT", "IndexMissing", "SearchError", "analyse", "open_index", "schema",
           "spelling_once"]


def open_index(folder: Path):
    """The Whoosh index in folder; IndexMissing (with the fix) if there is none of this format."""
    folder = Path(folder)
    fmt = folder / FORMAT_FILE
    try:
        current = fmt.is_file() and fmt.read_text(encoding="utf-8").strip() == FORMAT
        if current and index.exists_in(str(folder)):
            return index.open_dir(str(folder))
    except Exception as exc:  # noqa: BLE001 - damaged or foreign files
        raise IndexMissing(f"{folder}: the search index cannot be read ({exc}). "
                           "Fix: run `whatworks build --only search`") from None
    if fmt.is_file():
        raise IndexMissing(f"{folder}: the search index was written by another version. "
                           "Fix: run `whatworks build --only search`")
    raise IndexMissing(f"{folder}: no search index here. Fix: run `whatworks build --only search` (or pass --index)")
