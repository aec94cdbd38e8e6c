"""Static SVG pictures made at build time: forest plots, the overview chart, the London tile map.

Each picture is inline SVG inside a raw HTML block of a generated page: no script, no
external file, so it works offline from file:// and prints. Each carries its own text
alternative (SVG title/desc, or a data table beside it)."""

from __future__ import annotations

from markupsafe import Markup

from ..text import template_env


def render_svg(template: str, **context) -> Markup:
    """Render a picture template as one raw HTML block: a blank line would end the block early."""
    text = template_env().get_template(f"pictures/{template}").render(**context)
    return Markup("\n".join(line for line in text.splitlines() if line.strip()))
