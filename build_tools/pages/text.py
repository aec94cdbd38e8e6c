"""Text handling for the generated site: escaping, sanitised Markdown, number formats.

Entry text is untrusted: lint refuses raw HTML and unsafe links, but the site must be
safe even if lint is bypassed. Two doors only:

* `escape_text` for plain-text fields. Every character that means something to HTML or
  to the Markdown extensions we enable (links, emphasis, attribute lists `{...}`,
  tables `|`, snippets `--8<--`, admonitions `!!!`) becomes a numeric entity, and
  newlines are folded, so the text can sit in a Markdown line or an HTML block and
  only ever shows as text.
* `render_markdown` for Markdown fields: python-markdown to HTML, then nh3 keeps a short
  list of tags and only http(s) links. The result goes into a raw HTML block, which
  MkDocs passes through untouched.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache

import markdown
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..evidence.html_policy import SAFE_SCHEMES, sanitise

# Characters with a meaning in HTML or in our Markdown dialect. `-`, `.`, `+`, `=` only
# matter at the start of a line, and escaped text never starts a line.
_SPECIAL = frozenset("&<>\"'\\`*_{}[]()#!|~^")
_ENTITY = {ord(c): f"&#{ord(c)};" for c in _SPECIAL}
_WHITESPACE = re.compile(r"\s+")



def escape_text(value: object) -> Markup:
    """Plain text made inert for Markdown and HTML alike (see module docstring)."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    text = _WHITESPACE.sub(" ", str(value))
    return Markup(text.translate(_ENTITY))


@lru_cache(maxsize=1)
def _markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def render_markdown(source: str | None) -> Markup:
    """Untrusted Markdown -> sanitised HTML (a single line-safe block for a raw HTML div)."""
    if not source:
        return Markup("")
    md = _markdown()
    md.reset()
    raw = md.convert(source)
    clean = sanitise(raw)  # the allow-list lint checks Markdown fields against (evidence/html_policy.py)
    # nh3 already turned every text `<` into `&lt;`, so no `--8<--` snippet marker survives.
    # Blank lines would end the surrounding raw HTML block early: fold them away.
    lines = [line for line in clean.splitlines() if line.strip()]
    return Markup("\n".join(lines))


def safe_url(value: str | None) -> Markup:
    """An href for an external link: only absolute http(s) URLs; anything else goes nowhere."""
    if value and str(value).strip().lower().startswith(SAFE_SCHEMES) and not any(c in str(value) for c in " \n\r\t"):
        return escape_text(value)
    return Markup("#")


def front_matter(title: str, description: str | None = None, hide: tuple[str, ...] = ()) -> Markup:
    """YAML front matter for a page. Material prints meta title and description into the
    HTML unescaped, so they are HTML-escaped here; JSON strings are valid YAML.
    `hide` takes Material's sidebar names ("navigation", "toc") for pages that need width.

    Why front matter at all: a generated page starts with its "Generated from <yaml>"
    comment, and MkDocs takes a page's title only from an H1 that comes first, so the
    comment would leave every entry titled after its file name. Front matter must be the
    first lines of a file, so the comment is the first line of the page body after it."""
    lines = ["---", f"title: {_yaml_string(html.escape(' '.join(title.split())))}"]
    if description:
        lines.append(f"description: {_yaml_string(html.escape(' '.join(description.split())))}")
    if hide:
        lines.append(f"hide: {json.dumps(list(hide))}")
    lines.append("---")
    return Markup("\n".join(lines) + "\n")


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar. JSON's escapes are YAML's, but json.dumps writes a non-BMP
    character (an emoji) as a surrogate pair, which YAML reads as two broken characters and MkDocs
    then drops the whole front matter; so characters stay as they are, except the three YAML reads
    as line breaks."""
    quoted = json.dumps(text, ensure_ascii=False)
    return quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def fmt_number(value: float, signed: bool = False) -> str:
    """Short human number: 0.8, -21, 1,200. A true minus sign reads better than a hyphen."""
    text = f"{value:,.10g}" if abs(value) >= 1000 else f"{value:.10g}"
    if signed and value > 0:
        text = "+" + text
    return text.replace("-", "\u2212")


def fmt_effect(effect, term=None) -> str:
    """An estimate or effect as one readable phrase, with its range or confidence interval if published.
    `term` is the effect type (vocabulary `effect-types`), whose `format` and `signed` say how."""
    pattern = (term.format if term is not None and term.format else None) or f"{{v}} ({term.label if term is not None else effect.type})"
    signed = bool(term is not None and term.signed)
    has_range = getattr(effect, "range_low", None) is not None and getattr(effect, "range_high", None) is not None
    span = f"{fmt_number(effect.range_low, signed)} to {fmt_number(effect.range_high, signed)}" if has_range else ""
    if effect.value is None:  # a published range only, e.g. "fell by 28–35%"
        return pattern.replace("{v}", span)
    text = pattern.replace("{v}", fmt_number(effect.value, signed))
    if has_range:
        text += f" (range {span})"
    if effect.ci_low is not None and effect.ci_high is not None:
        text += f" (CI {fmt_number(effect.ci_low)} to {fmt_number(effect.ci_high)})"
    return text


def _finalize(value: object) -> object:
    """Every `{{ value }}` in a template is escaped as plain text unless it is already Markup
    (sanitised HTML or escaped text), so a template cannot forget to escape."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return escape_text(value)


@lru_cache(maxsize=1)
def template_env() -> Environment:
    env = Environment(
        loader=PackageLoader("build_tools.pages", "templates"), autoescape=True, finalize=_finalize,
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(text=escape_text, md=render_markdown, num=fmt_number, effect=fmt_effect, url=safe_url)
    return env
