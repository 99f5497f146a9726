"""Read side: read-only queries on data/ess.duckdb, indicators, formatting, CLI."""
