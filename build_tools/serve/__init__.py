"""`whatworks serve`: the site, downloads and Datasette on localhost, rebuilt on edits."""
