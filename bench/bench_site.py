"""Site build time and page size for synthetic corpora of growing size.

    python bench/bench_site.py [N ...]      (default: 100 1000 5000)

For each N it builds the whole site the way `whatworks build --only site` does (generate
the Markdown, then `mkdocs build --strict`) and reports:

* generation and MkDocs seconds, and seconds per 1,000 entries (flat = linear build);
* the ratio of the total to two floors measured in the same run on the same machine:
  parsing every YAML file (the shared bench floor, bench/common.py), and a bare MkDocs
  build of N one-line pages with the same theme and plugins (what MkDocs itself costs);
* the mean and largest entry page (HTML bytes; flat = pages do not grow with the corpus),
  the search index per entry, and the browse page (which lists every entry, so it grows).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from common import parse_floor  # noqa: E402
from generate import generate  # noqa: E402
from site_support import site_repo  # noqa: E402

from build_tools.evidence.corpus import load_corpus  # noqa: E402
from build_tools.pages.build import data_date, generate_pages, run_mkdocs, site_links, write_generated  # noqa: E402
from build_tools.config import read_config  # noqa: E402


def bare_mkdocs_floor(n: int, root: Path, files: dict[str, str]) -> float:
    """Seconds for MkDocs alone: N one-line pages, same mkdocs.yml, theme and plugins
    (the glossary is the real one: the hand-written methodology links into it)."""
    repo = site_repo(root / "bare")
    for i in range(n):
        folder = repo / "site" / ("approaches", "programmes", "studies")[i % 3]
        folder.mkdir(exist_ok=True)
        (folder / f"page-{i:05d}.md").write_text(f"# Page {i}\n\nOne line.\n", encoding="utf-8")
    (repo / "site" / "glossary.md").write_text(files["glossary.md"], encoding="utf-8")
    for rel in ("index.md", "browse/index.md", "gap-map/index.md", "rating-scales.md",
                "priority-areas/index.md", "settings/index.md", "outcomes/index.md",
                "approaches/index.md", "programmes/index.md", "studies/index.md"):
        (repo / "site" / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / "site" / rel).write_text("# Index\n", encoding="utf-8")
    start = time.perf_counter()
    run_mkdocs(repo, root / "bare-out", 0)
    return time.perf_counter() - start


def main(sizes: list[int]) -> None:
    header = (f"{'entries':>7} {'gen s':>6} {'mkdocs s':>8} {'total s':>7} {'s/1k':>6} {'x parse':>7} "
              f"{'x bare':>6} {'page KB':>7} {'max KB':>6} {'index B/e':>9} {'browse KB':>9}")
    print(header)
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            evidence = generate(n, root)
            corpus = load_corpus(evidence).corpus
            assert corpus is not None, "synthetic corpus did not lint clean"
            floor = min(parse_floor(evidence) for _ in range(3))
            repo = site_repo(root / "repo")
            start = time.perf_counter()
            files = dict(generate_pages(corpus, site_links(read_config(repo))))
            write_generated(repo / "site", files)
            gen = time.perf_counter() - start
            site = root / "out"
            start = time.perf_counter()
            run_mkdocs(repo, site, data_date(corpus))
            mk = time.perf_counter() - start
            bare = bare_mkdocs_floor(n, root, files)
            pages = [p.stat().st_size for d in ("approaches", "programmes", "studies")
                     for p in (site / d).glob("*.html") if p.name != "index.html"]
            docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
            entry_docs = [d for d in docs if d["location"].split("/")[0] in ("approaches", "programmes", "studies")
                          and not d["location"].endswith("index.html")]
            index_per_entry = sum(len(json.dumps(d, ensure_ascii=False).encode()) for d in entry_docs) / len(corpus.entries)
            total = gen + mk
            print(f"{n:>7} {gen:>6.2f} {mk:>8.2f} {total:>7.2f} {total / n * 1000:>6.2f} {total / floor:>7.0f} "
                  f"{total / bare:>6.2f} {sum(pages) / len(pages) / 1024:>7.1f} {max(pages) / 1024:>6.1f} "
                  f"{index_per_entry:>9.0f} {(site / 'browse' / 'index.html').stat().st_size / 1024:>9.0f}", flush=True)
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000, 5000])
