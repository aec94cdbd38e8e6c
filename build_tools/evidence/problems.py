"""A problem found in the evidence, and the three ways `whatworks lint` prints it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int  # 1-based; 0 for problems with the whole file
    col: int
    field: str  # dotted field path, e.g. "ratings[0].url"; "" when not about one field
    message: str
    fix: str

    def text(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}. Fix: {self.fix}"

    def github(self) -> str:
        # Workflow commands need %, CR and LF escaped in the message part.
        msg = (f"{self.field}: " if self.field else "") + f"{self.message}. Fix: {self.fix}"
        msg = msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        loc = f"file={self.path}" + (f",line={self.line},col={self.col}" if self.line else "")
        return f"::error {loc}::{msg}"


def render(problems: list[Problem], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([asdict(p) for p in problems], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(p.github() for p in problems)
    return "\n".join(p.text() for p in problems)
