"""Honest build errors: a typo in the hand-written configuration is a located user error found
before any output is replaced; a refused database row is our bug, named; outputs are readable
by everyone (0644/0755 less the umask)."""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from build_tools.build import run_build
from build_tools.evidence.corpus import load_corpus
from build_tools.database.build import build_database
from conftest import REPO, TODAY, config_of, make_tree


@pytest.fixture
def repo(tmp_path):
    """A repository copy small enough to build: fixture evidence, the real site and configuration."""
    make_tree(tmp_path)
    for name in ("mkdocs.yml", "datasette_metadata.yml", "CONTRIBUTING.md"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(REPO / "site", tmp_path / "site", ignore=shutil.ignore_patterns(
        "approaches", "programmes", "studies", "priority-areas", "settings", "outcomes", "browse", "gap-map"))
    return tmp_path


def _build(repo, *only):
    return run_build(repo / "evidence", repo / "_build", only, repo=repo)


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}


def test_metadata_typo_is_located_and_nothing_is_replaced(repo, capsys):
    assert _build(repo, "db", "exports") == 0
    before = _snapshot(repo / "_build")
    text = (repo / "datasette_metadata.yml").read_text()
    (repo / "datasette_metadata.yml").write_text(text.replace("facets: [design, sms_level, year]", "facets: [design, sms_level, year"))
    capsys.readouterr()
    assert _build(repo, "db", "exports") == 1
    err = capsys.readouterr().err
    assert err.startswith("datasette_metadata.yml:") and ": invalid YAML: " in err and "previous outputs are unchanged" in err
    assert "Traceback" not in err
    assert _snapshot(repo / "_build") == before


def test_configuration_that_is_not_utf8_is_a_message_not_a_traceback(repo, capsys):
    assert _build(repo, "exports") == 0
    before = _snapshot(repo / "_build")
    (repo / "datasette_metadata.yml").write_bytes(b"title: caf\xe9\n")
    capsys.readouterr()
    assert _build(repo, "exports") == 1  # read once for every output, before any is replaced
    assert capsys.readouterr().err.splitlines() == [
        "datasette_metadata.yml: not UTF-8 text (byte 10). Fix: save it as UTF-8",
        "build stopped; the previous outputs are unchanged."]
    assert _snapshot(repo / "_build") == before


def test_metadata_of_the_wrong_shape_is_located(repo, capsys):
    (repo / "datasette_metadata.yml").write_text("title: x\ndatabases:\n  evidence:\n    tables: [approaches]\n")
    assert _build(repo, "db") == 1
    assert capsys.readouterr().err.splitlines()[-2] == (
        "datasette_metadata.yml:4: databases.evidence.tables: expected a group of settings, got list. "
        "Fix: indent the keys of `tables` under it")


def test_canned_query_typo_is_located_before_the_database_is_replaced(repo, capsys):
    assert _build(repo, "db") == 0
    before = _snapshot(repo / "_build")
    text = (repo / "datasette_metadata.yml").read_text()
    (repo / "datasette_metadata.yml").write_text(text.replace("from approach_settings", "from approach_setings", 1))
    assert _build(repo, "db") == 1
    err = capsys.readouterr().err
    assert "datasette_metadata.yml:" in err and "canned query 'strongest_evidence_in_ap' does not run on the database " \
        "(no such table: approach_setings)" in err
    assert _snapshot(repo / "_build") == before


def test_mkdocs_typo_is_located_before_any_output_is_replaced(repo, capsys):
    text = (repo / "mkdocs.yml").read_text()
    (repo / "mkdocs.yml").write_text(text.replace("site_name:", "site_nmae: x\nsite_name:", 1))
    assert _build(repo, "db", "site") == 1
    err = capsys.readouterr().err
    assert err.startswith("mkdocs.yml:") and "site_nmae" in err and "Traceback" not in err
    assert not (repo / "_build" / "evidence.db").exists()


def test_mkdocs_yaml_syntax_error_is_located(repo, capsys):
    (repo / "mkdocs.yml").write_text((repo / "mkdocs.yml").read_text() + "extra:\n  - [unclosed\n")
    assert _build(repo, "site") == 1
    assert "mkdocs.yml:" in capsys.readouterr().err


def test_material_emoji_config_builds(repo):
    """Material's documented emoji setup uses !!python/name: tags; every reader of mkdocs.yml takes them."""
    text = (repo / "mkdocs.yml").read_text()
    assert "pymdownx.emoji" not in text
    text = text.replace("markdown_extensions:\n", "markdown_extensions:\n  - pymdownx.emoji:\n"
                        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
                        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n", 1)
    assert "emoji_index" in text, "mkdocs.yml has no markdown_extensions list to extend"
    (repo / "mkdocs.yml").write_text(text)
    assert _build(repo, "site") == 0
    assert (repo / "_build" / "site" / "index.html").exists()


def test_a_row_sqlite_refuses_is_reported_as_our_bug_naming_table_and_entry(tmp_path, monkeypatch):
    """Lint makes this impossible (duplicate-value); if a spec ever lets one through, the message
    names the table and the entry rather than blaming the disk."""
    from build_tools.errors import BuildBug
    from build_tools.tables import catalogue

    corpus = load_corpus(make_tree(tmp_path), today=TODAY).corpus
    real = catalogue.all_tables

    def doubled(c):
        tables = real(c)
        for i, table in enumerate(tables):
            if table.name == "approach_settings":
                rows = table.rows
                tables[i] = type(table)(**{**table.__dict__, "rows": lambda rows=rows: [*rows(), *rows()]})
        return tables

    monkeypatch.setattr("build_tools.database.build.all_tables", doubled)
    with pytest.raises(BuildBug, match=r"^table approach_settings: UNIQUE constraint failed: .* \(at approach='sample-"):
        build_database(corpus, config_of(corpus), tmp_path / "out")
    assert not (tmp_path / "out" / "evidence.db").exists()


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_outputs_are_readable_as_the_umask_allows(repo, umask):
    old = os.umask(umask)
    try:
        assert _build(repo) == 0
    finally:
        os.umask(old)
    wrong = []
    for path in [repo / "_build", *(repo / "_build").rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        want = (0o777 if path.is_dir() else 0o666) & ~umask
        if path.is_file() and mode & 0o111:
            want |= 0o111 & ~umask
        if mode != want and not path.is_symlink():
            wrong.append(f"{path.relative_to(repo)}: {oct(mode)}")
    assert wrong == []
