"""The annotated templates in evidence/_template/: every field explained, never loaded as
entries, and each lints clean once its placeholders (and its commented examples) are filled."""

from __future__ import annotations

import re
import shutil
import typing

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from build_tools.cli import cli
from build_tools.evidence.models import Approach, Programme, Study
from conftest import REPO, load_ok, make_tree

TEMPLATES = REPO / "evidence" / "_template"
MODELS = {"approach": Approach, "programme": Programme, "study": Study}
FOLDERS = {"approach": "approaches", "programme": "programmes", "study": "studies"}

# What `whatworks new` fills in for the contributor (the template leaves them empty).
HEAD_FILLS = [
    ('id: ""', "id: youth-club-plus"),
    ('name: ""', "name: Youth Club Plus"),
    ('  last_reviewed: ""', "  last_reviewed: 2026-11-01"),
    ('  next_review_due: ""', "  next_review_due: 2027-11-01"),
]
_INTERVENTION = [
    ('summary: ""', "summary: A youth club that offers sport, mentoring and help with school to young people at risk of exclusion."),
    ("priority_areas: []", "priority_areas: [positive-opportunities]"),
    ("settings: []", "settings: [community]"),
    ("  min:\n  max:\n", "  min: 10\n  max: 17\n"),
    ("outcomes: []", "outcomes: [exclusion, wellbeing]"),
    ('  - title: ""\n    url: ""\n', "  - title: Youth Club Plus annual report\n    url: https://example.org/youth-club-plus/report\n"),
    ("  reviewers: []", "  reviewers: [a-contributor]"),
]
# What the contributor fills in, per kind: (placeholder as written in the template, value).
BODY_FILLS = {
    "approach": _INTERVENTION,
    "programme": _INTERVENTION + [
        ("countries: []", "countries: [england]"),
        ("evaluation_status:\n", "evaluation_status: not-evaluated\n"),
        ("evaluation_checked:\n", "evaluation_checked: 2026-11-01\n"),
        ('evaluation_url: ""', "evaluation_url: https://example.org/youth-club-plus/report"),
    ],
    "study": [
        ('summary: ""', "summary: A randomised trial of a youth club in three London boroughs; violence fell in the youth club group."),
        ('title: ""', "title: A randomised trial of Youth Club Plus"),
        ("authors: []", "authors: [Tester A]"),
        ("\nyear:\n", "\nyear: 2025\n"),
        ('url: ""', "url: https://example.org/youth-club-plus/trial"),
        ("design:\n", "design: rct\n"),
        ("countries: []", "countries: [england]"),
        ("  size:\n", "  size: 400\n"),
        ('  unit: ""', "  unit: young people"),
        ("evaluates: []", "evaluates: [sample-mentoring]"),
        ("  - outcome:\n", "  - outcome: violence-perpetration\n"),
        ('    measure: ""', "    measure: violent offences over 12 months"),
        ('    result: ""', "    result: Fewer violent offences in the youth club group."),
        ('    direction: ""', "    direction: favourable"),
        ("  reviewers: []", "  reviewers: [a-contributor]"),
    ],
}
# Commented-out examples in each template: (key, indent). Enabling one deletes `key: []`
# (if present) and removes "# " from the example's lines.
EXAMPLES = {"approach": [("ratings", "")], "programme": [("ratings", "")], "study": [("effect", "    "), ("references", "")]}


def fill(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, f"placeholder {old!r} found {text.count(old)} times"
        text = text.replace(old, new)
    return text


def enable_example(text: str, key: str, indent: str) -> str:
    """Uncomment the block that starts `<indent># <key>:` (continuation lines: `<indent>#   `)."""
    lines = text.split("\n")
    start = lines.index(f"{indent}# {key}:")
    end = start + 1
    while lines[end].startswith(f"{indent}#   "):
        end += 1
    block = [indent + line[len(indent) + 2:] for line in lines[start:end]]
    lines[start:end] = block
    out = "\n".join(lines)
    return out.replace(f"{indent}{key}: []\n", "", 1)


def filled_template(kind: str, examples: bool) -> str:
    text = fill(fill((TEMPLATES / f"{kind}.yml").read_text(encoding="utf-8"), HEAD_FILLS), BODY_FILLS[kind])
    for key, indent in EXAMPLES[kind] if examples else ():
        text = enable_example(text, key, indent)
    return text


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_template_starts_with_schema_line_for_editors(kind):
    first = (TEMPLATES / f"{kind}.yml").read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == f"# yaml-language-server: $schema=../../schema/{kind}.schema.json"
    assert (TEMPLATES / "../../schema" / f"{kind}.schema.json").resolve().is_file()


def _fields(model: type[BaseModel], seen: set[type]) -> set[str]:
    """Field names of the model and of every model nested in it."""
    names = set(model.model_fields)
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            ann = stack.pop()
            if isinstance(ann, type) and issubclass(ann, BaseModel) and ann not in seen:
                seen.add(ann)
                names |= _fields(ann, seen)
            stack.extend(typing.get_args(ann))
    return names


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_every_field_is_in_the_template_and_explained(kind):
    text = (TEMPLATES / f"{kind}.yml").read_text(encoding="utf-8")
    keys = set(re.findall(r"^[ #]*-? *([a-z_]+):", text, re.M))
    assert _fields(MODELS[kind], set()) - keys == set()
    lines = text.split("\n")
    for i, line in enumerate(lines):  # each top-level field has a comment right above it
        if re.match(r"^[a-z_]+:", line) and not re.match(r"^(ratings|references): \[\]$", line):
            assert lines[i - 1].startswith("#"), f"{kind}.yml line {i + 1} ({line!r}) has no comment above it"


def test_templates_are_never_loaded_as_entries(tmp_path):
    evidence = make_tree(tmp_path)
    shutil.copytree(TEMPLATES, evidence / "_template")
    corpus = load_ok(evidence)
    assert [e.id for e in corpus.entries] == ["sample-boot-camps", "sample-mentoring", "sample-programme", "sample-study-2020"]


@pytest.mark.parametrize("examples", [False, True], ids=["placeholders", "with-examples"])
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_filled_template_lints_clean(tmp_path, monkeypatch, kind, examples):
    evidence = make_tree(tmp_path, {f"{FOLDERS[kind]}/youth-club-plus.yml": filled_template(kind, examples)})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint"])
    assert (result.exit_code, result.output) == (0, "checked 18 files, found 0 problems\n")
    entry = load_ok(evidence).entry("youth-club-plus")
    assert entry.name == "Youth Club Plus" and entry.review.reviewers == ("a-contributor",)
    if kind != "study":
        assert (entry.ages.min, entry.ages.max, entry.outcomes) == (10, 17, ("exclusion", "wellbeing"))
        assert [(r.source, r.impact, r.estimate.value, r.url) for r in entry.ratings] == (
            [("yef-toolkit", "Moderate", -21.0, "https://youthendowmentfund.org.uk/toolkit/mentoring/")] if examples else [])
    else:
        effect = entry.findings[0].effect
        if examples:
            assert (effect.type, effect.value, effect.ci_low, effect.ci_high, effect.significant) == ("odds-ratio", 0.8, 0.65, 0.98, True)
        else:
            assert effect is None
        assert [r.doi for r in entry.references] == (["10.1093/qje/qjw033"] if examples else [])
