"""The SQLite database (sqlite-utils), its views and its Datasette metadata."""
