"""Facts about each entry that several pages show: computed once per build, in one place,
so the home page, browse table, topic lists and gap map can never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import clock
from ..evidence.corpus import Corpus
from ..evidence.kinds import KINDS
from ..evidence.models import Entry, Study

SECTION = {k.name: k.folder for k in KINDS}
KIND_LABEL = {k.name: k.label for k in KINDS}
# Alternative provision is first-class for this repository: these settings lead every list.


def ap_settings(corpus: Corpus) -> tuple[str, ...]:
    """The settings that count as alternative provision (vocabulary data, `alternative_provision: true`)."""
    return tuple(t.id for t in corpus.vocabularies["settings"].terms if t.alternative_provision)


@dataclass(frozen=True)
class Facts:
    id: str
    kind: str  # approach | programme | study
    name: str
    summary: str
    path: str  # site path of the page, e.g. "approaches/mentoring.html"
    headline: str | None  # the one band shown in lists: impact on violence (Corpus.headline)
    harmful: bool  # a source rates it harmful (Corpus.is_harmful)
    backfires: int  # unfavourable study findings: shown as a warning, not as "harmful"
    settings: tuple[str, ...]
    age_bands: tuple[str, ...]
    outcomes: tuple[str, ...]
    priority_areas: tuple[str, ...]
    evidence: tuple[str, ...]  # "Source: label", verbatim
    cost: tuple[str, ...]  # "Source: label", verbatim
    n_studies: int  # studies held here that compare against something (a study: 1 if it does)
    best_sms: int | None  # best Maryland SMS level among those studies (a study: its own, if comparative)
    last_reviewed: str
    n_reviews: int = 0  # reviews among those studies
    pooled: int | None = None  # studies those reviews pool, summed over the reviews that say
    pooled_partial: bool = False  # some of those reviews do not say how many they pool
    n_monitoring: int = 0  # studies held here with no comparison group: shown, never counted as impact
    evidence_bases: int = 0  # independent evidence bases behind its ratings (shared reviews once)
    status_checked: str | None = None  # programmes: when the evaluation status was checked
    status_stale: bool = False  # programmes: not re-checked for 6 months (by the injected clock)

    @property
    def section(self) -> str:
        return SECTION[self.kind]


def study_outcomes(study: Study) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.outcome for f in study.findings))


def _study_counts(corpus: Corpus, studies: tuple[Study, ...]) -> dict:
    impact = [s for s in studies if corpus.is_comparative(s)]
    reviews = [s for s in impact if corpus.is_review(s)]
    pooled = [s.studies_pooled for s in reviews if s.studies_pooled is not None]
    levels = [lvl for lvl in (corpus.sms_level(s) for s in impact) if lvl is not None]
    return {"n_studies": len(impact), "n_reviews": len(reviews), "pooled": sum(pooled) if pooled else None,
            "pooled_partial": bool(pooled) and len(pooled) < len(reviews),
            "n_monitoring": len(studies) - len(impact), "best_sms": max(levels) if levels else None}


def entry_facts(corpus: Corpus, entry: Entry, today: dt.date | None = None) -> Facts:
    kind = corpus.kind(entry.id)
    if isinstance(entry, Study):
        return Facts(
            id=entry.id, kind=kind, name=entry.name, summary=entry.summary, path=f"studies/{entry.id}.html",
            headline=None, harmful=corpus.is_harmful(entry), backfires=len(corpus.backfires(entry)), settings=entry.settings, age_bands=(),
            outcomes=study_outcomes(entry), priority_areas=(), evidence=(), cost=(),
            last_reviewed=entry.review.last_reviewed.isoformat(), **_study_counts(corpus, (entry,)),
        )
    status = {}
    if hasattr(entry, "evaluation_checked"):
        status = {"status_checked": entry.evaluation_checked.isoformat(),
                  "status_stale": corpus.status_recheck_due(entry) <= (today or clock.today())}
    source = lambda r: corpus.label("sources", r.source)  # noqa: E731 - tiny local helper
    evidence = tuple(dict.fromkeys(f"{source(r)}: {r.evidence}" for r in entry.ratings if r.evidence))
    cost = tuple(dict.fromkeys(f"{source(r)}: {r.cost}" for r in entry.ratings if r.cost))
    return Facts(
        id=entry.id, kind=kind, name=entry.name, summary=entry.summary, path=f"{SECTION[kind]}/{entry.id}.html",
        headline=corpus.headline(entry), harmful=corpus.is_harmful(entry), backfires=len(corpus.backfires(entry)),
        settings=entry.settings, age_bands=corpus.age_bands(entry), outcomes=entry.outcomes,
        priority_areas=entry.priority_areas, evidence=evidence, cost=cost,
        last_reviewed=entry.review.last_reviewed.isoformat(), evidence_bases=len(corpus.evidence_bases(entry)),
        **_study_counts(corpus, corpus.studies_behind(entry)), **status,
    )


def all_facts(corpus: Corpus, today: dt.date | None = None) -> dict[str, Facts]:
    today = today or clock.today()
    return {e.id: entry_facts(corpus, e, today) for e in corpus.entries}


def ordered_settings(corpus: Corpus) -> list[str]:
    """Setting ids in display order: alternative provision first, then the vocabulary's order."""
    ids = [t.id for t in corpus.vocabularies["settings"].terms]
    ap = ap_settings(corpus)
    return [s for s in ap if s in ids] + [s for s in ids if s not in ap]
