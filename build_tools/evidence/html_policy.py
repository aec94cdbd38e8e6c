"""The one HTML allow-list: what the site's sanitiser (nh3) keeps of Markdown fields, and so what
lint lets through. Plain-text fields are shown as text, so there no tag is allowed at all."""

from __future__ import annotations

import html
import re

import nh3

TAGS = {
    "p", "br", "em", "strong", "b", "i", "a", "ul", "ol", "li", "code", "pre", "blockquote",
    "h3", "h4", "h5", "h6", "hr", "sub", "sup", "table", "thead", "tbody", "tr", "th", "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
SAFE_SCHEMES = ("https://", "http://")
# Markdown that holds `<` without being HTML: autolinks (<https://…>, checked as links) and code spans.
# (Regexes that Python and ECMAScript read alike: the JSON Schemas' HTML patterns are built on them.)
AUTOLINK = r"<[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*>"
CODE_SPAN = r"`[^`\n]*`"
_NOT_HTML = re.compile(f"{AUTOLINK}|{CODE_SPAN}")
_TAG = re.compile(r"</?([a-zA-Z][^\s/>]*)([^>]*)")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)\s*(?==|\s|/|$)""")


def keep_safe_links(element: str, attribute: str, value: str) -> str | None:
    """nh3 attribute filter: an href survives only if it is an absolute http(s) URL.

    Attribute values keep a literal `<` after serialising, so any value holding a line
    break or angle bracket is dropped: no line of the output can start a snippet marker.
    """
    if any(c in value for c in "\n\r<>"):
        return None
    if element == "a" and attribute == "href":
        return value if value.strip().lower().startswith(SAFE_SCHEMES) else None
    return value


def sanitise(markup: str, link_rel: str | None = "noopener noreferrer") -> str:
    """HTML as the site publishes it: allowed tags and safe links only, comments removed."""
    return nh3.clean(markup, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https"},
                     attribute_filter=keep_safe_links, link_rel=link_rel, strip_comments=True)


def refused_html(text: str, markdown: bool) -> bool:
    """True if the text holds HTML the site would not show as written: in a Markdown field, any
    tag, attribute or link the sanitiser removes; in plain text, any tag at all. nh3 parses as a
    browser does, so `arrests fell: a < b` holds no tag and `<img/src=x/onerror=…>` does."""
    text = _NOT_HTML.sub("", text).replace("\r", "")
    if "<" not in text:
        return False
    if not markdown:
        return html.unescape(nh3.clean(text, tags=set(), strip_comments=True)) != html.unescape(text)
    # Everything the text holds, kept: the same parser and serialiser, so only removals differ.
    tags = {m.group(1).lower() for m in _TAG.finditer(text)} | TAGS  # (| TAGS: elements the parser adds, e.g. tbody)
    attributes = {a.lower() for m in _TAG.finditer(text) for a in _ATTRIBUTE.findall(m.group(2))}
    kept = nh3.clean(text, tags=tags, attributes={"*": attributes}, clean_content_tags=set(), strip_comments=False,
                     url_schemes={m.lower() for m in re.findall(r"([a-zA-Z][a-zA-Z0-9+.-]*):", text)}, link_rel=None)
    return sanitise(text, link_rel=None) != kept
