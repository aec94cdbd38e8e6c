"""Documentation cannot fall behind the code: every command and make target is in the README."""

from __future__ import annotations

import re

import click

from build_tools.cli import cli
from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented_in_the_readme():
    ctx = click.Context(cli)
    commands = cli.list_commands(ctx)
    assert {"lint", "build", "serve", "search", "new", "diff", "schema"} <= set(commands)
    assert [c for c in commands if f"`whatworks {c}" not in README] == []


def test_every_build_option_is_documented():
    build = cli.get_command(click.Context(cli), "build")
    flags = [opt for p in build.params for opt in p.opts if opt in ("--only", "--full")]
    assert flags and [f for f in flags if f not in README] == []


def test_every_make_target_is_documented():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M)) - {"install", "chromium"}
    assert {"test", "serve"} <= targets
    assert sorted(t for t in targets if f"make {t}" not in README) == []
