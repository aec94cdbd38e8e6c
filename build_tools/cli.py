"""The `whatworks` command line. Heavy commands load their module only when called,
so `whatworks lint` starts fast."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from . import __version__

from . import clock

# command name -> "module:attribute" of a click command, imported on first use
LAZY_COMMANDS = {
    "build": "build_tools.build:build_command",
    "serve": "build_tools.serve.cli:serve_command",
    "search": "build_tools.search.cli:search_command",
    "new": "build_tools.evidence.new:new_command",
    "diff": "build_tools.evidence.diff:diff_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="whatworks")
@click.option("--today", metavar="YYYY-MM-DD", help="Treat this date as today (for tests and reproducible "
              f"rebuilds; also read from {clock.ENV}).")
def cli(today: str | None) -> None:
    """Validate the evidence in evidence/ and build the site, database and search index."""
    if today is not None:
        os.environ[clock.ENV] = today
    try:
        clock.today()
    except clock.ClockError as exc:
        raise click.UsageError(str(exc)) from None


EVIDENCE_OPTION = click.option(
    "--evidence", "evidence", default="evidence", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help="The evidence folder.",
)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@EVIDENCE_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text", show_default=True,
              help="text for people, github for workflow annotations, json for tools.")
def lint(paths: tuple[Path, ...], evidence: Path, fmt: str) -> None:
    """Check the evidence and report every problem, one per line.

    PATHS limits the report to those files or folders (the whole tree is still
    loaded, so references are checked). Exit 0 when clean, 1 when problems are found.
    """
    from .evidence.corpus import load_corpus
    from .evidence.problems import render
    from .progress import counter

    only = _entry_files(paths, evidence) if paths else None
    with counter("Checking evidence", fmt == "text") as tick:
        result = load_corpus(evidence, progress=tick, only=only)
    if result.problems:
        click.echo(render(result.problems, fmt))
    elif fmt == "json":
        click.echo("[]")
    n, m = result.files_checked, len(result.problems)
    summary = f"checked {n} file{'s' * (n != 1)}, found {m} problem{'s' * (m != 1)}"
    click.echo(summary, err=fmt == "json")
    sys.exit(1 if result.problems else 0)


@cli.command()
@EVIDENCE_OPTION
@click.option("--out", default="schema", show_default=True, type=click.Path(file_okay=False, path_type=Path))
def schema(evidence: Path, out: Path) -> None:
    """Regenerate the JSON Schemas in schema/ from the models and vocabularies."""
    from .evidence.corpus import load_corpus
    from .evidence.problems import render
    from .evidence.editor_schema import write_schemas

    result = load_corpus(evidence)
    if result.corpus is None:
        click.echo(render(result.problems, "text"), err=True)
        click.echo("schema not written: fix the problems above first (the schemas list vocabulary values).", err=True)
        sys.exit(1)
    for path in write_schemas(result.corpus, out):
        click.echo(f"wrote {path}")


def _entry_files(paths: tuple[Path, ...], evidence: Path) -> list[Path]:
    """The evidence files PATHS name; a path that names none is a usage error (exit 2), never
    "checked 0 files, found 0 problems"."""
    from .evidence.corpus import evidence_files

    root = evidence.resolve()
    known = {p.resolve() for p in evidence_files(evidence)} if evidence.is_dir() else set()
    files: list[Path] = []
    for path in paths:
        resolved = path.resolve()
        if resolved != root and root not in resolved.parents:
            raise click.UsageError(f"{path} is not inside the evidence folder {evidence}/. Fix: lint files under "
                                   f"{evidence}/, or name the folder with --evidence")
        if "_template" in resolved.relative_to(root).parts:
            raise click.UsageError(f"{path} is a template, which is never loaded as an entry. Fix: copy it into "
                                   f"{evidence}/approaches/, programmes/ or studies/ and lint the copy")
        found = sorted(p for p in known if p == resolved or resolved in p.parents)
        if not found:
            raise click.UsageError(f"{path} holds no evidence file (.yml or .yaml). Fix: name an entry, a "
                                   "vocabulary, excluded.yml or a folder of them")
        files.extend(found)
    return files


def main() -> None:
    """Entry point: no traceback reaches a contributor, even for a bug of ours."""
    try:
        cli(standalone_mode=True)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - last-resort guard; set WHATWORKS_DEBUG=1 to see the traceback
        if os.environ.get("WHATWORKS_DEBUG"):
            raise
        click.echo(f"whatworks: internal error ({type(exc).__name__}: {exc}). Fix: this is a bug in whatworks, "
                   "not in your evidence; please report it with the command you ran.", err=True)
        sys.exit(3)
