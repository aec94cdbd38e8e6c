"""A problem found in the evidence, the rules that find them, and the three ways `whatworks lint`
prints them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

# Every rule lint applies: id -> (scope, what it refuses). The ids appear in every output format,
# are listed in CONTRIBUTING.md, and each has a golden fixture in tests/fixtures/invalid/.
# Scope FILE: one file shows the problem, given the vocabularies (which the JSON Schemas in
# schema/ carry), so the schemas must reject it too, unless schema_rules.BEYOND_SCHEMA says why
# they cannot. CORPUS: it takes other entries or files, or where the file sits in the tree.
FILE, CORPUS = "file", "corpus"
RULES = {
    # the file itself
    "unreadable-file": (FILE, "the file cannot be read (permissions, a folder named .yml)"),
    "file-too-large": (FILE, "the file is over 1 MiB"),
    "binary-file": (FILE, "the file holds a NUL byte"),
    "not-utf8": (FILE, "the file is not UTF-8 text"),
    "empty-file": (FILE, "the file is empty or holds only comments"),
    "yaml-syntax": (FILE, "the YAML cannot be parsed"),
    "multiple-documents": (FILE, "more than one YAML document (`---`) in a file"),
    "not-a-mapping": (FILE, "the file is a list or a single value, not fields"),
    "duplicate-file": (CORPUS, "two files with the same name but a different extension (`.yml` and `.yaml`)"),
    "unknown-folder": (CORPUS, "a file outside the folders lint knows"),
    "missing-vocabulary": (CORPUS, "a vocabulary the build needs is missing"),
    # YAML features and readings we refuse
    "duplicate-key": (FILE, "a field given twice"),
    "yaml-alias": (FILE, "an alias (`*name`)"),
    "yaml-tag": (FILE, "a tag (`!!python/...`, `!foo`)"),
    "yaml-key": (FILE, "a mapping key that is not a plain name"),
    "ambiguous-bool": (FILE, "yes/no/on/off, which some YAML tools read as true/false"),
    "ambiguous-number": (FILE, "numbers with a leading zero or a colon, read differently by YAML 1.1"),
    "non-finite-number": (FILE, "infinity or not-a-number (`.inf`, `.nan`, `1e999`, `inf`)"),
    "control-character": (FILE, "a control character (other than tab and newline) or a lone surrogate in text"),
    # one field at a time (the models)
    "unknown-field": (FILE, "a field the model does not have"),
    "missing-field": (FILE, "a required field left out"),
    "empty-value": (FILE, "a field present with no value"),
    "wrong-type": (FILE, "text where a number, list or group belongs, and so on"),
    "invalid-id": (FILE, "an id that is not lowercase kebab-case"),
    "invalid-date": (FILE, "a date not written YYYY-MM-DD"),
    "invalid-doi": (FILE, "a DOI not written bare (10.xxxx/…)"),
    "not-https": (FILE, "a URL that is not https://"),
    "wrong-form": (FILE, "text in the wrong form (spaces in a URL, …)"),
    "text-too-short": (FILE, "text under its minimum length"),
    "text-too-long": (FILE, "text over its maximum length"),
    "empty-list": (FILE, "a list that needs at least one value"),
    "not-allowed-value": (FILE, "a value outside a fixed list (review status, direction)"),
    "out-of-range": (FILE, "a number outside the field's range"),
    "invalid-value": (FILE, "any other value the model refuses"),
    # across fields and files
    "id-mismatch": (FILE, "an id that differs from its file name"),
    "duplicate-id": (CORPUS, "two entries with the same id"),
    "duplicate-value": (FILE, "a value repeated in a list"),
    "duplicate-term": (FILE, "a vocabulary term id listed twice"),
    "unknown-term": (FILE, "a value that is not in its vocabulary"),
    "unsafe-sql-name": (FILE, "a vocabulary or term id that would clash with a database table or column"),
    "dangling-reference": (CORPUS, "a reference to an entry that does not exist"),
    "wrong-reference-kind": (CORPUS, "a reference to the wrong kind of entry"),
    "self-reference": (FILE, "an entry that refers to itself"),
    "future-date": (FILE, "a date after today"),
    "review-dates": (FILE, "next_review_due not after last_reviewed"),
    "ages-reversed": (FILE, "min age above max age"),
    "empty-rating": (FILE, "a rating with no label or number"),
    "unknown-impact-label": (FILE, "an impact label the source does not publish"),
    "duplicate-rating": (FILE, "two ratings from one source for one outcome"),
    "effect-range": (FILE, "an effect value or CI bound outside the range of its effect type"),
    "ci-incomplete": (FILE, "a confidence interval with one bound"),
    "ci-excludes-value": (FILE, "a confidence interval that does not contain its value"),
    "range-incomplete": (FILE, "an estimate with one end of a range, or neither a value nor a range"),
    "range-excludes-value": (FILE, "a range reversed, or one that does not contain its value"),
    "design-flags": (FILE, "a design that does not say whether it compares or reviews (or the flags on another list)"),
    "finding-direction": (FILE, "a direction missing for a comparative design, or given for one without a comparison"),
    "review-only-field": (FILE, "studies_pooled or pooled_sample on a study that is not a review"),
    "raw-html": (FILE, "HTML tags in text (decided by the site's sanitiser, nh3)"),
    "unsafe-link": (FILE, "a link that is not to a web page (javascript:, data:, relative)"),
    # vocabularies/synonyms.yml
    "synonym-group-size": (FILE, "a synonym group with fewer than two phrases, or more than twelve"),
    "synonym-empty-phrase": (FILE, "an empty phrase in a synonym group"),
    "synonym-repeated": (FILE, "a phrase in two synonym groups, or twice in one"),
    "synonym-query-syntax": (FILE, "a phrase with characters or words search reads as syntax (`* ? : \" ( )`, AND/OR/NOT)"),
    "synonym-phrase-size": (FILE, "a synonym phrase of more than six words"),
}
SINGLE_FILE = frozenset(rule for rule, (scope, _) in RULES.items() if scope == FILE)


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int  # 1-based; 0 for problems with the whole file
    col: int
    field: str  # dotted field path, e.g. "ratings[0].url"; "" when not about one field
    message: str
    fix: str
    rule: str = ""  # a key of RULES

    def text(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        return f"{where}: {self._body()}"

    def github(self) -> str:
        # Workflow commands need %, CR and LF escaped in the message part.
        msg = self._body().replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        loc = f"file={self.path}" + (f",line={self.line},col={self.col}" if self.line else "")
        title = f",title={self.rule}" if self.rule else ""
        return f"::error {loc}{title}::{msg}"

    def _body(self) -> str:
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{what}. Fix: {self.fix}" + (f" [{self.rule}]" if self.rule else "")


def render(problems: list[Problem], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([asdict(p) for p in problems], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(p.github() for p in problems)
    return "\n".join(p.text() for p in problems)
