"""The search index's fields, shared by the writer (`whatworks build`) and the readers.

Whoosh pickles the schema into the index, so the field classes must be importable wherever
the index is read: they live here, in the plugin, which the published Datasette installs
without the rest of the build.

One document per approach, programme and study. Only what is searched or shown is indexed:
`body` (the Markdown fields, findings, vocabulary labels) is searched but not stored, which
keeps the index small and the build fast.

THE ONE WHOOSH SEAM. Everything else in the project uses Whoosh's public API (searcher.search,
docs_for_query, reader.terms_within, postings().all_ids(), the query parser and its plugins).
`SpelledText` overrides `FieldType.spellable_words`, the hook Whoosh documents for "exotic
field types", and relies on the writer calling it once per document: it lists each word for
"did you mean" once per write instead of once per document (a 10k build was 3x slower).
tests/test_search_seam.py fails if the pinned whoosh3 changes version or stops calling it so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index
from whoosh.analysis import STOP_WORDS, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, TEXT, Schema

WHOOSH_VERSION = "3.54.0"  # the version the seam above is tested against (pyproject pins it)
# Bump when the schema or the document text changes: a reader refuses an index of another format.
FORMAT = "whatworks-search-4"
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

STEMMER = StemmingAnalyzer()
WORD = re.compile(r"[^\W\d_]{2,}")


class SearchError(Exception):
    """A problem the user can fix (missing index, bad query); str() is the message to show."""


class IndexMissing(SearchError):
    """No readable index at the given folder."""


def analyse(text: str) -> list[str]:
    """The words (stems) the index makes of a text."""
    return [t.text for t in STEMMER(text)]


class SpelledText(TEXT):
    """TEXT whose unstemmed words go on the spelling list once per write (see the seam above)."""

    seen: set[str] | None = None  # while writing: words already listed; None: list every word

    def spellable_words(self, value: str) -> Iterator[str]:
        words = set(WORD.findall(value.lower())) - STOP_WORDS
        if SpelledText.seen is not None:
            words -= SpelledText.seen
            SpelledText.seen.update(words)
        return iter(sorted(words))


@contextmanager
def spelling_once() -> Iterator[None]:
    """Around one writer's documents: each spelling word is listed once."""
    SpelledText.seen = set()
    try:
        yield
    finally:
        SpelledText.seen = None


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
