"""Lint's single-file rules as JSON Schema, so an editor (or check-jsonschema) refuses what lint
refuses. Every constraint is generated from what lint itself reads: the models' bounds, the
vocabularies (effect-type ranges, sources' impact labels, designs' flags), the rules' own field
lists and regexes, and the HTML allow-list. BEYOND_SCHEMA says which single-file rules JSON
Schema cannot express at all; SCHEMA_GAPS what it misses of the others."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .corpus import Corpus
from .html_policy import ATTRIBUTES, AUTOLINK, CODE_SPAN, TAGS
from .load import BAD_CHARACTER
from .models import AgeRange, Effect, Estimate, Rating, Study, part_models
from .vocabulary_models import SynonymList, Term, Vocabulary
from .problems import RULES
from .rules import ESTIMATE_FIGURES, RATING_CONTENT
from .rules_honesty import DESIGN_FLAGS, DESIGNS, REVIEW_ONLY_FIELDS
from .rules_synonyms import MAX_GROUP_PHRASES, MAX_PHRASE_WORDS, SYNTAX_WORDS
from .rules_text import BAD_SCHEME, LINK_PATTERNS, MARKDOWN_FIELDS, URL_FIELDS, nocase
from .rules_vocab import BUILD_PREFIXES, BUILD_TABLES, FORMAT_PLACEHOLDER, FTS_SUFFIX, SIDE_BY_SIDE_COLUMNS, SOURCES

# Single-file rules no JSON Schema can check; their fixtures may pass the schemas.
BEYOND_SCHEMA = {
    "file-too-large": "a schema sees the parsed values, not the file's size",
    "yaml-alias": "YAML tools resolve an alias before validating, so the schema sees the copied value",
    "ambiguous-bool": "YAML 1.2 tools read a bare `no` as the text 'no', the same value as the quoted 'no' lint accepts",
    "ambiguous-number": "YAML 1.2 tools read `012` as 12, the same value as the 12 lint accepts",
    "id-mismatch": "a schema does not know the file's name",
    "self-reference": "JSON Schema cannot compare one value of a file with another",
    "review-dates": "JSON Schema cannot compare one value of a file with another",
    "ci-excludes-value": "JSON Schema cannot compare one value of a file with another",
    "range-excludes-value": "JSON Schema cannot compare one value of a file with another",
    "duplicate-rating": "uniqueItems compares whole items, not some of their fields",
    "duplicate-term": "uniqueItems compares whole items, not some of their fields",
    "future-date": "it depends on the day lint runs; a schema is fixed when it is generated",
    "synonym-repeated": "phrases are compared in lower case with spaces folded, across groups; uniqueItems "
                        "compares exact items within one list",
}
# What the schemas miss of the single-file rules they do check.
SCHEMA_GAPS = {
    "yaml-tag": "standard tags (`!!str`) only change how a value is read",
    "non-finite-number": "`.nan` (not-a-number fails no comparison); infinities are refused",
    "out-of-range": "an effect type's max above its min and no_effect between them (a comparison); "
                    "a whole number over 2^63 in a field that also takes decimals",
    "raw-html": "in Markdown, the attributes of <a> and <th>, and anything after a tag the regex cannot read "
                "whole (a quote not after `=`, a backtick or `<` inside it): a regex cannot parse HTML as the "
                "sanitiser does, and lint asks the sanitiser (nh3) itself",
    "text-too-long": "the length of summary-like text is counted before lint strips surrounding spaces",
    "synonym-query-syntax": "punctuation beyond ASCII (lint allows letters and digits of any script, which "
                            "ECMAScript's \\w does not know)",
}
# Start tags an HTML parser drops outside their context (a <td> outside a table): nh3 drops them
# too, so lint lets them through and the schemas must as well (checked against nh3 by a test).
# (<image> is read as <img>, which neither keeps.)
PARSER_DROPS = frozenset({"body", "caption", "col", "colgroup", "frame", "frameset", "head", "html",
                          "image", "tbody", "td", "tfoot", "th", "thead", "tr"})
FLOAT_MAX = 1.7976931348623157e308  # the largest finite double: above it is infinity


def add_lint_rules(schema: dict, model: type, corpus: Corpus | None) -> None:
    """Add lint's single-file rules to `schema` (model.model_json_schema(), changed in place).
    Without a corpus the rules that need vocabulary data are left out."""
    defs = schema.setdefault("$defs", {})  # the text rules, once per schema: every string refers to one
    defs["LintText"] = _rule("control-character", {"not": {"pattern": BAD_CHARACTER}})
    defs["LintPlainText"] = {"allOf": [{"$ref": "#/$defs/LintText"}, _rule("raw-html", {"pattern": html_pattern(markdown=False)}), *_link_rules()]}
    defs["LintMarkdown"] = {"allOf": [{"$ref": "#/$defs/LintText"}, _rule("raw-html", {"pattern": html_pattern(markdown=True)}), *_link_rules()]}
    for part, node in _nodes(model, schema):
        for field, prop in node.get("properties", {}).items():
            text = "LintText" if field in URL_FIELDS else "LintMarkdown" if field in MARKDOWN_FIELDS else "LintPlainText"
            for leaf in _leaves(prop):
                _add_value_rules(leaf, text)
        node.setdefault("allOf", []).extend(_model_rules(part, node, corpus))
        if not node["allOf"]:
            del node["allOf"]


def _nodes(model: type, schema: dict) -> Iterator[tuple[type, dict]]:
    """(model, its schema node) for the model and every part it holds."""
    todo, seen = [(model, schema)], set()
    while todo:
        current, node = todo.pop()
        if current not in seen:
            seen.add(current)
            yield current, node
            todo.extend((part, schema["$defs"][part.__name__]) for part in part_models(current).values())


def _leaves(node: dict) -> Iterator[dict]:
    """The typed nodes of one field's schema, through optionals, lists and mappings."""
    for key in ("anyOf", "oneOf"):
        for option in node.get(key, ()):
            yield from _leaves(option)
    if "type" in node:
        yield node
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            yield from _leaves(node[key])


