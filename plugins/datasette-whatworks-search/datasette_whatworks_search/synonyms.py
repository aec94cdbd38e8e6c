"""Synonyms: a query's words that a group of evidence/vocabularies/synonyms.yml names also
search for the group's other phrases ("kicked out" finds "excluded", "A&E" finds
"emergency department"), ranked below what was typed.

The build writes the groups beside the index (SYNONYMS_FILE), so the published Datasette
needs nothing from evidence/. Phrases are matched on the words the index makes of them
(stems), so plurals match too ("gangs", "behaviours"); a word the index drops (a stop word
such as "in" of "children in care") is matched as typed. Each matched phrase adds one clause scored by the best of its alternatives
(a disjunction-max, so a page using three of them does not outrank one using the typed word),
built from stems: whatever the file holds, it never reaches the query parser.

Bounded, because anyone can send a query: a matched phrase is at most MAX_PHRASE_WORDS
words, and one query gains at most MAX_ALTERNATIVES phrases (the first ones, in query order).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from whoosh import query

from .schema import OPERATORS, STEMMER, TEXT_FIELDS, IndexMissing

SYNONYMS_FILE = "synonyms.json"
MAX_ALTERNATIVES = 24  # phrases one query may gain
MAX_PHRASE_WORDS = 6  # words of the longest phrase looked for in a query
BOOST = 0.4  # an alternative counts for less than a word that was typed

_TOKEN = re.compile(r'"[^"]*"?|\S+')  # a quoted phrase (left as written) or a run of non-spaces
_SYNTAX = re.compile(r'[:*?~^(){}\[\]"+]')  # a token with these is a field, pattern or group, not a plain word
_JOINS = {"AND", "OR", "ANDMAYBE"}  # a query that joins its clauses itself is not expanded


def keys(text: str) -> tuple[str, ...]:
    """What a phrase is matched on: per word, its stems, or the word itself (lower case,
    without edge punctuation) if the index keeps no stem of it."""
    found: list[str] = []
    for word in text.split():
        stems = [t.text for t in STEMMER(word)]
        found += stems or [word.strip(".,;!?'").lower()]
    return tuple(k for k in found if k)


@dataclass(frozen=True)
class Expansion:
    alternatives: tuple[tuple[tuple[str, ...], ...], ...]  # per matched phrase, the stems of each alternative
    matched: frozenset[str]  # the typed words that matched a phrase (no "did you mean" for them)

    def queries(self) -> list[query.Query]:
        """One clause per matched phrase: its alternatives, the best one scoring, at BOOST."""
        return [query.DisjunctionMax([_phrase(stems) for stems in phrases], boost=BOOST) for phrases in self.alternatives]


def _phrase(stems: tuple[str, ...]) -> query.Query:
    """A phrase over name, summary and body, as the parser makes one of a quoted phrase
    (query._finish: only names keep positions)."""
    if len(stems) == 1:
        return query.Or([query.Term(f, stems[0]) for f in TEXT_FIELDS])
    return query.Or([query.Phrase("name", list(stems))] + [query.And([query.Term(f, s) for s in stems]) for f in TEXT_FIELDS[1:]])


class Synonyms:
    def __init__(self, groups: list[list[str]]) -> None:
        self.groups = [[p for p in group if isinstance(p, str)] for group in groups]
        self.index: dict[tuple[str, ...], list[int]] = {}  # phrase keys -> groups holding it
        for n, group in enumerate(self.groups):
            for phrase in group:
                found = self.index.setdefault(keys(phrase), [])
                if n not in found:
                    found.append(n)
        self.index.pop((), None)

    @classmethod
    def read(cls, folder: Path) -> Synonyms:
        """The synonyms beside an index; none if the build wrote none."""
        path = Path(folder) / SYNONYMS_FILE
        if not path.is_file():
            return cls([])
        try:
            groups = json.loads(path.read_text(encoding="utf-8"))["groups"]
            if not all(isinstance(g, list) for g in groups):
                raise ValueError("each group must be a list")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexMissing(f"{path}: the synonyms cannot be read ({exc}). Fix: run `whatworks build --only search`") from None
        return cls(groups)

    def expand(self, text: str) -> Expansion:
        """The phrases of groups that the query's plain words hold, and their alternatives.
        None for a query with AND or OR: it is taken as written."""
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        if not self.index or any(t[2] in _JOINS for t in tokens):
            return Expansion((), frozenset())
        plain = [_is_plain(tokens, i) for i in range(len(tokens))]
        token_keys = [keys(t[2]) if plain[i] else () for i, t in enumerate(tokens)]
        found, added, matched, i = [], 0, set(), 0
        while i < len(tokens) and added < MAX_ALTERNATIVES:
            span = self._longest(token_keys, plain, i)
            if not span:
                i += 1
                continue
            typed = sum((token_keys[k] for k in range(i, span)), ())
            alternatives = self._alternatives(typed)[:MAX_ALTERNATIVES - added]
            if alternatives:
                found.append(tuple(alternatives))
                added += len(alternatives)
            matched.update(tokens[k][2].strip(".,;!?'").lower() for k in range(i, span))
            i = span
        return Expansion(tuple(found), frozenset(matched))

    def _longest(self, token_keys: list[tuple[str, ...]], plain: list[bool], i: int) -> int:
        """End (exclusive) of the longest phrase of a group starting at token i, or 0."""
        joined: tuple[str, ...] = ()
        best = 0
        for j in range(i, min(len(token_keys), i + MAX_PHRASE_WORDS)):
            if not plain[j] or not token_keys[j]:
                break
            joined += token_keys[j]
            if joined in self.index:
                best = j + 1
        return best

    def _alternatives(self, typed: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The stems of the other phrases of the groups holding `typed`, each once. Left out: a
        phrase the index keeps no word of (only stop words), and one whose stems hold or are held by the
        typed ones ("gang violence" for "gangs": the typed word already finds it)."""
        found: list[tuple[str, ...]] = []
        for n in self.index.get(typed, ()):
            for phrase in self.groups[n]:
                stems = tuple(t.text for t in STEMMER(phrase))
                if stems and not (set(stems) <= set(typed) or set(typed) <= set(stems)) and stems not in found:
                    found.append(stems)
        return found


def _is_plain(tokens: list[tuple[int, int, str]], i: int) -> bool:
    """A word of the query's ranked text: not quoted, not field:value, not an operator or a
    pattern, not excluded (after NOT, or -word)."""
    word = tokens[i][2]
    if word in OPERATORS or word.startswith("-") or _SYNTAX.search(word):
        return False
    return not (i and tokens[i - 1][2] in {"NOT", "ANDNOT"})
