"""Honesty rules: checks that keep an entry from saying more than its evidence does.

A finding has a direction only if its study's design compares against something; a
rating's `based_on` names reviews held here; a range is a range; a status is dated; only
reviews say how many studies they pool. Kept apart from rules.py so each can change alone.
"""

from __future__ import annotations

import difflib
from typing import Any

from .models import Approach, Programme, Study
from .vocabulary_models import Vocabulary

DESIGNS = "designs"  # the vocabulary whose terms carry the flags
DESIGN_FLAGS = ("comparative", "review")
REVIEW_ONLY_FIELDS = ("studies_pooled", "pooled_sample")


def check_design_terms(ctx_problem, voc: Vocabulary) -> None:
    """Every design says whether it compares and whether it reviews; no other list uses these flags."""
    for i, term in enumerate(voc.terms):
        for flag in DESIGN_FLAGS:
            value = getattr(term, flag)
            if voc.id == DESIGNS and value is None:
                ctx_problem(("terms", i), f"design '{term.id}' does not say whether it is {_flag_words(flag)}",
                            f"add `{flag}: true` or `{flag}: false`", "design-flags")
            elif voc.id != DESIGNS and value is not None:
                ctx_problem(("terms", i, flag), f"`{flag}` is for designs only", "remove it", "design-flags")


def check_honesty(ctx: Any, loaded: Any, entry: Approach | Programme | Study) -> None:
    """Typed-entry rules for the fields that say what a claim rests on."""
    if isinstance(entry, Study):
        _check_study(ctx, loaded, entry)
    else:
        for i, rating in enumerate(entry.ratings):
            for j, ref in enumerate(rating.based_on):
                _check_based_on(ctx, loaded, ("ratings", i, "based_on", j), ref)
    if isinstance(entry, Programme) and entry.evaluation_checked > ctx.today:
        ctx.problem(loaded, ("evaluation_checked",), f"date {entry.evaluation_checked} is in the future",
                    "use the date you read the status on evaluation_url", "future-date")


def check_range(ctx: Any, loaded: Any, loc: tuple, est: Any) -> bool:
    """An estimate is one figure, a range, or both (the figure inside the range). Returns False
    when the estimate is unusable, so the caller skips its value checks."""
    low, high = est.range_low, est.range_high
    if (low is None) != (high is None):
        ctx.problem(loaded, loc, "range needs both range_low and range_high", "add the missing end, or remove both", "range-incomplete")
        return est.value is not None
    if est.value is None and low is None:
        ctx.problem(loaded, loc, "estimate gives neither a value nor a range", "add `value`, or both `range_low` and `range_high`", "range-incomplete")
        return False
    if low is not None and low > high:
        ctx.problem(loaded, loc + ("range_low",), f"range_low {low:g} is above range_high {high:g}",
                    "swap them: range_low is the lower number (for 'fell by 28–35%', range_low: -35, range_high: -28)", "range-excludes-value")
    elif low is not None and est.value is not None and not low <= est.value <= high:
        ctx.problem(loaded, loc + ("value",), f"value {est.value:g} is not inside its range [{low:g}, {high:g}]",
                    "check the figures against the source", "range-excludes-value")
    return True


def _check_study(ctx: Any, loaded: Any, study: Study) -> None:
    design = ctx.vocabularies["designs"].terms
    term = next((t for t in design if t.id == study.design), None)
    if term is None:  # unknown design: already reported by the vocabulary rule
        return
    for i, finding in enumerate(study.findings):
        if term.comparative and finding.direction is None:
            ctx.problem(loaded, ("findings", i), f"finding has no direction, but design '{study.design}' compares against a control or comparison",
                        "add `direction:` favourable, unfavourable, no-difference or mixed", "finding-direction")
        elif not term.comparative and finding.direction is not None:
            ctx.problem(loaded, ("findings", i, "direction"), f"design '{study.design}' has no comparison group, so a finding cannot have a direction",
                        "remove `direction` and say what was reported in `result` (it is shown as monitoring: no comparison group)", "finding-direction")
    if not term.review:
        for name in REVIEW_ONLY_FIELDS:
            if getattr(study, name) is not None:
                ctx.problem(loaded, (name,), f"{name} is for reviews, but design '{study.design}' is not a review",
                            "remove it (a primary study's size goes in `sample`)", "review-only-field")


def _check_based_on(ctx: Any, loaded: Any, loc: tuple, ref: str) -> None:
    kind = ctx.kinds.get(ref)
    reviews = sorted(t.id for t in ctx.vocabularies["designs"].terms if t.review)
    if kind is None:
        studies = [k for k, v in ctx.kinds.items() if v == "study"]
        close = difflib.get_close_matches(ref, studies, n=1)
        ctx.problem(loaded, loc, f"no study with id '{ref}'",
                    f"did you mean '{close[0]}'?" if close else f"add {ref}.yml under evidence/studies/, or remove it", "dangling-reference")
    elif kind != "study":
        ctx.problem(loaded, loc, f"'{ref}' is {'an' if kind == 'approach' else 'a'} {kind}, not a study", "list only review studies here", "wrong-reference-kind")
    else:
        design = ctx.study_designs.get(ref)
        term = next((t for t in ctx.vocabularies["designs"].terms if t.id == design), None)
        if term is not None and not term.review:
            ctx.problem(loaded, loc, f"'{ref}' is a study of design '{design}', not a review",
                        f"list only reviews here (designs: {', '.join(reviews)}); a primary study is linked by its `evaluates`", "wrong-reference-kind")


def _flag_words(flag: str) -> str:
    return "comparative" if flag == "comparative" else "a review"
