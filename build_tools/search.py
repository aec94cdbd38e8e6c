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


class IndexMissing(SearchError):
    """No readable index at the given folder."""


def _schema() -> Schema:
    stem = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        type=ID(stored=True),
        name=TEXT(stored=True, analyzer=stem, field_boost=3.0, spelling=True),
        summary=TEXT(stored=True, analyzer=stem, field_boost=1.5, spelling=True),
        body=TEXT(analyzer=stem, spelling=True, phrase=False),
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


def related_entries(corpus: Corpus, out_dir: Path, top: int = 5) -> dict[str, tuple[str, ...]]:
    """For every entry, the ids of up to `top` entries most like it (Whoosh's more-like-this
    over the indexed text), best first; ties broken by id so the site is deterministic.
    Brings the index up to date first (builds it if missing)."""
    target = Path(out_dir) / "search"
    build_search_index(corpus, out_dir)
    related: dict[str, tuple[str, ...]] = {}
    with _open(target).searcher(weighting=scoring.BM25F()) as searcher:
        for doc in documents(corpus):
            docnum = searcher.document_number(id=doc["id"])
            text = "\n".join((doc["name"], doc["summary"], doc["body"]))
            hits = searcher.more_like(docnum, "body", text=text, top=top + 5, numterms=12)
            ranked = sorted((-round(h.score, 6), h["id"]) for h in hits)
            related[doc["id"]] = tuple(entry_id for _, entry_id in ranked[:top])
    return related


# ---------------------------------------------------------------- querying


@dataclass(frozen=True)
class SearchResult:
    results: list[dict[str, object]]  # id, type, name, score, snippet (HTML: text escaped, matches in <mark>)
    facets: dict[str, dict[str, int]]  # "setting" -> {"pru": 3, ...}, counts over ALL matches, not just the page
    total: int
    suggestion: str | None = None
    query: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"query": self.query, "total": self.total, "suggestion": self.suggestion,
                "results": self.results, "facets": self.facets}


# facet name in output and query syntax -> index field
FACET_REPORT = {"type": "type", "setting": "settings", "outcome": "outcomes", "priority_area": "priority_areas"}
_FIELD_RE = re.compile(r'(?:^|[\s(+\-])([A-Za-z_][\w-]*):(?!//)')
_WORD_RE = re.compile(r'(?<![\w:])([A-Za-z][A-Za-z\'-]*[A-Za-z])(?![\w:])')
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}


class _MarkFormatter(highlight.Formatter):
    """Escapes the text and wraps matched words in <mark>, so snippets are safe to embed."""

    between = " … "

    def _text(self, text: str) -> str:
        return escape(text, quote=False)

    def format_token(self, text, token, replace=False):
        return "<mark>" + escape(highlight.get_text(text, token, replace), quote=False) + "</mark>"


class _VocabularyCorrector(spelling.Corrector):
    """Suggests words from the unstemmed vocabulary of name, summary and body: nearest edit
    distance first, then the word whose stem is in the most documents."""

    def __init__(self, reader, stem) -> None:
        self.reader, self.stem = reader, stem

    def _suggestions(self, text, maxdist, prefix):
        schema = self.reader.schema
        for dist in range(1, maxdist + 1):
            words = {w for f in TEXT_FIELDS
                     for w in self.reader.terms_within(schema[f].spelling_fieldname(f), text, dist, prefix=prefix)}
            if words:
                for word in words:
                    stems = [t.text for t in self.stem(word)] or [word]
                    freq = sum(self.reader.doc_frequency(f, stems[0]) for f in TEXT_FIELDS)
                    yield (-dist * 1e9 + freq, word)
                return


