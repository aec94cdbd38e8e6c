"""Everything `whatworks lint` runs: strict YAML loading, the models, the rules, the Corpus; plus the contributor tools built on them (`new`, `diff`, editor JSON Schemas)."""
