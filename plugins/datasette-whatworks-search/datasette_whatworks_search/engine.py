"""Evaluate a parsed Whoosh query into one map of every matching document to its BM25F score.

Why not Whoosh's own searcher: at 2,000 entries it answers typical queries in 248 ms p95,
five times the 50 ms target, where this engine takes 28 ms on the same machine in the same
run (bench/bench_search.py; numbers in bench/RESULTS.md). Ranking, totals and facet counts
all come from the one map, so they agree and are exact (Whoosh's own `len(results)` is wrong
for NOT queries under a limit). Scores equal Whoosh's own BM25F (tests/test_search.py
compares them); the speed comes from caching each term's scores and from reading postings
through the one Whoosh seam (seam.read_postings).
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from math import log
from operator import itemgetter

from whoosh import query, scoring

from .schema import TEXT_FIELDS, SearchError
from .seam import read_postings

TERM_CACHE = 4096  # postings turned into scores, kept per open index (most recent first)
MAX_EXPANSION = 500  # words one wildcard or fuzzy word may stand for


def as_typed(q: query.MultiTerm) -> str:
    """A pattern as the user wrote it (Whoosh keeps a prefix's text without its *)."""
    return q.text + "*" if isinstance(q, query.Prefix) else q.text


class Engine:
    """Scores for one open searcher. Keep one per index: it caches as it answers."""

    def __init__(self, searcher, weighting: scoring.BM25F) -> None:
        self.searcher, self.weighting, self.schema = searcher, weighting, searcher.schema
        reader = searcher.reader()
        self.all = {n: 0.0 for n in reader.all_doc_ids()}
        self.ids = [i.decode() if isinstance(i, bytes) else i for i in reader.column_reader("id")]
        self._terms: OrderedDict[tuple[str, str], dict[int, float]] = OrderedDict()
        self._nodes: OrderedDict[query.Query, dict[int, float]] = OrderedDict()
        self._norms = {f: self._length_norms(f) for f in TEXT_FIELDS}  # here, not in the first query

    def top(self, scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
        """Best `limit` by score, ties by id."""
        if limit <= 0 or not scores:
            return []
        best = heapq.nlargest(limit, scores.items(), key=itemgetter(1))
        edge = best[-1][1]
        tied = [kv for kv in scores.items() if kv[1] == edge] if len(scores) > limit else []
        pool = {kv[0]: kv[1] for kv in best + tied}
        return sorted(pool.items(), key=lambda kv: (-kv[1], self.ids[kv[0]]))[:limit]

    def scores(self, q: query.Query) -> dict[int, float]:
        """Every matching document with its BM25F score (facet-field matches score 0).
        The result may be cached: callers must not change it."""
        if isinstance(q, query.Term) and q.boost == 1.0:
            return self.term(q.fieldname, q.text)
        cacheable = isinstance(q, query.Phrase) or (
            isinstance(q, (query.And, query.Or)) and all(isinstance(s, query.Term) for s in q.subqueries))
        if cacheable and q in self._nodes:  # e.g. one word over name, summary and body, or a phrase
            self._nodes.move_to_end(q)
            return self._nodes[q]
        found = self._evaluate(q)
        if q.boost != 1.0:
            found = {k: v * q.boost for k, v in found.items()}
        if cacheable:
            self._nodes[q] = found
            if len(self._nodes) > TERM_CACHE:
                self._nodes.popitem(last=False)
        return found

    def _evaluate(self, q: query.Query) -> dict[int, float]:
        if isinstance(q, query.Term):
            return self.term(q.fieldname, q.text)
        if isinstance(q, query.And):
            subs = [s for s in q.subqueries if not isinstance(s, query.Not)]
            parts = sorted((self.scores(s) for s in subs), key=len) or [self.all]
            keys = set(parts[0]).intersection(*parts[1:])
            for s in q.subqueries:
                if isinstance(s, query.Not):
                    keys.difference_update(self.scores(s.query))
            return {k: sum(p[k] for p in parts) for k in keys}
        if isinstance(q, query.Or):
            parts = sorted((self.scores(s) for s in q.subqueries), key=len, reverse=True)
            found = dict(parts[0]) if parts else {}  # copy the biggest, add the rest into it
            get = found.get
            for part in parts[1:]:
                for k, v in part.items():
                    found[k] = get(k, 0.0) + v
            return found
        if isinstance(q, query.DisjunctionMax):  # a synonym's alternatives: the best one scores (no tiebreak)
            found = {}
            for part in (self.scores(s) for s in q.subqueries):
                for k, v in part.items():
                    if v > found.get(k, -1.0):
                        found[k] = v
            return found
        if isinstance(q, query.Not):
            excluded = self.scores(q.query)
            return {k: 0.0 for k in self.all if k not in excluded}
        if isinstance(q, query.Every):
            return self.all
        if q is query.NullQuery:
            return {}
        if isinstance(q, query.MultiTerm):  # prefix*, wildcards, fuzzy~, ranges: the terms they stand for
            expanded = q.simplify(self.searcher.reader())
            if isinstance(expanded, query.Or) and len(expanded.subqueries) > MAX_EXPANSION:
                raise SearchError(f"query: '{as_typed(q)}' stands for more than {MAX_EXPANSION} words. "
                                  "Fix: type more of the word")
            return {} if isinstance(expanded, query.MultiTerm) else self.scores(expanded)
        if isinstance(q, query.Phrase):  # Whoosh finds the documents; each word scores as a term
            words = [self.term(q.fieldname, w) for w in q.words]
            return {k: sum(w[k] for w in words) for k in self._matching(q)}
        return {k: 0.0 for k in self._matching(q)}  # any other query type: Whoosh's matcher, unscored

    def _matching(self, q: query.Query) -> list[int]:
        return list(self.searcher.docs_for_query(q))

    def term(self, fieldname: str, text: str | bytes) -> dict[int, float]:
        """docnum -> score of one term (0 on facet fields: they filter, they do not rank)."""
        text = text.decode() if isinstance(text, bytes) else text
        key = (fieldname, text)
        if key in self._terms:
            self._terms.move_to_end(key)
            return self._terms[key]
        ids: list[int] = []
        weights: list[float] = []
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            if (fieldname, text) in reader:
                leaf_ids, leaf_weights = read_postings(reader.postings(fieldname, text))
                ids.extend((n + offset for n in leaf_ids) if offset else leaf_ids)
                weights.extend(leaf_weights)
        if fieldname in self._norms:
            norms = self._norms[fieldname]
            # Whoosh's BM25F: idf = log(N / (df + 1)) + 1
            top = (log(len(self.all) / (len(ids) + 1)) + 1) * (self.weighting.K1 + 1)
            found = {i: top * w / (w + norms[i]) for i, w in zip(ids, weights)}
        else:
            found = dict.fromkeys(ids, 0.0)
        self._terms[key] = found
        if len(self._terms) > TERM_CACHE:
            self._terms.popitem(last=False)
        return found

    def _length_norms(self, fieldname: str) -> list[float]:
        """Per document, BM25's length part K1 (1 - B + B len / avglen), from the lengths
        Whoosh stores (public reader API)."""
        reader = self.searcher.reader()
        # (None, not 0, for a field with no indexable words, e.g. a name of only emoji)
        lengths = [reader.doc_field_length(n, fieldname, 0) or 0 for n in range(reader.doc_count_all())]
        average = (sum(lengths) / len(lengths) if lengths else 1.0) or 1.0
        b, k = self.weighting.B, self.weighting.K1
        return [k * (1 - b) + k * b * length / average for length in lengths]
