"""The site's offline search index: a JavaScript file made at build time from the search
documents (the ones build.py makes once for the Whoosh index) and Corpus.synonyms.

The site's search box answers from the Whoosh endpoint when the site is served with its
Datasette; on a static host or from file:// it falls back to this index, read by
site/assets/search-offline.js. It is a `<script>` file, not JSON, because Chromium refuses to fetch a
JSON file from a file:// page but runs a script tag.

What the browser gets, kept small: per entry its page, type, name and summary; per word (as
written, lower-cased, stop words left out) the entries holding it with a BM25F-style weight
(name counts 3x, summary 1.5x, body 1x, as in the Whoosh schema), which search-offline.js multiplies
by the word's rarity. Postings are a string per word, "<gap><weight>" joined by commas: the gap
from the previous entry number in base 36, the weight as one character of DIGITS (its index,
in steps of 1/SCALE). That is under half the size of JSON number lists. The browser stems words and forgives one typo itself, against this
vocabulary, so the tokenizer and stop words below are the one definition both sides use
(search-offline.js reads them from the file).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from datasette_whatworks_search.schema import TEXT_FIELDS, schema as search_schema
from whoosh.analysis import STOP_WORDS as WHOOSH_STOP_WORDS

from ..evidence.kinds import BY_NAME

# Words: letters and digits, "a&e" kept whole. The same pattern runs in the browser.
TOKEN = r"[a-z0-9]+(?:&[a-z0-9]+)*"
# The endpoint's own stop words and field weights, so both searches ignore and weigh words alike.
STOP_WORDS = tuple(sorted(WHOOSH_STOP_WORDS))
FIELD_BOOSTS = tuple((field, search_schema()[field].format.field_boost) for field in TEXT_FIELDS)
K1, B = 1.2, 0.75  # BM25's usual constants
SCALE = 5  # weights are sent in fifths, as one character: ranking unchanged in practice
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
INDEX_PATH = "search/offline-index.js"
GLOBAL = "wwSearchIndex"

_token = re.compile(TOKEN)
_stop = frozenset(STOP_WORDS)


def words(text: str) -> list[str]:
    """The words of a text as the offline index counts them."""
    return [w for w in _token.findall(text.lower()) if w not in _stop]


def offline_index(docs: Sequence[Mapping[str, str]], synonyms: Iterable[Sequence[str]] = ()) -> dict:
    """The index as plain data (what the JavaScript file holds)."""
    counts = [{field: Counter(words(doc.get(field, ""))) for field, _ in FIELD_BOOSTS} for doc in docs]
    average = {field: (sum(sum(c[field].values()) for c in counts) / len(docs) if docs else 0) or 1
               for field, _ in FIELD_BOOSTS}
    postings: dict[str, list[str]] = defaultdict(list)
    last: dict[str, int] = {}
    for n, fields in enumerate(counts):
        weights: Counter[str] = Counter()
        for field, boost in FIELD_BOOSTS:
            norm = K1 * (1 - B + B * sum(fields[field].values()) / average[field])
            for word, tf in fields[field].items():
                weights[word] += boost * tf * (K1 + 1) / (tf + norm)
        for word, weight in weights.items():
            gap = n - last.get(word, 0)
            last[word] = n
            postings[word].append(_base36(gap) + DIGITS[min(len(DIGITS) - 1, max(1, round(weight * SCALE)))])
    return {
        "token": TOKEN,
        "stop": list(STOP_WORDS),
        "scale": SCALE,
        "docs": [[f"{BY_NAME[d['type']].folder}/{d['id']}.html", d["type"], d["name"], d["summary"]] for d in docs],
        "digits": DIGITS,
        "words": {word: ",".join(p) for word, p in sorted(postings.items())},
        "synonyms": [list(group) for group in synonyms],
    }


def _base36(n: int) -> str:
    out = ""
    while True:
        n, digit = divmod(n, 36)
        out = DIGITS[digit] + out
        if not n:
            return out


def offline_index_js(docs: Sequence[Mapping[str, str]], synonyms: Iterable[Sequence[str]] = ()) -> str:
    """The index as the script search-offline.js reads: one assignment to window.wwSearchIndex."""
    data = json.dumps(offline_index(docs, synonyms), ensure_ascii=False, separators=(",", ":"))
    data = data.replace("</", "<\\/")  # so the file could be inlined in a page without ending its <script>
    return f"window.{GLOBAL}={data};\n"
