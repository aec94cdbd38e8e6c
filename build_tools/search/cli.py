"""`whatworks search QUERY`: ranked, fielded, typo-tolerant search from the command line.

The search itself is the plugin package's (datasette_whatworks_search); this module reads options and prints.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import click

from datasette_whatworks_search import FACET_REPORT, SearchError, SearchIndex, SearchResult

FILTER_OPTIONS = (("types", "type"), ("settings", "setting"), ("outcomes", "outcome"), ("priority_areas", "priority_area"))


@click.command("search")
@click.argument("query", nargs=-1)
@click.option("--type", "types", multiple=True, type=click.Choice(["approach", "programme", "study"]),
              help="Only entries of this type (repeatable: any of them).")
@click.option("--setting", "settings", multiple=True, metavar="ID", help="Only entries in this setting, e.g. pru (repeatable).")
@click.option("--outcome", "outcomes", multiple=True, metavar="ID", help="Only entries on this outcome, e.g. exclusion (repeatable).")
@click.option("--priority-area", "priority_areas", multiple=True, metavar="ID",
              help="Only entries in this VRU priority area (repeatable).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(0, 10_000), help="How many results to show.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: results, facets, suggestion, total.")
@click.option("--index", "index_dir", default="_build/search", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The search index folder.")
def search_command(query: tuple[str, ...], types, settings, outcomes, priority_areas, limit: int, as_json: bool,
                   index_dir: Path) -> None:
    """Search the evidence. QUERY uses Whoosh syntax: plain words rank entries;
    field:value must hold (setting:pru outcome:exclusion type:study band:harmful level:5);
    NOT or a leading - excludes; "quotes" make a phrase; AND / OR combine.

    \b
    Examples:
      whatworks search mentoring for excluded pupils
      whatworks search setting:pru outcome:exclusion mentoring
      whatworks search knife crime --type programme --json
    """
    text = " ".join(query)
    options = {"types": types, "settings": settings, "outcomes": outcomes, "priority_areas": priority_areas}
    try:
        with SearchIndex(index_dir) as ix:
            filters = {facet: options[name] for name, facet in FILTER_OPTIONS if options[name]}
            _check_filters(ix, filters)
            result = ix.search(text, filters, limit=limit)
    except SearchError as exc:
        click.echo(f"whatworks search: {exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        _print_text(result)


def _check_filters(ix: SearchIndex, filters: dict[str, tuple[str, ...]]) -> None:
    for facet, values in filters.items():
        known = ix.values(facet)
        for value in values:
            if value.lower() not in known:
                option = "--" + facet.replace("_", "-")
                raise SearchError(f"{option}: no entry has {facet.replace('_', ' ')} '{value}'. Fix: use one of {', '.join(known)}")


def _print_text(result: SearchResult) -> None:
    shown = len(result.results)
    asked = result.suggestion if result.corrected else result.query
    if result.corrected:
        click.echo(f'No results for "{result.query}"; showing results for "{result.suggestion}".')
    what = f'"{asked}"' if asked.strip() else "everything"
    click.echo(f"{result.total} {'entry' if result.total == 1 else 'entries'} match {what}"
               + (f" (showing {shown})" if shown < result.total else ""))
    if result.suggestion and not result.corrected:
        click.echo(f"Did you mean: {result.suggestion}")
    for n, row in enumerate(result.results, 1):
        click.echo(f"\n{n:>2}. {row['name']}  [{row['type']}: {row['id']}]  score {row['score']:g}")
        click.echo("    " + _styled(str(row["snippet"])))
    if result.total:
        click.echo("\nFacets:")
        for name in FACET_REPORT:
            counts = result.facets[name]
            if counts:
                click.echo(f"  {name}: " + ", ".join(f"{value} {count}" for value, count in counts.items()))


def _styled(snippet: str) -> str:
    """Snippet HTML to terminal text: matches in bold (click drops the styling when piped)."""
    parts = re.split(r"<mark>(.*?)</mark>", snippet)
    return "".join(click.style(html.unescape(p), bold=True) if i % 2 else html.unescape(p) for i, p in enumerate(parts))
