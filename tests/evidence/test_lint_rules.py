"""Every lint rule has an id, a golden fixture and a line in CONTRIBUTING.md, and every problem
lint prints names its rule."""

from __future__ import annotations

import re

from build_tools.evidence.problems import RULES
from conftest import FIXTURES, REPO

EXPECT = re.compile(r"^# expect: .* \[([a-z0-9-]+)\]$", re.M)
# Rules a text fixture cannot hold (bytes that are not UTF-8 text, a 1 MiB file, an unreadable
# file, a missing folder); each is pinned by an exact-message test in test_lint.py instead.
NOT_TEXT_FIXTURES = {"unreadable-file", "file-too-large", "binary-file", "not-utf8", "missing-vocabulary", "invalid-value"}


def _fixture_rules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (FIXTURES / "invalid").glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        assert text.count("# expect: ") == len(EXPECT.findall(text)), f"{path.name}: an expect line has no [rule-id]"
        for rule in EXPECT.findall(text):
            found.setdefault(rule, set()).add(path.name)
    return found


def test_every_rule_has_a_golden_fixture():
    found = _fixture_rules()
    assert set(found) <= set(RULES), f"fixtures name unknown rules: {sorted(set(found) - set(RULES))}"
    missing = sorted(set(RULES) - set(found) - NOT_TEXT_FIXTURES)
    assert not missing, f"rules without a golden fixture in tests/fixtures/invalid/: {missing}"


def test_rules_without_text_fixture_are_tested_exactly():
    tests = (REPO / "tests" / "evidence" / "test_lint.py").read_text(encoding="utf-8")
    assert all(f"[{rule}]" in tests for rule in NOT_TEXT_FIXTURES)


def test_contributing_lists_every_rule():
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z0-9-]+)` \| (.*) \|$", text, re.M)
    assert [rule for rule, _ in listed] == list(RULES)
