"""Pages about the whole corpus: home, glossary, rating scales and the considered-and-excluded list."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from ..evidence.corpus import Corpus
from ..evidence.models import AgeRange, Approach, Effect, Finding, Programme, Rating, Reference, Review, Sample, Study
from ..evidence.vocabulary_models import Term
from .facts import Facts
from .pictures.borough_map import london_counts_map
from .text import front_matter, template_env

HOME_LIST = 8  # entries per home-page list: the home page must not grow with the corpus
GLOSSARY_MODELS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("Approach", Approach), ("Programme", Programme), ("Study", Study), ("Rating", Rating),
    ("Finding", Finding), ("Effect", Effect), ("Sample", Sample), ("Age range", AgeRange),
    ("Reference", Reference), ("Review", Review), ("Vocabulary term", Term),
)
# Vocabularies a reader meets on the site, in glossary order; any others follow.
GLOSSARY_VOCABS = ("priority-areas", "settings", "outcomes", "impact-bands", "designs", "targeting",
                   "prevention-levels", "evaluation-statuses", "effect-types", "sources")


def _render(name: str, **context) -> str:
    return template_env().get_template(name).render(**context)


def home_page(corpus: Corpus, facts: Mapping[str, Facts], feed: str | None = None) -> str:
    """`feed`: site path of the Atom feed of evidence changes, if the build writes one."""
    areas = corpus.vocabularies["priority-areas"].terms
    counts = {a.id: sum(a.id in f.priority_areas for f in facts.values()) for a in areas}
    rated = [f for f in facts.values() if f.kind == "approach" and f.headline in ("high", "moderate", "low")]
    top = sorted(rated, key=lambda f: (corpus.band_rank(f.headline), f.name.casefold(), f.id))[:HOME_LIST]
    harmful = sorted((f for f in facts.values() if f.harmful), key=lambda f: (f.name.casefold(), f.id))
    recent = sorted(facts.values(), key=lambda f: (f.last_reviewed, f.id), reverse=True)[:HOME_LIST]
    return _render(
        "home.md.j2", corpus=corpus, areas=areas, counts=counts, top=top, harmful=harmful[:HOME_LIST],
        n_harmful=len(harmful), recent=recent, root="", n=len(facts), feed=feed, london_map=london_counts_map(corpus, ""),
        front=front_matter("Home", "Evidence on what works to prevent violence among children and young people, for London's Violence Reduction Unit."),
    )


def _field_rows(model: type[BaseModel]) -> list[tuple[str, str]]:
    return [(name, info.description or "") for name, info in model.model_fields.items()]


def glossary_page(corpus: Corpus) -> str:
    order = [v for v in GLOSSARY_VOCABS if v in corpus.vocabularies]
    order += [v for v in corpus.vocabularies if v not in order]
    models = [(title, model.__dict__.get("__doc__") or "", _field_rows(model)) for title, model in GLOSSARY_MODELS]
    return _render("glossary.md.j2", vocabularies=[corpus.vocabularies[v] for v in order], models=models, root="",
                   front=front_matter("Glossary", "Every term and field used in the evidence, defined."))


def rating_scales_page(corpus: Corpus) -> str:
    bands = {t.id: t.label for t in corpus.vocabularies["impact-bands"].terms}
    return _render("rating_scales.md.j2", sources=corpus.vocabularies["sources"].terms, bands=bands,
                   band_terms=sorted(corpus.vocabularies["impact-bands"].terms, key=lambda t: corpus.band_rank(t.id)), root="",
                   front=front_matter("Rating scales", "Each source's own rating scale, and how its labels map to our harmonised impact bands."))


def excluded_page(corpus: Corpus) -> str:
    """evidence/excluded.yml as a page: what was considered and left out, and why."""
    items = sorted(corpus.excluded, key=lambda x: (-x.considered.toordinal(), x.item.casefold()))
    return _render("excluded.md.j2", items=items, root="",
                   front=front_matter("Considered and excluded", "Studies, programmes, figures and sources that were looked at and left out of this repository, with the reason."))
