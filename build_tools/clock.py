"""The one clock. Everything that needs "today" (future-date checks, `whatworks new`) asks
here, so tests, CI and reproducible rebuilds can set it: `whatworks --today 2026-11-26 …` or
WHATWORKS_TODAY=2026-11-26. The option sets the variable, so child processes agree."""

from __future__ import annotations

import datetime as dt
import os

ENV = "WHATWORKS_TODAY"


class ClockError(ValueError):
    """WHATWORKS_TODAY holds something that is not a date."""


def today() -> dt.date:
    value = os.environ.get(ENV, "").strip()
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ClockError(f"{ENV}={value!r}: not a date. Fix: use YYYY-MM-DD, or unset {ENV}") from None
