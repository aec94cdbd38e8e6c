"""`whatworks new approach|programme|study "Name"`: start an entry from its annotated template.

The new file keeps the template's comments (they explain every field) and its
`yaml-language-server` line (editor autocompletion). Only the id, name and review dates
are filled in; every other required value stays empty, so `whatworks lint` names each
one until the contributor fills it. The command then prints that same list, with the
allowed values for vocabulary fields, so the next step is obvious.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import tempfile
import typing
import unicodedata
from pathlib import Path

import click
from pydantic import BaseModel

from .. import clock
from ..atomic import published_mode
from .load import read_yaml
from .kinds import BY_NAME
from .models import vocabulary_of
from .schema_check import check_model

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class NewEntryError(Exception):
    """A refusal the contributor can act on: message and fix, printed lint-style."""

    def __init__(self, where: str, message: str, fix: str):
        super().__init__(f"{where}: {message}. Fix: {fix}")


def slugify(name: str, max_length: int = 80) -> str:
    """'Ça va: Youth & Families (2024)' -> 'ca-va-youth-families-2024'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if len(slug) > max_length:  # cut at a word boundary so the id stays readable
        slug = slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug


def fill_template(template: str, kind: str, entry_id: str, name: str, today: dt.date) -> str:
    """The template with id, name and review dates filled; everything else left for the contributor."""
    header = (f"# A new {kind}, started from evidence/_template/{kind}.yml by `whatworks new`.\n"
              "# CONTRIBUTING.md walks through filling it in.\n")
    text, n = re.subn(r"^# TEMPLATE FOR .*?walks through it\.\n", header, template, count=1, flags=re.M | re.S)
    for pattern, value in (
        (r'^id: ""$', f"id: {entry_id}"),
        (r'^name: ""$', f"name: {json.dumps(name, ensure_ascii=False)}"),  # a JSON string is a valid YAML double-quoted one
        (r'^  last_reviewed: ""$', f"  last_reviewed: {today.isoformat()}"),
        (r'^  next_review_due: ""$', f"  next_review_due: {_a_year_after(today).isoformat()}"),
    ):
        text, n = re.subn(pattern, lambda _m, v=value: v, text, count=1, flags=re.M)
        if n != 1:
            raise NewEntryError(f"evidence/_template/{kind}.yml", f"the template has no line matching {pattern}",
                                "restore the template from git (git checkout -- evidence/_template/)")
    return text


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def new_entry(evidence: Path, kind: str, name: str, today: dt.date, entry_id: str | None = None) -> Path:
    """Write evidence/<kind>s/<id>.yml from the template and return its path. Never overwrites."""
    evidence = Path(evidence)
    folder = BY_NAME[kind].folder
    name = " ".join(name.split())
    if not name:
        raise NewEntryError("name", "the name is empty", 'give the name in quotes, e.g. whatworks new programme "Youth Club Plus"')
    entry_id = entry_id or slugify(name)
    if not _SLUG.match(entry_id) or len(entry_id) > 80:
        raise NewEntryError("id", f"'{entry_id}' is not a valid id",
                            "use lowercase letters, digits and single hyphens (pass --id, e.g. --id youth-club-plus)")
    template_path = evidence / "_template" / f"{kind}.yml"
    try:
        template = template_path.read_text(encoding="utf-8")
    except OSError:
        raise NewEntryError(display(template_path), "template not found",
                            "run from the repository root or pass --evidence") from None
    target = evidence / folder / f"{entry_id}.yml"
    for other_folder in (k.folder for k in BY_NAME.values()):
        other = evidence / other_folder / f"{entry_id}.yml"
        if other.exists():
            if other == target:
                raise NewEntryError(display(target), "already exists",
                                    "edit that file, or choose another name or --id for the new entry")
            raise NewEntryError(display(target), f"the id '{entry_id}' is already used by {display(other)}",
                                "ids are unique across approaches, programmes and studies; choose another --id")
    text = fill_template(template, kind, entry_id, name, today)
    _write_new(target, text)
    return target


