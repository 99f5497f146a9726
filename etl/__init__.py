"""Write side: read sources, validate, stage, build the marts of data/ess.duckdb."""
