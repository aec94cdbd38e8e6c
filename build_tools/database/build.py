"""Build the researchers' database, _build/evidence.db, with sqlite-utils (no hand-written inserts).

Tables come from the specs listed in database_specs.py, views from
database_views.py. The file is written to a temp path, VACUUMed (so two builds of the same
corpus give the same bytes) and renamed into place; metadata.json for Datasette is written
beside it from the same specs.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import sqlite_utils

from ..atomic import atomic_file
from ..config import BuildConfig
from ..errors import BuildBug
from ..evidence.corpus import Corpus
from ..tables.spec import SQL_TYPES, Table
from ..tables.catalogue import all_tables
from .views import View, views
from .metadata import build_metadata, check_queries, write_metadata_file

DB_NAME = "evidence.db"


def build_database(corpus: Corpus, config: BuildConfig, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    tables, view_list = all_tables(corpus), views(corpus)
    target = out_dir / DB_NAME
    metadata = build_metadata(config, tables, view_list)  # a typo in datasette_metadata.yml stops us here
    # The database and its metadata.json are renamed into place together (metadata first), or not at all.
    with atomic_file(target) as tmp, atomic_file(out_dir / "metadata.json") as tmp_metadata:
        write_database(tmp, tables, view_list)
        with closing(sqlite3.connect(tmp)) as db:
            check_queries(db, metadata, config.datasette.metadata)
        write_metadata_file(tmp_metadata, metadata)
    return target


def write_database(path: Path, tables: list[Table], view_list: list[View]) -> None:
    db = sqlite_utils.Database(path)
    try:
        # A fresh temp file nobody else reads: durability is given by the final rename.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        for table in tables:
            _write_table(db, table)
        for view in view_list:
            db.create_view(view.name, view.sql.strip())
        problems = db.execute("PRAGMA foreign_key_check").fetchall()
        if problems:  # the corpus checks references, so this is a bug in a table spec
            raise BuildBug(f"the database has dangling foreign keys (table, row, target): {problems[:5]}")
        db.conn.commit()
        db.execute("VACUUM")  # compact, and identical bytes for identical input
    finally:
        db.close()


def _write_table(db: sqlite_utils.Database, table: Table) -> None:
    existing = set(db.table_names())
    fks = [(column, other, "id") for column, other in table.foreign_keys if other in existing]
    pk = table.pk[0] if len(table.pk) == 1 else table.pk
    target = db.table(table.name)
    target.create({c.name: SQL_TYPES[c.type] for c in table.columns}, pk=pk, foreign_keys=fks)
    try:
        target.insert_all(table.rows(), batch_size=2000)
    except sqlite3.Error as exc:  # lint passed, so the row is ours to get right: name it
        raise BuildBug(f"table {table.name}: {exc} (at {_culprit(target, table)})") from exc
    for column in table.indexes:
        target.create_index([column])
    if table.fts:
        target.enable_fts(list(table.fts), tokenize="porter", create_triggers=False)


def _culprit(target: sqlite_utils.db.Table, table: Table) -> str:
    """The first row that SQLite refuses, inserted one at a time, shown by its key columns."""
    for row in table.rows():
        try:
            target.insert(row)
        except sqlite3.Error:
            keys = [c for c in (*table.pk, "id", "approach", "programme", "study") if c in row]
            return ", ".join(f"{k}={row[k]!r}" for k in dict.fromkeys(keys)) or repr(row)[:200]
    return "a batch of rows"
