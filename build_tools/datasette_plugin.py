"""Datasette plugin for whatworks (the /-/search endpoint is added by the search work)."""
