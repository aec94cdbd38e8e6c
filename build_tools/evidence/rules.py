"""Rule layer: checks that need more than one field or more than one file.

Each rule appends Problems to the file they belong to; none stops at the first.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterator
from typing import Any

from .kinds import BY_NAME, KINDS
from .load import Loaded, field_name
from .models import Approach, Programme, Study, part_models, vocabulary_fields
from .vocabulary_models import Vocabulary
from .problems import Problem
from .rules_text import check_values
from .rules_honesty import check_honesty, check_range
from .rules_vocab import SOURCES



def _vocabularies_used(model: type) -> set[str]:
    return set(vocabulary_fields(model).values()).union(*map(_vocabularies_used, part_models(model).values()))


# A rating says something if it gives one of these (empty-rating); an estimate's figures, each
# within its effect type's range (effect-range). Read by the JSON Schemas too.
RATING_CONTENT = ("impact", "estimate", "evidence", "cost", "in_words")
ESTIMATE_FIGURES = ("value", "range_low", "range_high", "ci_low", "ci_high")

# Every vocabulary a field names, plus impact-bands (the values of sources' impact_labels).
REQUIRED_VOCABULARIES = set().union(*(_vocabularies_used(k.model) for k in KINDS)) | {"impact-bands"}


class Context:
    """What every rule may look at: vocabularies, and the id and kind of every entry file."""

    def __init__(self, vocabularies: dict[str, Vocabulary], kinds: dict[str, str], today: dt.date,
                 study_designs: dict[str, str] | None = None):
        self.vocab_ids = {v: [t.id for t in voc.terms] for v, voc in vocabularies.items()}
        self.vocabularies = vocabularies
        self.kinds = kinds  # entry id -> "approach" | "programme" | "study", from raw data
        self.today = today
        self.study_designs = study_designs or {}  # study id -> design, from raw data

    def problem(self, loaded: Loaded, loc: tuple, message: str, fix: str, rule: str = "") -> None:
        _problem(loaded, loc, message, fix, rule)


def check_raw_entry(ctx: Context, loaded: Loaded, model: type, stem: str) -> None:
    """Rules that work on the raw data, so they run even when the schema layer failed."""
    data = loaded.data
    check_values(loaded)
    entry_id = data.get("id")
    if isinstance(entry_id, str) and entry_id != stem and not _reported(loaded, ("id",)):
        ctx.problem(loaded, ("id",), f"id '{entry_id}' does not match the file name '{stem}.yml'", f"set `id: {stem}` or rename the file to {entry_id}.yml", "id-mismatch")
    for loc, vocab, value in _vocab_refs(data, model):
        allowed = ctx.vocab_ids.get(vocab)  # None: its file is broken, and reported; no cascade here
        if allowed is not None and value not in allowed and not _reported(loaded, loc):
            ctx.problem(loaded, loc, f"unknown {_singular(vocab)} '{value}'", _choices(value, allowed), "unknown-term")
    _check_refs(ctx, loaded, data, model, entry_id)


def check_entry(ctx: Context, loaded: Loaded, entry: Approach | Programme | Study) -> None:
    """Rules that need typed values (dates, numbers); run only when the schema layer passed."""
    _check_dates(ctx, loaded, entry)
    if isinstance(entry, (Approach, Programme)):
        _check_intervention(ctx, loaded, entry)
    if isinstance(entry, Study):
        for i, finding in enumerate(entry.findings):
            if finding.effect:
                _check_estimate(ctx, loaded, ("findings", i, "effect"), finding.effect)
    check_honesty(ctx, loaded, entry)


def _reported(loaded: Loaded, loc: tuple) -> bool:
    return any(loc[: len(bad)] == bad for bad in loaded.bad_locs)


def _strings(value: Any, loc: tuple, vocab: str) -> Iterator[tuple[tuple, str, str]]:
    if isinstance(value, str):
        yield loc, vocab, value
    elif isinstance(value, list):
        yield from ((loc + (i,), vocab, v) for i, v in enumerate(value) if isinstance(v, str))


def _vocab_refs(data: Any, model: type, loc: tuple = ()) -> Iterator[tuple[tuple, str, str]]:
    """(location, vocabulary, value) for every vocabulary-backed value in raw data, parts included;
    the binding comes from the model fields."""
    if not isinstance(data, dict):
        return
    for name, vocab in vocabulary_fields(model).items():
        yield from _strings(data.get(name), loc + (name,), vocab)
    for name, part in part_models(model).items():
        value = data.get(name)
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _vocab_refs(item, part, loc + (name, i))
        else:
            yield from _vocab_refs(value, part, loc + (name,))


_REF_FIELDS = {"related": ("approach", "programme"), "approaches": ("approach",), "evaluates": ("approach", "programme")}


def _check_refs(ctx: Context, loaded: Loaded, data: dict, model: type, entry_id: Any) -> None:
    for name, kinds in _REF_FIELDS.items():
        if name not in model.model_fields:
            continue
        for loc, _, ref in _strings(data.get(name), (name,), ""):
            if _reported(loaded, loc):
                continue
            kind = ctx.kinds.get(ref)
            if kind is None:
                close = difflib.get_close_matches(ref, list(ctx.kinds), n=1)
                where = " or ".join(f"evidence/{BY_NAME[k].folder}/" for k in kinds)
                hint = f"did you mean '{close[0]}'?" if close else f"add {ref}.yml under {where}, or remove the reference"
                ctx.problem(loaded, loc, f"no entry with id '{ref}'", hint, "dangling-reference")
            elif kind not in kinds:
                ctx.problem(loaded, loc, f"'{ref}' is {_a(kind)}, not {' or '.join(map(_a, kinds))}", f"list only {' or '.join(k + ' ids' for k in kinds)} here", "wrong-reference-kind")
            elif ref == entry_id:
                ctx.problem(loaded, loc, "an entry cannot refer to itself", "remove it", "self-reference")

def _check_dates(ctx: Context, loaded: Loaded, entry: Any) -> None:
    review = entry.review
    if review.last_reviewed > ctx.today:
        ctx.problem(loaded, ("review", "last_reviewed"), f"date {review.last_reviewed} is in the future", "use the date you checked the sources", "future-date")
    if review.next_review_due <= review.last_reviewed:
        ctx.problem(loaded, ("review", "next_review_due"), f"{review.next_review_due} is not after last_reviewed {review.last_reviewed}", "set a later date, usually a year after the review", "review-dates")
    for i, rating in enumerate(getattr(entry, "ratings", ())):
        if rating.checked > ctx.today:
            ctx.problem(loaded, ("ratings", i, "checked"), f"date {rating.checked} is in the future", "use the date you read the source page", "future-date")


def _check_intervention(ctx: Context, loaded: Loaded, entry: Approach | Programme) -> None:
    if entry.ages and entry.ages.min > entry.ages.max:
        ctx.problem(loaded, ("ages", "min"), f"min age {entry.ages.min} is above max age {entry.ages.max}", "swap them", "ages-reversed")
    sources = {t.id: t for t in ctx.vocabularies[SOURCES].terms} if SOURCES in ctx.vocabularies else {}
    seen: set[tuple] = set()
    for i, rating in enumerate(entry.ratings):
        loc = ("ratings", i)
        if not any(getattr(rating, name) for name in RATING_CONTENT):
            ctx.problem(loaded, loc, "rating gives no impact, estimate, evidence, cost or in_words",
                        "add the source's label(s), or `in_words` for a rating given only in prose, or remove the rating", "empty-rating")
        term = sources.get(rating.source)
        if rating.impact and term and term.impact_labels is not None:
            labels = {k.casefold(): k for k in term.impact_labels}
            if rating.impact.casefold() not in labels:
                ctx.problem(loaded, loc + ("impact",), f"'{rating.impact}' is not a {term.label} impact label",
                            f"use one of: {', '.join(term.impact_labels)} (or put other wording in `note`)", "unknown-impact-label")
        if rating.estimate:
            _check_estimate(ctx, loaded, loc + ("estimate",), rating.estimate)
        key = (rating.source, rating.outcome, rating.outcome_wording)
        if key in seen:
            ctx.problem(loaded, loc, f"a second {rating.source} rating for outcome '{rating.outcome}'", "merge them, or set `outcome_wording` to tell them apart", "duplicate-rating")
        seen.add(key)


def _check_estimate(ctx: Context, loaded: Loaded, loc: tuple, est: Any) -> None:
    """The value, its range and both CI bounds within the effect type's min..max (evidence/vocabularies/effect-types.yml)."""
    if any(bad[: len(loc)] == loc for bad in loaded.bad_locs):  # a figure the loader refused (1e999): reported once
        return
    if not check_range(ctx, loaded, loc, est):
        return
    terms = ctx.vocabularies.get("effect-types")
    term = next((t for t in terms.terms if t.id == est.type), None) if terms else None
    low = -math.inf if term is None or term.min is None else term.min
    high = math.inf if term is None or term.max is None else term.max
    for name in ESTIMATE_FIGURES:
        number = getattr(est, name)
        if number is not None and not low <= number <= high:
            ctx.problem(loaded, loc + (name,), f"{number:g} is outside the plausible range for {est.type} ({low:g} to {high:g})",
                        "check the sign and units against the source", "effect-range")
    if est.value is None:
        return
    if (est.ci_low is None) != (est.ci_high is None):
        ctx.problem(loaded, loc, "confidence interval needs both ci_low and ci_high", "add the missing bound or remove both", "ci-incomplete")
    elif est.ci_low is not None and est.ci_low > est.ci_high:
        ctx.problem(loaded, loc + ("ci_low",), f"ci_low {est.ci_low:g} is above ci_high {est.ci_high:g}", "swap them", "ci-excludes-value")
    elif est.ci_low is not None and not est.ci_low <= est.value <= est.ci_high:
        ctx.problem(loaded, loc + ("ci_low",), f"value {est.value:g} is not inside its interval [{est.ci_low:g}, {est.ci_high:g}]",
                    "check the figures against the source", "ci-excludes-value")


def _problem(loaded: Loaded, loc: tuple, message: str, fix: str, rule: str = "") -> None:
    line, col = loaded.mark(loc)
    loaded.problems.append(Problem(loaded.path, line, col, field_name(loc), message, fix, rule))


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _singular(vocab: str) -> str:
    return {"priority-areas": "priority area", "prevention-levels": "prevention level", "evaluation-statuses": "evaluation status",
            "countries": "country", "boroughs": "borough", "sources": "source", "effect-types": "effect type",
            "targeting": "targeting value", "designs": "design", "outcomes": "outcome", "settings": "setting"}.get(vocab, vocab)


def _choices(value: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'? Otherwise use one of: {', '.join(allowed)}"
    return f"use one of: {', '.join(allowed)}"
