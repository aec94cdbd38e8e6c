"""The site: Markdown pages generated from a Corpus, then `mkdocs build --strict`."""
