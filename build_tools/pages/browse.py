"""Listing pages: the filterable table of all entries, a page per setting, outcome and
priority area, and the index page of each entry section.

Entries stay out of the MkDocs navigation (a sidebar listing every page makes every page
grow with the corpus); these pages are how a reader reaches them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from ..evidence.corpus import AGE_BANDS, Corpus
from ..evidence.models import Study
from ..evidence.kinds import KINDS
from .facts import Facts, ap_settings, ordered_settings
from .text import front_matter, template_env

# (folder, vocabulary, noun) of the topic pages.
TOPICS = (("settings", "settings", "setting"), ("outcomes", "outcomes", "outcome"),
          ("priority-areas", "priority-areas", "priority area"))
SMS_FILTERS = (("5", "SMS 5 (randomised)"), ("4", "SMS 4 or higher"), ("3", "SMS 3 or higher"),
               ("2", "SMS 2 or higher"), ("1", "SMS 1 or higher"), ("0", "No impact study yet"))


def by_name(items) -> list[Facts]:
    return sorted(items, key=lambda f: (f.name.casefold(), f.id))


def _cost_key(label: str) -> str:
    """Filter value for one 'Source: label' cost string: no spaces, so a row can hold several."""
    return re.sub(r"[^a-z0-9]+", "-", label.casefold()).strip("-")


def _render(name: str, **context) -> str:
    return template_env().get_template(name).render(**context)


def browse_page(corpus: Corpus, facts: Mapping[str, Facts]) -> str:
    rows = by_name(facts.values())
    costs = sorted({c for f in rows for c in f.cost}, key=str.casefold)
    filters = [
        ("kind", "Type", [(k, k.capitalize()) for k in ("approach", "programme", "study")]),
        ("setting", "Setting", [(s, corpus.label("settings", s)) for s in ordered_settings(corpus)]),
        ("age", "Age", [(name, f"{low} to {high}") for name, low, high in AGE_BANDS]),
        ("outcome", "Outcome", [(t.id, t.label) for t in corpus.vocabularies["outcomes"].terms]),
        ("area", "Priority area", [(t.id, t.label) for t in corpus.vocabularies["priority-areas"].terms]),
        ("band", "Impact on violence (our band)", [(t.id, t.label) for t in sorted(corpus.vocabularies["impact-bands"].terms, key=lambda t: corpus.band_rank(t.id))]),
        ("evidence", "Evidence (best design)", list(SMS_FILTERS)),
        ("cost", "Cost (source's label)", [(_cost_key(c), c) for c in costs]),
    ]
    cost_keys = {f.id: " ".join(_cost_key(c) for c in f.cost) for f in rows}
    return _render("browse.md.j2", corpus=corpus, rows=rows, filters=filters, cost_keys=cost_keys,
                   band_rank=corpus.band_rank, root="../", front=front_matter("Browse all entries", "Every approach, programme and study, filterable by setting, age, outcome, priority area, impact, evidence and cost.", hide=("toc",)))


def _topic_members(corpus: Corpus, facts: Mapping[str, Facts], folder: str) -> dict[str, list[Facts]]:
    """Topic id -> entries filed under it. Studies count for a setting or an outcome they report on."""
    members: dict[str, list[Facts]] = {}
    for f in facts.values():
        keys = {"settings": f.settings, "outcomes": f.outcomes, "priority-areas": f.priority_areas}[folder]
        for key in keys:
            members.setdefault(key, []).append(f)
    return members


def topic_pages(corpus: Corpus, facts: Mapping[str, Facts]) -> Iterator[tuple[str, str]]:
    """(path, markdown) for every topic page and each topic index."""
    for folder, vocab, noun in TOPICS:
        members = _topic_members(corpus, facts, folder)
        terms = corpus.vocabularies[vocab].terms
        if folder == "settings":
            order = ordered_settings(corpus)
            terms = sorted(terms, key=lambda t: order.index(t.id))
        for term in terms:
            found = members.get(term.id, [])
            interventions = sorted((f for f in found if f.kind != "study"), key=lambda f: (corpus.band_rank(f.headline), f.name.casefold(), f.id))
            studies = by_name(f for f in found if f.kind == "study")
            yield f"{folder}/{term.id}.md", _render(
                "topic.md.j2", corpus=corpus, term=term, noun=noun, folder=folder, vocab=vocab, root="../",
                interventions=interventions, studies=studies, front=front_matter(term.label, term.description),
            )
        counts = {t.id: len(members.get(t.id, [])) for t in terms}
        title = {"settings": "Settings", "outcomes": "Outcomes", "priority-areas": "VRU priority areas"}[folder]
        yield f"{folder}/index.md", _render(
            "topics.md.j2", corpus=corpus, folder=folder, vocab=vocab, noun=noun, terms=terms, counts=counts,
            ap_ids=list(ap_settings(corpus)) if folder == "settings" else [], root="../",
            voc=corpus.vocabularies[vocab], front=front_matter(title, corpus.vocabularies[vocab].description),
        )


def section_indexes(corpus: Corpus, facts: Mapping[str, Facts]) -> Iterator[tuple[str, str]]:
    for kind in KINDS:
        kind, section, title, intro = kind.name, kind.folder, kind.plural, kind.intro
        rows = by_name(f for f in facts.values() if f.kind == kind)
        studies: list[Study] = sorted(corpus.studies, key=lambda s: (-s.year, s.name.casefold(), s.id)) if kind == "study" else []
        yield f"{section}/index.md", _render(
            "section.md.j2", corpus=corpus, rows=rows, studies=studies, kind=kind, facts=facts, root="../",
            intro=intro, front=front_matter(title, intro),
        )
