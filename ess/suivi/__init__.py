"""Tracking of the 2025-2028 plan: its structure (data/plan_2025_2028.toml), and what SIES
staff edit — activity statuses, indicators with yearly targets and values — in a writable
SQLite store (`ess.db.chemin_suivi()`), separate from the rebuilt analytics database, with an
audit trail, optimistic-concurrency versions, XLSX import/export and staff accounts."""
