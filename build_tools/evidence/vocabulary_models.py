"""The models of the vocabulary files in evidence/vocabularies/: terms with the flags that make
vocabulary behaviour data (effect-type ranges and formats, headline outcomes, AP settings,
comparative and review designs, sources' impact labels), and the search synonyms.
Entry models (approaches, programmes, studies) are in models.py."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .models import HttpsUrl, Markdown, PlainText, Slug, Strict


class Term(Strict):
    id: Slug = Field(description="Identifier used in entries to pick this term.")
    label: PlainText = Field(description="Human-readable name shown on the site.")
    description: Markdown | None = Field(None, description="What the term means and when to use it.")
    url: HttpsUrl | None = Field(None, description="Where the definition was checked.")
    sms_level: int | None = Field(
        None, ge=1, le=5,
        description="Maryland Scientific Methods Scale level (1 weakest to 5 = randomised); designs only.",
    )
    impact_labels: dict[str, Slug | None] | None = Field(
        None,
        description="Sources only: each impact label the source publishes, mapped to our harmonised impact band "
        "(vocabulary `impact-bands`), or to null where the label gives a direction but no size. "
        "A rating's `impact` must be one of these labels (case does not matter).",
    )
    scale: Markdown | None = Field(None, description="Sources only: how the source's own rating scales work.")
    min: float | None = Field(None, description="Effect types only: the lowest possible value (and CI bound), e.g. -100 for a percent change.")
    max: float | None = Field(None, description="Effect types only: the highest possible value (and CI bound).")
    no_effect: float | None = Field(None, description="Effect types only: the value that means no difference (0, or 1 for a ratio).")
    format: PlainText | None = Field(None, description="Effect types only: how a value is shown on the site, `{v}` standing for the number, e.g. `{v}%`.")
    signed: bool = Field(False, description="Effect types only: show a + before positive values (differences, not ratios).")
    comparative: bool | None = Field(
        None,
        description="Designs only (required there): true if the design compares outcomes against something "
        "(a control or comparison group, or the pooled comparisons of a review), so its findings can say whether "
        "things got better or worse; false for monitoring, case studies and before-and-after without comparison.",
    )
    review: bool | None = Field(
        None,
        description="Designs only (required there): true if a study of this design reviews other studies "
        "(systematic or not), so ratings may name it in `based_on` and it may record `studies_pooled`.",
    )
    headline: bool | None = Field(
        None,
        description="Outcomes only: true for the outcomes the headline impact is about (violence). A rating on "
        "another outcome (behaviour, exclusions) never makes an entry look high impact in lists.",
    )
    alternative_provision: bool | None = Field(
        None,
        description="Settings only: true for alternative provision (PRUs, other AP, in-school AP units). "
        "Alternative provision is first-class here: these settings lead every list of settings on the site.",
    )


class Vocabulary(Strict):
    id: Slug = Field(description="Vocabulary identifier; equals the file name.")
    name: PlainText = Field(description="Name of the list, e.g. 'Settings'.")
    description: Markdown = Field(description="What the list classifies.")
    terms: tuple[Term, ...] = Field(min_length=1, description="The allowed values, in display order.")


class SynonymList(Strict):
    """evidence/vocabularies/synonyms.yml: the words practitioners search with for what the
    evidence calls otherwise. Its phrases are checked by rules_synonyms.py."""

    id: Literal["synonyms"] = Field(description="Always `synonyms`; equals the file name.")
    name: PlainText = Field(description="Name of the list.")
    description: Markdown = Field(description="What the list is for.")
    groups: tuple[tuple[str, ...], ...] = Field(
        description="Groups of words and phrases that mean the same to a searcher, one group per line, e.g. "
        "`[excluded, exclusion, kicked out]`. A search for any phrase of a group also finds the others.",
    )
