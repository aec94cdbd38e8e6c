"""The crawl policy of the published Datasette, served as /robots.txt (under Datasette's base_url).

Crawlers may read the index page, the database page, and every table, row and canned-query
page. They are kept out of what Datasette can generate without end: any query string (facets,
sorts, filters, ?sql=, pagination, canned-query parameters), the .json/.csv renderings, the
database download, and /-/ (the search endpoint and introspection), except the CSS and scripts
the pages need to render. `*` is RFC 9309's wildcard; Allow lines come first, so a crawler that
takes the first matching rule and one that takes the longest (RFC 9309) read the same policy.
"""

from __future__ import annotations

ALLOW = ("-/static/", "-/static-plugins/")
DISALLOW = ("*?", "*.json", "*.csv", "*.db", "-/")


def robots_txt(base: str = "/") -> str:
    """The policy for a Datasette whose pages start at `base` ("/" published, "/data/" in serve)."""
    lines = ["User-agent: *"]
    lines += [f"Allow: {base}{path}" for path in ALLOW]
    lines += [f"Disallow: {base}{path}" for path in DISALLOW]
    return "\n".join(lines) + "\n"
