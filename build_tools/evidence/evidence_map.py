"""What the evidence for an approach adds up to: one definition every output reads.

- An **evidence base** is what ratings rest on: the review studies a rating names in
  `based_on`, or, where it names none, the source's own review (one per source). Two
  sources resting on one meta-analysis are one base, not two opinions.
- The **headline** is impact on violence: the best harmonised band of the ratings on the
  violence outcomes, or "harmful" if any source rates it harmful.
- The **gap map** cell of an approach and an outcome combines the evidence bases behind
  ratings on that outcome (of the approach and of its programmes) with the studies held
  here that compare against something; "gap" only where neither exists. Findings of
  non-comparative designs (monitoring, case studies) are listed, never counted.

The Corpus computes these once (Corpus.gap_map, Corpus.headline, ...); the database table
and the site page both read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .models import Approach, Rating, Study

if TYPE_CHECKING:
    from .corpus import Corpus


def headline_outcomes(corpus: Corpus) -> tuple[str, ...]:
    """The outcomes the headline is about: impact on violence, the repository's purpose (outcomes
    vocabulary, `headline: true`). A High on behaviour or exclusions must not look "high impact"."""
    return tuple(t.id for t in corpus.vocabularies["outcomes"].terms if t.headline)


@dataclass(frozen=True)
class EvidenceBase:
    key: str  # review ids joined by "+", or "<source>:own-review" when the rating names none
    reviews: tuple[Study, ...]  # reviews held here that it is; empty: the source's own review, not held here
    sources: tuple[str, ...]  # ids of the sources whose ratings rest on it, in first-seen order
    ratings: tuple[Rating, ...]

    @property
    def shared(self) -> bool:
        return len(self.sources) > 1

    @property
    def studies_pooled(self) -> int | None:
        """Studies pooled by its reviews, where every one of them says."""
        counts = [r.studies_pooled for r in self.reviews]
        return sum(counts) if counts and None not in counts else None


def base_key(rating: Rating) -> str:
    return "+".join(sorted(rating.based_on)) if rating.based_on else f"{rating.source}:own-review"


def evidence_bases(corpus: Corpus, ratings: tuple[Rating, ...]) -> tuple[EvidenceBase, ...]:
    """Ratings grouped by what they rest on, in the order the ratings are listed."""
    groups: dict[str, list[Rating]] = {}
    for rating in ratings:
        groups.setdefault(base_key(rating), []).append(rating)
    out = []
    for key, members in groups.items():
        reviews = tuple(corpus.entry(i) for i in sorted(members[0].based_on))
        sources = tuple(dict.fromkeys(r.source for r in members))
        out.append(EvidenceBase(key, reviews, sources, tuple(members)))
    return tuple(out)


def headline(corpus: Corpus, ratings: tuple[Rating, ...]) -> str | None:
    if any(corpus.band(r) == "harmful" for r in ratings):
        return "harmful"
    about = headline_outcomes(corpus)
    bands = [b for b in (corpus.band(r) for r in ratings if r.outcome in about) if b]
    return min(bands, key=corpus.band_rank) if bands else None


@dataclass(frozen=True)
class GapCell:
    approach: str
    outcome: str
    targeted: bool  # the approach names this outcome among its aims
    bases: tuple[EvidenceBase, ...]  # behind ratings on this outcome (the approach's and its programmes')
    reviews: tuple[Study, ...]  # reviews held here: named by those ratings, or with a finding on the outcome
    primary: tuple[Study, ...]  # other comparative studies held here with a finding on the outcome
    monitoring: tuple[Study, ...]  # non-comparative studies with a figure on it: shown, never counted
    directions: tuple[str, ...]  # directions of the comparative findings on it, one per finding
    best_design: str | None  # design id of the strongest of reviews + primary (highest SMS, then list order)

    @property
    def evidence(self) -> int:
        """Independent sources of evidence: held reviews, sources' own reviews not held here, primary studies."""
        return len(self.reviews) + sum(1 for b in self.bases if not b.reviews) + len(self.primary)

    @property
    def studies_pooled(self) -> int | None:
        """Studies pooled by the held reviews, where each says (None if none says)."""
        known = [r.studies_pooled for r in self.reviews if r.studies_pooled is not None]
        return sum(known) if known else None

    @property
    def pooled_partial(self) -> bool:
        """Some held reviews do not say how many studies they pool."""
        return self.studies_pooled is not None and any(r.studies_pooled is None for r in self.reviews)

    @property
    def status(self) -> str:
        """`evidence`, `gap` (aimed at, nothing known) or `none` (not aimed at, nothing known)."""
        if self.evidence:
            return "evidence"
        return "gap" if self.targeted else "none"


def _studies_of(corpus: Corpus, approach: Approach) -> list[Study]:
    """Studies of the approach itself or of one of its programmes."""
    found = {s.id: s for s in corpus.studies_for(approach.id)}
    for programme in corpus.programmes_for(approach.id):
        found.update({s.id: s for s in corpus.studies_for(programme.id)})
    return [found[k] for k in sorted(found)]


def _design_rank(corpus: Corpus, design: str) -> tuple[int, int]:
    level = corpus.term("designs", design).sms_level
    order = [t.id for t in corpus.vocabularies["designs"].terms]
    return (-(level or 0), order.index(design))


def gap_map(corpus: Corpus) -> dict[tuple[str, str], GapCell]:
    """(approach id, outcome id) -> cell, for every outcome an approach aims at, is rated on
    or has a finding on; approaches in id order, outcomes in vocabulary order."""
    outcomes = [t.id for t in corpus.vocabularies["outcomes"].terms]
    cells: dict[tuple[str, str], GapCell] = {}
    for approach in corpus.approaches:
        ratings = approach.ratings + tuple(r for p in corpus.programmes_for(approach.id) for r in p.ratings)
        studies = _studies_of(corpus, approach)
        wanted = set(approach.outcomes) | {r.outcome for r in ratings} | {f.outcome for s in studies for f in s.findings}
        for outcome in (o for o in outcomes if o in wanted):
            bases = evidence_bases(corpus, tuple(r for r in ratings if r.outcome == outcome))
            on_it = [s for s in studies if any(f.outcome == outcome for f in s.findings)]
            comparative = [s for s in on_it if corpus.is_comparative(s)]
            reviews = {r.id: r for b in bases for r in b.reviews} | {s.id: s for s in comparative if corpus.is_review(s)}
            primary = [s for s in comparative if not corpus.is_review(s)]
            held = list(reviews.values()) + primary
            cells[(approach.id, outcome)] = GapCell(
                approach=approach.id, outcome=outcome, targeted=outcome in approach.outcomes, bases=bases,
                reviews=tuple(reviews[k] for k in sorted(reviews)), primary=tuple(primary),
                monitoring=tuple(s for s in on_it if not corpus.is_comparative(s)),
                directions=tuple(f.direction for s in comparative for f in s.findings if f.outcome == outcome and f.direction),
                best_design=min((s.design for s in held), key=lambda d: _design_rank(corpus, d)) if held else None,
            )
    return cells
