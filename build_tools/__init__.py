"""whatworks: validate the evidence YAML and build the site, database, search index and exports."""

__version__ = "0.1.0"
