"""The Whoosh search index: build it, update it, query it, find related entries.

Every Whoosh call in the project lives in this module, so the fork (whoosh3, pinned
exactly) can be swapped for another without touching the CLI, the Datasette plugin or
the site. Callers get plain data back (dataclasses, dicts, tuples of ids).

One document per approach, programme and study. Only what is searched or shown is
indexed: `body` (the Markdown fields, findings, vocabulary labels) is searched but not
stored, which keeps the index small and the build fast.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import json
import os
import re
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from itertools import accumulate
from math import log
from operator import itemgetter
from pathlib import Path

from whoosh import classify, highlight, index, qparser, query, scoring, spelling
from whoosh.analysis import STOP_WORDS, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, TEXT, Schema

from ..atomic import atomic_dir, recover_dir, write_text
from ..evidence.corpus import Corpus
from ..evidence.models import Entry, Study

# Bump when the schema or the document text changes: an index of another format is rebuilt.
FORMAT = "whatworks-search-3"
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
PARALLEL_FROM = 3000


class SearchError(Exception):
    """A problem the user can fix (missing index, bad query); str() is the message to show."""


class IndexMissing(SearchError):
    """No readable index at the given folder."""


_WORD = re.compile(r"[^\W\d_]{2,}")
_spelling_seen: set[str] | None = None  # while writing: words already on the spelling list


class _SpelledText(TEXT):
    """TEXT whose unstemmed words go on the spelling list once per write, not once per
    document: Whoosh adds one posting per word per document, which made a 10k build 3x slower."""

    def spellable_words(self, value):
        words = set(_WORD.findall(value.lower())) - STOP_WORDS
        if _spelling_seen is not None:
            words -= _spelling_seen
            _spelling_seen.update(words)
        return iter(sorted(words))


@contextmanager
def _writing(ix, docs: Iterable[dict[str, str]], update: bool = False, **options):
    """Add or replace documents in one commit (Whoosh commits are atomic)."""
    global _spelling_seen
    _spelling_seen = set()
    try:
        writer = ix.writer(**options)
        try:
            yield writer
            for doc in docs:
                (writer.update_document if update else writer.add_document)(**doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    finally:
        _spelling_seen = None


def _schema() -> Schema:
    stem = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),  # a column: docnum -> id for ties, read fast
        type=ID(stored=True),
        # positions (exact phrases) only in names: summary and body postings stay small and fast
        name=_SpelledText(stored=True, analyzer=stem, field_boost=3.0, spelling=True),
        summary=_SpelledText(stored=True, analyzer=stem, field_boost=1.5, spelling=True, phrase=False),
        body=_SpelledText(analyzer=stem, spelling=True, phrase=False),
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
        studies, outcomes, areas = corpus.studies_for(entry.id), sorted(entry.outcomes), list(entry.priority_areas)
    headline = corpus.headline(entry)  # impact on violence: the same band every list shows
    return {
        "settings": sorted(entry.settings), "outcomes": outcomes, "priority_areas": sorted(areas),
        "band": [headline] if headline else [], "design": sorted({s.design for s in studies}),
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


_ANALYSER = StemmingAnalyzer()


def analyse(text: str) -> list[str]:
    """The words (stems) the index makes of a text (key terms; brute-force checks in tests)."""
    return [t.text for t in _ANALYSER(text)]


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


def build_search_index(corpus: Corpus, out_dir: Path, rebuild: bool = False) -> str:
    """Write out_dir/search. Updates an existing index in place when few entries changed
    (Whoosh commits are atomic); otherwise, or with `rebuild`, builds a new one beside it
    and swaps it in. Returns what was done, e.g. "updated 1, removed 0" or "built 74"."""
    target = Path(out_dir) / "search"
    docs = documents(corpus)
    done = None if rebuild else _update(target, docs)
    if done is not None:
        return done
    with atomic_dir(target) as tmp:
        ix = index.create_in(str(tmp), _schema())
        with _writing(ix, docs, limitmb=256, **_parallel(len(docs))):
            pass
        (tmp / FORMAT_FILE).write_text(FORMAT + "\n", encoding="utf-8")
    return f"built {len(docs)}"


def _parallel(n_docs: int) -> dict[str, object]:
    """Both cores for big corpora; one process below that, where start-up costs more than it saves."""
    procs = min(2, os.cpu_count() or 1)
    return {"procs": procs, "multisegment": True} if procs > 1 and n_docs >= PARALLEL_FROM else {}


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
        with _writing(ix, changed, update=True) as writer:
            for entry_id in removed:
                writer.delete_by_term("id", entry_id)
    return f"updated {len(changed)}, removed {len(removed)}"


def related_entries(corpus: Corpus, out_dir: Path, top: int = 5) -> dict[str, tuple[str, ...]]:
    """For every entry, the ids of up to `top` entries most like it (more-like-this over the
    index), best first, ties broken by id so the site is deterministic. Brings the index up
    to date first (builds it if missing)."""
    build_search_index(corpus, out_dir)
    docs = documents(corpus)
    # Analysing 10k documents is a fifth of the work and depends only on each document:
    # kept from build to build by digest (JSON, keys sorted: same input, same bytes).
    cache = Path(out_dir) / "cache" / "related-terms.json"
    try:
        terms = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        terms = {}
    known = set(terms) if isinstance(terms, dict) else set()
    terms = terms if isinstance(terms, dict) else {}
    with SearchIndex(Path(out_dir) / "search") as ix:
        related = ix.related(docs, top, terms=terms)
    wanted = {d["digest"] for d in docs}
    if wanted != known:
        write_text(cache, json.dumps({k: terms[k] for k in wanted}, sort_keys=True, separators=(",", ":")))
    return related


# ---------------------------------------------------------------- querying


@dataclass(frozen=True)
class SearchResult:
    results: list[dict[str, object]]  # id, type, name, score, snippet (HTML: text escaped, matches in <mark>)
    facets: dict[str, dict[str, int]]  # "setting" -> {"pru": 3, ...}, counts over ALL matches, not just the page
    total: int
    suggestion: str | None = None
    query: str = ""
    corrected: bool = False  # the query found nothing, so these are the results for `suggestion`

    def as_dict(self) -> dict[str, object]:
        return {"query": self.query, "total": self.total, "suggestion": self.suggestion,
                "corrected": self.corrected, "results": self.results, "facets": self.facets}


# facet name in output and query syntax -> index field
FACET_REPORT = {"type": "type", "setting": "settings", "outcome": "outcomes", "priority_area": "priority_areas"}
_FIELD_RE = re.compile(r'(?:^|[\s(+\-])([A-Za-z_][\w-]*):(?!//)')
_WORD_RE = re.compile(r'(?<![\w:])([A-Za-z][A-Za-z\'-]*[A-Za-z])(?![\w:])')
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
TERM_CACHE = 4096  # postings turned into scores, kept per open index (most recent first)


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
    """An open index. Keep one per process: it caches postings as it answers queries.

    Queries are evaluated here over Whoosh's postings and BM25F statistics, into one map
    of every matching document to its score. Ranking, totals and facet counts all come
    from that one map, so they agree, and are exact (Whoosh's own `len(results)` is wrong
    for NOT queries under a limit). Scores equal Whoosh's own search (a test checks it);
    this path is 5-10x faster on broad queries because common terms are cached.
    """

    def __init__(self, index_dir: Path) -> None:
        self.path = Path(index_dir)
        try:
            ix = _open(self.path)
        except Exception as exc:  # noqa: BLE001 - damaged or foreign files
            raise IndexMissing(f"{self.path}: the search index cannot be read ({exc}). Fix: run `whatworks build --only search`") from None
        if ix is None:
            raise IndexMissing(f"{self.path}: no search index here. Fix: run `whatworks build --only search` (or pass --index)")
        self.weighting = scoring.BM25F()
        self.searcher = ix.searcher(weighting=self.weighting)
        self.schema = ix.schema
        self.parser = qparser.MultifieldParser(list(TEXT_FIELDS), ix.schema, group=_WordsRankFiltersHold)
        self.parser.add_plugin(qparser.FieldAliasPlugin(ALIASES))
        self.stem = self.schema["name"].analyzer
        self.fields = set(self.schema.names()) | {a for names in ALIASES.values() for a in names}
        self._terms: OrderedDict[tuple[str, str], dict[int, float]] = OrderedDict()
        self._nodes: OrderedDict[query.Query, dict[int, float]] = OrderedDict()
        self._stem_docs: dict[tuple[str, ...], set[int]] = {}
        self._lengths: dict[str, list[float]] = {}
        self._ids: list[str] | None = None
        self.live = {n: 0.0 for n in self.searcher.reader().all_doc_ids()}
        for fieldname in TEXT_FIELDS:  # here, not in the first query
            self._norms(fieldname)
        self.facet_docs = {name: {t.decode(): frozenset(self._term(fld, t.decode()))
                                  for t in self.searcher.reader().lexicon(fld)}
                           for name, fld in FACET_REPORT.items()}

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
        scores = self.scores(q)
        matched = set(scores)
        facets = {name: dict(sorted(((v, n) for v, docs in self.facet_docs[name].items() if (n := len(matched & docs))),
                                    key=lambda kv: (-kv[1], kv[0])))
                  for name in FACET_REPORT}
        words = {t.decode() if isinstance(t, bytes) else t for f, t in q.iter_all_terms() if f in TEXT_FIELDS}
        rows = [self._row(docnum, score, words) for docnum, score in self._top(scores, limit)]
        suggestion = self.suggest(text)
        if not scores and suggestion and suggestion != text:
            # A misspelling that finds nothing: show what the corrected query finds (practitioners
            # rarely retype), and say so.
            fixed = self.search(suggestion, filters, limit)
            if fixed.total:
                return dataclasses.replace(fixed, suggestion=suggestion, query=text, corrected=True)
        return SearchResult(rows, facets, len(scores), suggestion, text)

    def _top(self, scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
        """Best `limit` by score, ties by id (so an updated index ranks as a rebuilt one)."""
        if limit <= 0 or not scores:
            return []
        best = heapq.nlargest(limit, scores.items(), key=itemgetter(1))
        edge = best[-1][1]
        tied = [kv for kv in scores.items() if kv[1] == edge] if len(scores) > limit else []
        pool = {kv[0]: kv[1] for kv in best + tied}
        ids = self._docnum_ids()
        return sorted(pool.items(), key=lambda kv: (-kv[1], ids[kv[0]]))[:limit]

    def _row(self, docnum: int, score: float, words: set[str]) -> dict[str, object]:
        stored = self.searcher.stored_fields(docnum)
        summary = stored["summary"]
        marked = highlight.highlight(summary, words, self.stem, highlight.WholeFragmenter(), _MarkFormatter())
        return {"id": stored["id"], "type": stored["type"], "name": stored["name"], "score": round(score, 4),
                "snippet": marked or escape(summary, quote=False)}

    def _docnum_ids(self) -> list[str]:
        if self._ids is None:
            self._ids = [i.decode() if isinstance(i, bytes) else i for i in self.searcher.reader().column_reader("id")]
        return self._ids

    # ---- evaluation: Whoosh query -> {docnum: score} for every match

    def scores(self, q: query.Query) -> dict[int, float]:
        """Every matching document with its BM25F score (facet-field matches score 0).
        The result may be cached: callers must not change it."""
        if isinstance(q, query.Term) and q.boost == 1.0:
            return self._term(q.fieldname, q.text)
        cacheable = isinstance(q, query.Phrase) or (
            isinstance(q, (query.And, query.Or)) and all(isinstance(s, query.Term) for s in q.subqueries))
        if cacheable and q in self._nodes:  # e.g. one word over name, summary and body, or a phrase
            self._nodes.move_to_end(q)
            return self._nodes[q]
        found = self._evaluate(q)
        if q.boost != 1.0:
            found = {k: v * q.boost for k, v in found.items()}
        if cacheable:
            self._nodes[q] = found
            if len(self._nodes) > TERM_CACHE:
                self._nodes.popitem(last=False)
        return found

    def _evaluate(self, q: query.Query) -> dict[int, float]:
        if isinstance(q, query.Term):
            return self._term(q.fieldname, q.text)
        if isinstance(q, query.And):
            subs = [s for s in q.subqueries if not isinstance(s, query.Not)]
            parts = sorted((self.scores(s) for s in subs), key=len) or [self.live]
            keys = set(parts[0]).intersection(*parts[1:])
            for s in q.subqueries:
                if isinstance(s, query.Not):
                    keys.difference_update(self.scores(s.query))
            return {k: sum(p[k] for p in parts) for k in keys}
        if isinstance(q, query.Or):
            parts = sorted((self.scores(s) for s in q.subqueries), key=len, reverse=True)
            found = dict(parts[0]) if parts else {}  # copy the biggest, add the rest into it
            get = found.get
            for part in parts[1:]:
                for k, v in part.items():
                    found[k] = get(k, 0.0) + v
            return found
        if isinstance(q, query.Not):
            excluded = self.scores(q.query)
            return {k: 0.0 for k in self.live if k not in excluded}
        if isinstance(q, query.Every):
            return self.live
        if q is query.NullQuery:
            return {}
        if isinstance(q, query.MultiTerm):  # prefix*, wildcards, fuzzy~, ranges: the terms they stand for
            expanded = q.simplify(self.searcher.reader())
            return {} if isinstance(expanded, query.MultiTerm) else self.scores(expanded)
        if isinstance(q, query.Phrase):  # Whoosh finds the documents; each word scores as a term
            words = [self._term(q.fieldname, w) for w in q.words]
            return {k: sum(w[k] for w in words) for k in self._matching(q)}
        return {k: 0.0 for k in self._matching(q)}  # any other query type: Whoosh's matcher, unscored

    def _matching(self, q: query.Query) -> list[int]:
        found: list[int] = []
        context = self.searcher.boolean_context()
        for sub, offset in self.searcher.leaf_searchers():
            found.extend(docnum + offset for docnum in q.matcher(sub, context).all_ids())
        return found

    def _term(self, fieldname: str, text: str | bytes) -> dict[int, float]:
        text = text.decode() if isinstance(text, bytes) else text
        key = (fieldname, text)
        if key in self._terms:
            self._terms.move_to_end(key)
            return self._terms[key]
        ids: list[int] = []
        weights: list[float] = []
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            if (fieldname, text) in reader:
                leaf_ids, leaf_weights = _read_postings(reader.postings(fieldname, text))
                ids.extend((n + offset for n in leaf_ids) if offset else leaf_ids)
                weights.extend(leaf_weights)
        if fieldname in self.schema and self.schema[fieldname].scorable:
            found = self._bm25(fieldname, ids, weights)
        else:  # facet fields filter; they do not rank
            found = dict.fromkeys(ids, 0.0)
        self._terms[key] = found
        if len(self._terms) > TERM_CACHE:
            self._terms.popitem(last=False)
        return found

    def _bm25(self, fieldname: str, ids: list[int], weights: list[float]) -> dict[int, float]:
        """Whoosh's BM25F formula, idf = log(N / (df + 1)) + 1, with N, df and the average
        length counted over live documents only. Whoosh's own statistics still count
        documents deleted by an update until segments merge; these make an updated index
        score exactly as a rebuilt one."""
        norms = self._norms(fieldname)
        top = (log(len(self.live) / (len(ids) + 1)) + 1) * (self.weighting.K1 + 1)
        return {i: top * w / (w + norms[i]) for i, w in zip(ids, weights)}

    def _norms(self, fieldname: str) -> list[float]:
        """Per document, BM25's length part K1 (1 - B + B len / avglen), from the lengths
        Whoosh stores and the live average; computed once per field."""
        if fieldname not in self._lengths:
            reader = self.searcher.reader()
            # (None, not 0, for a field with no indexable words, e.g. a name of only emoji)
            lengths = [reader.doc_field_length(n, fieldname, 0) or 0 for n in range(reader.doc_count_all())]
            average = (sum(lengths[n] for n in self.live) / len(self.live) if self.live else 1.0) or 1.0
            b, k = self.weighting.B, self.weighting.K1
            self._lengths[fieldname] = [k * (1 - b) + k * b * length / average for length in lengths]
        return self._lengths[fieldname]

    def related(self, docs: list[dict[str, str]], top: int = 5, numterms: int = 10, depth: int = 200,
                terms: dict[str, list[dict[str, int]]] | None = None) -> dict[str, tuple[str, ...]]:
        """Whoosh's more-like-this: each document's key terms by the Bo1 model (as
        Searcher.more_like picks them), searched over `body` with BM25F. Each key term
        contributes its `depth` best documents only, which keeps a 10k-entry corpus fast.

        Collection statistics come from `docs` (the live documents), not from Whoosh's
        counters, which keep counting replaced documents until segments merge; ties at the
        depth cut go to the smaller id. So an index updated in place gives what a rebuilt
        one gives (incremental builds must equal full ones). `terms` (digest -> [body stem
        counts, name and summary stem counts]) is used where it has a document, and filled."""
        ids = self._docnum_ids()
        docnum = {ids[n]: n for n in self.live}
        rank = {n: -i for i, n in enumerate(sorted(self.live, key=ids.__getitem__))}  # smaller id, larger rank
        analysed = []
        collection: Counter[str] = Counter()
        terms = {} if terms is None else terms
        for doc in docs:
            if doc["digest"] not in terms:
                terms[doc["digest"]] = [Counter(analyse(doc["body"])), Counter(analyse(doc["name"] + "\n" + doc["summary"]))]
            body, rest = (Counter(c) for c in terms[doc["digest"]])
            collection.update(body)
            # same counts as analysing the three joined by newlines: no token spans a newline
            analysed.append((doc["id"], body + rest))
        model = classify.Bo1Model(len(docs), collection.total())
        best: dict[str, list[tuple[int, float]]] = {}
        related = {}
        for doc_id, counts in analysed:
            keyed = [(model.score(tf, collection[stem], 0), stem) for stem, tf in counts.items() if collection[stem]]
            found: dict[int, float] = {}
            for weight, stem in sorted(keyed, reverse=True)[:numterms]:
                if stem not in best:
                    best[stem] = heapq.nlargest(depth, self._term("body", stem).items(), key=lambda kv: (kv[1], rank[kv[0]]))
                for n, score in best[stem]:
                    found[n] = found.get(n, 0.0) + weight * score
            found.pop(docnum.get(doc_id, -1), None)
            related[doc_id] = tuple(ids[n] for n, _ in self._top(found, top))
        return related

    def whoosh_scores(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        """The same query through Whoosh's own collector (for tests and the benchmark)."""
        return [(h["id"], h.score) for h in self.searcher.search(self._query(text, {}), limit=limit)]

    # ---- parsing and suggestions

    def _query(self, text: str, filters: Mapping[str, Iterable[str]]) -> query.Query:
        unknown = sorted({m for m in _FIELD_RE.findall(text) if m not in self.fields})
        if unknown:
            known = ", ".join(sorted(f for f in self.fields if f not in ("digest", "body") and not f.startswith("spell_")))
            raise SearchError(f"query: unknown field '{unknown[0]}'. Fix: use one of {known}")
        _check_syntax(text)
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
        """The query with each word unknown to the index replaced by the nearest known word
        that also occurs with the query's known words (so "scared strait" is not "fixed" to
        "scared strain"). None when every word is known or nothing fits."""
        words = [(m, [t.text for t in self.stem(m.group(1))]) for m in _WORD_RE.finditer(text)
                 if m.group(1) not in _OPERATORS and len(m.group(1)) >= 4]
        unknown = [(m, stems) for m, stems in words if stems and not self._docs(stems)]
        if not unknown:
            return None
        known = [self._docs(stems) for _, stems in words if stems and self._docs(stems)]
        context = set.intersection(*known) if known else None
        corrector = _VocabularyCorrector(self.searcher.reader(), self.stem)
        fixed, end = [], 0
        for m, _ in unknown:
            word = m.group(1)
            for candidate in corrector.suggest(word.lower(), limit=5, maxdist=1 if len(word) < 9 else 2, prefix=1):
                docs = self._docs([t.text for t in self.stem(candidate)])
                if docs and (context is None or docs & context):
                    fixed += [text[end:m.start()], candidate]
                    end = m.end()
                    break
        return "".join(fixed) + text[end:] if fixed else None

    def _docs(self, stems: list[str]) -> set[int]:
        """Documents holding every one of these stems in name, summary or body."""
        key = tuple(stems)
        if key not in self._stem_docs:
            if len(self._stem_docs) > TERM_CACHE:
                self._stem_docs.clear()
            sets = [set().union(*(self._term(f, s) for f in TEXT_FIELDS)) for s in stems]
            self._stem_docs[key] = set.intersection(*sets) if sets else set()
        return self._stem_docs[key]


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
            required.append(query.Or(optional) if len(optional) > 1 else optional[0])
        if not required:
            return query.NullQuery
        q = query.And(required, boost=self.boost) if len(required) > 1 else required[0]
        return qparser.syntax.attach(q, self)


