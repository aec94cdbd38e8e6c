"""MkDocs' own check of mkdocs.yml, run before any output is replaced.

Our plain reading of the file (site links, feed URL) is `build_tools.config`; this asks MkDocs
itself, so a setting MkDocs would refuse stops the build with the setting's line.
"""

from __future__ import annotations

from pathlib import Path

from ..config import MKDOCS_FILE as CONFIG, BuildConfig
from ..errors import BuildError


def check_mkdocs_config(config: BuildConfig) -> None:
    """MkDocs' own validation of mkdocs.yml, as `mkdocs build --strict` does it (a warning is an
    error), run before any output is replaced. Raises a BuildError naming the setting's line."""
    import logging

    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    path = Path(config.repo) / CONFIG
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                messages.append(record.getMessage())

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        load_config(str(path), strict=True)
    except (Abort, ConfigurationError) as exc:
        messages.append(str(exc))
    finally:
        logger.removeHandler(handler)
    problems = [m for m in messages if not m.startswith("Aborted with")]
    if problems:
        text = path.read_text(encoding="utf-8")
        raise BuildError("\n".join(f"{CONFIG}:{_line_of(text, m)}: {m}. Fix: correct the setting (see "
                                   "https://www.mkdocs.org/user-guide/configuration/)" for m in problems))


def _line_of(text: str, message: str) -> int:
    """Line of the setting a MkDocs message names ("Config value 'theme': …"), else 1."""
    import re

    name = re.search(r"Config value '([^']+)'", message)
    if name:
        key = name.group(1).split(".")[-1]
        for n, line in enumerate(text.splitlines(), 1):
            if re.match(rf"\s*-?\s*{re.escape(key)}\s*:", line):
                return n
    return 1
