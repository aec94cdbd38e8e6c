"""The evidence data model: the one place where fields are named and described.

JSON Schema (schema/), Datasette column descriptions and the site glossary are all
generated from the `description=` of these fields, so write them for a reader.
Vocabulary membership, cross-references and other rules that need the whole corpus
live in rules.py; this module checks only what one value can tell on its own. The
vocabulary files' own models (terms and their flags, synonyms) are in vocabulary_models.py.
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.fields import FieldInfo

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80),
    Field(description="Lowercase kebab-case identifier, e.g. `focused-deterrence`."),
]


# https only, as a pattern so the JSON Schemas carry it (lint names a mismatch without it not-https).
HTTPS = "https://"
URL_PATTERN = rf"^{HTTPS}\S+$"
HttpsUrl = Annotated[str, StringConstraints(min_length=12, max_length=2000, pattern=URL_PATTERN)]
PlainText = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
Markdown = Annotated[str, StringConstraints(min_length=1, max_length=20000)]
Summary = Annotated[str, StringConstraints(min_length=40, max_length=400, strip_whitespace=True)]
Doi = Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")]


def vocabulary_of(info: FieldInfo) -> str | None:
    """The vocabulary a field draws its values from, declared on the field itself
    (`json_schema_extra={"vocabulary": …}`): the one binding that rules, JSON Schema enums,
    `whatworks new` hints, link tables and docs all read."""
    extra = info.json_schema_extra
    return extra.get("vocabulary") if isinstance(extra, dict) else None


def vocabulary_fields(model: type[BaseModel]) -> dict[str, str]:
    """field name -> vocabulary, for the fields of `model` (not of its parts)."""
    return {name: vocab for name, info in model.model_fields.items() if (vocab := vocabulary_of(info))}


def part_models(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """field name -> model, for fields holding a part (`X`, `X | None`, `tuple[X, ...]`)."""
    found = {}
    for name, info in model.model_fields.items():
        args = [info.annotation]
        while args:
            arg = args.pop()
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                found[name] = arg
                break
            args.extend(typing.get_args(arg))
    return found


class Strict(BaseModel):
    """Base: unknown keys are errors, values are immutable once loaded."""

    # allow_inf_nan: pydantic would read the text 'inf' or 'nan' as a float; no output can hold one.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False, allow_inf_nan=False)


# ---------------------------------------------------------------- shared parts


class Reference(Strict):
    title: PlainText = Field(description="Title of the page, report or paper.")
    url: HttpsUrl = Field(description="Where it can be read (https).")
    publisher: PlainText | None = Field(None, description="Organisation or journal that published it.")
    year: int | None = Field(None, ge=1900, le=2100, description="Year of publication.")
    doi: Doi | None = Field(None, description="Digital Object Identifier, e.g. `10.1126/science.1257809`.")


class Review(Strict):
    status: Literal["draft", "reviewed", "needs-update"] = Field(
        description="Editorial state: `draft` (not yet checked by a second person), `reviewed`, or `needs-update`."
    )
    last_reviewed: dt.date = Field(description="Date the entry's facts were last checked against their sources.")
    next_review_due: dt.date = Field(description="Date by which the entry should be checked again.")
    reviewers: tuple[PlainText, ...] = Field(min_length=1, description="Who checked it (names or GitHub handles).")


class AgeRange(Strict):
    min: int = Field(ge=0, le=30, description="Youngest age served, in years.")
    max: int = Field(ge=0, le=30, description="Oldest age served, in years.")


class Estimate(Strict):
    type: Slug = Field(json_schema_extra={"vocabulary": "effect-types"}, description="Kind of number (vocabulary `effect-types`), e.g. `percent-change`, `months-progress`.")
    value: float | None = Field(
        None,
        description="The published figure as a number; reductions are negative (e.g. -21 for a 21% reduction). "
        "May be left out when the source gives only a range (`range_low` and `range_high`).",
    )
    range_low: float | None = Field(
        None, description="Low end of a range the source publishes instead of (or beside) one figure, e.g. -35 for 'fell by 28–35%'."
    )
    range_high: float | None = Field(None, description="High end of that published range, e.g. -28 for 'fell by 28–35%'.")
    ci_low: float | None = Field(None, description="Lower bound of the published confidence interval, if any.")
    ci_high: float | None = Field(None, description="Upper bound of the published confidence interval, if any.")


class Rating(Strict):
    source: Slug = Field(json_schema_extra={"vocabulary": "sources"}, description="Who gave the rating (vocabulary `sources`), e.g. `yef-toolkit`.")
    outcome: Slug = Field(json_schema_extra={"vocabulary": "outcomes"}, description="Outcome domain the rating refers to (vocabulary `outcomes`).")
    outcome_wording: PlainText | None = Field(None, description="The source's own name for the outcome, verbatim (e.g. 'violent crime').")
    impact: PlainText | None = Field(
        None, description="The source's own impact label, verbatim (e.g. 'Moderate', 'Effective', 'Overall reduction')."
    )
    estimate: Estimate | None = Field(None, description="The source's headline number, where it publishes one.")
    evidence: PlainText | None = Field(None, description="The source's own evidence-strength label, verbatim (e.g. '3 padlocks', 'Strong').")
    cost: PlainText | None = Field(None, description="The source's own cost label, verbatim (e.g. 'very low').")
    in_words: PlainText | None = Field(
        None,
        description="Our paraphrase of a rating the source gives only in prose, with no label or number "
        "(e.g. 'describes the evidence as promising but thin'). Such a rating needs no `impact`.",
    )
    strand: PlainText | None = Field(
        None, description="The source's own name for the sub-strand rated, verbatim, where it splits one topic "
        "(e.g. YEF's 'Informal pre-court diversion' vs 'Formal pre-court diversion')."
    )
    based_on: tuple[Slug, ...] = Field(
        default=(),
        description="Ids of study entries held here, each a review, that the rating rests on (e.g. "
        "`valdebenito-2018-school-exclusion`). Two ratings based on one review are one evidence base, not two.",
    )
    url: HttpsUrl = Field(description="Page the rating was read from.")
    checked: dt.date = Field(description="Date the rating was last checked on that page.")
    note: PlainText | None = Field(None, description="Caveat in our words (secondary source, version conflict, …).")


class Effect(Estimate):
    """A finding's effect: same shape as a rating estimate, plus significance."""

    significant: bool | None = Field(None, description="Whether the study reports the effect as statistically significant.")


