"""A report: front matter, the sandboxed body with its helpers, safe queries, escaping."""
