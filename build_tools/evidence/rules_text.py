"""Rules for every value of every file (entries, vocabularies, excluded.yml), on the raw data:
text must be safe to publish as written, and no list may repeat a value."""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel

from . import models, vocabulary_models
from .html_policy import refused_html
from .load import Loaded, field_name
from .problems import Problem

URL_FIELDS = {"url", "website"}


def nocase(word: str) -> str:
    """A regex for `word` in any case, without flags (JSON Schema patterns take none)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if len(c.lower()) == len(c.upper()) == 1 and c.lower() != c.upper() else c for c in word)


# Link rules as regexes that Python and ECMAScript read alike (no flags, no \b), searched anywhere
# in a value: lint uses them here and the JSON Schemas as `not: {pattern: …}`. The last group of a
# link pattern is its target. (?=(x))\N is an atomic x: the target starts after any `<`.
_WEB = f"(?:{nocase('http')}[sS]?://)"
LINK_PATTERNS = (
    rf"\]\((?=(\s*<?))\1(?!{_WEB})([^)\s>]+)",  # [text](target)
    rf"(?:^|\n)\s{{0,3}}\[[^\]]+\]:(?=(\s*<?))\1(?!{_WEB})(\S+?)>?(?:\s|$)",  # [label]: target
    rf"<(?!{_WEB})([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>",  # <scheme:target>
)
BAD_SCHEME = "(?<![A-Za-z0-9_])(?:" + "|".join(map(nocase, ("javascript", "vbscript", "data", "file"))) + r")\s*:"
_LINKS = tuple(map(re.compile, LINK_PATTERNS))
_BAD_SCHEME = re.compile(BAD_SCHEME)


def check_values(loaded: Loaded, value: Any = None, loc: tuple = ()) -> None:
    """Text and list rules, walking the whole file (call with the file's data)."""
    if not loc:
        value = loaded.data
    if isinstance(value, dict):
        for key, item in value.items():
            check_values(loaded, item, loc + (key,))
    elif isinstance(value, list):
        _check_repeats(loaded, value, loc)
        for i, item in enumerate(value):
            check_values(loaded, item, loc + (i,))
    elif isinstance(value, str) and (not loc or loc[-1] not in URL_FIELDS) and (":" in value or "<" in value or "]" in value):
        # (the substring test skips the regexes for the great majority of strings)
        _check_text(loaded, value, loc)


def _markdown_fields() -> frozenset[str]:
    """Names of the fields the site renders as Markdown (typed `models.Markdown`), in any model."""
    found = set()
    for model in [*vars(models).values(), *vars(vocabulary_models).values()]:
        if isinstance(model, type) and issubclass(model, BaseModel):
            for name, info in model.model_fields.items():
                if info.annotation == models.Markdown or models.Markdown in typing.get_args(info.annotation) or (
                        info.annotation is str and list(info.metadata) == list(typing.get_args(models.Markdown)[1:])):
                    found.add(name)
    return frozenset(found)


MARKDOWN_FIELDS = _markdown_fields()


def _check_text(loaded: Loaded, value: str, loc: tuple) -> None:
    field = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if "<" in value and refused_html(value, markdown=field in MARKDOWN_FIELDS):
        _problem(loaded, loc, "raw HTML is not allowed", "use Markdown (e.g. **bold**, [text](https://…)) instead of tags", "raw-html")
    bad_links = [match for match in (link.search(value) for link in _LINKS) if match]
    if bad_links:
        target = min(bad_links, key=lambda m: m.start()).groups()[-1]
        scheme = re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target)
        _problem(loaded, loc, f"link to '{scheme.group(0) if scheme else target}' is not a web address", "link only to https:// pages", "unsafe-link")
    elif _BAD_SCHEME.search(value):
        _problem(loaded, loc, "text contains a script or data link", "remove it; link only to https:// pages", "unsafe-link")


def _check_repeats(loaded: Loaded, items: list, loc: tuple) -> None:
    """A repeated value would be one fact counted twice (and two rows with one key in a link table)."""
    first: dict[Any, int] = {}
    for i, item in enumerate(items):
        if isinstance(item, (dict, list)) or item is None:
            continue
        key = (type(item) is str, item)  # 1 and '1' differ; 1 and 1.0 do not
        if key in first:
            _problem(loaded, loc + (i,), f"'{item}' is already listed (item {first[key] + 1})", "remove the repeat", "duplicate-value")
        else:
            first[key] = i


def _problem(loaded: Loaded, loc: tuple, message: str, fix: str, rule: str) -> None:
    line, col = loaded.mark(loc)
    loaded.problems.append(Problem(loaded.path, line, col, field_name(loc), message, fix, rule))
