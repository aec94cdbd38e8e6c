"""The tabular view of a Corpus (tables, columns and their descriptions), read by both the database and the CSV exports."""
