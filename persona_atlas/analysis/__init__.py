"""CPU side: DuckDB store, metric registry, statistics, verdicts, result.json."""
