"""Anything that lints clean builds, and every output is valid (issue 11, item 3).

Hypothesis writes lint-clean entries (any Unicode including emoji and other non-BMP characters,
extreme but valid numbers, long lists, odd but valid ids), lint must pass, and then the FULL
build must succeed with: corpus.json strict JSON (no NaN/Infinity), feed.xml and sitemap.xml
well-formed XML, each entry page's <title> holding the entry's name, and every CSV reading back
to its table's row count. `make test` runs a few examples; `make fuzz` many more
(WHATWORKS_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import os
import re
import shutil
import sqlite3
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from build_tools.build import run_build
from build_tools.evidence.corpus import load_corpus
from build_tools.evidence.problems import render
from conftest import REPO, TODAY, make_tree

EXAMPLES = int(os.environ.get("WHATWORKS_FUZZ_EXAMPLES", "3"))
VOCAB = {p.stem: [t["id"] for t in yaml.safe_load(p.read_text(encoding="utf-8"))["terms"]]
         for p in (REPO / "evidence" / "vocabularies").glob("*.yml") if p.stem != "synonyms"}  # groups, not terms
RANGES = {t["id"]: (t.get("min", -1e6), t.get("max", 1e6)) for t in
          yaml.safe_load((REPO / "evidence/vocabularies/effect-types.yml").read_text(encoding="utf-8"))["terms"]}
COMPARATIVE = {t["id"]: t.get("comparative") for t in
               yaml.safe_load((REPO / "evidence/vocabularies/designs.yml").read_text(encoding="utf-8"))["terms"]}
SOURCES = {t["id"]: list(t.get("impact_labels") or {}) for t in
           yaml.safe_load((REPO / "evidence/vocabularies/sources.yml").read_text(encoding="utf-8"))["terms"]}

# Any character lint accepts in text: everything but controls, surrogates, XML's two
# non-characters, and `<` (raw HTML is refused); colons, brackets, quotes, emoji all welcome.
chars = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="<\ufffe\uffff")
emoji = st.sampled_from(["😀", "🧒🏽", "👩‍👩‍👧", "🇬🇧", "𝔘𝔫𝔦", "𠜎", "\u2028", "é", "ß", "—", "\u00a0", "'", '"', ": ", "#", "{v}", "---", "[x]"])
text_part = st.one_of(st.text(chars, min_size=1, max_size=12), emoji)


def text(min_size=1, max_size=300):
    return (st.lists(text_part, min_size=1, max_size=12).map("".join)
            .map(lambda s: s[:max_size]).filter(lambda s: len(s.strip()) >= min_size and not re.search(
                r"(?i)\b(javascript|vbscript|data|file)\s*:|\]\(|^\s{0,3}\[[^\]]+\]:", s)))


slugs = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,4}", fullmatch=True).filter(lambda s: not s.startswith("sample-"))
summaries = text(40, 400).filter(lambda s: 40 <= len(s.strip()) <= 400)


def subset(vocab, min_size=1):
    return st.lists(st.sampled_from(VOCAB[vocab]), min_size=min_size, max_size=len(VOCAB[vocab]), unique=True)


@st.composite
def estimate(draw, extra=False):
    kind = draw(st.sampled_from(sorted(RANGES)))
    low, high = RANGES[kind]
    values = sorted(draw(st.lists(st.floats(low, high, allow_nan=False, allow_infinity=False), min_size=3, max_size=3)))
    out = {"type": kind, "value": values[1]}
    shape = draw(st.sampled_from(["value", "ci", "range", "range-only"]))
    if shape == "ci":
        out |= {"ci_low": values[0], "ci_high": values[2]}
    elif shape.startswith("range"):
        out |= {"range_low": values[0], "range_high": values[2]}
        if shape == "range-only":
            del out["value"]
    if extra and draw(st.booleans()):
        out["significant"] = draw(st.booleans())
    return out


def review():
    day = st.dates(dt.date(1, 1, 1), TODAY)
    return st.builds(lambda d, n, who: {"status": "reviewed", "last_reviewed": d, "next_review_due": d + dt.timedelta(days=n),
                                         "reviewers": who},
                     day, st.integers(1, 4000), st.lists(text(1, 80), min_size=1, max_size=30, unique_by=str.strip))


@st.composite
def intervention(draw, entry_id, kind):
    data = {"id": entry_id, "name": draw(text(1, 300)), "summary": draw(summaries),
            "priority_areas": draw(subset("priority-areas")), "settings": draw(subset("settings")),
            "outcomes": draw(subset("outcomes")), "review": draw(review()),
            "description": draw(text(1, 2000)), "cautions": draw(text(1, 500))}
    if draw(st.booleans()):
        data["ages"] = dict(zip(("min", "max"), sorted(draw(st.lists(st.integers(0, 30), min_size=2, max_size=2)))))
    ratings = []
    for source, outcome in draw(st.lists(st.tuples(st.sampled_from(sorted(SOURCES)), st.sampled_from(VOCAB["outcomes"])),
                                         max_size=4, unique=True)):
        labels = SOURCES[source]
        rating = {"source": source, "outcome": outcome, "url": "https://example.org/" + draw(slugs), "checked": draw(st.dates(dt.date(1, 1, 1), TODAY)),
                  "impact": draw(st.sampled_from(labels)) if labels else None, "estimate": draw(estimate()),
                  "note": draw(text(1, 300))}
        ratings.append({k: v for k, v in rating.items() if v is not None})
    data["ratings"] = ratings
    if kind == "programme":
        data |= {"countries": draw(subset("countries")), "boroughs": draw(subset("boroughs", 0)),
                 "evaluation_status": draw(st.sampled_from(VOCAB["evaluation-statuses"])), "provider": draw(text(1, 300)),
                 "evaluation_checked": draw(st.dates(dt.date(1, 1, 1), TODAY)), "evaluation_url": "https://example.org/e/" + draw(slugs)}
    return data


@st.composite
def study(draw, entry_id, targets):
    design = draw(st.sampled_from(sorted(COMPARATIVE)))
    findings = [{"outcome": draw(st.sampled_from(VOCAB["outcomes"])), "measure": draw(text(1, 300)), "result": draw(text(1, 300)),
                 "effect": draw(estimate(extra=True)), "follow_up_months": draw(st.floats(0, 600, allow_nan=False))}
                for _ in range(draw(st.integers(0, 5)))]
    for finding in findings:  # only a comparative design's findings have a direction
        if COMPARATIVE[design]:
            finding["direction"] = draw(st.sampled_from(["favourable", "unfavourable", "no-difference", "mixed"]))
    return {"id": entry_id, "name": draw(text(1, 300)), "summary": draw(summaries), "title": draw(text(1, 500)),
            "authors": draw(st.lists(text(1, 300), min_size=1, max_size=40, unique_by=str.strip)),
            "year": draw(st.integers(1900, 2100)), "url": "https://example.org/" + entry_id,
            "design": design, "countries": draw(subset("countries")),
            "sample": {"size": draw(st.integers(1, 100_000_000)), "unit": draw(text(1, 300))},
            "evaluates": draw(st.lists(st.sampled_from(targets), min_size=1, unique=True)),
            "findings": findings, "review": draw(review())}


@st.composite
def corpora(draw):
    ids = draw(st.lists(slugs, min_size=3, max_size=6, unique=True))
    n_approaches = draw(st.integers(1, len(ids) - 2))
    approaches, programmes, studies = ids[:n_approaches], ids[n_approaches:-1], ids[-1:]
    files = {f"approaches/{i}.yml": draw(intervention(i, "approach")) for i in approaches}
    files |= {f"programmes/{i}.yml": draw(intervention(i, "programme")) for i in programmes}
    files |= {f"studies/{i}.yml": draw(study(i, approaches + programmes)) for i in studies}
    return files


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # lint refuses aliases; PyYAML would write one for a repeated date
        return True


def _repo(root: Path, files: dict) -> Path:
    make_tree(root, {rel: yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=80)
                     for rel, data in files.items()})
    for name in ("mkdocs.yml", "datasette_metadata.yml", "CONTRIBUTING.md"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "site", root / "site", ignore=shutil.ignore_patterns(
        "approaches", "programmes", "studies", "priority-areas", "settings", "outcomes", "browse", "gap-map"))
    return root


def _strict_json(text: str):
    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=refuse)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 5, print_blob=True,
          # a full build per example: shrinking would take many minutes, so the short run reports as found
          phases=[Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if EXAMPLES > 5 else []),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(corpora())
def test_anything_that_lints_clean_builds_valid_outputs(files):
    with tempfile.TemporaryDirectory() as tmp:
        repo = _repo(Path(tmp), files)
        result = load_corpus(repo / "evidence", today=TODAY)
        assert result.corpus is not None, render(result.problems, "text")  # the strategy makes lint-clean entries
        assert run_build(repo / "evidence", repo / "_build", repo=repo) == 0
        out = repo / "_build"
        _strict_json((out / "exports" / "corpus.json").read_text(encoding="utf-8"))
        _strict_json((out / "metadata.json").read_text(encoding="utf-8"))
        for name in ("feed.xml", "sitemap.xml"):
            ET.parse(out / "site" / name)  # raises on malformed XML
        for entry in result.corpus.entries:
            page = (out / "site" / result.corpus.files[entry.id].split("/")[1] / f"{entry.id}.html").read_text(encoding="utf-8")
            title = html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
            assert " ".join(entry.name.split()) in " ".join(title.split()), (entry.name, title)
        db = sqlite3.connect(out / "evidence.db")
        for path in sorted((out / "exports").glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as handle:
                rows = sum(1 for _ in csv.reader(handle)) - 1
            assert rows == db.execute(f'SELECT count(*) FROM "{path.stem}"').fetchone()[0], path.name
        db.close()
