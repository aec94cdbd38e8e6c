"""`whatworks new`: scaffold from the template, pointed lint messages until filled, clean after."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from build_tools.cli import cli
from build_tools.evidence.new import slugify
from conftest import REPO, TODAY, load_ok, make_tree
from test_templates import BODY_FILLS, fill

NEXT_YEAR = TODAY.replace(year=TODAY.year + 1, day=28) if (TODAY.month, TODAY.day) == (2, 29) else TODAY.replace(year=TODAY.year + 1)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    evidence = make_tree(tmp_path)
    shutil.copytree(REPO / "evidence" / "_template", evidence / "_template")
    monkeypatch.chdir(tmp_path)
    return evidence


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("name, slug", [
    ("Youth Club Plus", "youth-club-plus"),
    ("Ça va: Youth & Families (2024)", "ca-va-youth-families-2024"),
    ("  Heller et al. 2017 -- BAM  ", "heller-et-al-2017-bam"),
    ("word " * 30, ("word-" * 16)[:-1]),  # cut at a word boundary, at most 80 characters
])
def test_slug_from_name(name, slug):
    assert slugify(name) == slug


def test_new_programme_prints_what_to_fill_and_lints_with_pointed_messages(tree):
    result = run("new", "programme", "Youth Club Plus")
    assert result.exit_code == 0, result.output
    assert result.output == """Created evidence/programmes/youth-club-plus.yml

Fill in next (the comment above each line in the file explains it):
  line 23   summary: Plain-language summary, readable in 20 seconds (40–400 characters, no Markdown)
  line 31   priority_areas: one or more of: violence-and-exploitation, positive-opportunities, stronger-families, inclusive-education, community-led
  line 35   settings: one or more of: mainstream-school, special-school, pru, other-ap, in-school-ap-unit, community, family-home, hospital, community-health, police-custody, policing, youth-justice, childrens-social-care, online, system-partnership
  line 39   ages.min: Youngest age served, in years
  line 40   ages.max: Oldest age served, in years
  line 50   outcomes: one or more of: violence-perpetration, violence-victimisation, offending, reoffending, exploitation, weapon-carrying, bullying, exclusion, suspension, attendance, hidden-moves, attainment, behaviour, wellbeing, eet, family, safety-perception, workforce, child-protection, hospital-use, out-of-home-placement, crime-place
  line 78   countries: one or more of: england, wales, scotland, northern-ireland, ireland, united-states, canada, australia, new-zealand, netherlands, norway, sweden, international
  line 88   evaluation_status: one of: impact-evaluated, results-not-yet-published, observational-only, process-evaluation-only, monitoring-only, evaluation-not-read, not-evaluated, non-experimental-evaluation-under-way
  line 92   evaluation_checked: Date the evaluation status was last checked (a status is a dated claim)
  line 95   evaluation_url: Page the evaluation status was read on
  line 135  references[0].title: Title of the page, report or paper
  line 136  references[0].url: Where it can be read (https)
  line 150  review.reviewers: Who checked it (names or GitHub handles)

