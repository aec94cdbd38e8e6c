"""The site's offline search (site/assets/search-offline.js over search/offline-index.js), scored on the
judged queries and measured for size: the real JavaScript, run in Debian's chromium.

    python bench/offline_search.py              # the real corpus: scores and index size
    python bench/offline_search.py --size 2000  # index size for a synthetic corpus of N entries

Scores come from bench/judged_search.py's score(search), the judged queries' one scorer, shared
with the served search. The offline search corrects a typo itself (and says so), so a misspelt
query is scored as typed.
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
SEARCH_JS = ROOT / "site" / "assets" / "search-offline.js"


def index_for(evidence: Path, synonyms: bool = True) -> str:
    result = load_corpus(evidence)
    if result.corpus is None:
        raise SystemExit(f"{evidence}: does not lint clean ({len(result.problems)} problems)")
    return offline_index_js(documents(result.corpus), result.corpus.synonyms if synonyms else ())


def with_offline_search(index_js: str, run: Callable[[Callable[[str], list[str]]], dict]) -> dict:
    """run(search) with search(q) -> entry ids, answered by search.js in chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.set_content("<!doctype html><html><head></head><body></body></html>")
        page.add_script_tag(content=index_js)
        page.add_script_tag(content=SEARCH_JS.read_text(encoding="utf-8"))
        setup_ms = page.evaluate("() => { const t = performance.now(); window.ww = new window.wwOfflineSearch("
                                 "window.wwSearchIndex); return performance.now() - t; }")
        times: list[float] = []

        def search(q: str) -> list[str]:
            took, paths = page.evaluate("q => { const t = performance.now(); const r = window.ww.search(q); "
                                        "return [performance.now() - t, r.results.map(x => x.path)]; }", q)
            times.append(took)
            return [p.rsplit("/", 1)[1].removesuffix(".html") for p in paths]

        try:
            result = run(search)
        finally:
            browser.close()
    times.sort()
    print(f"in chromium: index ready in {setup_ms:.0f} ms; per query median {times[len(times) // 2]:.1f} ms, "
          f"max {times[-1]:.1f} ms")
    return result


def size_line(label: str, index_js: str) -> str:
    raw = index_js.encode()
    return f"{label}: {len(raw) / 1024:,.0f} KB, {len(gzip.compress(raw, 9)) / 1024:,.0f} KB gzipped"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, help="measure the index for a synthetic corpus of this many entries")
    parser.add_argument("--no-synonyms", action="store_true", help="an index without synonyms, to compare")
    args = parser.parse_args()
    if args.size:
        from generate import generate

        with tempfile.TemporaryDirectory() as tmp:
            evidence = generate(args.size, Path(tmp))
            index_js = index_for(evidence)
            print(size_line(f"offline index, {args.size:,} synthetic entries", index_js))
            from judged_search import judged

            queries = [case["query"] for case in judged()]  # as timing load only: ids do not match
            with_offline_search(index_js, lambda search: [search(q) for q in queries])
        return
    index_js = index_for(ROOT / "evidence", synonyms=not args.no_synonyms)
    print(size_line("offline index, real corpus" + (", no synonyms" if args.no_synonyms else ""), index_js))
    from judged_search import score

    result = with_offline_search(index_js, score)
    print(f"offline search on {result['queries']} judged queries: success@5 {result['success@5']:.3f}, "
          f"recall@5 {result['recall@5']:.3f}")
    for miss in result["misses"]:
        print(f"  miss: {miss['query']!r}: wanted {', '.join(miss['relevant'])}; got {', '.join(miss['found']) or 'nothing'}")


if __name__ == "__main__":
    main()
