"""The search documents: one plain dict per entry, made once per build from the Corpus and
handed to both the index writer (index.py) and related entries (related.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..evidence.corpus import Corpus
from ..evidence.models import Entry, Study

MARKDOWN_FIELDS = ("description", "how_it_works", "for_whom", "implementation", "cost_notes", "cautions", "limitations")


def documents(corpus: Corpus) -> list[dict[str, str]]:
    """One dict per entry, sorted by id: id, type, name, summary, body and the facet fields
    (comma-separated values)."""
    docs = []
    for entry in sorted(corpus.entries, key=lambda e: e.id):
        facets = _facets(corpus, entry)
        docs.append({"id": entry.id, "type": corpus.kind(entry.id), "name": entry.name, "summary": entry.summary,
                     "body": _body(corpus, entry, facets), **{k: ",".join(v) for k, v in facets.items()}})
    return docs


def _markdown_text(text: str) -> str:
    """Drop link targets so URLs are not indexed as words."""
    return re.sub(r"\]\([^)]*\)", "]", text)


def _labels(corpus: Corpus, vocabulary: str, ids: Iterable[str]) -> list[str]:
    return [corpus.label(vocabulary, i) for i in ids]


def _facets(corpus: Corpus, entry: Entry) -> dict[str, list[str]]:
    if isinstance(entry, Study):
        studies, outcomes, areas = (entry,), sorted({f.outcome for f in entry.findings}), []
    else:
        studies, outcomes, areas = corpus.studies_for(entry.id), sorted(entry.outcomes), list(entry.priority_areas)
    return {
        "settings": sorted(entry.settings), "outcomes": outcomes, "priority_areas": sorted(areas),
        "band": [headline] if (headline := corpus.headline(entry)) else [],  # impact on violence: as every list shows
        "design": sorted({s.design for s in studies}),
        "level": sorted({str(corpus.sms_level(s)) for s in studies if corpus.is_comparative(s)} - {"None"}),
    }


def _body(corpus: Corpus, entry: Entry, facets: Mapping[str, list[str]]) -> str:
    """Everything a reader might search for that is not the name or summary."""
    get = vars(entry).get  # pydantic keeps fields in __dict__; getattr with a default is 5x slower
    parts = [_markdown_text(t) for f in MARKDOWN_FIELDS if (t := get(f))]
    parts += _labels(corpus, "settings", facets["settings"]) + _labels(corpus, "outcomes", facets["outcomes"])
    parts += _labels(corpus, "priority-areas", facets["priority_areas"])
    parts += _labels(corpus, "designs", facets["design"])
    for name in ("targeting", "prevention-levels", "boroughs"):
        parts += _labels(corpus, name, get(name.split("-")[0], ()))
    for attr in ("provider", "funder", "evaluation_note", "title", "publication", "evaluator"):
        if value := get(attr):
            parts.append(value)
    parts += list(get("authors", ()))
    for rating in get("ratings", ()):
        parts += [t for t in (rating.outcome_wording, rating.note) if t]
    for finding in get("findings", ()):
        parts += [t for t in (finding.measure, finding.result, finding.subgroup, finding.note) if t]
    # names of what a study evaluates and of a programme's approaches, so "becoming a man" finds its trial
    for other in (*get("evaluates", ()), *get("approaches", ())):
        parts.append(corpus.entry(other).name)
    return "\n".join(parts)
