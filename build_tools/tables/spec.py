"""The shape of a database table, shared by the database, its metadata and the CSV exports.

Every column carries its description here, taken from the pydantic field it comes from
(`doc(Model, "field")`) or written once for derived columns, so the Datasette metadata and
the Frictionless datapackage describe exactly the columns that were written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

# Frictionless field type -> SQLite column type (sqlite-utils accepts Python types)
SQL_TYPES: dict[str, type] = {"string": str, "date": str, "array": str, "integer": int, "boolean": int, "number": float}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Frictionless type: string, integer, number, boolean, date, array
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[dict[str, Any]]]
    pk: tuple[str, ...] = ("id",)
    foreign_keys: tuple[tuple[str, str], ...] = ()  # (column, other table); always references other.id
    fts: tuple[str, ...] = ()  # columns indexed for full-text search (FTS5, porter stemming)
    indexes: tuple[str, ...] = ()  # facet columns, indexed so facet counts stay fast
    label_column: str | None = None
    facets: tuple[Any, ...] = field(default=())
    sort: str | None = None
    sort_desc: str | None = None

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def doc(model: type[BaseModel], name: str) -> str:
    """The field's description in the models: the one source of truth for what a field means."""
    description = model.model_fields[name].description
    if not description:  # pragma: no cover - models.py describes every field
        raise ValueError(f"{model.__name__}.{name} has no description")
    return description


def table_name(vocabulary_id: str) -> str:
    return vocabulary_id.replace("-", "_")


def quote_name(name: str) -> str:
    """An identifier for SQL text we write ourselves, quoted as sqlite-utils quotes its own."""
    return '"' + name.replace('"', '""') + '"'


def quote_text(value: str) -> str:
    """A string literal for SQL text we write ourselves."""
    return "'" + value.replace("'", "''") + "'"


def as_json(values: Iterable[Any]) -> str:
    """JSON array text, compact and stable, for Datasette's array facets."""
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def as_date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def as_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)
