"""JSON Schemas for editors, generated from the models (and the vocabularies, so editors can
autocomplete allowed values), with lint's single-file rules added (schema_rules.py). Checked in
under schema/; a test fails when they drift."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from ..atomic import write_text
from .corpus import Corpus
from .kinds import KINDS
from .models import Approach, ExcludedList, Programme, Study, part_models, vocabulary_fields
from .vocabulary_models import SynonymList, Vocabulary
from .rules_synonyms import SYNONYMS_STEM
from .schema_rules import add_lint_rules

SCHEMAS = {"approach": Approach, "programme": Programme, "study": Study, "vocabulary": Vocabulary, "excluded": ExcludedList,
           "synonyms": SynonymList}
# evidence/<folder>/*.yml -> schema name (and evidence/excluded.yml -> "excluded")
FOLDER_SCHEMAS = {**{k.folder: k.name for k in KINDS}, "vocabularies": "vocabulary"}


def schema_for(path: str) -> str | None:
    """The schema file name for a file, by its path under evidence/; None for files lint would
    not read (unknown folders)."""
    parts = PurePosixPath(path).parts
    if parts == ("excluded.yml",):
        return "excluded.schema.json"
    if parts[0] == "vocabularies" and PurePosixPath(path).stem == SYNONYMS_STEM:
        return "synonyms.schema.json"
    if len(parts) == 2 and parts[0] in FOLDER_SCHEMAS and parts[1].endswith((".yml", ".yaml")):
        return f"{FOLDER_SCHEMAS[parts[0]]}.schema.json"
    return None


def json_schemas(corpus: Corpus | None) -> dict[str, str]:
    """file name -> JSON text. With a corpus, vocabulary-backed fields list their allowed values."""
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        if corpus is not None:
            _add_enums(schema, model, corpus)
        add_lint_rules(schema, model, corpus)
        out[f"{name}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def _add_enums(schema: dict, model: type, corpus: Corpus) -> None:
    """Vocabulary-backed fields (the model field names its vocabulary) list the allowed term ids,
    in the schema itself and in the $defs of its parts."""
    def allowed(vocab: str) -> list[str]:
        return [t.id for t in corpus.vocabularies[vocab].terms] if vocab in corpus.vocabularies else []

    todo, seen = [(model, schema)], set()
    while todo:
        current, where = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for field, vocab in vocabulary_fields(current).items():
            prop = where.get("properties", {}).get(field)
            if prop:
                _set_enum(prop, allowed(vocab))
                prop.pop("vocabulary", None)
        todo.extend((part, schema.get("$defs", {}).get(part.__name__, {})) for part in part_models(current).values())


def _set_enum(prop: dict, values: list[str]) -> None:
    target = prop.get("items", prop)
    target.pop("pattern", None)
    target["enum"] = values


def write_schemas(corpus: Corpus | None, out_dir: Path) -> list[Path]:
    written = []
    for name, text in json_schemas(corpus).items():
        path = Path(out_dir) / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_text(path, text)
        written.append(path)
    return written
