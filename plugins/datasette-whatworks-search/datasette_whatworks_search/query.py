"""Searching the index: parse a practitioner's query with Whoosh's parser, score every match
(engine.py: why not Whoosh's own searcher), count the facets of all matches, mark the
matched words in the summary, suggest a spelling.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

from whoosh import qparser, query, scoring

from .engine import Engine, as_typed
from .schema import ALIASES, FACET_REPORT, FACETS, STEMMER, TEXT_FIELDS, SearchError, analyse, open_index
from .suggest import suggest
from .synonyms import Synonyms

MAX_QUERY_CHARS = 500  # a long pasted title fits; an 8 KB query does not
MAX_QUERY_WORDS = 40
MAX_PATTERNS = 4  # words with *, ? or ~: each stands for many words
PATTERN_PREFIX = 3  # letters before the first * or ?, so a pattern stands for few words
_FIELD = re.compile(r'(?:^|(?<=[\s(+\-]))([A-Za-z_][\w-]*):(?=[^\s/])')  # name:value, not "Title: words" or URLs
_QUOTED = re.compile(r'"[^"]*"')


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


def check_size(text: str) -> None:
    """Refuse queries that would keep a server busy; the message says what to do."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchError(f"query: {len(text):,} characters is too long (at most {MAX_QUERY_CHARS}). "
                          "Fix: search for a few key words")
    words = len(text.split())
    if words > MAX_QUERY_WORDS:
        raise SearchError(f"query: {words} words is too many (at most {MAX_QUERY_WORDS}). Fix: search for a few key words")


