"""The Whoosh search index: build it, update it, query it, find related entries.

Every Whoosh call in the project lives in this module, so the fork (whoosh3, pinned
exactly) can be swapped for another without touching the CLI, the Datasette plugin or
the site. Callers get plain data back (dataclasses, dicts, tuples of ids).

One document per approach, programme and study. Only what is searched or shown is
indexed: `body` (the Markdown fields, findings, vocabulary labels) is searched but not
stored, which keeps the index small and the build fast.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from whoosh import highlight, index, qparser, query, scoring, spelling
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, TEXT, Schema

from .atomic import atomic_dir, recover_dir
from .corpus import Corpus
from .models import Entry, Study

# Bump when the schema or the document text changes: an index of another format is rebuilt.
FORMAT = "whatworks-search-1"
FORMAT_FILE = "FORMAT"
FACETS = ("type", "settings", "outcomes", "priority_areas", "band", "level", "design")
TEXT_FIELDS = ("name", "summary", "body")
# Query-syntax aliases, so `setting:pru` and `outcome:exclusion` read naturally.
ALIASES = {
    "settings": ["setting"], "outcomes": ["outcome"], "type": ["kind"],
    "priority_areas": ["priority", "priority_area", "priority-area", "area"],
    "band": ["impact"], "level": ["sms", "evidence"],
}
MARKDOWN_FIELDS = ("description", "how_it_works", "for_whom", "implementation", "cost_notes", "cautions", "limitations")
# An update touching more than this share of the index is done as a full rebuild (faster, compact).
REBUILD_SHARE = 0.2


class SearchError(Exception):
    """A problem the user can fix (missing index, bad query); str() is the message to show."""


def _schema() -> Schema:
    stem = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        type=ID(stored=True),
        name=TEXT(stored=True, analyzer=stem, field_boost=3.0, spelling=True),
        summary=TEXT(stored=True, analyzer=stem, field_boost=1.5, spelling=True),
        body=TEXT(analyzer=stem, spelling=True),
        digest=ID(stored=True),
        **{f: KEYWORD(commas=True, lowercase=True) for f in FACETS if f != "type"},
    )


# ---------------------------------------------------------------- documents (no Whoosh here)


def _markdown_text(text: str) -> str:
    """Drop link targets so URLs are not indexed as words."""
    return re.sub(r"\]\([^)]*\)", "]", text)


def _labels(corpus: Corpus, vocabulary: str, ids: Iterable[str]) -> list[str]:
    return [corpus.label(vocabulary, i) for i in ids]


def _facets(corpus: Corpus, entry: Entry) -> dict[str, list[str]]:
    if isinstance(entry, Study):
        studies, outcomes, areas = (entry,), sorted({f.outcome for f in entry.findings}), []
    else:
        studies, outcomes, areas = corpus.studies_for(entry.id), list(entry.outcomes), list(entry.priority_areas)
    bands = {corpus.band(r) for r in getattr(entry, "ratings", ())} - {None}
    if corpus.is_harmful(entry):
        bands.add("harmful")
    return {
        "settings": sorted(entry.settings), "outcomes": outcomes, "priority_areas": sorted(areas),
        "band": sorted(bands), "design": sorted({s.design for s in studies}),
        "level": sorted({str(corpus.sms_level(s)) for s in studies} - {"None"}),
    }


def _body(corpus: Corpus, entry: Entry, facets: Mapping[str, list[str]]) -> str:
    """Everything a reader might search for that is not the name or summary."""
    parts = [_markdown_text(t) for f in MARKDOWN_FIELDS if (t := getattr(entry, f, None))]
    parts += _labels(corpus, "settings", facets["settings"]) + _labels(corpus, "outcomes", facets["outcomes"])
    parts += _labels(corpus, "priority-areas", facets["priority_areas"])
    parts += _labels(corpus, "designs", facets["design"])
    for name in ("targeting", "prevention-levels", "boroughs"):
        parts += _labels(corpus, name, getattr(entry, name.split("-")[0], ()))
    for attr in ("provider", "funder", "evaluation_note", "title", "publication", "evaluator"):
        if value := getattr(entry, attr, None):
            parts.append(value)
    parts += list(getattr(entry, "authors", ()))
    for rating in getattr(entry, "ratings", ()):
        parts += [t for t in (rating.outcome_wording, rating.note) if t]
    for finding in getattr(entry, "findings", ()):
        parts += [t for t in (finding.measure, finding.result, finding.subgroup, finding.note) if t]
    # names of what a study evaluates and of a programme's approaches, so "becoming a man" finds its trial
    for other in (*getattr(entry, "evaluates", ()), *getattr(entry, "approaches", ())):
        parts.append(corpus.entry(other).name)
    return "\n".join(parts)


def documents(corpus: Corpus) -> list[dict[str, str]]:
    """One plain dict per entry, sorted by id, with a digest of its indexed content.

    The digest (not only the file's hash) decides what an update re-indexes: a document
    also carries facts from other files (its studies' designs, vocabulary labels).
    """
    docs = []
    for entry in sorted(corpus.entries, key=lambda e: e.id):
        facets = _facets(corpus, entry)
        doc = {"id": entry.id, "type": corpus.kind(entry.id), "name": entry.name, "summary": entry.summary,
               "body": _body(corpus, entry, facets), **{k: ",".join(v) for k, v in facets.items()}}
        doc["digest"] = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32]
        docs.append(doc)
    return docs


# ---------------------------------------------------------------- building


def build_search_index(corpus: Corpus, out_dir: Path) -> str:
    """Write out_dir/search. Updates an existing index in place when few entries changed
    (Whoosh commits are atomic); otherwise builds a new one beside it and swaps it in.
    Returns what was done, e.g. "updated 1, removed 0" or "built 74"."""
    target = Path(out_dir) / "search"
    docs = documents(corpus)
    done = _update(target, docs)
    if done is not None:
        return done
    with atomic_dir(target) as tmp:
        ix = index.create_in(str(tmp), _schema())
        writer = ix.writer(limitmb=256)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
        (tmp / FORMAT_FILE).write_text(FORMAT + "\n", encoding="utf-8")
    return f"built {len(docs)}"


def _open(target: Path):
    recover_dir(target)
    fmt = target / FORMAT_FILE
    if not fmt.is_file() or fmt.read_text(encoding="utf-8").strip() != FORMAT or not index.exists_in(str(target)):
        return None
    return index.open_dir(str(target))


def _update(target: Path, docs: list[dict[str, str]]) -> str | None:
    """Re-index only the documents whose digest changed; None when a rebuild is better."""
    try:
        ix = _open(target)
    except Exception:  # noqa: BLE001 - a damaged index is simply rebuilt
        return None
    if ix is None:
        return None
    with ix.searcher() as searcher:
        indexed = {f["id"]: f["digest"] for f in searcher.all_stored_fields()}
    wanted = {d["id"]: d for d in docs}
    changed = [d for d in docs if indexed.get(d["id"]) != d["digest"]]
    removed = sorted(set(indexed) - set(wanted))
    if len(changed) + len(removed) > REBUILD_SHARE * max(len(docs), 1) + 5:
        return None
    if changed or removed:
        writer = ix.writer()
        for entry_id in removed:
            writer.delete_by_term("id", entry_id)
        for doc in changed:
            writer.update_document(**doc)
        writer.commit()
    return f"updated {len(changed)}, removed {len(removed)}"