def _add_value_rules(leaf: dict, text: str) -> None:
    kind = leaf["type"]
    if kind == "string":
        leaf.setdefault("allOf", []).append({"$ref": f"#/$defs/{text}"})
    elif kind == "number":  # infinity parses as a number; a finite bound refuses it
        leaf.setdefault("minimum", -FLOAT_MAX)
        leaf.setdefault("maximum", FLOAT_MAX)
    elif kind == "array" and leaf.get("items", {}).get("type") in ("string", "number", "integer"):
        leaf["uniqueItems"] = True  # duplicate-value (lists of groups are not compared)


def _model_rules(model: type, node: dict, corpus: Corpus | None) -> list[dict]:
    vocab = (lambda name: corpus.vocabularies[name].terms if corpus and name in corpus.vocabularies else ())
    if model is Rating:
        labels = [(t.id, t.impact_labels) for t in vocab(SOURCES) if t.impact_labels is not None]
        return [_rule("empty-rating", {"anyOf": [_given(name) for name in RATING_CONTENT]}),
                *(_rule("unknown-impact-label", _when("source", source, {"properties": {"impact": {"pattern": _labels(names)}}}))
                  for source, names in labels)]
    if model in (Estimate, Effect):
        return [_rule("range-incomplete", {"anyOf": [_given("value"), _given("range_low")]}),
                _rule("range-incomplete", {"if": _given("range_low"), "then": _given("range_high")}),
                _rule("range-incomplete", {"if": _given("range_high"), "then": _given("range_low")}),
                _rule("ci-incomplete", {"if": _given("value", "ci_low"), "then": _given("ci_high")}),
                _rule("ci-incomplete", {"if": _given("value", "ci_high"), "then": _given("ci_low")}),
                *(_rule("effect-range", _when("type", t.id, {"properties": {name: _bounds(t) for name in ESTIMATE_FIGURES}}))
                  for t in vocab("effect-types") if t.min is not None or t.max is not None)]
    if model is AgeRange:  # min <= max, spelt out for each whole number the model allows
        low, high = node["properties"]["min"]["minimum"], node["properties"]["min"]["maximum"]
        return [_rule("ages-reversed", _when("min", age, {"properties": {"max": {"minimum": age}}})) for age in range(low, high + 1)]
    if model is Study:
        designs = vocab(DESIGNS)
        comparative = [t.id for t in designs if t.comparative]
        rules = []
        if comparative:
            rules.append(_rule("finding-direction", _when("design", comparative, {"properties": {"findings": {"items": {
                "required": ["direction"], "properties": {"direction": {"not": {"type": "null"}}}}}}})))
        if len(comparative) < len(designs):
            rules.append(_rule("finding-direction", _when("design", [t.id for t in designs if not t.comparative], {
                "properties": {"findings": {"items": {"properties": {"direction": {"type": "null"}}}}}})))
        not_reviews = [t.id for t in designs if not t.review]
        if not_reviews:
            rules.append(_rule("review-only-field", _when("design", not_reviews, {"properties": {name: {"type": "null"} for name in REVIEW_ONLY_FIELDS}})))
        return rules
    if model is Vocabulary:
        flags = {name: {"type": "boolean"} for name in DESIGN_FLAGS}
        return [_rule("design-flags", {**_when("id", DESIGNS, {"properties": {"terms": {"items": {"required": list(DESIGN_FLAGS), "properties": flags}}}}),
                                       "else": {"properties": {"terms": {"items": {"properties": {name: {"type": "null"} for name in DESIGN_FLAGS}}}}}}),
                _rule("unsafe-sql-name", {"properties": {"id": {"not": {"pattern": _reserved_ids()}}}}),
                _rule("unsafe-sql-name", _when("id", SOURCES, {"properties": {"terms": {"items": {"properties": {"id": {
                    "not": {"enum": sorted(c.replace("_", "-") for c in SIDE_BY_SIDE_COLUMNS)}}}}}}}))]
    if model is SynonymList:
        word = "[^\\s]+"
        phrase = {"allOf": [
            _rule("synonym-empty-phrase", {"pattern": "\\S"}),
            _rule("synonym-phrase-size", {"pattern": f"^\\s*(?:{word}(?:\\s+{word}){{0,{MAX_PHRASE_WORDS - 1}}})?\\s*$"}),
            _rule("synonym-query-syntax", {"not": {"pattern": "(?:^|\\s)(?:" + "|".join(sorted(SYNTAX_WORDS)) + ")(?:\\s|$)"}}),
            # ASCII punctuation but - ' &, and those three where no word surrounds them
            _rule("synonym-query-syntax", {"not": {"pattern": "[!-%(-,./:-@[-^_`{-~]|(?:^|\\s)[-'&]|[-'&](?:\\s|$)|[-'&]{2}"}}),
        ]}
        return [_rule("empty-list", {"properties": {"groups": {"minItems": 1}}}),
                _rule("synonym-group-size", {"properties": {"groups": {"items": {"minItems": 2, "maxItems": MAX_GROUP_PHRASES}}}}),
                {"properties": {"groups": {"items": {"items": phrase}}}}]
    if model is Term:
        bands = [t.id for t in vocab("impact-bands")]
        if bands:
            for leaf in _leaves(node["properties"]["impact_labels"]):
                if leaf["type"] == "string":
                    leaf.pop("pattern", None)
                    leaf["enum"] = bands
        once = f"(?:(?!{_literal(FORMAT_PLACEHOLDER)})[\\s\\S])*"
        return [_rule("wrong-form", {"properties": {"format": {"pattern": f"^{once}{_literal(FORMAT_PLACEHOLDER)}{once}$"}}})]
    return []