class SearchIndex:
    """An open index. Keep one per process: opening reads the facet postings once."""

    def __init__(self, index_dir: Path) -> None:
        self.path = Path(index_dir)
        try:
            ix = _open(self.path)
        except Exception as exc:  # noqa: BLE001 - damaged or foreign files
            raise IndexMissing(f"{self.path}: the search index cannot be read ({exc}). Fix: run `whatworks build --only search`") from None
        if ix is None:
            raise IndexMissing(f"{self.path}: no search index here. Fix: run `whatworks build --only search` (or pass --index)")
        self.searcher = ix.searcher(weighting=scoring.BM25F())
        self.schema = ix.schema
        self.parser = qparser.MultifieldParser(list(TEXT_FIELDS), ix.schema, group=_WordsRankFiltersHold)
        self.parser.add_plugin(qparser.FieldAliasPlugin(ALIASES))
        self.stem = self.schema["name"].analyzer
        self.facet_docs = {
            name: {t.decode(): frozenset(self.searcher.docs_for_query(query.Term(fld, t.decode())))
                   for t in self.searcher.reader().lexicon(fld)}
            for name, fld in FACET_REPORT.items()}
        self.fields = set(self.schema.names()) | {a for names in ALIASES.values() for a in names}

    def close(self) -> None:
        self.searcher.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def values(self, facet: str) -> list[str]:
        """Values of a facet present in the index (for help and for checking filters)."""
        return sorted(self.facet_docs[facet])

    def search(self, text: str, filters: Mapping[str, Iterable[str]] | None = None, limit: int = 10) -> SearchResult:
        """Rank entries for a Whoosh-syntax query. `filters` maps a facet ("type", "setting",
        "outcome", "priority_area", or any alias) to allowed values (any of them may match)."""
        q = self._query(text, filters or {})
        matched = self._matched(q)
        hits = self.searcher.search(q, limit=limit + 10) if limit > 0 else []  # extra rows so ties sort by id
        if hits:
            hits.fragmenter, hits.formatter = highlight.WholeFragmenter(), _MarkFormatter()
        rows = sorted(({"id": h["id"], "type": h["type"], "name": h["name"], "score": round(h.score, 4),
                        "snippet": h.highlights("summary") or escape(h["summary"], quote=False)} for h in hits),
                      key=lambda r: (-r["score"], r["id"]))[:limit]
        facets = {name: dict(sorted(((v, len(matched & docs)) for v, docs in self.facet_docs[name].items()
                                     if matched & docs), key=lambda kv: (-kv[1], kv[0])))
                  for name in FACET_REPORT}
        return SearchResult(rows, facets, len(matched), self.suggest(text), text)

    def _matched(self, q: query.Query) -> set[int]:
        """Every matching document number. Counted from the matcher, never len(results),
        which is wrong for NOT queries under a limit in every Whoosh fork."""
        return set(self.searcher.docs_for_query(q))

    def _query(self, text: str, filters: Mapping[str, Iterable[str]]) -> query.Query:
        unknown = sorted({m for m in _FIELD_RE.findall(text) if m not in self.fields})
        if unknown:
            known = ", ".join(sorted(f for f in self.fields if f not in ("digest", "body") and not f.startswith("spell_")))
            raise SearchError(f"query: unknown field '{unknown[0]}'. Fix: use one of {known}")
        text = re.sub(r"(^|[\s(])-(?=[\w\"(])", r"\1NOT ", text)  # `-word` excludes, as on web search engines
        try:
            parsed = self.parser.parse(text) if text.strip() else query.Every()
        except Exception as exc:  # noqa: BLE001 - the parser's errors are the user's typo
            raise SearchError(f"query: cannot read '{text}' ({exc}). Fix: check quotes, brackets and field:value pairs") from None
        required = [] if isinstance(parsed, query.Every) else [parsed]
        for facet, values in sorted(filters.items()):
            fld = {**{a: k for k, v in ALIASES.items() for a in v}, **FACET_REPORT}.get(facet, facet)
            values = sorted(set(values))
            if values:
                required.append(query.Or([query.Term(fld, v.lower()) for v in values]))
        q = query.And(required) if len(required) > 1 else (required[0] if required else query.Every())
        return _phrases_to_terms(q.normalize())

    def suggest(self, text: str) -> str | None:
        """The query with each word unknown to the index replaced by its nearest known word."""
        reader, corrector, changed = self.searcher.reader(), _VocabularyCorrector(self.searcher.reader(), self.stem), False

        def fix(match: re.Match) -> str:
            nonlocal changed
            word = match.group(1)
            stems = [t.text for t in self.stem(word)]
            if word in _OPERATORS or len(word) < 4 or not stems or any((f, s) in reader for f in TEXT_FIELDS for s in stems):
                return word
            best = corrector.suggest(word.lower(), limit=1, maxdist=1 if len(word) < 6 else 2)
            if not best:
                return word
            changed = True
            return best[0]

        fixed = _WORD_RE.sub(fix, text)
        return fixed if changed else None


class _WordsRankFiltersHold(qparser.OrGroup):
    """The default group for words side by side: words are optional and rank (more matched
    words score higher), while `field:value` on a facet and NOT clauses must hold. So
    `setting:pru outcome:exclusion mentoring` means PRU entries on exclusion, mentoring first.
    An explicit OR between clauses is Whoosh's own OrGroup and is left as written."""

    def query(self, parser):
        subs = [q for q in (node.query(parser) for node in self.nodes) if q is not None]
        required = [q for q in subs if _is_filter(q)]
        optional = [q for q in subs if not _is_filter(q)]
        if optional:
            required.append(query.Or(optional, scale=0.9) if len(optional) > 1 else optional[0])
        if not required:
            return query.NullQuery
        q = query.And(required, boost=self.boost) if len(required) > 1 else required[0]
        return qparser.syntax.attach(q, self)


def _is_filter(q: query.Query) -> bool:
    """NOT clauses and field:value clauses on facet fields must hold; words only rank."""
    if isinstance(q, query.Not):
        return True
    fields = {f for f, _ in q.iter_all_terms()} if not isinstance(q, query.Every) else set()
    return bool(fields) and fields <= set(FACETS) | {"id"}


def _phrases_to_terms(q: query.Query) -> query.Query:
    """`body` keeps no positions (smaller, faster index): a phrase there matches all its words."""
    if isinstance(q, query.Phrase) and q.fieldname == "body":
        return query.And([query.Term("body", w) for w in q.words], boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(_phrases_to_terms)
