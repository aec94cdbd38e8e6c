"""Facts about each entry that several pages show: computed once per build, in one place,
so the home page, browse table, topic lists and gap map can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from ..evidence.corpus import Corpus
from ..evidence.kinds import KINDS
from ..evidence.models import Entry, Study

SECTION = {k.name: k.folder for k in KINDS}
KIND_LABEL = {k.name: k.label for k in KINDS}
# Best first. A harmful rating overrides everything else in the headline.
BAND_ORDER = ("high", "moderate", "low", "none", "insufficient", "harmful")
# Lists rank and filter on impact on violence, the repository's purpose: a High on another outcome
# (behaviour, exclusions, attainment) must not make an approach look "high impact" here. Those
# ratings stay on the entry page, with their outcome.
HEADLINE_OUTCOMES = ("violence-perpetration", "violence-victimisation")
# Alternative provision is first-class for this repository: these settings lead every list.
AP_SETTINGS = ("pru", "other-ap", "in-school-ap-unit")


@dataclass(frozen=True)
class Facts:
    id: str
    kind: str  # approach | programme | study
    name: str
    summary: str
    path: str  # site path of the page, e.g. "approaches/mentoring.html"
    bands: tuple[str, ...]  # harmonised bands of its ratings on violence outcomes, best first, no repeats
    headline: str | None  # the one band shown in lists: impact on violence ("harmful" if any source says so)
    harmful: bool  # a source rates it harmful (Corpus.is_harmful)
    backfires: int  # unfavourable study findings: shown as a warning, not as "harmful"
    settings: tuple[str, ...]
    age_bands: tuple[str, ...]
    outcomes: tuple[str, ...]
    priority_areas: tuple[str, ...]
    evidence: tuple[str, ...]  # "Source: label", verbatim
    cost: tuple[str, ...]  # "Source: label", verbatim
    n_studies: int
    best_sms: int | None  # best Maryland SMS level among its studies (a study: its own)
    last_reviewed: str

    @property
    def section(self) -> str:
        return SECTION[self.kind]


def band_rank(band: str | None) -> int:
    """Sort key: lower is better; unrated entries go last."""
    return BAND_ORDER.index(band) if band in BAND_ORDER else len(BAND_ORDER)


def headline_band(bands: tuple[str, ...], harmful_rating: bool) -> str | None:
    if harmful_rating:
        return "harmful"
    return min(bands, key=band_rank) if bands else None


def study_outcomes(study: Study) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.outcome for f in study.findings))


def entry_facts(corpus: Corpus, entry: Entry) -> Facts:
    kind = corpus.kind(entry.id)
    if isinstance(entry, Study):
        sms = corpus.sms_level(entry)
        return Facts(
            id=entry.id, kind=kind, name=entry.name, summary=entry.summary, path=f"studies/{entry.id}.html",
            bands=(), headline=None, harmful=corpus.is_harmful(entry), backfires=len(corpus.backfires(entry)), settings=entry.settings, age_bands=(),
            outcomes=study_outcomes(entry), priority_areas=(), evidence=(), cost=(), n_studies=1,
            best_sms=sms, last_reviewed=entry.review.last_reviewed.isoformat(),
        )
    found = [corpus.band(r) for r in entry.ratings if r.outcome in HEADLINE_OUTCOMES]
    bands = tuple(sorted({b for b in found if b}, key=band_rank))
    source = lambda r: corpus.label("sources", r.source)  # noqa: E731 - tiny local helper
    evidence = tuple(dict.fromkeys(f"{source(r)}: {r.evidence}" for r in entry.ratings if r.evidence))
    cost = tuple(dict.fromkeys(f"{source(r)}: {r.cost}" for r in entry.ratings if r.cost))
    studies = corpus.studies_for(entry.id)
    levels = [lvl for lvl in (corpus.sms_level(s) for s in studies) if lvl is not None]
    return Facts(
        id=entry.id, kind=kind, name=entry.name, summary=entry.summary, path=f"{SECTION[kind]}/{entry.id}.html",
        bands=bands, headline=headline_band(bands, corpus.is_harmful(entry)), harmful=corpus.is_harmful(entry),
        backfires=len(corpus.backfires(entry)),
        settings=entry.settings, age_bands=corpus.age_bands(entry), outcomes=entry.outcomes,
        priority_areas=entry.priority_areas, evidence=evidence, cost=cost, n_studies=len(studies),
        best_sms=max(levels) if levels else None, last_reviewed=entry.review.last_reviewed.isoformat(),
    )


def all_facts(corpus: Corpus) -> dict[str, Facts]:
    return {e.id: entry_facts(corpus, e) for e in corpus.entries}


def ordered_settings(corpus: Corpus) -> list[str]:
    """Setting ids in display order: alternative provision first, then the vocabulary's order."""
    ids = [t.id for t in corpus.vocabularies["settings"].terms]
    return [s for s in AP_SETTINGS if s in ids] + [s for s in ids if s not in AP_SETTINGS]
