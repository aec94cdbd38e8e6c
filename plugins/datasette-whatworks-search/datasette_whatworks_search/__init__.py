"""The whatworks search reader and its Datasette endpoint (only Datasette and whoosh3 needed).

`schema` (the index's fields, also used by the writer), `query` (SearchIndex.search),
`suggest` ("did you mean"), `synonyms` (practitioners' words), `plugin` (the /-/search routes).
"""

from .query import MAX_QUERY_CHARS, MAX_QUERY_WORDS, SearchIndex, SearchResult
from .schema import FACET_REPORT, IndexMissing, SearchError, analyse
from .synonyms import SYNONYMS_FILE

__all__ = ["FACET_REPORT", "MAX_QUERY_CHARS", "MAX_QUERY_WORDS", "IndexMissing", "SearchError", "SearchIndex",
           "SearchResult", "SYNONYMS_FILE", "analyse"]
