"""Judged queries (tests/judged_queries.yml) on the SERVED search: success@5 and recall@5
through the real Datasette endpoint (/-/search.json, Datasette's own ASGI client configured as
`whatworks serve` does), over a fresh build of the real evidence/.

    python bench/judged_search.py [--judged PATH] [--no-synonyms]

`score(search)` is the one scoring function: give it any `search(query) -> [entry id, ...]`
(best first) to score another path (the site's offline search) on the same queries. A query's
relevant entries are its `top3`; for a misspelt query the search is expected to offer the
"did you mean" and the ids are those of the suggested query, as a practitioner clicking it sees
(served_search does that; the test of the judged queries does the same).
  success@5: share of queries with at least one relevant entry in the first five
  recall@5:  mean share of each query's relevant entries in the first five
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
JUDGED = REPO / "tests" / "judged_queries.yml"
K = 5


def judged(path: Path = JUDGED) -> list[dict]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def score(search: Callable[[str], list[str]], cases: list[dict] | None = None, k: int = K) -> dict:
    """success@k and recall@k of `search` over the judged queries, and the queries it misses
    (no relevant entry in the first k) with what it returned."""
    cases = judged() if cases is None else cases
    successes, recalls, misses = 0, 0.0, []
    for case in cases:
        relevant = set(case["top3"])
        found = search(case["query"])[:k]
        hits = relevant.intersection(found)
        successes += bool(hits)
        recalls += len(hits) / len(relevant)
        if not hits:
            misses.append({"query": case["query"], "relevant": sorted(relevant), "found": found})
    n = len(cases)
    return {"queries": n, f"success@{k}": round(successes / n, 3), f"recall@{k}": round(recalls / n, 3), "misses": misses}


def served_search(datasette) -> Callable[[str], list[str]]:
    """search(query) through the endpoint's JSON, following its "did you mean" once."""
    async def get(q: str) -> dict:
        response = await datasette.client.get("/-/search.json?" + urlencode({"q": q, "limit": K}))
        return response.json()

    def search(q: str) -> list[str]:
        data = asyncio.run(get(q))
        if not data["ok"]:
            return []
        if data["suggestion"] and not data["corrected"]:
            data = asyncio.run(get(data["suggestion"]))
        return [row["id"] for row in data["results"]]

    return search


def main() -> None:
    sys.path[:0] = [str(REPO)]
    from build_tools.config import read_config
    from build_tools.database.build import build_database
    from build_tools.evidence.corpus import load_corpus
    from build_tools.search.documents import documents
    from build_tools.search.index import build_search_index
    from build_tools.serve.app import make_datasette

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--judged", type=Path, default=JUDGED, help="the judged queries (default: %(default)s)")
    parser.add_argument("--no-synonyms", action="store_true", help="build the index without synonyms, to compare")
    args = parser.parse_args()
    corpus = load_corpus(REPO / "evidence").corpus
    assert corpus is not None, "the evidence must lint"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        build_database(corpus, read_config(REPO), out)
        build_search_index(documents(corpus), out, () if args.no_synonyms else corpus.synonyms)
        result = score(served_search(make_datasette(out)), judged(args.judged))
    print(f"served search (/-/search.json), {result['queries']} judged queries, {len(corpus.entries)} entries, "
          f"{0 if args.no_synonyms else len(corpus.synonyms)} synonym groups")
    print(f"success@{K} {result[f'success@{K}']:.3f}   recall@{K} {result[f'recall@{K}']:.3f}")
    for miss in result["misses"]:
        print(f"  miss: {miss['query']!r}: wanted {', '.join(miss['relevant'])}; got {', '.join(miss['found']) or 'nothing'}")


if __name__ == "__main__":
    main()
