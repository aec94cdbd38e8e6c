"""Errors a build reports to people, and the one that says a bug is ours.

`BuildError`: something the user can fix (a typo in mkdocs.yml or datasette_metadata.yml,
MkDocs refusing the site); str() is the whole message, `file:line: problem. Fix: hint`.
`BuildBug`: the evidence linted clean and still an output could not be made (an SQLite
integrity or syntax error); str() names the table and the entry, and says it is our bug.
"""

from __future__ import annotations

import yaml


class BuildError(Exception):
    """A problem with the user's input or configuration, with a message meant for people."""


class BuildBug(Exception):
    """An output could not be made from evidence that passed lint: a bug in whatworks."""


def yaml_error(path: str, exc: yaml.YAMLError) -> BuildError:
    """A located BuildError for a file that is not valid YAML."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else path
    problem = getattr(exc, "problem", None) or str(exc)
    return BuildError(f"{where}: invalid YAML: {problem}. Fix: check indentation, colons and quotes near this line")
