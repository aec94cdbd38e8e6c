"""Downloads for researchers who do not use SQLite: _build/exports/.

- one CSV per database table (same columns and rows as evidence.db, from the same specs),
- corpus.json: the whole validated corpus as JSON,
- datapackage.json: a Frictionless Tabular Data Package describing the CSVs (field types,
  descriptions from the models, primary and foreign keys),
- schema/*.schema.json: the JSON Schemas of the YAML entries.

The folder is written whole to a temp folder and swapped into place.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from .atomic import atomic_dir
from .config import BuildConfig
from .release import Release
from .evidence.corpus import Corpus
from .tables.spec import Table
from .tables.catalogue import all_tables
from .evidence.editor_schema import json_schemas

DATA_LICENSE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/"}


def build_exports(corpus: Corpus, config: BuildConfig, out_dir: Path) -> Path:
    target = Path(out_dir) / "exports"
    tables = all_tables(corpus)
    with atomic_dir(target) as tmp:
        for table in tables:
            (tmp / f"{table.name}.csv").write_bytes(table_csv(table).encode("utf-8"))
        _write_json(tmp / "corpus.json", corpus_json(corpus))
        _write_json(tmp / "datapackage.json", datapackage(tables, config.release))
        (tmp / "schema").mkdir()
        for name, text in json_schemas(corpus).items():
            (tmp / "schema" / name).write_bytes(text.encode("utf-8"))
    return target


def _write_json(path: Path, data: Any) -> None:
    path.write_bytes((json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def table_csv(table: Table) -> str:
    """RFC 4180 CSV: header row of column names, empty cell for no value, \\r\\n line ends."""
    names = [c.name for c in table.columns]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in table.rows():
        writer.writerow(["" if row.get(n) is None else row[n] for n in names])
    return buffer.getvalue()


def corpus_json(corpus: Corpus) -> dict[str, Any]:
    def dump(items: Any) -> list[dict[str, Any]]:
        return [item.model_dump(mode="json") for item in items]

    return {
        "vocabularies": dump(corpus.vocabularies.values()),
        "approaches": dump(corpus.approaches),
        "programmes": dump(corpus.programmes),
        "studies": dump(corpus.studies),
        "excluded": dump(corpus.excluded),
        "files": dict(corpus.files),
    }


def _field(column: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"name": column.name, "type": column.type, "description": column.description}
    if column.type == "boolean":
        field |= {"trueValues": ["1"], "falseValues": ["0"]}
    return field


def datapackage(tables: list[Table], release: Release | None = None) -> dict[str, Any]:
    resources = []
    for table in tables:
        schema: dict[str, Any] = {
            "fields": [_field(c) for c in table.columns],
            "missingValues": [""],
            "primaryKey": list(table.pk),
        }
        if table.foreign_keys:
            schema["foreignKeys"] = [{"fields": [column], "reference": {"resource": other, "fields": ["id"]}}
                                     for column, other in table.foreign_keys]
        resources.append({
            "name": table.name, "path": f"{table.name}.csv", "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "description": table.description, "schema": schema,
        })
    # Frictionless's `version` and `created` name the release a researcher cites (CITATION.cff).
    cited = {"version": release.version, "created": f"{release.date.isoformat()}T00:00:00Z"} if release else {}
    return {
        "profile": "tabular-data-package",
        "name": "whatworks-evidence",
        **cited,
        "title": "What works — violence prevention and alternative provision evidence",
        "description": "Approaches, programmes, studies, findings and clearinghouse ratings for London's Violence "
                       "Reduction Unit, as CSV tables. The same tables are in evidence.db (SQLite).",
        "licenses": [DATA_LICENSE],
        "resources": resources,
    }
