"""Schema layer: turn one file's data into a model, or into located, fixable problems."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from .load import Loaded, field_name
from .models import HTTPS, URL_PATTERN
from .problems import Problem


def check_model(loaded: Loaded, model: type[BaseModel]) -> BaseModel | None:
    """Validate loaded.data against model; append problems to loaded.problems."""
    try:
        return model.model_validate(loaded.data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if not any(loc[: len(bad)] == bad for bad in loaded.bad_locs):  # already reported by the loader
                loaded.problems.append(_problem(loaded, model, err))
        # Reported once: the rule layer skips these values (no "no entry with id 'Bad_Id'" after "not a valid id").
        loaded.bad_locs.update(tuple(err["loc"]) for err in exc.errors(include_url=False) if err["type"] != "missing")
        return None


def _problem(loaded: Loaded, model: type[BaseModel], err: dict[str, Any]) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    name = loc[-1] if loc else ""
    parent = _model_at(model, loc[:-1])
    info = parent.model_fields.get(name) if parent and isinstance(name, str) else None
    desc = (info.description or "").rstrip(".") if info else ""
    got = err.get("input")

    if kind == "extra_forbidden":
        known = list(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
        fix = f"did you mean '{close[0]}'? Otherwise remove it" if close else f"remove it; known fields here: {', '.join(known)}"
        return _at(loaded, loc, f"unknown field '{name}'", fix, key=True, rule="unknown-field")
    if kind == "missing":
        return _at(loaded, loc[:-1], f"required field '{name}' is missing" if name else "required value is missing",
                   f"add `{name}:` ({desc})" if desc else f"add `{name}:`", field=field_name(loc), rule="missing-field")
    if kind == "string_pattern_mismatch" and err["ctx"]["pattern"] == URL_PATTERN and not got.startswith(HTTPS):
        return _at(loaded, loc, f"'{got}' is not an https:// URL", "use the page's https:// address", rule="not-https")
    if kind == "string_pattern_mismatch":
        if _is_slug(err):
            return _at(loaded, loc, f"'{got}' is not a valid id", "use lowercase letters, digits and single hyphens, e.g. 'school-mentoring'", rule="invalid-id")
        if name == "doi":
            return _at(loaded, loc, f"'{got}' is not a DOI", "write the bare DOI, e.g. 10.1126/science.1257809 (no https://doi.org/)", rule="invalid-doi")
        return _at(loaded, loc, f"'{got}' has the wrong form", "remove spaces and line breaks", rule="wrong-form")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type", "date_from_datetime_inexact") and got is not None:
        return _at(loaded, loc, f"'{got}' is not a date", "write the date as YYYY-MM-DD, e.g. 2026-11-26", rule="invalid-date")
    if kind == "string_too_short":
        return _at(loaded, loc, f"text is too short (at least {err['ctx']['min_length']} characters)", f"write it out: {desc}" if desc else "fill it in", rule="text-too-short")
    if kind == "string_too_long":
        return _at(loaded, loc, f"text is {len(got)} characters, over the limit of {err['ctx']['max_length']}", "shorten it; put detail in `description`" if name == "summary" else "shorten it", rule="text-too-long")
    if kind == "too_short":
        return _at(loaded, loc, "list is empty", f"add at least one value ({desc})" if desc else "add at least one value", rule="empty-list")
    if got is None and kind in ("string_type", "literal_error", "int_type", "float_type", "bool_type", "tuple_type", "model_type", "date_type"):
        return _at(loaded, loc, "value is empty", f"fill it in: {desc}" if desc else "fill it in, or remove the line", rule="empty-value")
    if kind == "string_type":
        return _at(loaded, loc, f"expected text, got {_kind(got)}", "write text here; quote it if it looks like a number, date or yes/no", rule="wrong-type")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _at(loaded, loc, f"expected a whole number, got {_show(got)}", "write digits only, e.g. 120", rule="wrong-type")
    if kind in ("float_parsing", "float_type"):
        return _at(loaded, loc, f"expected a number, got {_show(got)}", "write a plain number such as -21 or 0.49 (no % sign or words)", rule="wrong-type")
    if kind in ("bool_parsing", "bool_type"):
        return _at(loaded, loc, f"expected true or false, got {_show(got)}", "write true or false", rule="wrong-type")
    if kind in ("tuple_type", "list_type"):
        fix = "write it as a list in brackets: [value, value]" if isinstance(name, int) else f"write it as a list: `{name}: [value]` or one `- value` per line"
        return _at(loaded, loc, f"expected a list, got {_kind(got)}", fix, rule="wrong-type")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _at(loaded, loc, f"expected a group of fields, got {_kind(got)}", f"indent the fields of `{name}` under it" if name else "see the template", rule="wrong-type")
    if kind == "literal_error":
        return _at(loaded, loc, f"'{got}' is not allowed", f"use one of: {err['ctx']['expected']}", rule="not-allowed-value")
    if kind == "finite_number":
        return _at(loaded, loc, f"{_show(got)} is not a finite number", "write a finite number, or leave the field out", rule="non-finite-number")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _at(loaded, loc, f"{_show(got)} is out of range ({err['msg'].lower()})", "check the figure against its source", rule="out-of-range")
    return _at(loaded, loc, err["msg"].lower(), f"see the field's description: {desc}" if desc else "see the template in evidence/_template/", rule="invalid-value")


def _is_slug(err: dict[str, Any]) -> bool:
    return "a-z0-9" in str(err.get("ctx", {}).get("pattern", ""))


def _at(loaded: Loaded, loc: tuple, message: str, fix: str, key: bool = False, field: str | None = None, rule: str = "") -> Problem:
    line, col = loaded.mark(loc, key=key)
    return Problem(loaded.path, line, col, field_name(loc) if field is None else field, message, fix, rule)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    if value is None:
        return "nothing"
    return f"'{value}'"


def _show(value: Any) -> str:
    return _kind(value) if not isinstance(value, str) else f"'{value}'"


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that holds the field at loc (descends through lists and optionals)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        current = _unwrap(current)
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return None
        current = current.model_fields[part].annotation
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """tuple[X, ...] / X | None / Annotated[X, …] -> X (first model found)."""
    for _ in range(5):
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (tuple, list):
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else args[0]
        else:
            break
    return annotation
