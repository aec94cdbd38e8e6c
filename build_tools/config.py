"""The build's configuration, read once: mkdocs.yml, datasette_metadata.yml, CITATION.cff and
the environment.

`build.py` reads it before any output is replaced and hands the same BuildConfig to every
builder (`build_x(corpus, config, out_dir)`), so no builder opens a configuration file or
reads the environment itself. Each file's problem is a located BuildError raised here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import BuildError, yaml_error
from .release import Release, ReleaseError, read_release

MKDOCS_FILE = "mkdocs.yml"
METADATA_FILE = "datasette_metadata.yml"
DATA_BASE_ENV = "WHATWORKS_DATA_BASE"  # the published site's Datasette, on another host (publish.yml)
PACKAGE_REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class HandWritten:
    """A hand-written settings file: where it is, its text (for located messages) and its data."""

    path: Path
    text: str
    data: Any


@dataclass(frozen=True)
class DatasetteSettings:
    """datasette_metadata.yml and the release its Datasette names (CITATION.cff beside it)."""

    metadata: HandWritten
    release: Release | None


@dataclass(frozen=True)
class BuildConfig:
    repo: Path
    mkdocs: Mapping[str, Any] | None  # None: no mkdocs.yml (the rest still builds; the site says why not)
    datasette: DatasetteSettings
    release: Release | None  # CITATION.cff of the repository: what the site cites
    data_base: str | None  # from the environment; None means mkdocs.yml's `extra.data_base` decides


class _TagTolerantLoader(yaml.SafeLoader):
    """A SafeLoader that keeps any tagged value as the text `!tag value` (nothing is imported):
    MkDocs reads mkdocs.yml itself; we only need plain keys, so Material's
    `!!python/name:…` tags are never executed."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> str:
    value = node.value if isinstance(node, yaml.ScalarNode) else ""
    return f"!{suffix} {value}".strip()


def _env_default(loader: yaml.SafeLoader, node: yaml.Node) -> str | None:
    """MkDocs' `!ENV [NAME, default]` read as its default: the environment is read once, in
    read_config (BuildConfig.data_base), and the site build hands MkDocs that value."""
    items = loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else []
    return str(items[-1]) if len(items) > 1 else None


_TagTolerantLoader.add_multi_constructor("", _tagged)
_TagTolerantLoader.add_constructor("!ENV", _env_default)


def read_config(repo: Path, environ: Mapping[str, str] | None = None) -> BuildConfig:
    """Read every configuration file of the repository at `repo` (BuildError if one is broken)."""
    repo = Path(repo)
    environ = os.environ if environ is None else environ
    try:
        release = read_release(repo)
    except ReleaseError as exc:
        raise BuildError(str(exc)) from None
    return BuildConfig(repo=repo, mkdocs=read_mkdocs(repo) if (repo / MKDOCS_FILE).exists() else None,
                       datasette=_datasette_settings(repo, release), release=release,
                       data_base=environ.get(DATA_BASE_ENV) or None)


def read_mkdocs(repo: Path) -> dict[str, Any]:
    path = Path(repo) / MKDOCS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"{MKDOCS_FILE}: not found in {repo}. Fix: run from the repository root") from None
    except UnicodeDecodeError as exc:
        raise BuildError(f"{MKDOCS_FILE}: not UTF-8 text (byte {exc.start}). Fix: save it as UTF-8") from None
    try:
        config = yaml.load(text, Loader=_TagTolerantLoader)  # noqa: S506 - safe loader; tags become text
    except yaml.YAMLError as exc:
        raise yaml_error(MKDOCS_FILE, exc) from None
    if not isinstance(config, dict):
        raise BuildError(f"{MKDOCS_FILE}:1:1: the file is not a mapping of settings. Fix: start it with `site_name: …`")
    for key in ("extra", "markdown_extensions", "plugins", "theme", "nav"):
        value = config.get(key)
        if value is not None and not isinstance(value, (dict, list, str)):
            raise BuildError(f"{MKDOCS_FILE}: {key}: expected a group or list of settings, got {value!r}. "
                             "Fix: see the MkDocs documentation")
    if config.get("extra") is not None and not isinstance(config["extra"], dict):
        raise BuildError(f"{MKDOCS_FILE}: extra: expected a group of settings. Fix: indent the keys of `extra:` under it")
    return config


def _datasette_settings(repo: Path, repo_release: Release | None) -> DatasetteSettings:
    """The repository's datasette_metadata.yml, else the one shipped with the code (and then
    that copy's CITATION.cff too, so the two always describe the same project)."""
    folder = repo if (repo / METADATA_FILE).exists() else PACKAGE_REPO
    path = folder / METADATA_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(f"{METADATA_FILE}: not UTF-8 text (byte {exc.start}). Fix: save it as UTF-8") from None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        raise yaml_error(path.name, exc) from None
    if folder == repo:
        return DatasetteSettings(HandWritten(path, text, data), repo_release)
    try:
        return DatasetteSettings(HandWritten(path, text, data), read_release(folder))
    except ReleaseError as exc:
        raise BuildError(str(exc)) from None
