"""`whatworks search` through the real CLI group (lazy wiring included) on real Whoosh indexes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from build_tools.cli import cli
from build_tools.evidence.corpus import load_corpus
from build_tools.search.documents import documents
from build_tools.search.index import build_search_index

from conftest import REPO, TODAY


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, fixture_corpus) -> str:
    out = tmp_path_factory.mktemp("cli-search")
    build_search_index(documents(fixture_corpus), out)
    return str(out / "search")


def run(*args: str):
    return CliRunner().invoke(cli, ["search", *args])


def test_text_output_ranks_highlights_and_counts(index_dir):
    result = run("--index", index_dir, "setting:pru", "mentoring", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert result.output == (
        '3 entries match "setting:pru mentoring" (showing 2)\n'
        "\n"
        " 1. Sample trial of mentoring (2020)  [study: sample-study-2020]  score 5.4323\n"
        "    A synthetic randomised trial used by the tests. Mentoring cut violence but raised suspensions.\n"
        "\n"
        " 2. Sample mentoring  [approach: sample-mentoring]  score 3.7215\n"
        "    A synthetic approach used by the tests. A mentor meets a young person each week to give support and advice.\n"
        "\n"
        "Facets:\n"
        "  type: approach 1, programme 1, study 1\n"
        "  setting: pru 3, community 1, in-school-ap-unit 1\n"
        "  outcome: exclusion 2, violence-perpetration 2, attendance 1, suspension 1\n"
        "  priority_area: inclusive-education 2, violence-and-exploitation 1\n"
    )


def test_json_output_has_results_facets_suggestion_total(index_dir):
    result = run("--index", index_dir, "mentring", "--json")
    assert result.exit_code == 0, result.output
    corrected = json.loads(result.output)  # nothing matches the typo, so the correction's results are shown
    assert {k: corrected[k] for k in ("query", "total", "suggestion", "corrected")} == {
        "query": "mentring", "total": 3, "suggestion": "mentoring", "corrected": True}
    assert [row["id"] for row in corrected["results"]] == ["sample-study-2020", "sample-mentoring", "sample-programme"]
    assert corrected["facets"]["type"] == {"approach": 1, "programme": 1, "study": 1}
    result = run("--index", index_dir, "mentoring", "--json", "--limit", "1")
    data = json.loads(result.output)
    assert data["total"] == 3
    assert data["results"] == [{
        "id": "sample-study-2020", "type": "study", "name": "Sample trial of mentoring (2020)", "score": 5.4323,
        "snippet": "A synthetic randomised trial used by the tests. <mark>Mentoring</mark> cut violence but raised suspensions.",
    }]


def test_suggestion_shown_in_text(index_dir):
    result = run("--index", index_dir, "mentring", "--limit", "1")
    assert result.output.splitlines()[:2] == ['No results for "mentring"; showing results for "mentoring".',
                                              '3 entries match "mentoring" (showing 1)']
    nothing = run("--index", index_dir, "zzzzqqq")
    assert nothing.output == '0 entries match "zzzzqqq"\n'


@pytest.mark.parametrize("options,expected", [
    (["--type", "approach"], ["sample-mentoring"]),
    (["--type", "study", "--type", "programme"], ["sample-study-2020", "sample-programme"]),
    (["--setting", "community"], ["sample-mentoring"]),
    (["--outcome", "exclusion"], ["sample-mentoring", "sample-programme"]),
    (["--priority-area", "violence-and-exploitation"], ["sample-mentoring"]),
])
def test_filter_options(index_dir, options, expected):
    result = run("--index", index_dir, "mentoring", "--json", *options)
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.output)["results"]] == expected


@pytest.mark.parametrize("args,message", [
    (["colour:red"], "whatworks search: query: unknown field 'colour'. Fix: use one of area, band, design, evidence, id, "
                     "impact, kind, level, name, outcome, outcomes, priority, priority-area, priority_area, priority_areas, "
                     "setting, settings, sms, summary, type\n"),
    (['"referral unit'], 'whatworks search: query: a quote (") is not closed. Fix: add the closing " after the phrase\n'),
    (["(mentoring OR pru"], "whatworks search: query: brackets do not match. Fix: close each ( with a )\n"),
    (["setting:", "pru"], "whatworks search: query: 'setting:' has no value. Fix: write it as setting:value, e.g. setting:pru\n"),
    (["mentoring", "--setting", "school"], "whatworks search: --setting: no entry has setting 'school'. "
                                           "Fix: use one of community, in-school-ap-unit, pru, youth-justice\n"),
])
def test_bad_queries_get_a_message_not_a_traceback(index_dir, args, message):
    result = run("--index", index_dir, *args)
    assert (result.exit_code, result.output, result.exception.__class__) == (1, message, SystemExit)


def test_missing_index(tmp_path):
    result = run("--index", str(tmp_path / "none"), "mentoring")
    assert result.exit_code == 1
    assert result.output == (f"whatworks search: {tmp_path / 'none'}: no search index here. "
                             "Fix: run `whatworks build --only search` (or pass --index)\n")


def test_on_the_real_index(tmp_path):
    loaded = load_corpus(REPO / "evidence", today=TODAY)
    if loaded.corpus is None:
        pytest.skip("the real corpus in evidence/ does not lint yet")
    build_search_index(documents(loaded.corpus), tmp_path)
    result = run("--index", str(tmp_path / "search"), "scared", "straight", "--json", "--limit", "2")
    data = json.loads(result.output)
    assert [row["id"] for row in data["results"]] == ["petrosino-2013-scared-straight", "prison-awareness-programmes"]
    assert data["total"] == 2
    assert data["facets"]["type"] == {"approach": 1, "study": 1}
