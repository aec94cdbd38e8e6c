"""The offline search index (build_tools/pages/search_index.py): what the browser is sent.
Its search (site/assets/search-offline.js) runs in chromium in test_browser_search.py."""

from __future__ import annotations

from build_tools.pages.search_index import DIGITS, SCALE, offline_index, offline_index_js, words


def _decode(postings: str) -> list[tuple[int, float]]:
    """As search-offline.js reads it: "<gap base 36><weight digit>" joined by commas."""
    out, doc = [], 0
    for p in postings.split(","):
        doc += int(p[:-1], 36)
        out.append((doc, DIGITS.index(p[-1]) / SCALE))
    return out


DOCS = [{"id": f"e{n}", "type": "study", "name": name, "summary": "s", "body": body}
        for n, (name, body) in enumerate([("Mentoring", "mentoring in A&E"), ("Other", "the youth club")] +
                                         [(f"Filler {n}", "filler") for n in range(40)] + [("Late", "mentoring")])]


def test_words_keep_a_and_e_whole_and_drop_stop_words():
    assert words("Youth workers in A&E: the Mentoring") == ["youth", "workers", "a&e", "mentoring"]


def test_postings_name_each_entry_once_with_name_weighing_most():
    data = offline_index(DOCS, [("a&e", "emergency department")])
    assert data["docs"][0] == ["studies/e0.html", "study", "Mentoring", "s"]
    mentoring = _decode(data["words"]["mentoring"])
    assert [doc for doc, _ in mentoring] == [0, 42]  # gaps over 36 entries decode back
    assert mentoring[0][1] > mentoring[1][1] > 0  # in the name and body beats body only
    assert "the" not in data["words"] and "a&e" in data["words"]
    assert data["synonyms"] == [["a&e", "emergency department"]]


def test_the_script_is_one_assignment_that_cannot_end_a_script_tag():
    js = offline_index_js([{**DOCS[0], "summary": "</script><b>"}])
    assert js.startswith("window.wwSearchIndex={") and js.endswith("};\n")
    assert "</script>" not in js
