"""`whatworks diff`: evidence changes between two commits of a real temporary git repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from build_tools.cli import cli
from conftest import make_tree
from git_support import commit, git


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """Commit 1: the fixture evidence. Commit 2: a rating, a finding and a vocabulary changed,
    an approach added, a comment-only edit elsewhere."""
    root = tmp_path_factory.mktemp("diff")
    evidence = make_tree(root)
    git(root, "init", "-q", "-b", "main")
    commit(root, "Sample evidence", "2026-01-05T10:00:00+00:00")
    edit(evidence / "approaches" / "sample-mentoring.yml",
         "    impact: Moderate\n    estimate: {type: percent-change, value: -21}\n    url: https://example.org/yef/mentoring\n",
         "    impact: High\n    estimate: {type: percent-change, value: -32}\n    url: https://example.org/yef/mentoring-2026\n")
    edit(evidence / "studies" / "sample-study-2020.yml",
         "effect: {type: odds-ratio, value: 0.8, ci_low: 0.65, ci_high: 0.98, significant: true}",
         "effect: {type: odds-ratio, value: 0.75, ci_low: 0.6, ci_high: 0.93, significant: true}")
    edit(evidence / "programmes" / "sample-programme.yml", "# A synthetic fixture", "# A synthetic (comment only) fixture")
    edit(evidence / "vocabularies" / "settings.yml", "terms:\n", "terms:\n  - {id: youth-club, label: Youth club}\n")
    new = (evidence / "approaches" / "sample-boot-camps.yml").read_text(encoding="utf-8")
    (evidence / "approaches" / "sample-youth-clubs.yml").write_text(
        new.replace("id: sample-boot-camps", "id: sample-youth-clubs").replace("name: ", "name: Youth clubs # was: ", 1), encoding="utf-8")
    commit(root, "Update mentoring rating; add youth clubs", "2026-02-01T10:00:00+00:00")
    return root


def run(root: Path, monkeypatch, *args: str):
    monkeypatch.chdir(root)
    return CliRunner().invoke(cli, ["diff", *args])


EXPECTED_MARKDOWN = """## Evidence changes: `HEAD~1` → `HEAD`

1 entry added, 0 removed, 2 changed; 1 vocabulary term changed.

### Added

- approach `sample-youth-clubs`: Youth clubs

### Changed

#### approach `sample-mentoring`: Sample mentoring

| what | old | new | source |
|---|---|---|---|
| rating YEF Toolkit · violence: impact | Moderate | High | https://example.org/yef/mentoring-2026 |
| rating YEF Toolkit · violence: band | moderate | high | https://example.org/yef/mentoring-2026 |
| rating YEF Toolkit · violence: estimate | -21 (percent-change) | -32 (percent-change) | https://example.org/yef/mentoring-2026 |
| rating YEF Toolkit · violence: url | https://example.org/yef/mentoring | https://example.org/yef/mentoring-2026 | https://example.org/yef/mentoring-2026 |

#### study `sample-study-2020`: Sample trial of mentoring (2020)

| what | old | new | source |
|---|---|---|---|
| finding Violence (perpetration) · violent offences over 12 months: effect | 0.8 [0.65, 0.98] (odds-ratio) | 0.75 [0.6, 0.93] (odds-ratio) | https://example.org/study |

### Vocabularies

