"""The one Whoosh seam (plugins/datasette-whatworks-search/.../seam.py) against the pinned whoosh3:
these fail loudly when an upgrade changes what the seam relies on."""

from __future__ import annotations

from importlib import metadata

from datasette_whatworks_search import seam
from datasette_whatworks_search.schema import schema
from whoosh import index

DOCS = [{"id": f"e{n:04d}", "type": "approach", "name": f"Entry {n}", "summary": "mentoring in school " * (n % 7 + 1),
         "body": " ".join(["violence", "pupils", "mentoring"][: n % 3 + 1] * (n % 5 + 1))} for n in range(1200)]


def build(tmp_path):
    ix = index.create_in(str(tmp_path), schema())
    with seam.spelling_once():
        writer = ix.writer()
        for doc in DOCS:
            writer.add_document(**doc)
        writer.commit()
    return ix


def test_whoosh3_is_the_version_the_seam_was_written_for():
    assert metadata.version("whoosh3") == seam.WHOOSH_VERSION, (
        "whoosh3 changed: check seam.py (posting blocks, spellable_words) against it, run "
        "tests/test_search_seam.py and bench/bench_search.py, then update WHOOSH_VERSION and the pin")


def test_read_postings_reads_blocks_and_equals_the_public_matcher(tmp_path):
    ix = build(tmp_path)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for field, text in (("body", "violenc"), ("body", "mentor"), ("summary", "school"), ("name", "entri")):
            assert seam.reads_blocks(reader.postings(field, text)), "whoosh3's block matcher changed"
            fast = seam.read_postings(reader.postings(field, text))
            public = reader.postings(field, text)
            slow = ([], [])
            while public.is_active():
                slow[0].append(public.id())
                slow[1].append(public.weight())
                public.next()
            assert fast == (slow[0], slow[1]) and len(fast[0]) > 128  # more than one block


def test_spelling_words_are_listed_once_per_write_and_found(tmp_path):
    ix = build(tmp_path)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        spelling = schema()["summary"].spelling_fieldname("summary")
        assert reader.doc_frequency(spelling, "mentoring") == 1  # once, not once per document
        assert list(reader.terms_within(spelling, "mentring", 1)) == ["mentoring"]
        assert reader.doc_frequency("summary", "mentor") == len(DOCS)  # the stemmed field is whole
