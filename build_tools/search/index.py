"""Write the Whoosh search index (_build/search) from the search documents.

The schema and its field classes live in the plugin package (datasette_whatworks_search.schema)
because every reader of the index must be able to import them; this module only writes. The
index is built whole, beside the old one, and swapped in (atomic_dir), so it always ranks as a
fresh one (no deleted documents in its statistics). When the documents are the ones the index
was built from (their hash, with the synonyms', in DOCUMENTS), it is kept: Whoosh names segments at random, so
this is also what makes two builds of the same evidence byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from datasette_whatworks_search.schema import FORMAT, FORMAT_FILE, SearchError, open_index, schema, spelling_once
from datasette_whatworks_search.synonyms import SYNONYMS_FILE
from whoosh import index

from ..atomic import atomic_dir

PARALLEL_FROM = 3000
DOCUMENTS_FILE = "DOCUMENTS"


def build_search_index(docs: list[dict[str, str]], out_dir: Path, synonyms: Sequence[Sequence[str]] = ()) -> str:
    """Write out_dir/search from `documents(corpus)` and `corpus.synonyms` (beside the index,
    so every reader has them). Returns what was done: "built 74" or "unchanged 74" (the index
    there was built from these documents and synonyms)."""
    target = Path(out_dir) / "search"
    groups = {"groups": [list(group) for group in synonyms]}
    digest = hashlib.sha256(json.dumps([docs, groups], sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    if _built_from(target, digest):
        return f"unchanged {len(docs)}"
    with atomic_dir(target) as tmp:
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
        (tmp / SYNONYMS_FILE).write_text(json.dumps(groups, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp / DOCUMENTS_FILE).write_text(digest + "\n", encoding="utf-8")
    return f"built {len(docs)}"


def _built_from(target: Path, digest: str) -> bool:
    try:
        open_index(target)  # of this format and readable
        return (target / DOCUMENTS_FILE).read_text(encoding="utf-8").strip() == digest
    except (OSError, SearchError):
        return False


def _parallel(n_docs: int) -> dict[str, object]:
    """Both cores for big corpora; one process below that, where start-up costs more than it saves."""
    procs = min(2, os.cpu_count() or 1)
    return {"procs": procs, "multisegment": True} if procs > 1 and n_docs >= PARALLEL_FROM else {}
