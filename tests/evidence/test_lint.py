"""`whatworks lint`: file-level faults, output formats, exit codes, and the real evidence."""

from __future__ import annotations

import json

from click.testing import CliRunner

from build_tools.cli import cli
from build_tools.evidence.load import parse_yaml
from conftest import REPO, make_tree


def lint(tmp_path, monkeypatch, files, *args):
    make_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(cli, ["lint", *args])


def test_real_evidence_lints_clean(monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(cli, ["lint"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("checked ") and result.output.endswith(", found 0 problems\n")


def test_fixture_tree_is_clean(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, {})
    assert (result.exit_code, result.output) == (0, "checked 17 files, found 0 problems\n")


def test_binary_and_oversized_files_are_located_problems(tmp_path, monkeypatch):
    evidence = make_tree(tmp_path)
    (evidence / "approaches" / "latin1.yml").write_bytes(b"id: latin1\nname: caf\xe9\n")
    (evidence / "approaches" / "nul.yml").write_bytes(b"id: nul\nname: a\x00b\n")
    (evidence / "approaches" / "huge.yml").write_bytes(b"id: huge\nname: " + b"x" * (1024 * 1024) + b"\n")
    (evidence / "approaches" / "empty.yml").write_bytes(b"  \n")
    (evidence / "stray.yml").write_text("id: stray\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint"])
    assert result.output.splitlines() == [
        "evidence/approaches/empty.yml:1:1: file is empty. Fix: copy a template from evidence/_template/ [empty-file]",
        "evidence/approaches/huge.yml: file is 1,048,592 bytes, over the 1 MiB limit. Fix: split it or shorten the long text fields [file-too-large]",
        "evidence/approaches/latin1.yml:2:10: file is not valid UTF-8 (byte 0xe9). Fix: save the file as UTF-8 [not-utf8]",
        "evidence/approaches/nul.yml:2:8: file contains a NUL byte (binary data?). Fix: save it as plain UTF-8 text [binary-file]",
        "evidence/stray.yml: file is not in a known folder. Fix: put entries in approaches/, programmes/ or studies/ and lists in vocabularies/ [unknown-folder]",
        "checked 22 files, found 5 problems",
    ]
    assert result.exit_code == 1


BAD = """id: many-problems
name: Many problems
summary: short
priority_areas: [violence-and-exploitation]
settings: [schools]
outcomes: [offending]
review: {status: draft, last_reviewed: 2026-01-01, next_review_due: 2027-01-01, reviewers: [t]}
ratings:
  - {source: yef, outcome: offending, impact: High, url: https://example.org/x, checked: 2026-01-01}
"""


def test_all_problems_at_once_sorted_by_line(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, {"approaches/many-problems.yml": BAD})
    assert [line.split(": ", 2)[:2] for line in result.output.splitlines()[:-1]] == [
        ["evidence/approaches/many-problems.yml:3:10", "summary"],
        ["evidence/approaches/many-problems.yml:5:12", "settings[0]"],
        ["evidence/approaches/many-problems.yml:9:14", "ratings[0].source"],
    ]


def test_github_format(tmp_path, monkeypatch):
    result = lint(tmp_path, monkeypatch, {"approaches/many-problems.yml": BAD}, "--format", "github")
    assert result.output.splitlines()[0] == (
        "::error file=evidence/approaches/many-problems.yml,line=3,col=10,title=text-too-short::summary: text is too short "
        "(at least 40 characters). Fix: write it out: Plain-language summary, readable in 20 seconds (40–400 characters, no Markdown) [text-too-short]"
    )
    assert result.exit_code == 1


def test_json_format_is_parseable_with_summary_on_stderr(tmp_path, monkeypatch):
    make_tree(tmp_path, {"approaches/many-problems.yml": BAD})
    monkeypatch.chdir(tmp_path)
    result = CliRunner(mix_stderr=False).invoke(cli, ["lint", "--format", "json"]) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner().invoke(cli, ["lint", "--format", "json"])
    data = json.loads(result.stdout)
    assert [(p["line"], p["col"], p["field"]) for p in data] == [(3, 10, "summary"), (5, 12, "settings[0]"), (9, 14, "ratings[0].source")]
    assert data[1]["message"] == "unknown setting 'schools'"
    assert result.stderr == "checked 18 files, found 3 problems\n"


def test_paths_limit_the_report_but_not_the_checks(tmp_path, monkeypatch):
    files = {"approaches/many-problems.yml": BAD, "approaches/refers.yml": BAD.replace("many-problems", "refers").replace("[schools]", "[community]")}
    result = lint(tmp_path, monkeypatch, files, "evidence/approaches/refers.yml")
    assert result.output.splitlines() == [
        "evidence/approaches/refers.yml:3:10: summary: text is too short (at least 40 characters). Fix: write it out: Plain-language summary, readable in 20 seconds (40–400 characters, no Markdown) [text-too-short]",
        "evidence/approaches/refers.yml:9:14: ratings[0].source: unknown source 'yef'. Fix: use one of: yef-toolkit, eef-toolkit, "
        "college-of-policing, crimesolutions, blueprints, foundations-guidebook, community-guide, cebc, wwc"
        + "".join(f", {t}" for t in _extra_sources()) + " [unknown-term]",
        "checked 1 file, found 2 problems",
    ]


def _extra_sources():
    """Sources added to the vocabulary after these nine (the message lists them all)."""
    import yaml

    terms = yaml.safe_load((REPO / "evidence/vocabularies/sources.yml").read_text())["terms"]
    return [t["id"] for t in terms][9:]


def test_usage_errors_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(cli, ["lint", "no/such/file.yml"]).exit_code == 2
    assert CliRunner().invoke(cli, ["lint", "--format", "xml"]).exit_code == 2


def test_missing_evidence_folder_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint"])
    assert result.output == ("evidence: no vocabularies/ folder here; is this the evidence folder?. Fix: run from the "
                             "repository root or pass --evidence [missing-vocabulary]\nchecked 0 files, found 1 problem\n")
    assert result.exit_code == 1


def test_missing_vocabulary_is_reported(tmp_path, monkeypatch):
    evidence = make_tree(tmp_path)
    (evidence / "vocabularies" / "sources.yml").unlink()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint"])
    assert result.output.splitlines()[-2] == "evidence/vocabularies: missing vocabularies: sources. Fix: restore the files from git [missing-vocabulary]"
    assert result.exit_code == 1


def test_yaml_1_2_scalars():
    loaded = parse_yaml(b"a: true\nb: 1.5\nc: -21\nd: 2026-11-26\ne: ~\nf: '012'\ng: 10.1126/x.1\n", "t.yml")
    assert loaded.data == {"a": True, "b": 1.5, "c": -21, "d": "2026-11-26", "e": None, "f": "012", "g": "10.1126/x.1"}
    assert loaded.problems == []
    assert loaded.marks[("c",)] == (3, 4)


def test_deep_nesting_is_refused_quickly():
    loaded = parse_yaml(b"a: " + b"[" * 100_000, "deep.yml")
    assert [p.text() for p in loaded.problems] == [
        "deep.yml:1:1003: invalid YAML: exceeded maximum nesting depth. Fix: check indentation, colons and quotes near this line [yaml-syntax]"
    ]


def test_unreadable_file_is_a_located_problem(tmp_path):
    from build_tools.evidence.load import read_yaml

    folder = tmp_path / "x.yml"
    folder.mkdir()  # reading a folder fails like an unreadable file, also as root
    assert [p.text() for p in read_yaml(folder, "evidence/approaches/x.yml").problems] == [
        "evidence/approaches/x.yml: cannot read file (Is a directory). Fix: check the file exists and is readable [unreadable-file]"]


def test_fallback_schema_message_names_its_rule(tmp_path, monkeypatch):
    """Any pydantic error without a message of its own still gets one, with the [invalid-value] id."""
    from build_tools.evidence.schema_check import _problem

    loaded = parse_yaml(b"name: x\n", "f.yml")
    err = {"loc": ("name",), "type": "something_new", "msg": "Value is odd", "input": "x"}
    from build_tools.evidence.models import Approach

    assert _problem(loaded, Approach, err).text() == (
        "f.yml:1:7: name: value is odd. Fix: see the field's description: Name as practitioners know it [invalid-value]")


def _lint_paths(tmp_path, monkeypatch, *paths):
    make_tree(tmp_path)
    (tmp_path / "evidence" / "_template").mkdir()
    (tmp_path / "evidence" / "_template" / "approach.yml").write_text("id: x\n")
    (tmp_path / "outside.yml").write_text("id: x\n")
    (tmp_path / "evidence" / "notes.txt").write_text("x\n")
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(cli, ["lint", *paths])


def test_lint_paths_that_are_not_evidence_are_usage_errors(tmp_path, monkeypatch):
    cases = {
        "evidence/_template/approach.yml": "Error: evidence/_template/approach.yml is a template, which is never loaded as an "
        "entry. Fix: copy it into evidence/approaches/, programmes/ or studies/ and lint the copy",
        "outside.yml": "Error: outside.yml is not inside the evidence folder evidence/. Fix: lint files under evidence/, or "
        "name the folder with --evidence",
        "evidence/notes.txt": "Error: evidence/notes.txt holds no evidence file (.yml or .yaml). Fix: name an entry, a "
        "vocabulary, excluded.yml or a folder of them",
        "evidence/_template": "Error: evidence/_template is a template, which is never loaded as an entry. Fix: copy it into "
        "evidence/approaches/, programmes/ or studies/ and lint the copy",
    }
    for path, message in cases.items():
        result = _lint_paths(tmp_path / path.replace("/", "-"), monkeypatch, path)
        assert (result.exit_code, result.stdout, result.stderr.splitlines()[-1]) == (2, "", message), path
    result = _lint_paths(tmp_path / "missing", monkeypatch, "evidence/approaches/nope.yml")
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_lint_paths_to_folders_and_vocabularies_check_them(tmp_path, monkeypatch):
    result = _lint_paths(tmp_path, monkeypatch, "evidence/approaches", "evidence/vocabularies/settings.yml")
    assert (result.exit_code, result.stdout) == (0, "checked 3 files, found 0 problems\n")


def test_raw_html_is_decided_by_the_sites_sanitiser():
    """One allow-list: a Markdown field may hold what the site's sanitiser keeps as written; a
    plain-text field (shown as text) no tag at all; ordinary English with < and : is never HTML."""
    from build_tools.evidence.html_policy import refused_html

    for text in ["linked police data: arrests fell", "arrests fell: a < b", "a <= b and c > d", "<3 mentors",
                 "see <https://example.org/x>", "write `<br>` for a break", "A&E and R&D: 5 > 3"]:
        assert not refused_html(text, markdown=True) and not refused_html(text, markdown=False), text
    for text in ["<b>bold</b>", '<a href="https://example.org">a page</a>', "<table><tr><td>1</td></tr></table>"]:
        assert not refused_html(text, markdown=True) and refused_html(text, markdown=False), text
    for text in ["<img/src=x/onerror=alert(1)>", "a <!-- hidden --> b", "<div>x</div>", '<a href="javascript:x()">y</a>',
                 '<a href="https://example.org" onclick="x()">y</a>', "x <script>alert(1)</script>"]:
        assert refused_html(text, markdown=True) and refused_html(text, markdown=False), text


def test_markdown_html_the_site_keeps_lints_clean(tmp_path, monkeypatch):
    from conftest import FIXTURES

    text = (FIXTURES / "valid" / "approaches" / "sample-mentoring.yml").read_text(encoding="utf-8")
    text += 'cautions: "Works <b>only</b> with <a href=\\"https://example.org/x\\">trained staff</a>: a < b."\n'
    result = lint(tmp_path, monkeypatch, {"approaches/sample-mentoring.yml": text})
    assert (result.exit_code, result.output.splitlines()[-1]) == (0, "checked 17 files, found 0 problems"), result.output