def _read_postings(matcher) -> tuple[list[int], list[float]]:
    """A term's live postings in one segment: (docnums, weights). Reads whoosh3's posting
    blocks whole (about 5x faster than stepping the matcher a posting at a time); any other
    codec is stepped through Whoosh's public matcher methods."""
    leaf = getattr(matcher, "child", matcher)  # a FilterMatcher hides deleted documents
    blocks = all(hasattr(leaf, a) for a in ("_read_data", "_data", "_byteids", "_read_ids", "_read_weights", "_next_block",
                                             "_ids", "_weights", "_i"))
    ids: list[int] = []
    weights: list[float] = []
    if blocks:
        while leaf.is_active():
            if leaf._ids is None and not leaf._byteids:  # whoosh decodes deltas in Python; accumulate is C
                if leaf._data is None:
                    leaf._read_data()
                leaf._ids = tuple(accumulate(leaf._data[0]))
            elif leaf._ids is None:
                leaf._read_ids()
            if leaf._weights is None:
                leaf._read_weights()
            ids.extend(leaf._ids[leaf._i:])
            weights.extend(leaf._weights[leaf._i:])
            leaf._next_block()
        if leaf is not matcher:  # drop what the filter would have hidden
            listed, exclude = matcher._ids, matcher._exclude
            keep = [n for n, docnum in enumerate(ids) if (docnum in listed) != exclude]
            ids, weights = [ids[n] for n in keep], [weights[n] for n in keep]
        return ids, weights
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def _check_syntax(text: str) -> None:
    """Whoosh's parser quietly drops what it cannot read; say what is wrong instead."""
    if text.count('"') % 2:
        raise SearchError('query: a quote (") is not closed. Fix: add the closing " after the phrase')
    bare = re.sub(r'"[^"]*"', " ", text)
    depth = 0
    for char in bare:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        raise SearchError("query: brackets do not match. Fix: close each ( with a )")
    if bare.count("[") != bare.count("]") or bare.count("{") != bare.count("}"):
        raise SearchError("query: a range is not closed. Fix: write ranges as level:[3 TO 5]")
    if empty := re.search(r"(?:^|\s)([A-Za-z_][\w-]*):(?=\s|$)", bare):
        raise SearchError(f"query: '{empty.group(1)}:' has no value. Fix: write it as {empty.group(1)}:value, e.g. setting:pru")
    if dangling := re.search(r"\b(AND|OR|NOT)\s*$", bare):
        raise SearchError(f"query: '{dangling.group(1)}' at the end has nothing to join. Fix: add a word after it or remove it")


def _is_filter(q: query.Query) -> bool:
    """NOT clauses and field:value clauses on facet fields must hold; words only rank."""
    if isinstance(q, query.Not):
        return True
    fields = {f for f, _ in q.iter_all_terms()} if not isinstance(q, query.Every) else set()
    return bool(fields) and fields <= set(FACETS) | {"id"}


def _phrases_to_terms(q: query.Query) -> query.Query:
    """Summary and body keep no positions (smaller, faster index): a phrase there matches
    all its words; names keep exact phrases."""
    if isinstance(q, query.Phrase) and q.fieldname in ("summary", "body"):
        return query.And([query.Term(q.fieldname, w) for w in q.words], boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(_phrases_to_terms)