class Finding(Strict):
    outcome: Slug = Field(json_schema_extra={"vocabulary": "outcomes"}, description="Outcome domain (vocabulary `outcomes`).")
    measure: PlainText = Field(description="What exactly was measured, e.g. 'violent-crime arrests over 16 months'.")
    result: PlainText = Field(description="The result in plain words (ours, not the paper's).")
    direction: Literal["favourable", "unfavourable", "no-difference", "mixed"] | None = Field(
        None,
        description="Did the outcome move the way the programme intends (`favourable`), the wrong way "
        "(`unfavourable`, a backfire), not detectably (`no-difference`), or both ways (`mixed`)? "
        "Required when the study's design is comparative; left out otherwise (monitoring figures have no comparison, "
        "so they cannot show a direction of effect).",
    )
    effect: Effect | None = Field(None, description="The effect size as published; leave out if the study gives none.")
    follow_up_months: float | None = Field(None, ge=0, le=600, description="Months from start to outcome measurement.")
    subgroup: PlainText | None = Field(None, description="Who the finding applies to, if not the whole sample.")
    url: HttpsUrl | None = Field(None, description="Page the figure was checked on, if not the study's `url`.")
    note: PlainText | None = Field(None, description="Caveat in our words.")


class Sample(Strict):
    size: int = Field(ge=1, le=100_000_000, description="Number of units in the analysis.")
    unit: PlainText = Field(description="What was counted: 'young people', 'schools', 'studies', …")
    note: PlainText | None = Field(None, description="Anything needed to read the number (baseline vs follow-up, arms).")


# ---------------------------------------------------------------- entries


class EntryBase(Strict):
    id: Slug = Field(description="Stable identifier; equals the file name without `.yml`.")
    name: PlainText = Field(description="Name as practitioners know it.")
    summary: Summary = Field(description="Plain-language summary, readable in 20 seconds (40–400 characters, no Markdown).")
    references: tuple[Reference, ...] = Field(default=(), description="Sources for the text of the entry.")
    review: Review = Field(description="When and by whom the entry was checked.")


class InterventionBase(EntryBase):
    """Fields shared by approaches and programmes."""

    description: Markdown | None = Field(None, description="Longer description (Markdown; no raw HTML).")
    priority_areas: tuple[Slug, ...] = Field(json_schema_extra={"vocabulary": "priority-areas"}, min_length=1, description="London VRU priority areas (vocabulary `priority-areas`).")
    settings: tuple[Slug, ...] = Field(json_schema_extra={"vocabulary": "settings"}, min_length=1, description="Where it is delivered (vocabulary `settings`).")
    ages: AgeRange | None = Field(None, description="Age range served, in years.")
    targeting: tuple[Slug, ...] = Field(json_schema_extra={"vocabulary": "targeting"}, default=(), description="Universal, selected or indicated (vocabulary `targeting`).")
    prevention: tuple[Slug, ...] = Field(json_schema_extra={"vocabulary": "prevention-levels"}, default=(), description="Primary, secondary or tertiary prevention (vocabulary `prevention-levels`).")
    outcomes: tuple[Slug, ...] = Field(json_schema_extra={"vocabulary": "outcomes"}, min_length=1, description="Outcome domains it aims to change (vocabulary `outcomes`).")
    how_it_works: Markdown | None = Field(None, description="Mechanism: why it is expected to work (Markdown).")
    for_whom: Markdown | None = Field(None, description="Who it suits and who it may not (Markdown).")
    implementation: Markdown | None = Field(None, description="What it takes to deliver it well (Markdown).")
    cost_notes: Markdown | None = Field(None, description="What it costs, in our words, with sources (Markdown).")
    cautions: Markdown | None = Field(None, description="Risks, harms and caveats (Markdown).")
    ratings: tuple[Rating, ...] = Field(default=(), description="Ratings from clearinghouses, one per source and outcome.")
    related: tuple[Slug, ...] = Field(default=(), description="Ids of related approaches or programmes.")


