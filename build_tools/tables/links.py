"""Lookup tables (one per vocabulary) and link tables (one per many-to-many relation).

Lookup tables are named after the vocabulary id with '-' -> '_' (settings, priority_areas,
designs, ...). Link tables are named <kind>_<list> (approach_settings, programme_boroughs,
study_programmes, ...) with one foreign key on each side, so Datasette shows an entry's
settings on its row page and a setting's entries on the setting's page.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

from ..evidence.corpus import Corpus
from .spec import Column, Table, as_bool, doc, table_name
from .entries import ENTRY_TYPES
from ..evidence.kinds import KINDS
from ..evidence.models import InterventionBase, Programme, Study, vocabulary_fields
from ..evidence.vocabulary_models import Term, Vocabulary

# table -> ((list field, vocabulary), …): a link table for every list of vocabulary terms (the
# binding is declared on the model field).
VOCABULARY_FIELDS = {k.folder: tuple((name, vocab) for name, vocab in vocabulary_fields(k.model).items()
                                     if typing.get_origin(k.model.model_fields[name].annotation) is tuple)
                     for k in KINDS}
MODELS = {"approaches": InterventionBase, "programmes": Programme, "studies": Study}
# column name for one item of a list
SINGULAR = {"priority-areas": "priority_area", "settings": "setting", "outcomes": "outcome", "targeting": "targeting",
            "prevention-levels": "prevention_level", "countries": "country", "boroughs": "borough"}


def vocabulary_tables(corpus: Corpus) -> list[Table]:
    tables = [_vocabularies_table(corpus)]
    for vocabulary in corpus.vocabularies.values():
        tables.append(_lookup_table(vocabulary))
    if "sources" in corpus.vocabularies:
        tables.append(_impact_labels_table(corpus))
    return tables


def _vocabularies_table(corpus: Corpus) -> Table:
    def rows() -> Iterator[dict[str, Any]]:
        for voc in corpus.vocabularies.values():
            yield {"id": voc.id, "name": voc.name, "description": voc.description, "table_name": table_name(voc.id),
                   "term_count": len(voc.terms)}

    columns = (
        Column("id", "string", doc(Vocabulary, "id")),
        Column("name", "string", doc(Vocabulary, "name")),
        Column("description", "string", doc(Vocabulary, "description")),
        Column("table_name", "string", "Name of the lookup table holding the list's terms."),
        Column("term_count", "integer", "Number of terms in the list."),
    )
    return Table("vocabularies", "The controlled lists (evidence/vocabularies/*.yml); each has its own lookup table.",
                 columns, rows, label_column="name", sort="id")


_FLAGS = ("comparative", "review")  # designs' yes/no columns
_TYPES = {"sms_level": "integer", "comparative": "boolean", "review": "boolean"}


def _lookup_table(voc: Vocabulary) -> Table:
    optional = [name for name in ("sms_level", "scale", *_FLAGS) if any(getattr(t, name) is not None for t in voc.terms)]

    def rows() -> Iterator[dict[str, Any]]:
        for n, term in enumerate(voc.terms, 1):
            row = {"id": term.id, "label": term.label, "description": term.description, "url": term.url, "position": n}
            yield row | {name: as_bool(getattr(term, name)) if name in _FLAGS else getattr(term, name) for name in optional}

    columns = (
        Column("id", "string", doc(Term, "id")),
        Column("label", "string", doc(Term, "label")),
        Column("description", "string", doc(Term, "description")),
        Column("url", "string", doc(Term, "url")),
        Column("position", "integer", "Display order of the term in its list, from 1."),
    ) + tuple(Column(name, _TYPES.get(name, "string"), doc(Term, name) + (" Stored as 1 or 0." if name in _FLAGS else ""))
              for name in optional)
    facets = ("sms_level",) if "sms_level" in optional else ()
    return Table(table_name(voc.id), f"{voc.name} (vocabulary `{voc.id}`): {voc.description}", columns, rows,
                 label_column="label", sort="position", facets=facets,
                 indexes=("sms_level",) if "sms_level" in optional else ())


def _impact_labels_table(corpus: Corpus) -> Table:
    def rows() -> Iterator[dict[str, Any]]:
        for source in corpus.vocabularies["sources"].terms:
            for label, band in sorted((source.impact_labels or {}).items()):
                yield {"source": source.id, "label": label, "band": band}

    columns = (
        Column("source", "string", "Id of the rating source (in `sources`)."),
        Column("label", "string", "An impact label the source publishes, verbatim."),
        Column("band", "string", "Harmonised impact band (in `impact_bands`) the label maps to; empty where the label "
               "gives a direction but no size."),
    )
    return Table("source_impact_labels", "How each source's own impact labels map to our harmonised impact bands "
                 "(from `impact_labels` in sources.yml); `ratings.band` is derived from this.", columns, rows,
                 pk=("source", "label"), foreign_keys=(("source", "sources"), ("band", "impact_bands")),
                 indexes=("band",), facets=("source", "band"))


def _link_table(name: str, kind: str, other: str, other_col: str, description: str, other_doc: str,
                pairs: Iterator[tuple[str, str, int]]) -> Table:
    own = ENTRY_TYPES[kind]
    materialised = tuple(pairs)
    columns = (
        Column(own, "string", f"Id of the {own} (in `{kind}`)."),
        Column(other_col, "string", other_doc),
        Column("position", "integer", f"Order of the item in the {own}'s YAML list, from 1."),
    )
    return Table(name, description, columns, lambda: ({own: a, other_col: b, "position": n} for a, b, n in materialised),
                 pk=(own, other_col), foreign_keys=((own, kind), (other_col, other)), indexes=(other_col,),
                 facets=(other_col,))


def link_tables(corpus: Corpus) -> list[Table]:
    tables: list[Table] = []
    for kind, fields in VOCABULARY_FIELDS.items():
        own = ENTRY_TYPES[kind]
        for field_name, vocabulary in fields:
            other = table_name(vocabulary)
            pairs = ((e.id, v, n) for e in getattr(corpus, kind) for n, v in enumerate(getattr(e, field_name), 1))
            tables.append(_link_table(
                f"{own}_{other}", kind, other, SINGULAR[vocabulary],
                f"Links each {own} to its `{field_name}`: {doc(MODELS[kind], field_name)}",
                f"Id of the term (in `{other}`).", pairs))
    tables.append(_link_table(
        "programme_approaches", "programmes", "approaches", "approach",
        f"Links each programme to the approaches it is an example of: {doc(Programme, 'approaches')}",
        "Id of the approach (in `approaches`).",
        ((p.id, a, n) for p in corpus.programmes for n, a in enumerate(p.approaches, 1))))
    for target in ("approaches", "programmes"):
        single = ENTRY_TYPES[target]
        tables.append(_link_table(
            f"study_{target}", "studies", target, single,
            f"Links each study to the {target} it evaluates (from the study's `evaluates` list).",
            f"Id of the {single} evaluated (in `{target}`).",
            ((s.id, t, n) for s in corpus.studies for n, t in enumerate(s.evaluates, 1)
             if corpus.kind(t) == single)))
    tables.append(_related_table(corpus))
    return tables


def _related_table(corpus: Corpus) -> Table:
    kinds = ("approaches", "programmes")

    def rows() -> Iterator[dict[str, Any]]:
        for kind in kinds:
            for entry in getattr(corpus, kind):
                for n, other in enumerate(entry.related, 1):
                    other_kind = corpus.kind(other)
                    yield {"id": f"{entry.id}-{n}", "approach": entry.id if kind == "approaches" else None,
                           "programme": entry.id if kind == "programmes" else None,
                           "related_approach": other if other_kind == "approach" else None,
                           "related_programme": other if other_kind == "programme" else None, "position": n}

    columns = (
        Column("id", "string", "Stable identifier of the link: the entry's id, a hyphen and its position."),
        Column("approach", "string", "Id of the approach the link starts from (empty if it starts from a programme)."),
        Column("programme", "string", "Id of the programme the link starts from (empty if it starts from an approach)."),
        Column("related_approach", "string", "Id of the related approach (empty if the related entry is a programme)."),
        Column("related_programme", "string", "Id of the related programme (empty if the related entry is an approach)."),
        Column("position", "integer", "Order in the entry's `related` list, from 1."),
    )
    return Table("related_entries", f"Links between related entries: {doc(InterventionBase, 'related')}", columns,
                 rows, foreign_keys=(("approach", "approaches"), ("programme", "programmes"),
                                     ("related_approach", "approaches"), ("related_programme", "programmes")),
                 indexes=("approach", "programme", "related_approach", "related_programme"))
