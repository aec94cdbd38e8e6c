"""Every table of the database (and of the CSV exports), in creation order: a table's
foreign keys point only at tables before it."""

from __future__ import annotations

from ..evidence.corpus import Corpus
from .links import link_tables, vocabulary_tables
from .results import result_tables
from .spec import Table
from .entries import entry_tables
from .evidence_map import evidence_map_tables


def all_tables(corpus: Corpus) -> list[Table]:
    return vocabulary_tables(corpus) + entry_tables(corpus) + result_tables(corpus) + link_tables(corpus) + evidence_map_tables(corpus)
