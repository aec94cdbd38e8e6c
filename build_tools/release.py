"""Which release of the evidence a build is: CITATION.cff's `version` and `date-released`.

The one source that the site ("cite this page"), the Datasette metadata and the release
workflow (which refuses a tag that differs) all read. A release is cut by setting both in a
pull request, then pushing the tag `evidence-YYYY.MM` (see REVIEWING.md)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

CITATION = "CITATION.cff"
VERSION = re.compile(r"^evidence-(\d{4})\.(\d{2})$")


class ReleaseError(ValueError):
    """CITATION.cff does not name a release this project can publish; str() says how to fix it."""


@dataclass(frozen=True)
class Release:
    version: str  # e.g. evidence-2026.12, also the git tag
    date: dt.date

    def __str__(self) -> str:
        return f"{self.version} ({self.date.isoformat()})"


def read_release(repo: Path) -> Release | None:
    """The release named in repo/CITATION.cff, or None where there is no such file."""
    path = Path(repo) / CITATION
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{CITATION}:{mark.line + 1}:{mark.column + 1}" if mark else CITATION
        raise ReleaseError(f"{where}: not valid YAML. Fix: check the indentation and quoting there") from None
    version, date = str(data.get("version", "")), data.get("date-released")
    match = VERSION.match(version)
    if not match:
        raise ReleaseError(f"{CITATION}: version: {version!r} is not a release name. Fix: use evidence-YYYY.MM, e.g. evidence-2027.01")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            date = None
    if not isinstance(date, dt.date):
        raise ReleaseError(f"{CITATION}: date-released: missing or not a date. Fix: give the release day as YYYY-MM-DD")
    if (date.year, date.month) != (int(match.group(1)), int(match.group(2))):
        raise ReleaseError(f"{CITATION}: date-released {date.isoformat()} is not in the month of version {version}. "
                           "Fix: set both to the release being cut")
    return Release(version, date)