Then check it:   whatworks lint evidence/programmes/youth-club-plus.yml
and preview it:  make serve   (then open http://127.0.0.1:8000/programmes/youth-club-plus.html)
"""
    path = tree / "programmes" / "youth-club-plus.yml"
    text = path.read_text(encoding="utf-8")
    assert text.split("\n", 1)[0] == "# yaml-language-server: $schema=../../schema/programme.schema.json"
    assert "\nid: youth-club-plus\n" in text and '\nname: "Youth Club Plus"\n' in text and 'id: ""' not in text
    assert f"  last_reviewed: {TODAY.isoformat()}\n  " in text and f"  next_review_due: {NEXT_YEAR.isoformat()}\n" in text

    lint = run("lint")
    assert lint.exit_code == 1
    where = "evidence/programmes/youth-club-plus.yml"
    assert lint.output.splitlines() == [
        f"{where}:23:10: summary: text is too short (at least 40 characters). Fix: write it out: Plain-language summary, readable in 20 seconds (40–400 characters, no Markdown) [text-too-short]",
        f"{where}:31:17: priority_areas: list is empty. Fix: add at least one value (London VRU priority areas (vocabulary `priority-areas`)) [empty-list]",
        f"{where}:35:11: settings: list is empty. Fix: add at least one value (Where it is delivered (vocabulary `settings`)) [empty-list]",
        f"{where}:39:7: ages.min: value is empty. Fix: fill it in: Youngest age served, in years [empty-value]",
        f"{where}:40:7: ages.max: value is empty. Fix: fill it in: Oldest age served, in years [empty-value]",
        f"{where}:50:11: outcomes: list is empty. Fix: add at least one value (Outcome domains it aims to change (vocabulary `outcomes`)) [empty-list]",
        f"{where}:78:12: countries: list is empty. Fix: add at least one value (Countries where it is delivered (vocabulary `countries`)) [empty-list]",
        f"{where}:88:19: evaluation_status: value is empty. Fix: fill it in: State of its evaluation (vocabulary `evaluation-statuses`) [empty-value]",
        f"{where}:92:20: evaluation_checked: value is empty. Fix: fill it in: Date the evaluation status was last checked (a status is a dated claim) [empty-value]",
        f"{where}:95:17: evaluation_url: text is too short (at least 12 characters). Fix: write it out: Page the evaluation status was read on [text-too-short]",
        f"{where}:135:12: references[0].title: text is too short (at least 1 characters). Fix: write it out: Title of the page, report or paper [text-too-short]",
        f"{where}:136:10: references[0].url: text is too short (at least 12 characters). Fix: write it out: Where it can be read (https) [text-too-short]",
        f"{where}:150:14: review.reviewers: list is empty. Fix: add at least one value (Who checked it (names or GitHub handles)) [empty-list]",
        "checked 18 files, found 13 problems",
    ]

    path.write_text(fill(text, BODY_FILLS["programme"]), encoding="utf-8")
    lint = run("lint")
    assert (lint.exit_code, lint.output) == (0, "checked 18 files, found 0 problems\n")
    entry = load_ok(tree).entry("youth-club-plus")
    assert (entry.name, entry.countries, entry.evaluation_status, entry.review.status) == ("Youth Club Plus", ("england",), "not-evaluated", "draft")


def test_new_study_lints_with_pointed_messages_then_clean(tree):
    assert run("new", "study", "Youth Club Plus trial (2025)").exit_code == 0
    path = tree / "studies" / "youth-club-plus-trial-2025.yml"
    where = "evidence/studies/youth-club-plus-trial-2025.yml"
    lint = run("lint", str(path.relative_to(tree.parent)))
    assert lint.output.splitlines() == [
        f"{where}:24:10: summary: text is too short (at least 40 characters). Fix: write it out: Plain-language summary, readable in 20 seconds (40–400 characters, no Markdown) [text-too-short]",
        f"{where}:27:8: title: text is too short (at least 1 characters). Fix: write it out: Title as published [text-too-short]",
        f"{where}:30:10: authors: list is empty. Fix: add at least one value (Authors, 'Surname Initials', or the organisation) [empty-list]",
        f"{where}:33:6: year: value is empty. Fix: fill it in: Year of publication [empty-value]",
        f"{where}:46:6: url: text is too short (at least 12 characters). Fix: write it out: Where the study or its abstract can be read; figures default to this URL [text-too-short]",
        f"{where}:50:8: design: value is empty. Fix: fill it in: Evaluation design (vocabulary `designs`, which gives its Maryland SMS level) [empty-value]",
        f"{where}:53:12: countries: list is empty. Fix: add at least one value (Countries where it took place (vocabulary `countries`)) [empty-list]",
        f"{where}:61:8: sample.size: value is empty. Fix: fill it in: Number of units in the analysis [empty-value]",
        f"{where}:63:9: sample.unit: text is too short (at least 1 characters). Fix: write it out: What was counted: 'young people', 'schools', 'studies', … [text-too-short]",
        f"{where}:90:12: evaluates: list is empty. Fix: add at least one value (Ids of the approaches and/or programmes this study evaluates) [empty-list]",
        f"{where}:96:13: findings[0].outcome: value is empty. Fix: fill it in: Outcome domain (vocabulary `outcomes`) [empty-value]",
        f"{where}:98:14: findings[0].measure: text is too short (at least 1 characters). Fix: write it out: What exactly was measured, e.g. 'violent-crime arrests over 16 months' [text-too-short]",
        f"{where}:100:13: findings[0].result: text is too short (at least 1 characters). Fix: write it out: The result in plain words (ours, not the paper's) [text-too-short]",
        f"{where}:105:16: findings[0].direction: '' is not allowed. Fix: use one of: 'favourable', 'unfavourable', 'no-difference' or 'mixed' [not-allowed-value]",
        f"{where}:149:14: review.reviewers: list is empty. Fix: add at least one value (Who checked it (names or GitHub handles)) [empty-list]",
        "checked 1 file, found 15 problems",
    ]
    path.write_text(fill(path.read_text(encoding="utf-8"), BODY_FILLS["study"]), encoding="utf-8")
    assert run("lint").output == "checked 18 files, found 0 problems\n"
    assert load_ok(tree).studies_for("sample-mentoring")[-1].id == "youth-club-plus-trial-2025"


def test_new_approach_then_filled_lints_clean(tree):
    assert run("new", "approach", "Youth clubs").exit_code == 0
    path = tree / "approaches" / "youth-clubs.yml"
    path.write_text(fill(path.read_text(encoding="utf-8"), BODY_FILLS["approach"]), encoding="utf-8")
    assert run("lint").output == "checked 18 files, found 0 problems\n"


def test_refuses_to_overwrite_or_reuse_an_id(tree):
    existing = tree / "programmes" / "sample-programme.yml"
    before = existing.read_bytes()
    result = run("new", "programme", "Sample programme")
    assert result.exit_code == 1
    assert result.stderr == ("evidence/programmes/sample-programme.yml: already exists. "
                             "Fix: edit that file, or choose another name or --id for the new entry\n")
    assert existing.read_bytes() == before

    result = run("new", "study", "Sample mentoring")
    assert (result.exit_code, result.stderr) == (1, "evidence/studies/sample-mentoring.yml: the id 'sample-mentoring' is already used by "
                                                    "evidence/approaches/sample-mentoring.yml. Fix: ids are unique across approaches, "
                                                    "programmes and studies; choose another --id\n")
    assert not (tree / "studies" / "sample-mentoring.yml").exists()

    result = run("new", "study", "Sample mentoring", "--id", "sample-mentoring-2021")
    assert result.exit_code == 0 and (tree / "studies" / "sample-mentoring-2021.yml").is_file()


@pytest.mark.parametrize("args, message", [
    (["???"], "id: '' is not a valid id. Fix: use lowercase letters, digits and single hyphens (pass --id, e.g. --id youth-club-plus)\n"),
    (["   "], "name: the name is empty. Fix: give the name in quotes, e.g. whatworks new programme \"Youth Club Plus\"\n"),
    (["Fine name", "--id", "Not_A_Slug"], "id: 'Not_A_Slug' is not a valid id. Fix: use lowercase letters, digits and single hyphens "
                                         "(pass --id, e.g. --id youth-club-plus)\n"),
])
def test_bad_names_and_ids_are_refused_without_writing(tree, args, message):
    result = run("new", "programme", *args)
    assert (result.exit_code, result.stderr) == (1, message)
    assert sorted(p.name for p in (tree / "programmes").iterdir()) == ["sample-programme.yml"]


def test_new_stamps_the_injected_clock_not_the_system_date(tree):
    assert run("--today", "2031-02-28", "new", "approach", "Clock check").exit_code == 0
    text = (tree / "approaches" / "clock-check.yml").read_text(encoding="utf-8")
    assert "  last_reviewed: 2031-02-28\n" in text and "  next_review_due: 2032-02-28\n" in text


@pytest.mark.parametrize("value", ["2026-13-01", "tomorrow"])
def test_a_clock_that_is_not_a_date_is_a_usage_error(tree, value):
    result = run("--today", value, "lint")
    assert result.exit_code == 2
    assert f"Error: WHATWORKS_TODAY='{value}': not a date. Fix: use YYYY-MM-DD, or unset WHATWORKS_TODAY" in result.output