def _rule(rule: str, schema: dict) -> dict:
    """One rule's constraint, named for editors (errorMessage: VS Code's YAML and JSON support)."""
    return {"$comment": f"lint rule {rule}", "errorMessage": f"{RULES[rule][1]} [{rule}]", **schema}


def _given(*names: str) -> dict:
    """The fields are there with a value (lint reads a null as left out)."""
    return {"required": list(names), "properties": {name: {"not": {"type": "null"}} for name in names}}


def _when(field: str, value: Any, then: dict) -> dict:
    test = {"enum": value} if isinstance(value, list) else {"const": value}
    return {"if": {"required": [field], "properties": {field: test}}, "then": then}


def _bounds(term: Term) -> dict:
    return {k: v for k, v in (("minimum", term.min), ("maximum", term.max)) if v is not None}


def _labels(labels: dict) -> str:
    """A source's impact labels in any case (lint compares them casefolded, stripped)."""
    return "^\\s*(?:" + "|".join(nocase(_literal(label)) for label in labels) + ")\\s*$"


def _reserved_ids() -> str:
    """Vocabulary ids whose table name ('-' -> '_') is one of the build's (rules_vocab.reserved_table)."""
    def as_id(name: str) -> str:
        return _literal(name.replace("_", "-"))
    names = "|".join(as_id(n) for n in sorted(BUILD_TABLES))
    prefixes = "|".join(as_id(p) for p in BUILD_PREFIXES)
    return f"^(?:{names})$|^(?:{prefixes})|{as_id(FTS_SUFFIX)}(?:-|$)"


