"""Related entries for every page: more-like-this over the search documents.

Whoosh's more-like-this, computed from the documents themselves rather than by searching
the index once per entry (10,000 searches would take minutes): each document's key terms
are picked by the Bo1 model (whoosh.classify, as Searcher.more_like picks them), then the
documents most like it are scored with BM25F over `body`, each key term contributing its
`depth` best documents only. A pure function of the documents, so the same evidence always
gives the same pages, and no index is needed to build the site.
"""

from __future__ import annotations

import heapq
from collections import Counter
from math import log
from operator import itemgetter

from datasette_whatworks_search.schema import analyse
from whoosh import classify

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults


def related_entries(docs: list[dict[str, str]], top: int = 5, numterms: int = 10,
                    depth: int = 200) -> dict[str, tuple[str, ...]]:
    """For every document id, the ids of up to `top` documents most like it, best first,
    ties broken by id."""
    ids = [d["id"] for d in docs]
    bodies = [Counter(analyse(d["body"])) for d in docs]
    lengths = [sum(c.values()) for c in bodies]
    average = (sum(lengths) / len(lengths) if lengths else 1.0) or 1.0
    norms = [K1 * (1 - B) + K1 * B * n / average for n in lengths]
    postings: dict[str, list[tuple[int, int]]] = {}  # stem -> [(doc, tf)]
    collection: Counter[str] = Counter()
    for n, body in enumerate(bodies):
        collection.update(body)
        for stem, tf in body.items():
            postings.setdefault(stem, []).append((n, tf))
    model = classify.Bo1Model(len(docs), collection.total())
    rank = {n: -i for i, n in enumerate(sorted(range(len(ids)), key=ids.__getitem__))}  # smaller id, larger rank
    best: dict[str, list[tuple[int, float]]] = {}

    def best_for(stem: str) -> list[tuple[int, float]]:
        if stem not in best:
            found = postings[stem]
            factor = (log(len(docs) / (len(found) + 1)) + 1) * (K1 + 1)
            scored = ((n, factor * tf / (tf + norms[n])) for n, tf in found)
            best[stem] = heapq.nlargest(depth, scored, key=lambda kv: (kv[1], rank[kv[0]]))
        return best[stem]

    related = {}
    for n, doc in enumerate(docs):
        counts = bodies[n] + Counter(analyse(doc["name"] + "\n" + doc["summary"]))
        keyed = [(model.score(tf, collection[stem], 0), stem) for stem, tf in counts.items() if collection[stem]]
        found: dict[int, float] = {}
        get = found.get
        for weight, stem in sorted(keyed, reverse=True)[:numterms]:
            for other, score in best_for(stem):
                found[other] = get(other, 0.0) + weight * score
        found.pop(n, None)
        related[doc["id"]] = tuple(ids[m] for m in _best(found, top, ids))
    return related


def _best(scores: dict[int, float], top: int, ids: list[str]) -> list[int]:
    """The `top` best by score, ties by id (nlargest on the score alone: its key is C, not Python)."""
    if not scores:
        return []
    best = heapq.nlargest(top, scores.items(), key=itemgetter(1))
    edge = best[-1][1]
    pool = dict(best) | ({k: v for k, v in scores.items() if v == edge} if len(scores) > top else {})
    return sorted(pool, key=lambda k: (-pool[k], ids[k]))[:top]
