"""Search: `documents.py` (one dict per entry, made once per build), `index.py` (writes the
Whoosh index), `related.py` (related entries for the pages), `cli.py` (`whatworks search`).
Reading the index (query, suggestions, the Datasette /-/search endpoint) is the plugin package
plugins/datasette-whatworks-search, which the published Datasette installs alone."""
