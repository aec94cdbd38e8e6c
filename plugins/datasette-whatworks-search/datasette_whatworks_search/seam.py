"""THE ONE WHOOSH SEAM: the only code that goes beyond whoosh3's public API. Both parts are
speed, measured in bench/RESULTS.md; tests/test_search_seam.py fails loudly if the pinned
whoosh3 (pyproject: ==3.54.0) changes version or stops behaving as these rely on.

* `read_postings` reads a term's postings from whoosh3's posting blocks whole (private
  attributes of its block matcher), about 5x faster than stepping the public matcher a
  posting at a time. It is what keeps the engine (engine.py) fast: Whoosh's own searcher
  answers the mixed queries of bench/bench_search.py in 248 ms p95 at 2,000 entries
  (target 50 ms), the engine over these postings in 28 ms, on the same loaded machine.
  Any other matcher is stepped through the public methods.
* `SpelledText` overrides `FieldType.spellable_words` (the hook Whoosh documents for exotic
  field types) and relies on the writer calling it once per document: it lists each word
  for "did you mean" once per write instead of once per document (a 10k build was 3x
  slower). It must be importable by every reader: Whoosh pickles the schema into the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import accumulate

from whoosh.analysis import STOP_WORDS
from whoosh.fields import TEXT

WHOOSH_VERSION = "3.54.0"
WORD = re.compile(r"[^\W\d_]{2,}")
_BLOCK_ATTRIBUTES = ("_read_data", "_data", "_byteids", "_read_ids", "_read_weights", "_next_block", "_ids", "_weights", "_i")


def reads_blocks(matcher) -> bool:
    """True when `matcher` is whoosh3's block matcher that read_postings reads directly."""
    return all(hasattr(matcher, a) for a in _BLOCK_ATTRIBUTES)


def read_postings(matcher) -> tuple[list[int], list[float]]:
    """A term's postings in one segment: (docnums, weights), in docnum order."""
    ids: list[int] = []
    weights: list[float] = []
    if reads_blocks(matcher):
        while matcher.is_active():
            if matcher._ids is None and not matcher._byteids:  # whoosh decodes deltas in Python; accumulate is C
                if matcher._data is None:
                    matcher._read_data()
                matcher._ids = tuple(accumulate(matcher._data[0]))
            elif matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.extend(matcher._ids[matcher._i:])
            weights.extend(matcher._weights[matcher._i:])
            matcher._next_block()
        return ids, weights
    while matcher.is_active():  # the public way (e.g. a segment with deletions wraps its matcher)
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


class SpelledText(TEXT):
    """TEXT whose unstemmed words go on the spelling list once per write (see above)."""

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
