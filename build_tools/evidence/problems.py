"""A problem found in the evidence, the rules that find them, and the three ways `whatworks lint`
prints them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

# Every rule lint applies: id -> what it refuses. The ids appear in every output format, are
# listed in CONTRIBUTING.md, and each has a golden fixture in tests/fixtures/invalid/.
RULES = {
    # the file itself
    "unreadable-file": "the file cannot be read (permissions, a folder named .yml)",
    "file-too-large": "the file is over 1 MiB",
    "binary-file": "the file holds a NUL byte",
    "not-utf8": "the file is not UTF-8 text",
    "empty-file": "the file is empty or holds only comments",
    "yaml-syntax": "the YAML cannot be parsed",
    "multiple-documents": "more than one YAML document (`---`) in a file",
    "not-a-mapping": "the file is a list or a single value, not fields",
    "duplicate-file": "two files with the same name but a different extension (`.yml` and `.yaml`)",
    "unknown-folder": "a file outside the folders lint knows",
    "missing-vocabulary": "a vocabulary the build needs is missing",
    # YAML features and readings we refuse
    "duplicate-key": "a field given twice",
    "yaml-alias": "an alias (`*name`)",
    "yaml-tag": "a tag (`!!python/...`, `!foo`)",
    "yaml-key": "a mapping key that is not a plain name",
    "ambiguous-bool": "yes/no/on/off, which some YAML tools read as true/false",
    "ambiguous-number": "numbers with a leading zero or a colon, read differently by YAML 1.1",
    "non-finite-number": "infinity or not-a-number (`.inf`, `.nan`, `1e999`, `inf`)",
    "control-character": "a control character (other than tab and newline) or a lone surrogate in text",
    # one field at a time (the models)
    "unknown-field": "a field the model does not have",
    "missing-field": "a required field left out",
    "empty-value": "a field present with no value",
    "wrong-type": "text where a number, list or group belongs, and so on",
    "invalid-id": "an id that is not lowercase kebab-case",
    "invalid-date": "a date not written YYYY-MM-DD",
    "invalid-doi": "a DOI not written bare (10.xxxx/…)",
    "not-https": "a URL that is not https://",
    "wrong-form": "text in the wrong form (spaces in a URL, …)",
    "text-too-short": "text under its minimum length",
    "text-too-long": "text over its maximum length",
    "empty-list": "a list that needs at least one value",
    "not-allowed-value": "a value outside a fixed list (review status, direction)",
    "out-of-range": "a number outside the field's range",
    "invalid-value": "any other value the model refuses",
    # across fields and files
    "id-mismatch": "an id that differs from its file name",
    "duplicate-id": "two entries with the same id",
    "duplicate-value": "a value repeated in a list",
    "unknown-term": "a value that is not in its vocabulary",
    "unsafe-sql-name": "a vocabulary or term id that would clash with a database table or column",
    "dangling-reference": "a reference to an entry that does not exist",
    "wrong-reference-kind": "a reference to the wrong kind of entry",
    "self-reference": "an entry that refers to itself",
    "future-date": "a date after today",
    "review-dates": "next_review_due not after last_reviewed",
    "ages-reversed": "min age above max age",
    "empty-rating": "a rating with no label or number",
    "unknown-impact-label": "an impact label the source does not publish",
    "duplicate-rating": "two ratings from one source for one outcome",
    "effect-range": "an effect value or CI bound outside the range of its effect type",
    "ci-incomplete": "a confidence interval with one bound",
    "ci-excludes-value": "a confidence interval that does not contain its value",
    "range-incomplete": "an estimate with one end of a range, or neither a value nor a range",
    "range-excludes-value": "a range reversed, or one that does not contain its value",
    "design-flags": "a design that does not say whether it compares or reviews (or the flags on another list)",
    "finding-direction": "a direction missing for a comparative design, or given for one without a comparison",
    "review-only-field": "studies_pooled or pooled_sample on a study that is not a review",
    "raw-html": "HTML tags in text (decided by the site's sanitiser, nh3)",
    "unsafe-link": "a link that is not to a web page (javascript:, data:, relative)",
    # vocabularies/synonyms.yml
    "synonym-group-size": "a synonym group with fewer than two phrases, or more than twelve",
    "synonym-empty-phrase": "an empty phrase in a synonym group",
    "synonym-repeated": "a phrase in two synonym groups, or twice in one",
    "synonym-query-syntax": "a phrase with characters or words search reads as syntax (`* ? : \" ( )`, AND/OR/NOT)",
    "synonym-phrase-size": "a synonym phrase of more than six words",
}


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
