"""The site's offline search (site/assets/search.js over search/offline-index.js), scored on the
judged queries and measured for size: the real JavaScript, run in Debian's chromium.

    python bench/offline_search.py              # the real corpus: scores and index size
    python bench/offline_search.py --size 2000  # index size for a synthetic corpus of N entries

Scores come from bench/judged_search.py's score(search) when it exists (the judged queries'
one scorer, shared with the served search); until then from the fallback below, which reads
tests/judged_queries.yml the same way: success@5 = the query finds at least one of its
`top3` entries in the first five, recall@5 = the share of its `top3` entries in the first five.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from build_tools.evidence.corpus import load_corpus  # noqa: E402
from build_tools.pages.search_index import offline_index_js  # noqa: E402
from build_tools.search.documents import documents  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SEARCH_JS = ROOT / "site" / "assets" / "search.js"


def index_for(evidence: Path) -> str:
    result = load_corpus(evidence)
    if result.corpus is None:
        raise SystemExit(f"{evidence}: does not lint clean ({len(result.problems)} problems)")
    return offline_index_js(documents(result.corpus), result.corpus.synonyms)


def fallback_score(search: Callable[[str], list[str]]) -> dict:
    import yaml

    judged = yaml.safe_load((ROOT / "tests" / "judged_queries.yml").read_text(encoding="utf-8"))
    hits, recall, misses = 0, 0.0, []
    for item in judged:
        wanted = item["top3"]
        top5 = search(item["query"])[:5]
        found = [w for w in wanted if w in top5]
        hits += bool(found)
        recall += len(found) / len(wanted)
        if not found:
            misses.append((item["query"], wanted, top5))
    n = len(judged)
    return {"queries": n, "success@5": hits / n, "recall@5": recall / n, "misses": misses}


def with_offline_search(index_js: str, run: Callable[[Callable[[str], list[str]]], dict]) -> dict:
    """run(search) with search(q) -> entry ids, answered by search.js in chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.set_content("<!doctype html><html><head></head><body></body></html>")
        page.add_script_tag(content=index_js)
        page.add_script_tag(content=SEARCH_JS.read_text(encoding="utf-8"))
        page.evaluate("window.ww = new window.wwOfflineSearch(window.wwSearchIndex)")

        def search(q: str) -> list[str]:
            paths = page.evaluate("q => window.ww.search(q).results.map(r => r.path)", q)
            return [p.rsplit("/", 1)[1].removesuffix(".html") for p in paths]

        try:
            return run(search)
        finally:
            browser.close()


def size_line(label: str, index_js: str) -> str:
    raw = index_js.encode()
    return f"{label}: {len(raw) / 1024:,.0f} KB, {len(gzip.compress(raw, 9)) / 1024:,.0f} KB gzipped"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, help="measure the index for a synthetic corpus of this many entries")
    args = parser.parse_args()
    if args.size:
        from generate import generate

        with tempfile.TemporaryDirectory() as tmp:
            evidence = generate(args.size, Path(tmp))
            print(size_line(f"offline index, {args.size:,} synthetic entries", index_for(evidence)))
        return
    index_js = index_for(ROOT / "evidence")
    print(size_line("offline index, real corpus", index_js))
    try:
        from judged_search import score
    except ImportError:
        score = fallback_score
    result = with_offline_search(index_js, score)
    print(f"offline search on {result.get('queries', '?')} judged queries: success@5 {result['success@5']:.3f}, "
          f"recall@5 {result['recall@5']:.3f}")
    for miss in result.get("misses", []):
        print("  miss:", *miss)


if __name__ == "__main__":
    main()