- `settings`: added `youth-club` (Youth club)
"""


def test_markdown_reports_changed_rating_between_two_commits(repo, monkeypatch):
    result = run(repo, monkeypatch, "HEAD~1", "HEAD")
    assert (result.exit_code, result.output) == (0, EXPECTED_MARKDOWN)


def test_json_reports_the_same_changes(repo, monkeypatch):
    result = run(repo, monkeypatch, "HEAD~1", "HEAD", "--json")
    assert result.exit_code == 0, result.output
    rating = {"part": "rating", "label": "YEF Toolkit · violence", "source": "https://example.org/yef/mentoring-2026", "change": "changed"}
    assert json.loads(result.output) == {
        "from": "HEAD~1",
        "to": "HEAD",
        "added": [{"id": "sample-youth-clubs", "kind": "approach", "name": "Youth clubs"}],
        "removed": [],
        "changed": [
            {"id": "sample-mentoring", "kind": "approach", "name": "Sample mentoring", "changes": [
                {**rating, "field": "impact", "old": "Moderate", "new": "High"},
                {**rating, "field": "band", "old": "moderate", "new": "high"},
                {**rating, "field": "estimate", "old": "-21 (percent-change)", "new": "-32 (percent-change)"},
                {**rating, "field": "url", "old": "https://example.org/yef/mentoring", "new": "https://example.org/yef/mentoring-2026"},
            ]},
            {"id": "sample-study-2020", "kind": "study", "name": "Sample trial of mentoring (2020)", "changes": [
                {"part": "finding", "label": "Violence (perpetration) · violent offences over 12 months", "source": "https://example.org/study",
                 "change": "changed", "field": "effect", "old": "0.8 [0.65, 0.98] (odds-ratio)", "new": "0.75 [0.6, 0.93] (odds-ratio)"},
            ]},
        ],
        "vocabularies": [{"vocabulary": "settings", "added": [{"id": "youth-club", "label": "Youth club"}], "removed": [], "changed": []}],
        "excluded": {"added": [], "removed": []},
    }


def test_default_is_head_against_working_tree(repo, monkeypatch, tmp_path):
    assert run(repo, monkeypatch).output == "## Evidence changes: `HEAD` → working tree\n\nNo changes to the evidence.\n"
    camps = repo / "evidence" / "approaches" / "sample-boot-camps.yml"
    before = camps.read_text(encoding="utf-8")
    try:
        edit(camps, "  status: ", "  status: needs-update # ")
        (repo / "evidence" / "approaches" / "sample-youth-clubs.yml").rename(tmp_path / "gone.yml")
        result = run(repo, monkeypatch)
    finally:
        camps.write_text(before, encoding="utf-8")
        (tmp_path / "gone.yml").rename(repo / "evidence" / "approaches" / "sample-youth-clubs.yml")
    name = next(line[6:] for line in before.splitlines() if line.startswith("name: "))
    status = next(line.split(": ")[1] for line in before.splitlines() if line.startswith("  status: "))
    assert (result.exit_code, result.output) == (0, f"""## Evidence changes: `HEAD` → working tree

0 entries added, 1 removed, 1 changed; 0 vocabulary terms changed.

### Removed

- approach `sample-youth-clubs`: Youth clubs

### Changed

#### approach `sample-boot-camps`: {name}

| what | old | new | source |
|---|---|---|---|
| review.status | {status} | needs-update | — |
""")


def test_invalid_sides_and_bad_revisions_are_reported_not_raised(repo, monkeypatch):
    result = run(repo, monkeypatch, "no-such-branch")
    assert result.exit_code == 1
    assert result.stderr.startswith("whatworks diff: no-such-branch: cannot read evidence/ (git archive failed: fatal: ")
    assert result.stderr.endswith("). Fix: name a commit, branch or tag that has it\n")

    mentoring = repo / "evidence" / "approaches" / "sample-mentoring.yml"
    before = mentoring.read_text(encoding="utf-8")
    try:
        edit(mentoring, "    checked: 2026-01-15\n  - source: eef", "    checked: 2026-13-15\n  - source: eef")
        result = run(repo, monkeypatch)
    finally:
        mentoring.write_text(before, encoding="utf-8")
    assert (result.exit_code, result.stderr) == (1, (
        "whatworks diff: working tree: the evidence has 1 problem(s); fix them first:\n"
        "evidence/approaches/sample-mentoring.yml:21:14: ratings[0].checked: '2026-13-15' is not a date. "
        "Fix: write the date as YYYY-MM-DD, e.g. 2026-11-26 [invalid-date]\n"))


def test_old_side_problems_name_the_revision(tmp_path, monkeypatch):
    evidence = make_tree(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    mentoring = evidence / "approaches" / "sample-mentoring.yml"
    edit(mentoring, "    checked: 2026-01-15\n  - source: eef", "    checked: 2026-13-15\n  - source: eef")
    commit(tmp_path, "Broken", "2026-01-05T10:00:00+00:00")
    edit(mentoring, "    checked: 2026-13-15\n  - source: eef", "    checked: 2026-01-15\n  - source: eef")
    result = run(tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert result.stderr == ("whatworks diff: HEAD: the evidence has 1 problem(s); fix them first:\n"
                             "HEAD:evidence/approaches/sample-mentoring.yml:21:14: ratings[0].checked: '2026-13-15' is not a date. "
                             "Fix: write the date as YYYY-MM-DD, e.g. 2026-11-26 [invalid-date]\n")


def test_outside_git_is_a_clear_error(tmp_path, monkeypatch):
    make_tree(tmp_path)
    result = run(tmp_path, monkeypatch, "--json")
    assert result.exit_code == 1
    assert result.stderr.startswith("whatworks diff: git rev-parse failed: fatal: not a git repository")
