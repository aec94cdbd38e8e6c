"""One page per approach, programme and study: gather what the page shows, render it.

Views are plain dicts of already-looked-up labels, so the templates hold layout only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..evidence.corpus import Corpus
from ..evidence.models import Entry, Study
from .facts import KIND_LABEL, SECTION, Facts
from .text import fmt_effect, front_matter, template_env

# Markdown fields shown as sections, in reading order: (field, anchor, heading).
INTERVENTION_SECTIONS = (
    ("description", "about", "About"),
    ("how_it_works", "how-it-works", "How it works"),
    ("for_whom", "for-whom", "For whom"),
    ("implementation", "implementation", "How to implement"),
    ("cost_notes", "cost", "Cost"),
    ("cautions", "cautions", "Cautions and harms"),
)
MAX_RELATED = 6


@dataclass(frozen=True)
class SiteLinks:
    """Where the site points outside itself; read from mkdocs.yml `extra`."""

    repo_url: str  # e.g. https://github.com/london-vru/whatworks
    branch: str  # e.g. main
    data_base: str  # Datasette database path on the same host, e.g. /data/evidence
    site_url: str  # canonical site address, for "cite this page"
    site_name: str
    release: str = ""  # e.g. "evidence-2026.12 (2026-12-01)", from CITATION.cff; "" outside a release


def history_dates(history: Mapping | None, entry_id: str) -> dict | None:
    item = (history or {}).get(entry_id)
    if item is None:
        return None
    get = item.get if isinstance(item, Mapping) else lambda k: getattr(item, k, None)
    dates = {"added": get("added"), "changed": get("changed")}
    return dates if any(dates.values()) else None


def _rating_view(corpus: Corpus, rating, facts: Mapping[str, Facts]) -> dict:
    band = corpus.band(rating)
    estimate = rating.estimate
    return {
        "source": corpus.label("sources", rating.source),
        "url": rating.url,
        "outcome": corpus.label("outcomes", rating.outcome),
        "wording": rating.outcome_wording,
        "impact": rating.impact,
        "band": band,
        "band_label": corpus.label("impact-bands", band) if band else None,
        "estimate": fmt_effect(estimate, corpus.term("effect-types", estimate.type)) if estimate else None,
        "evidence": rating.evidence,
        "cost": rating.cost,
        "checked": rating.checked.isoformat(),
        "note": rating.note,
        "in_words": rating.in_words,
        "strand": rating.strand,
        "based_on": [_review_view(facts[i]) for i in rating.based_on],
    }


def _review_view(review: Facts) -> dict:
    """Read through the facts mapping, so an incremental build notes the page depends on the review."""
    return {"id": review.id, "name": review.name, "pooled": review.pooled}


def _bases_view(corpus: Corpus, entry: Entry, facts: Mapping[str, Facts]) -> dict:
    """How many independent evidence bases the ratings rest on, and which reviews sources share."""
    bases = corpus.evidence_bases(entry)
    shared = [{"reviews": [_review_view(facts[r.id]) for r in b.reviews],
               "sources": [corpus.label("sources", s) for s in b.sources]} for b in bases if b.shared]
    return {"count": len(bases), "ratings": len(entry.ratings),
            "sources": len({r.source for r in entry.ratings}), "shared": shared}


def _status_view(corpus: Corpus, programme, facts: Facts) -> dict:
    return {"checked": facts.status_checked, "stale": facts.status_stale, "url": programme.evaluation_url,
            "due": corpus.status_recheck_due(programme).isoformat()}


def _finding_rows(corpus: Corpus, studies: tuple[Study, ...]) -> list[dict]:
    rows = []
    for study in sorted(studies, key=lambda s: (-s.year, s.id)):
        design = corpus.term("designs", study.design)
        comparative = corpus.is_comparative(study)
        for finding in study.findings:
            effect = finding.effect
            rows.append({
                "study": study, "design": design.label, "sms": design.sms_level,
                "outcome": corpus.label("outcomes", finding.outcome),
                "measure": finding.measure, "result": finding.result, "direction": finding.direction,
                "comparative": comparative,
                "effect": fmt_effect(effect, corpus.term("effect-types", effect.type)) if effect else None,
                "significant": effect.significant if effect else None,
                "follow_up": finding.follow_up_months, "subgroup": finding.subgroup,
            })
    return rows


def _related(corpus: Corpus, entry: Entry, facts: Mapping[str, Facts], related: Mapping | None) -> list[Facts]:
    """The entry's own `related` list first, then the search index's suggestions."""
    wanted = list(getattr(entry, "related", ())) + list((related or {}).get(entry.id, ()))
    seen = dict.fromkeys(i for i in wanted if i in facts and i != entry.id)
    return [facts[i] for i in list(seen)[:MAX_RELATED]]


def entry_page(corpus: Corpus, entry: Entry, facts: Mapping[str, Facts], links: SiteLinks,
               related: Mapping | None = None, history: Mapping | None = None) -> str:
    """The Markdown of one entry's page."""
    kind = corpus.kind(entry.id)
    section = SECTION[kind]
    file = corpus.files.get(entry.id, f"evidence/{section}/{entry.id}.yml")
    data_row = f"{links.data_base}/{section}/{entry.id}"
    context = {
        "corpus": corpus, "e": entry, "f": facts[entry.id], "kind": kind, "kind_label": KIND_LABEL[kind],
        "facts": facts, "root": "../", "file": file,
        "edit_url": f"{links.repo_url}/edit/{links.branch}/{file}",
        "yaml_url": f"{links.repo_url}/blob/{links.branch}/{file}",
        "data_url": data_row, "json_url": f"{data_row}.json",
        "csv_url": f"{links.data_base}/{section}.csv?id={entry.id}",
        "page_url": f"{links.site_url.rstrip('/')}/{section}/{entry.id}.html",
        "related": _related(corpus, entry, facts, related),
        "history": history_dates(history, entry.id),
        "front": front_matter(entry.name, entry.summary), "links": links,
        "backfires": [(s, corpus.label("outcomes", f.outcome), f) for s, f in corpus.backfires(entry)],
    }
    if isinstance(entry, Study):
        context["findings"] = _finding_rows(corpus, (entry,))
        context["design"] = corpus.term("designs", entry.design)
        return template_env().get_template("study.md.j2").render(context)
    context["ratings"] = [_rating_view(corpus, r, facts) for r in entry.ratings]
    context["bases"] = _bases_view(corpus, entry, facts)
    if hasattr(entry, "evaluation_checked"):
        context["status"] = _status_view(corpus, entry, facts[entry.id])
    context["sections"] = [(a, h, getattr(entry, f)) for f, a, h in INTERVENTION_SECTIONS if getattr(entry, f)]
    context["findings"] = _finding_rows(corpus, corpus.studies_for(entry.id))
    context["programmes"] = [facts[p.id] for p in corpus.programmes_for(entry.id)]
    context["approaches"] = [facts[a] for a in getattr(entry, "approaches", ()) if a in facts]
    return template_env().get_template("entry.md.j2").render(context)
