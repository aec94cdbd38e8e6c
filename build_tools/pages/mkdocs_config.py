"""The one reader of mkdocs.yml for the build (site links, feed URL, checks before building).

MkDocs reads the file itself with its own loader; ours only needs plain keys, so tags such as
Material's `!!python/name:material.extensions.emoji.twemoji` are read as their tag name and
never executed. A file that is not YAML, or not a mapping, is a located BuildError raised
before any output is replaced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import BuildError, yaml_error

CONFIG = "mkdocs.yml"


class _TagTolerantLoader(yaml.SafeLoader):
    """A SafeLoader that keeps any tagged value as the text `!tag value` (nothing is imported)."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> str:
    value = node.value if isinstance(node, yaml.ScalarNode) else ""
    return f"!{suffix} {value}".strip()


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> str | None:
    """MkDocs' `!ENV [NAME, …, default]`: the first of the variables set to a non-empty value,
    else the default (the last item). The build hands MkDocs the value read here (run_mkdocs),
    so MkDocs' own reading, which would take an empty value as is, cannot differ."""
    import os

    items = [str(v) for v in loader.construct_sequence(node)] if isinstance(node, yaml.SequenceNode) else [node.value]
    names, default = (items[:-1], items[-1]) if len(items) > 1 else (items, None)
    return next((os.environ[n] for n in names if os.environ.get(n)), default)


_TagTolerantLoader.add_multi_constructor("", _tagged)
_TagTolerantLoader.add_constructor("!ENV", _env)


def read_mkdocs_config(repo: Path) -> dict[str, Any]:
    path = Path(repo) / CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"{CONFIG}: not found in {repo}. Fix: run from the repository root") from None
    except UnicodeDecodeError as exc:
        raise BuildError(f"{CONFIG}: not UTF-8 text (byte {exc.start}). Fix: save it as UTF-8") from None
    try:
        config = yaml.load(text, Loader=_TagTolerantLoader)  # noqa: S506 - safe loader; tags become text
    except yaml.YAMLError as exc:
        raise yaml_error(CONFIG, exc) from None
    if not isinstance(config, dict):
        raise BuildError(f"{CONFIG}:1:1: the file is not a mapping of settings. Fix: start it with `site_name: …`")
    for key in ("extra", "markdown_extensions", "plugins", "theme", "nav"):
        value = config.get(key)
        if value is not None and not isinstance(value, (dict, list, str)):
            raise BuildError(f"{CONFIG}: {key}: expected a group or list of settings, got {value!r}. Fix: see the MkDocs documentation")
    if config.get("extra") is not None and not isinstance(config["extra"], dict):
        raise BuildError(f"{CONFIG}: extra: expected a group of settings. Fix: indent the keys of `extra:` under it")
    return config


def check_mkdocs_config(repo: Path) -> None:
    """MkDocs' own validation of mkdocs.yml, as `mkdocs build --strict` does it (a warning is an
    error), run before any output is replaced. Raises a BuildError naming the setting's line."""
    import logging

    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    read_mkdocs_config(repo)  # YAML syntax first, with its line
    path = Path(repo) / CONFIG
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
