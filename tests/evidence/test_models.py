"""The models are the single source of field names and descriptions; schema/ must match them."""

from __future__ import annotations

import typing

from pydantic import BaseModel

from build_tools.evidence import models
from build_tools.evidence.editor_schema import SCHEMAS, json_schemas
from conftest import REPO


def _all_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    todo = list(SCHEMAS.values())
    while todo:
        model = todo.pop()
        if model in found:
            continue
        found.add(model)
        for info in model.model_fields.values():
            for arg in _flatten(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    todo.append(arg)
    return found


def _flatten(annotation):
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _flatten(arg)


def test_every_field_has_a_description():
    missing = [f"{m.__name__}.{name}" for m in _all_models() for name, info in m.model_fields.items() if not info.description]
    assert missing == []
    assert {m.__name__ for m in _all_models()} >= {"Approach", "Programme", "Study", "Rating", "Finding", "Review", "Reference", "Term"}


def test_unknown_keys_are_forbidden_everywhere():
    assert [m.__name__ for m in _all_models() if m.model_config.get("extra") != "forbid"] == []


def test_checked_in_schemas_match_models_and_vocabularies(real_corpus):
    """Fails on drift: run `whatworks schema` (or `make schema`) and commit schema/."""
    for name, text in json_schemas(real_corpus).items():
        assert (REPO / "schema" / name).read_text(encoding="utf-8") == text, f"schema/{name} is stale: run `make schema`"


def test_schema_lists_vocabulary_values_for_editors(real_corpus):
    import json

    schema = json.loads(json_schemas(real_corpus)["approach.schema.json"])
    assert "pru" in schema["properties"]["settings"]["items"]["enum"]
    assert schema["$defs"]["Rating"]["properties"]["source"]["enum"][0] == "yef-toolkit"
    assert schema["additionalProperties"] is False
    assert models.Approach.model_fields["summary"].description in json.dumps(schema, ensure_ascii=False)