class SearchIndex:
    """An open index. Not safe for two threads at once (Whoosh's readers share file handles):
    the Datasette plugin runs all searches on one worker thread."""

    def __init__(self, index_dir: Path) -> None:
        self.path = Path(index_dir)
        ix = open_index(self.path)
        self.searcher = ix.searcher(weighting=scoring.BM25F())
        self.engine = Engine(self.searcher, self.searcher.weighting)
        self.schema = ix.schema
        self.parser = qparser.MultifieldParser(list(TEXT_FIELDS), ix.schema, group=_WordsRankFiltersHold)
        self.parser.add_plugin(qparser.FieldAliasPlugin(ALIASES))
        self.fields = set(self.schema.names()) | {a for names in ALIASES.values() for a in names}
        self.synonyms = Synonyms.read(self.path)
        self._stem_docs: dict[tuple[str, ...], set[int]] = {}
        self.facet_docs = {name: {t.decode(): frozenset(self.engine.term(fld, t)) for t in self.searcher.reader().lexicon(fld)}
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
        check_size(text)
        q = self.parse(text, filters or {})
        scores = self.engine.scores(q)
        matched = set(scores)
        facets = {name: dict(sorted(((v, n) for v, docs in self.facet_docs[name].items() if (n := len(matched & docs))),
                                    key=lambda kv: (-kv[1], kv[0])))
                  for name in FACET_REPORT}
        words = {t.decode() if isinstance(t, bytes) else t for f, t in q.iter_all_terms() if f in TEXT_FIELDS}
        rows = [self._row(self.searcher.stored_fields(n), score, words) for n, score in self.engine.top(scores, limit)]
        suggestion = suggest(self.searcher.reader(), text, self.docs, known=self.synonyms.expand(text).matched)
        if not matched and suggestion and suggestion != text:
            # A misspelling that finds nothing: show what the corrected query finds (practitioners
            # rarely retype), and say so.
            fixed = self.search(suggestion, filters, limit)
            if fixed.total:
                return dataclasses.replace(fixed, suggestion=suggestion, query=text, corrected=True)
        return SearchResult(rows, facets, len(matched), suggestion, text)

    def _row(self, stored: dict, score: float, words: set[str]) -> dict[str, object]:
        return {"id": stored["id"], "type": stored["type"], "name": stored["name"], "score": round(score, 4),
                "snippet": mark(stored["summary"], words)}

    def docs(self, stems: list[str]) -> set[int]:
        """Documents holding every one of these stems in name, summary or body (for suggest)."""
        key = tuple(stems)
        if key not in self._stem_docs:
            if len(self._stem_docs) > 4096:
                self._stem_docs.clear()
            sets = [set().union(*(self.engine.term(f, s) for f in TEXT_FIELDS)) for s in stems]
            self._stem_docs[key] = set.intersection(*sets) if sets else set()
        return self._stem_docs[key]

    def parse(self, text: str, filters: Mapping[str, Iterable[str]] | None = None) -> query.Query:
        """The Whoosh query for a query string and filters; SearchError says what is wrong."""
        filters = filters or {}
        unknown = sorted({m for m in _FIELD.findall(_QUOTED.sub(" ", text)) if m not in self.fields})
        if unknown:
            known = ", ".join(sorted(f for f in self.fields if f != "body" and not f.startswith("spell_")))
            raise SearchError(f"query: unknown field '{unknown[0]}'. Fix: use one of {known}")
        _check_syntax(text)
        alternatives = self.synonyms.expand(text).queries()
        text = _as_words(text)
        text = re.sub(r"(^|[\s(])-(?=[\w\"(])", r"\1NOT ", text)  # `-word` excludes, as on web search engines
        try:
            parsed = self.parser.parse(text) if text.strip() else query.Every()
        except Exception as exc:  # noqa: BLE001 - the parser's errors are the user's typo
            raise SearchError(f"query: cannot read '{text}' ({exc}). Fix: check quotes, brackets and field:value pairs") from None
        parsed = with_alternatives(parsed, alternatives) if alternatives else parsed
        required = [] if isinstance(parsed, query.Every) else [parsed]
        aliases = {**{a: k for k, v in ALIASES.items() for a in v}, **FACET_REPORT}
        for facet, values in sorted(filters.items()):
            values = sorted(set(values))
            if values:
                required.append(query.Or([query.Term(aliases.get(facet, facet), v.lower()) for v in values]))
        q = query.And(required) if len(required) > 1 else (required[0] if required else query.Every())
        q = _finish(q.normalize())
        _check_patterns(q)
        return q


def mark(text: str, words: set[str]) -> str:
    """text as HTML, each word whose stem is in `words` wrapped in <mark>."""
    out, end = [], 0
    for token in STEMMER(text, chars=True, mode="query"):
        if token.text in words:
            out += [escape(text[end:token.startchar], quote=False),
                    "<mark>" + escape(text[token.startchar:token.endchar], quote=False) + "</mark>"]
            end = token.endchar
    return "".join(out) + escape(text[end:], quote=False)


def _as_words(text: str) -> str:
    """A colon that is not `field:value` is punctuation: "Scared Straight: a review" and
    "knife crime: what works" are words, not unknown fields (Whoosh would drop them)."""
    parts = re.split(r'("[^"]*")', text)
    for n, part in enumerate(parts):
        parts[n] = part.replace(":", " ") if n % 2 else re.sub(r":(?=\s|$)", " ", part)
    return "".join(parts)


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


def with_alternatives(q: query.Query, alternatives: list[query.Query]) -> query.Query:
    """The parsed query with synonyms' clauses added to its ranked words (optional, like
    them), leaving its filters required. The parser's group (_WordsRankFiltersHold) puts the
    ranked words last; a query of filters only (its words were all dropped, as "A&E" is) gets
    the alternatives as its words."""
    if q is query.NullQuery or isinstance(q, query.Every):
        return query.Or(alternatives)
    if _is_filter(q):
        return query.And([q, query.Or(alternatives)])
    if isinstance(q, query.And):
        *filters, last = q.subqueries
        if _is_filter(last):
            return query.And([*q.subqueries, query.Or(alternatives)], boost=q.boost)
        return query.And([*filters, query.Or([last, *alternatives])], boost=q.boost)
    return query.Or([q, *alternatives])


def _check_syntax(text: str) -> None:
    """Whoosh's parser quietly drops what it cannot read; say what is wrong instead."""
    if text.count('"') % 2:
        raise SearchError('query: a quote (") is not closed. Fix: add the closing " after the phrase')
    bare = _QUOTED.sub(" ", text)
    depth = 0
    for char in bare:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        raise SearchError("query: brackets do not match. Fix: close each ( with a )")
    if bare.count("[") != bare.count("]") or bare.count("{") != bare.count("}"):
        raise SearchError("query: a range is not closed. Fix: write ranges as level:[3 TO 5]")
    if (empty := re.search(r"(?:^|\s)([A-Za-z_][\w-]*):(?=\s|$)", bare)) and empty.group(1) in FIELD_NAMES:
        raise SearchError(f"query: '{empty.group(1)}:' has no value. Fix: write it as {empty.group(1)}:value, e.g. setting:pru")
    if dangling := re.search(r"\b(AND|OR|NOT)\s*$", bare):
        raise SearchError(f"query: '{dangling.group(1)}' at the end has nothing to join. Fix: add a word after it or remove it")


def _check_patterns(q: query.Query) -> None:
    """Wildcards stand for many words: a few of them, each starting with a few letters."""
    patterns = sorted({(type(n).__name__, as_typed(n)) for n in q.leaves()
                       if isinstance(n, query.MultiTerm) and not isinstance(n, query.TermRange)})
    for _, text in patterns:
        if len(re.match(r"[^*?]*", text).group(0)) < PATTERN_PREFIX:
            raise SearchError(f"query: '{text}' needs at least {PATTERN_PREFIX} letters before * or ?. "
                              "Fix: type more of the word, e.g. mentor*")
    if len(patterns) > MAX_PATTERNS:
        raise SearchError(f"query: {len(patterns)} words with *, ? or ~ (at most {MAX_PATTERNS}). "
                          "Fix: type more of each word, or fewer such words")


FIELD_NAMES = frozenset({"id", *TEXT_FIELDS, *FACETS, *(a for names in ALIASES.values() for a in names)})


def _is_filter(q: query.Query) -> bool:
    """NOT clauses and field:value clauses on facet fields must hold; words only rank."""
    if isinstance(q, query.Not):
        return True
    fields = {f for f, _ in q.iter_all_terms()} if not isinstance(q, query.Every) else set()
    return bool(fields) and fields <= set(FACETS) | {"id"}


def _finish(q: query.Query) -> query.Query:
    """Summary and body keep no positions (smaller, faster index): a phrase there matches
    all its words; names keep exact phrases."""
    if isinstance(q, query.Phrase) and q.fieldname in ("summary", "body"):
        return query.And([query.Term(q.fieldname, w) for w in q.words], boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(_finish)


__all__ = ["MAX_QUERY_CHARS", "MAX_QUERY_WORDS", "SearchIndex", "SearchResult", "analyse", "check_size", "mark"]