def _link_rules() -> list[dict]:
    return [_rule("unsafe-link", {"not": {"pattern": pattern}}) for pattern in (*LINK_PATTERNS, BAD_SCHEME)]


def html_pattern(markdown: bool) -> str:
    """Text in which every `<` outside code spans and autolinks (which lint skips, html_policy)
    starts nothing the sanitiser removes. Plain text: no tag, comment or declaration at all.
    Markdown: no tag outside the allow-list, no attribute on an allowed tag that takes none, no
    comment. The text is read left to right once, as lint's scan and the HTML tokenizer do
    ((?=(x))\\N takes x whole or not at all); a tag the regex cannot read whole (a quote not after
    `=`, a backtick or `<` inside it, no closing `>`, a code span right after its `<`) may hide what
    follows, so the rest is let be."""
    if not markdown:
        forbidden = "<[a-zA-Z!?]|</[^`<]"
        return f"^(?:(?=({AUTOLINK}))\\1|(?=({CODE_SPAN}))\\2|(?!{AUTOLINK}|{CODE_SPAN}|{forbidden})[\\s\\S])*$"
    names = "|".join(nocase(t) for t in sorted(TAGS | PARSER_DROPS, key=lambda t: (-len(t), t)))
    bare = "|".join(nocase(t) for t in sorted(TAGS - PARSER_DROPS - {t for t, a in ATTRIBUTES.items() if a}, key=lambda t: (-len(t), t)))
    # a tag read whole: its name, then attributes whose quotes open only after `=`
    tag = "</?[a-zA-Z][^\\s/>`<\"'=]*(?:[\\s/](?:[^>\"'`<=]|=\\s*\"[^\"`<]*\"|=\\s*'[^'`<]*'|=(?!\\s*[\"']))*)?>"
    refused = (f"<(?!(?:{names})(?=[\\s/>]))[a-zA-Z]"  # a tag not allowed
               f"|<(?:{bare})(?=[\\s/])[\\s/]*[^\\s/>=]")  # an attribute where none is
    comment = f"<!(?!{nocase('doctype')})(?![^`<]{{0,6}}[`<])|<\\?|</[^a-zA-Z>`<]"  # (a doctype is dropped)
    # a tag that may run on: unreadable, or `<` joined to what follows once lint drops a code span
    open_tag = f"</?(?:[a-zA-Z]|(?=`|{AUTOLINK}))"
    return (f"^(?:(?=({AUTOLINK}))\\1|(?=({CODE_SPAN}))\\2|(?!{refused})(?=({tag}))\\3"
            f"|(?!{AUTOLINK}|{tag}){open_tag}[\\s\\S]*|(?!{AUTOLINK}|{CODE_SPAN}|{open_tag}|{comment})[\\s\\S])*$")


def _literal(text: str) -> str:
    """Escape for a regex read by Python and by ECMAScript's unicode mode (which refuses `\\#`)."""
    return "".join("\\" + c if c in r"^$\.*+?()[]{}|/" else c for c in text)
