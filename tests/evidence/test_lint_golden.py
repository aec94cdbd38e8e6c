"""Golden tests: one fixture per rule in tests/fixtures/invalid/, each pinning the exact message.

A fixture names where it goes (`# target: approaches/x.yml`) and ends with the lines lint must
print (`# expect: ...`). It is dropped into a copy of the valid fixture tree and linted there.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from build_tools.cli import cli
from conftest import FIXTURES, make_tree

INVALID = sorted((FIXTURES / "invalid").glob("*.yml"))


def _parse(fixture):
    text = fixture.read_text(encoding="utf-8")
    target = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("# target:"))
    expect = [line[len("# expect: "):] for line in text.splitlines() if line.startswith("# expect: ")]
    return target, text, expect


@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_gives_exact_message(fixture, tmp_path, monkeypatch):
    target, text, expect = _parse(fixture)
    assert expect, f"{fixture.name} has no '# expect:' lines"
    make_tree(tmp_path, {target: text})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint"])
    lines = result.output.splitlines()
    assert lines[:-1] == expect
    assert lines[-1].startswith("checked ") and lines[-1].endswith(f"found {len(expect)} problem{'s' * (len(expect) != 1)}")
    assert result.exit_code == 1


def test_every_rule_has_a_fixture():
    assert len(INVALID) >= 25
