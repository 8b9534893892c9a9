"""Site side: Jinja rendering of reports, figures, linter, staleness check, MkDocs glue."""
