"""Property tests: whatever bytes or structures a contributor writes, lint reports problems
(exit 1, located) and never raises."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.evidence.corpus import load_corpus
from build_tools.evidence.load import parse_yaml
from build_tools.evidence.models import Approach
from build_tools.evidence.schema_check import check_model
from conftest import TODAY, make_tree

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
yaml_chars = st.text(alphabet=st.sampled_from(list("ab:- []{}'\"#&*!|>%@`\n\t0123456789.,?~\\ยé")), max_size=200)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
trees = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=20)
field_names = st.sampled_from(list(Approach.model_fields) + ["sumary", "x"])


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_parse_without_raising(raw):
    loaded = parse_yaml(raw, "fuzz.yml")
    assert loaded.data is None or isinstance(loaded.data, dict) or loaded.problems


@SETTINGS
@given(yaml_chars)
def test_yaml_like_text_parses_without_raising(text):
    loaded = parse_yaml(text.encode(), "fuzz.yml")
    for problem in loaded.problems:
        assert problem.path == "fuzz.yml" and problem.message and problem.fix


@SETTINGS
@given(st.dictionaries(field_names, trees, max_size=8))
def test_random_entries_validate_without_raising(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    loaded = parse_yaml(text.encode(), "approaches/fuzz.yml")
    if loaded.data is not None:
        check_model(loaded, Approach)
    for problem in loaded.problems:
        assert problem.line >= 1 and problem.fix


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(field_names, trees, min_size=1, max_size=8))
def test_random_entries_in_a_tree_give_located_problems(tmp_path_factory, data):
    evidence = make_tree(tmp_path_factory.mktemp("fuzz"), {"approaches/fuzz.yml": yaml.safe_dump(data, allow_unicode=True)})
    result = load_corpus(evidence, today=TODAY)
    assert result.corpus is None and result.problems
    assert all(p.path.endswith("approaches/fuzz.yml") and p.line >= 1 for p in result.problems)
