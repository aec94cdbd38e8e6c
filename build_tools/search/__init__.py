"""The Whoosh search index, its queries, the `whatworks search` CLI and the Datasette `/-/search` plugin."""
