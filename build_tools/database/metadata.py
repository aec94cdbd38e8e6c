"""Datasette metadata: the hand-written datasette_metadata.yml merged with generated descriptions.

Table and column descriptions are generated from the same specs the database is written
from (which take them from the pydantic field descriptions and the vocabularies), so they
never drift. The hand-written file adds the title, licences, facets, sort orders and canned
queries, and may override any generated text. Written to <out>/metadata.json, deterministically.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..config import BuildConfig, HandWritten
from ..errors import BuildError
from ..tables.spec import Table
from .views import View

DATABASE = "evidence"  # Datasette's name for evidence.db; site links use /data/evidence/...
# FTS5 keeps its index in these shadow tables (name suffix -> columns); Datasette hides them.
FTS5_SHADOW = {"data": ("id", "block"), "idx": ("segid", "term", "pgno"), "docsize": ("id", "sz"), "config": ("k", "v")}


class MetadataError(BuildError):
    """datasette_metadata.yml is not valid YAML, has the wrong shape, or names something the
    database does not have; str() gives file:line, the problem and the fix."""


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


def build_metadata(config: BuildConfig, tables: Iterable[Table], views: Iterable[View]) -> dict[str, Any]:
    """The merged metadata; raises MetadataError (located) before anything is written."""
    hand_written = config.datasette.metadata
    written = hand_written.data
    where = _Locator(hand_written.path.name, hand_written.text)
    generated = generated_tables(tables, views)
    _mapping(where, written, ("databases", DATABASE))  # each level a mapping, or a located error
    hand_tables = _mapping(where, written, ("databases", DATABASE, "tables"))
    for name, entry in hand_tables.items():
        if name not in generated:
            raise MetadataError(f"{where(('databases', DATABASE, 'tables', name))}: no such table or view in the "
                                f"database. Fix: use one of {', '.join(sorted(generated))}")
        columns = _mapping(where, written, ("databases", DATABASE, "tables", name, "columns"))
        unknown = sorted(set(columns) - set(generated[name]["columns"]))
        if unknown:
            raise MetadataError(f"{where(('databases', DATABASE, 'tables', name, 'columns', unknown[0]))}: no column "
                                f"{', '.join(unknown)}. Fix: use one of {', '.join(generated[name]['columns'])}")
    for name, query in _mapping(where, written, ("databases", DATABASE, "queries")).items():
        if not isinstance(query, (dict, str)) or (isinstance(query, dict) and not isinstance(query.get("sql"), str)):
            raise MetadataError(f"{where(('databases', DATABASE, 'queries', name))}: a canned query needs `sql:`. "
                                "Fix: give the query's SQL as text under `sql:`")
    release = config.datasette.release
    shown = {"about": f"Evidence release {release}", "about_url": f"{written.get('source_url', '').rstrip('/')}/releases/tag/{release.version}"} if release else {}
    return merge({"databases": {DATABASE: {"tables": generated}}} | shown, written)


def canned_queries(metadata: Mapping[str, Any]) -> dict[str, str]:
    """name -> SQL of each canned query, for checking against the database before it is published."""
    queries = metadata.get("databases", {}).get(DATABASE, {}).get("queries") or {}
    return {name: q if isinstance(q, str) else q["sql"] for name, q in queries.items()}


def check_queries(db: sqlite3.Connection, metadata: Mapping[str, Any], source: HandWritten) -> None:
    """Prepare every canned query on the new database (nothing runs): a typo in a table or column
    name is a located MetadataError, not a broken page on the published Datasette."""
    where = _Locator(source.path.name, source.text)
    for name, sql in canned_queries(metadata).items():
        params = {p: None for p in re.findall(r"(?<!:):([a-zA-Z_][a-zA-Z0-9_]*)", sql)}
        try:
            db.execute("EXPLAIN " + sql, params)
        except sqlite3.Error as exc:
            raise MetadataError(f"{where(('databases', DATABASE, 'queries', name))}: canned query '{name}' does not run "
                                f"on the database ({exc}). Fix: correct its SQL (tables and columns: see metadata.json)") from None


def write_metadata_file(target: Path, metadata: Mapping[str, Any]) -> None:
    target.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _mapping(where: "_Locator", data: Any, keys: tuple[str, ...]) -> Mapping[str, Any]:
    """data[k1][k2]…, each a mapping (a missing or empty one is {})."""
    for depth in range(len(keys) + 1):
        if data is None:
            return {}
        if not isinstance(data, Mapping):
            raise MetadataError(f"{where(keys[:depth])}: expected a group of settings, got {type(data).__name__}. "
                                f"Fix: indent the keys of `{keys[depth - 1] if depth else 'the file'}` under it")
        if depth < len(keys):
            data = data.get(keys[depth])
    return data


class _Locator:
    """file:line of a key path in a YAML text (the line of its key; line 1 if not found)."""

    def __init__(self, name: str, text: str):
        self.name = name
        try:
            self.root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            self.root = None

    def __call__(self, keys: tuple[str, ...]) -> str:
        node, line = self.root, 1
        for key in keys:
            if not isinstance(node, yaml.MappingNode):
                break
            found = next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        return f"{self.name}:{line}: {'.'.join(keys)}" if keys else f"{self.name}:{line}"
