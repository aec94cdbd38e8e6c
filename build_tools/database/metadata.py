"""Datasette metadata: the hand-written datasette_metadata.yml merged with generated descriptions.

Table and column descriptions are generated from the same specs the database is written
from (which take them from the pydantic field descriptions and the vocabularies), so they
never drift. The hand-written file adds the title, licences, facets, sort orders and canned
queries, and may override any generated text. Written to <out>/metadata.json, deterministically.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..release import ReleaseError, read_release
from ..atomic import write_text
from ..evidence.corpus import Corpus
from ..tables.spec import Table
from .views import View

DATABASE = "evidence"  # Datasette's name for evidence.db; site links use /data/evidence/...
METADATA_FILE = "datasette_metadata.yml"
PACKAGE_REPO = Path(__file__).resolve().parents[2]
# FTS5 keeps its index in these shadow tables (name suffix -> columns); Datasette hides them.
FTS5_SHADOW = {"data": ("id", "block"), "idx": ("segid", "term", "pgno"), "docsize": ("id", "sz"), "config": ("k", "v")}


class MetadataError(ValueError):
    """datasette_metadata.yml names something the database does not have."""


def metadata_path(corpus: Corpus) -> Path:
    """The repository's datasette_metadata.yml: beside evidence/, else the one shipped with the code."""
    beside = Path(corpus.root).resolve().parent / METADATA_FILE
    return beside if beside.exists() else PACKAGE_REPO / METADATA_FILE


def generated_tables(tables: Iterable[Table], views: Iterable[View]) -> dict[str, Any]:
    """Datasette `tables` metadata for every table, FTS table and view in the database."""
    out: dict[str, Any] = {}
    for table in tables:
        entry: dict[str, Any] = {"description": table.description,
                                 "columns": {c.name: c.description for c in table.columns}}
        if table.label_column:
            entry["label_column"] = table.label_column
        if table.facets:
            entry["facets"] = list(table.facets)
        if table.sort:
            entry["sort"] = table.sort
        if table.sort_desc:
            entry["sort_desc"] = table.sort_desc
        out[table.name] = entry
        if table.fts:
            out.update(_fts_tables(table))
    for view in views:
        out[view.name] = {"description": view.description, "columns": dict(view.columns)}
    return out


def _fts_tables(table: Table) -> dict[str, Any]:
    fts = f"{table.name}_fts"
    columns = ", ".join(table.fts)
    out: dict[str, Any] = {fts: {
        "description": f"Full-text index (SQLite FTS5, porter stemming) of {table.name}: {columns}. "
                       f"Used by `?_search=` on {table.name}; join on rowid.",
        "columns": {c: f"`{table.name}.{c}`, indexed for full-text search." for c in table.fts},
    }}
    for suffix, shadow_columns in FTS5_SHADOW.items():
        out[f"{fts}_{suffix}"] = {
            "description": f"SQLite FTS5 internal storage for {fts} ({suffix}); not meant to be queried.",
            "columns": {c: "FTS5 internal column." for c in shadow_columns},
        }
    return out


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Recursive dict merge; values in `override` win."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def build_metadata(corpus: Corpus, tables: Iterable[Table], views: Iterable[View]) -> dict[str, Any]:
    path = metadata_path(corpus)
    written = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    generated = generated_tables(tables, views)
    hand_tables = written.get("databases", {}).get(DATABASE, {}).get("tables", {})
    for name, entry in hand_tables.items():
        if name not in generated:
            raise MetadataError(f"{path.name}: databases.{DATABASE}.tables.{name}: no such table or view in the "
                                f"database. Fix: use one of {', '.join(sorted(generated))}")
        unknown = sorted(set((entry or {}).get("columns", {})) - set(generated[name]["columns"]))
        if unknown:
            raise MetadataError(f"{path.name}: databases.{DATABASE}.tables.{name}.columns: no column "
                                f"{', '.join(unknown)}. Fix: use one of {', '.join(generated[name]['columns'])}")
    try:
        release = read_release(path.parent)
    except ReleaseError as exc:
        raise MetadataError(str(exc)) from None
    shown = {"about": f"Evidence release {release}", "about_url": f"{written.get('source_url', '').rstrip('/')}/releases/tag/{release.version}"} if release else {}
    return merge({"databases": {DATABASE: {"tables": generated}}} | shown, written)


def write_metadata(corpus: Corpus, tables: Iterable[Table], views: Iterable[View], out_dir: Path) -> Path:
    target = Path(out_dir) / "metadata.json"
    text = json.dumps(build_metadata(corpus, tables, views), indent=2, ensure_ascii=False) + "\n"
    write_text(target, text)
    return target
