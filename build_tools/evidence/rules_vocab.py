"""Rules for vocabulary files: ids that are safe as database names, unique terms, known impact
bands, and effect types whose ranges and number formats make sense."""

from __future__ import annotations

import math
import re

from .load import Loaded, field_name
from .vocabulary_models import Vocabulary
from .problems import Problem
from .rules_honesty import check_design_terms
from .rules_text import check_values

# Each vocabulary becomes a lookup table named after its id ('-' -> '_'), beside the build's own
# tables. These names and prefixes are the build's (link tables are <kind>_<field>); tests check
# that every table and view the database has is covered, so a new table cannot be shadowed.
BUILD_TABLES = frozenset({
    "approaches", "programmes", "studies", "ratings", "findings", "references", "vocabularies", "entries", "excluded",
    "evidence_gap_map", "ratings_crosswalk", "ratings_side_by_side", "related_entries", "source_impact_labels",
})
BUILD_PREFIXES = ("approach_", "programme_", "study_", "rating_", "finding_", "source_", "entry_", "sqlite_")
FTS_SUFFIX = "_fts"
_FTS = re.compile(f".*{FTS_SUFFIX}(_.*)?$")  # FTS5 tables and their shadow tables
# Columns of the ratings_side_by_side view beside the one-per-source columns.
SIDE_BY_SIDE_COLUMNS = frozenset({"entry", "entry_type", "entry_name"})
SOURCES = "sources"  # the vocabulary whose term ids become ratings_side_by_side columns
FORMAT_PLACEHOLDER = "{v}"  # where an effect type's `format` puts the number


def reserved_table(name: str) -> bool:
    return name in BUILD_TABLES or name.startswith(BUILD_PREFIXES) or bool(_FTS.match(name))


def check_vocabulary(loaded: Loaded, voc: Vocabulary, stem: str, bands: set[str]) -> None:
    if voc.id != stem:
        _problem(loaded, ("id",), f"id '{voc.id}' does not match the file name '{stem}.yml'", f"set `id: {stem}` or rename the file", "id-mismatch")
    elif reserved_table(voc.id.replace("-", "_")):
        _problem(loaded, ("id",), f"'{voc.id}' is the name of one of the database's own tables", "rename the vocabulary (file and id)", "unsafe-sql-name")
    seen: set[str] = set()
    for i, term in enumerate(voc.terms):
        if term.id in seen:
            _problem(loaded, ("terms", i, "id"), f"term '{term.id}' is listed twice", "remove one of them", "duplicate-term")
        seen.add(term.id)
        if voc.id == SOURCES and term.id.replace("-", "_") in SIDE_BY_SIDE_COLUMNS:
            _problem(loaded, ("terms", i, "id"), f"source id '{term.id}' would clash with a column of ratings_side_by_side",
                     "choose another id", "unsafe-sql-name")
        for label, band in (term.impact_labels or {}).items():
            if band is not None and bands and band not in bands:
                _problem(loaded, ("terms", i, "impact_labels", label), f"unknown impact band '{band}'", f"use one of: {', '.join(sorted(bands))}, or null", "unknown-term")
        _check_range(loaded, ("terms", i), term)
    check_design_terms(lambda loc, message, fix, rule: _problem(loaded, loc, message, fix, rule), voc)
    check_values(loaded)


def _check_range(loaded: Loaded, loc: tuple, term) -> None:
    """An effect type's `min`/`max`/`no_effect` and `format` (see models.Term)."""
    low = -math.inf if term.min is None else term.min
    high = math.inf if term.max is None else term.max
    if low >= high:
        _problem(loaded, loc + ("max",), f"max {high:g} is not above min {low:g}", "swap them", "out-of-range")
    elif term.no_effect is not None and not low <= term.no_effect <= high:
        _problem(loaded, loc + ("no_effect",), f"no_effect {term.no_effect:g} is outside min to max ({low:g} to {high:g})", "check the figures", "out-of-range")
    if term.format is not None and term.format.count(FORMAT_PLACEHOLDER) != 1:
        _problem(loaded, loc + ("format",), f"format '{term.format}' must hold {{v}} once, where the number goes", "write it like '{v}%' or 'odds ratio {v}'", "wrong-form")


def _problem(loaded: Loaded, loc: tuple, message: str, fix: str, rule: str) -> None:
    line, col = loaded.mark(loc)
    loaded.problems.append(Problem(loaded.path, line, col, field_name(loc), message, fix, rule))
