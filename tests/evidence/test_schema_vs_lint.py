"""The JSON Schemas in schema/ refuse what lint refuses that one file can show: a real validator
(check-jsonschema, the CLI CI runs; ECMAScript regexes, as editors use) over every golden fixture,
the valid fixtures and the real evidence."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import regress
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.evidence.editor_schema import schema_for
from build_tools.evidence.html_policy import TAGS, refused_html
from build_tools.evidence.problems import CORPUS, FILE, RULES, SINGLE_FILE
from build_tools.evidence.schema_rules import BEYOND_SCHEMA, PARSER_DROPS, SCHEMA_GAPS, html_pattern
from conftest import FIXTURES, REPO

CHECK = str(Path(sys.executable).with_name("check-jsonschema"))
EXPECT = re.compile(r"^# expect: .* \[([a-z0-9-]+)\]$", re.M)
INVALID = sorted((FIXTURES / "invalid").glob("*.yml"))


def _target(fixture: Path) -> str:
    return re.search(r"^# target: (\S+)$", fixture.read_text(encoding="utf-8"), re.M).group(1)


def _must_reject(fixture: Path) -> set[str]:
    """The fixture's rules that the schemas must check: one file shows them, and JSON Schema can say them."""
    return set(EXPECT.findall(fixture.read_text(encoding="utf-8"))) & (SINGLE_FILE - set(BEYOND_SCHEMA))


MUST_REJECT = [f for f in INVALID if _must_reject(f)]


def rejected(paths: list[Path], schema_of) -> set[Path]:
    """The files check-jsonschema refuses (a schema error or a parse error), one run per schema."""
    by_schema: dict[str, list[Path]] = {}
    for path in paths:
        by_schema.setdefault(schema_of(path), []).append(path)
    refused = set()
    for schema, group in sorted(by_schema.items()):
        run = subprocess.run([CHECK, "--schemafile", str(REPO / "schema" / schema), "-o", "json", *map(str, group)],
                             capture_output=True, text=True, check=False)
        report = json.loads(run.stdout)
        refused |= {Path(e["filename"]) for e in report.get("errors", []) + report.get("parse_errors", [])}
        assert report["status"] == ("ok" if not refused & set(group) else "fail"), run.stderr
    return refused


@pytest.fixture(scope="module")
def invalid_rejected() -> set[Path]:
    checkable = [f for f in INVALID if schema_for(_target(f))]
    return rejected(checkable, lambda f: schema_for(_target(f)))


def test_rules_are_classified_once():
    assert {scope for scope, _ in RULES.values()} == {FILE, CORPUS}
    assert set(BEYOND_SCHEMA) <= SINGLE_FILE and set(SCHEMA_GAPS) <= SINGLE_FILE
    assert not set(BEYOND_SCHEMA) & set(SCHEMA_GAPS)


@pytest.mark.parametrize("fixture", MUST_REJECT, ids=[f.stem for f in MUST_REJECT])
def test_schema_rejects_every_fixture_of_a_single_file_rule(fixture, invalid_rejected):
    assert fixture in invalid_rejected, f"schema/{schema_for(_target(fixture))} accepts {fixture.name} ({sorted(_must_reject(fixture))})"


def test_how_many_invalid_fixtures_the_schemas_reject(invalid_rejected):
    # Before the schemas carried lint's single-file rules (issue 16) they rejected 26 of the 73
    # fixtures then (synonyms.yml had no schema). The 19 accepted now show only cross-file rules or
    # BEYOND_SCHEMA's; the yaml-alias and ambiguous-number fixtures happen to break another constraint.
    checkable = [f for f in INVALID if schema_for(_target(f))]
    assert (len(MUST_REJECT), len(invalid_rejected), len(checkable)) == (57, 59, 78)


def test_schema_accepts_every_valid_file():
    valid = sorted((FIXTURES / "valid").rglob("*.yml"))
    real = sorted(p for p in (REPO / "evidence").rglob("*.yml") if schema_for(p.relative_to(REPO / "evidence").as_posix()))
    assert len(real) > 40
    files = valid + real
    root = {p: (FIXTURES / "valid" if p in valid else REPO / "evidence") for p in files}
    assert rejected(files, lambda p: schema_for(p.relative_to(root[p]).as_posix())) == set()


def test_bytes_lint_refuses_are_refused_by_the_validator(tmp_path):
    text = (FIXTURES / "valid" / "approaches" / "sample-mentoring.yml").read_bytes()
    nul, latin1 = tmp_path / "nul.yml", tmp_path / "latin1.yml"
    nul.write_bytes(text.replace(b"\nname: ", b"\nname: \x00", 1))
    latin1.write_bytes(text.replace(b"\nname: ", b"\nname: caf\xe9 ", 1))
    assert rejected([nul, latin1], lambda _: "approach.schema.json") == {nul, latin1}


def test_schemas_are_valid_json_schema():
    run = subprocess.run([CHECK, "--check-metaschema", *map(str, sorted((REPO / "schema").glob("*.json")))],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_tags_the_parser_drops_are_let_through_by_lint_too():
    """PARSER_DROPS is a fact about HTML parsing; nh3 (lint's judge) must agree with it."""
    for tag in PARSER_DROPS:
        assert not refused_html(f"a <{tag} x=1> b", markdown=True), tag
    for tag in ("div", "img", "script", "svg", "title", "custom-tag"):
        assert refused_html(f"a <{tag}> b", markdown=True), tag
    for tag in TAGS - PARSER_DROPS - {"a", "th"}:
        assert refused_html(f"a <{tag} x=1> b", markdown=True), tag


PATTERNS = {markdown: (re.compile(html_pattern(markdown)), regress.Regex(html_pattern(markdown))) for markdown in (True, False)}
HTML_BITS = ["<", ">", "/", "!", "?", "`", '"', "'", "=", " ", "\n", "a", "p", "br", "img", "div", "td", "table",
             "caption", "image", "doctype", "https:", "x", "-", "<!--", "-->", "</", "a=", '="', "&lt;"]


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.lists(st.sampled_from(HTML_BITS), max_size=14), st.booleans())
def test_html_pattern_never_refuses_text_lint_accepts(bits, markdown):
    """The schemas' raw-html regex refuses only text the sanitiser would change, and Python and
    ECMAScript (editors, check-jsonschema) read it alike."""
    text = "".join(bits)
    python, ecmascript = PATTERNS[markdown]
    accepted = python.search(text) is not None
    assert (ecmascript.find(text) is not None) == accepted
    assert accepted or refused_html(text, markdown)
