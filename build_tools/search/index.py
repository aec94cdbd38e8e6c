"""Write the Whoosh search index (_build/search) from the search documents.

The schema and its field classes live in the plugin package (datasette_whatworks_search.schema)
because every reader of the index must be able to import them; this module only writes. The
index is rebuilt whole on each build, beside the old one, and swapped in (atomic_dir): a
2,000-entry index takes about a second, and a rebuilt index always ranks as a fresh one.
"""

from __future__ import annotations

import os
from pathlib import Path

from datasette_whatworks_search.schema import FORMAT, FORMAT_FILE, schema, spelling_once
from whoosh import index

from ..atomic import atomic_dir

PARALLEL_FROM = 3000


def build_search_index(docs: list[dict[str, str]], out_dir: Path) -> str:
    """Write out_dir/search from `documents(corpus)`. Returns what was done, e.g. "built 74"."""
    with atomic_dir(Path(out_dir) / "search") as tmp:
        ix = index.create_in(str(tmp), schema())
        with spelling_once():  # before the writer: with two processes, each inherits it
            writer = ix.writer(limitmb=256, **_parallel(len(docs)))
            try:
                for doc in docs:
                    writer.add_document(**doc)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
        (tmp / FORMAT_FILE).write_text(FORMAT + "\n", encoding="utf-8")
    return f"built {len(docs)}"


def _parallel(n_docs: int) -> dict[str, object]:
    """Both cores for big corpora; one process below that, where start-up costs more than it saves."""
    procs = min(2, os.cpu_count() or 1)
    return {"procs": procs, "multisegment": True} if procs > 1 and n_docs >= PARALLEL_FROM else {}
