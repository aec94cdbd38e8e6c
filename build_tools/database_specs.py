"""Every table of the database (and of the CSV exports), in creation order: a table's
foreign keys point only at tables before it."""

from __future__ import annotations

from .corpus import Corpus
from .database_links import link_tables, vocabulary_tables
from .database_results import result_tables
from .database_schema import Table
from .database_tables import entry_tables


def all_tables(corpus: Corpus) -> list[Table]:
    return vocabulary_tables(corpus) + entry_tables(corpus) + result_tables(corpus) + link_tables(corpus)