def _write_new(target: Path, text: str) -> None:
    """Write whole or not at all, and never replace a file that appeared meanwhile."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        published_mode(Path(tmp))  # mkstemp makes it 0600; an entry is an ordinary file
        os.link(tmp, target)  # fails if target exists, unlike rename
    except FileExistsError:
        raise NewEntryError(display(target), "already exists", "edit that file, or choose another name or --id") from None
    finally:
        os.unlink(tmp)


def still_to_fill(path: Path, kind: str, evidence: Path) -> list[str]:
    """One line per value the new file still needs: where it is and what goes there."""
    model = BY_NAME[kind].model
    loaded = read_yaml(path, display(path))
    if loaded.data is not None:
        check_model(loaded, model)
    lines = []
    for problem in sorted(loaded.problems):
        lines.append(f"  line {problem.line:<4} {problem.field}: {_what_goes_here(model, problem.field, evidence)}")
    return lines


def _what_goes_here(model: type[BaseModel], field_path: str, evidence: Path) -> str:
    parts = [re.sub(r"\[\d+\]$", "", part) for part in field_path.split(".")]
    annotation, description, vocab = _field_info(model, parts)
    terms = _vocabulary_ids(evidence, vocab) if vocab else []
    if terms:
        many = typing.get_origin(annotation) in (tuple, list)
        return f"{'one or more of' if many else 'one of'}: {', '.join(terms)}"
    return description


def _field_info(model: type[BaseModel], parts: list[str]) -> tuple[typing.Any, str, str | None]:
    """(annotation, description, vocabulary) of the field at `parts`."""
    current: typing.Any = model
    annotation: typing.Any = None
    description, vocab = "", None
    for part in parts:
        current = _model_in(current)
        if current is None or part not in current.model_fields:
            return None, "see the comment above it in the file", None
        info = current.model_fields[part]
        annotation, description, vocab = info.annotation, (info.description or "").rstrip("."), vocabulary_of(info)
        current = annotation
    return annotation, description, vocab


def _model_in(annotation: typing.Any) -> type[BaseModel] | None:
    """The model inside `X`, `X | None` or `tuple[X, ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found:
            return found
    return None


def _vocabulary_ids(evidence: Path, vocab: str) -> list[str]:
    loaded = read_yaml(evidence / "vocabularies" / f"{vocab}.yml", vocab)
    terms = loaded.data.get("terms") if isinstance(loaded.data, dict) else None
    return [t["id"] for t in terms or () if isinstance(t, dict) and isinstance(t.get("id"), str)]


def display(path: Path) -> str:
    rel = os.path.relpath(path)
    return Path(rel).as_posix() if not rel.startswith("..") else Path(path).as_posix()


@click.command("new")
@click.argument("kind", type=click.Choice(list(BY_NAME)))
@click.argument("name")
@click.option("--id", "entry_id", help="Use this id (and file name) instead of one made from the name.")
@click.option("--evidence", default="evidence", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="The evidence folder.")
def new_command(kind: str, name: str, entry_id: str | None, evidence: Path) -> None:
    """Start a new entry from the annotated template, e.g. whatworks new programme "Youth Club Plus".

    Writes evidence/<kind>s/<id>.yml (the id is made from the name) and lists what to fill in.
    Never overwrites an existing file.
    """
    try:
        path = new_entry(evidence, kind, name, clock.today(), entry_id)
    except NewEntryError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    folder = BY_NAME[kind].folder
    entry = path.stem
    click.echo(f"Created {display(path)}")
    todo = still_to_fill(path, kind, evidence)
    if todo:
        click.echo("\nFill in next (the comment above each line in the file explains it):")
        click.echo("\n".join(todo))
    click.echo(f"\nThen check it:   whatworks lint {display(path)}")
    click.echo(f"and preview it:  make serve   (then open http://127.0.0.1:8000/{folder}/{entry}.html)")