class Approach(InterventionBase):
    """A family of interventions (a toolkit strand), e.g. mentoring."""


class Programme(InterventionBase):
    """A named intervention or a local service, e.g. Becoming a Man or DIVERT."""

    provider: PlainText | None = Field(None, description="Who delivers it.")
    funder: PlainText | None = Field(None, description="Who pays for delivery.")
    approaches: tuple[Slug, ...] = Field(default=(), description="Approaches (ids) this programme is an example of.")
    countries: tuple[Slug, ...] = Field(json_schema_extra={"vocabulary": "countries"}, min_length=1, description="Countries where it is delivered (vocabulary `countries`).")
    boroughs: tuple[Slug, ...] = Field(json_schema_extra={"vocabulary": "boroughs"}, default=(), description="London boroughs where it runs (vocabulary `boroughs`; `pan-london` for all).")
    vru_funded: bool = Field(False, description="True if the London Violence Reduction Unit funds or co-funds it.")
    evaluation_status: Slug = Field(json_schema_extra={"vocabulary": "evaluation-statuses"}, description="State of its evaluation (vocabulary `evaluation-statuses`).")
    evaluation_checked: dt.date = Field(description="Date the evaluation status was last checked (a status is a dated claim).")
    evaluation_url: HttpsUrl = Field(description="Page the evaluation status was read on.")
    evaluation_note: PlainText | None = Field(None, description="One line on what evaluation exists or is under way.")
    website: HttpsUrl | None = Field(None, description="Official website.")


class Study(EntryBase):
    """One evaluation or systematic review, with its findings."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(description="Title as published.")
    authors: tuple[PlainText, ...] = Field(min_length=1, description="Authors, 'Surname Initials', or the organisation.")
    year: int = Field(ge=1900, le=2100, description="Year of publication.")
    year_approximate: bool = Field(False, description="True if the year could not be confirmed exactly (shown as 'about 2024').")
    publication: PlainText | None = Field(None, description="Journal, series or publisher, with volume and pages.")
    doi: Doi | None = Field(None, description="Digital Object Identifier.")
    url: HttpsUrl = Field(description="Where the study or its abstract can be read; figures default to this URL.")
    design: Slug = Field(json_schema_extra={"vocabulary": "designs"}, description="Evaluation design (vocabulary `designs`, which gives its Maryland SMS level).")
    countries: tuple[Slug, ...] = Field(json_schema_extra={"vocabulary": "countries"}, min_length=1, description="Countries where it took place (vocabulary `countries`).")
    settings: tuple[Slug, ...] = Field(json_schema_extra={"vocabulary": "settings"}, default=(), description="Settings studied (vocabulary `settings`).")
    sample: Sample | None = Field(None, description="Size of the analysed sample.")
    studies_pooled: int | None = Field(
        None, ge=1, le=100_000, description="Reviews only: number of studies the review pools or summarises, as it reports it."
    )
    pooled_sample: Sample | None = Field(None, description="Reviews only: the combined sample of the pooled studies, where the review publishes it.")
    evaluator: PlainText | None = Field(None, description="Who carried out the evaluation.")
    independent: bool | None = Field(None, description="True if the evaluator is independent of the programme's developer.")
    funder: PlainText | None = Field(None, description="Who paid for the evaluation.")
    evaluates: tuple[Slug, ...] = Field(min_length=1, description="Ids of the approaches and/or programmes this study evaluates.")
    findings: tuple[Finding, ...] = Field(default=(), description="Results, one per outcome and measure.")
    limitations: Markdown | None = Field(None, description="Caveats a reader must know (Markdown).")


class Exclusion(Strict):
    item: PlainText = Field(description="What was considered.")
    reason: Annotated[str, StringConstraints(min_length=10, max_length=1000)] = Field(description="Why it was left out.")
    url: HttpsUrl | None = Field(None, description="Where it was looked at.")
    considered: dt.date = Field(description="When it was considered.")


class ExcludedList(Strict):
    excluded: tuple[Exclusion, ...] = Field(description="Things considered and not included.")

Entry = Approach | Programme | Study
