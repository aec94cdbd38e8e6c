""""Did you mean": each word the index does not know, replaced by the nearest word it does.

Candidates come from Whoosh's public `reader.terms_within` over the unstemmed spelling lists
of name, summary and body (what `searcher.corrector` reads), ranked here by edit distance and
then by how many documents hold the candidate's stem. Whoosh's own ReaderCorrector ranks by
the spelling list's frequencies, which are all 1 here (each word is listed once per build,
schema.SpelledText), so it would pick alphabetically.

The work is bounded, because anyone can send a query to the endpoint: at most
MAX_SPELLED_WORDS words are corrected, each of 4 to MAX_WORD_CHARS letters, at most 2 edits.
"""

from __future__ import annotations

import re

from .schema import OPERATORS, STEMMER, TEXT_FIELDS

MAX_SPELLED_WORDS = 5
MAX_WORD_CHARS = 24
_WORD = re.compile(r'(?<![\w:])([A-Za-z][A-Za-z\'-]*[A-Za-z])(?![\w:])')


def suggest(reader, text: str, docs=None, known: frozenset[str] = frozenset()) -> str | None:
    """The query with each unknown word replaced by the nearest known word that also occurs
    with the query's known words (so "scared strait" is not "fixed" to "scared strain").
    None when every word is known or nothing fits. `docs(stems)`: the documents holding all
    the stems (SearchIndex.docs caches them); by default read from the reader. `known`: words
    (lower case) to leave as they are, such as those a synonym stands for ("kicked out")."""
    docs = docs or _Docs(reader)
    words = [(m, _stems(m.group(1))) for m in _WORD.finditer(text)
             if m.group(1) not in OPERATORS and len(m.group(1)) >= 4 and m.group(1).lower() not in known]
    unknown = [m for m, stems in words if stems and not docs(stems)]
    if not unknown:
        return None
    known = [docs(stems) for _, stems in words if stems and docs(stems)]
    context = set.intersection(*known) if known else None
    fixed, end = [], 0
    for m in unknown[:MAX_SPELLED_WORDS]:
        word = m.group(1)
        if len(word) > MAX_WORD_CHARS:
            continue
        for candidate in _candidates(reader, word.lower(), maxdist=1 if len(word) < 9 else 2):
            found = docs(_stems(candidate))
            if found and (context is None or found & context):
                fixed += [text[end:m.start()], candidate]
                end = m.end()
                break
    return "".join(fixed) + text[end:] if fixed else None


def _stems(word: str) -> list[str]:
    return [t.text for t in STEMMER(word)]


def _candidates(reader, word: str, maxdist: int, limit: int = 5) -> list[str]:
    """Up to `limit` known words, nearest first, then the most common stem, then A-Z."""
    schema = reader.schema
    for dist in range(1, maxdist + 1):
        words = {w.decode() if isinstance(w, bytes) else w for f in TEXT_FIELDS
                 for w in reader.terms_within(schema[f].spelling_fieldname(f), word, dist, prefix=1)}
        if words:
            return sorted(words, key=lambda w: (-_frequency(reader, w), w))[:limit]
    return []


def _frequency(reader, word: str) -> int:
    stems = _stems(word) or [word]
    return sum(reader.doc_frequency(f, stems[0]) for f in TEXT_FIELDS)


class _Docs:
    """Documents holding every one of some stems in name, summary or body, read once per query."""

    def __init__(self, reader) -> None:
        self.reader, self.cache = reader, {}

    def __call__(self, stems: list[str]) -> set[int]:
        key = tuple(stems)
        if key not in self.cache:
            sets = [set().union(*(self._postings(f, s) for f in TEXT_FIELDS)) for s in stems]
            self.cache[key] = set.intersection(*sets) if sets else set()
        return self.cache[key]

    def _postings(self, field: str, stem: str) -> list[int]:
        return list(self.reader.postings(field, stem).all_ids()) if (field, stem) in self.reader else []
