"""`make pa11y` (tests/a11y/pa11y.py) tells Material's markup from ours by the list in
tests/a11y/material.yml: each entry names its reason, and none of them can swallow ours."""

from __future__ import annotations

import re

from a11y.pa11y import PAGES, is_materials, material_rules


def issue(code: str, selector: str, context: str) -> dict:
    return {"code": "WCAG2AA.Principle1.Guideline1_3." + code, "selector": selector, "context": context}


def test_every_entry_says_why():
    rules = material_rules()
    assert rules and all(set(r) == {"code", "where", "why"} and r["why"].endswith(".") for r in rules)
    for rule in rules:
        re.compile(rule["where"])


def test_materials_are_listed_and_ours_are_not():
    rules = material_rules()
    assert is_materials(issue("3_2_2.H32.2", "header > nav > form", '<form class="md-search__form" name="search">'), rules)
    assert is_materials(issue("4_1_2.H91.InputCheckbox.Name", "#__toc", '<input class="md-nav__toggle md-toggle" id="__toc">'), rules)
    ours = [issue("1_3_1.H39.3.NoCaption", "article > div > table", '<table class="ww-gapmap">'),
            issue("2_5_3.F96", "article > table > tbody > tr > td > a", '<a href="../approaches/x.html" aria-label="X">1</a>'),
            issue("1_3_1.H48", "article > p", '<p class="ww-kind">Approach · <a href="a.html">A</a>'),
            issue("1_4_3.G18.Alpha", "article > table > tbody > tr > td", '<td data-label="Outcome">Offending</td>'),
            issue("1_4_10.C32,C31,C33,C38,SCR34,G206", "article > div", '<div class="ww-scroll ww-stack">')]
    assert [i["code"] for i in ours if is_materials(i, rules)] == []


def test_the_five_pages_pa11y_checks():
    assert PAGES == ["index.html", "approaches/mentoring.html", "gap-map/index.html", "london/lambeth.html", "overview/index.html"]
