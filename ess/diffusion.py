"""What the database publishes of employment at each level (`ref_diffusion_emploi`, a copy of
data/diffusion_emploi.csv). A combination it does not list is "non diffusé à cet échelon":
neither a zero nor a secret cell, and shown as such."""

from __future__ import annotations

import duckdb

NON_DIFFUSE = "non diffusé à cet échelon"


def combinaisons(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    return set(con.execute("SELECT niveau, groupe, nomenclature FROM ref_diffusion_emploi").fetchall())


def publie(con: duckdb.DuckDBPyConnection, niveau: str, groupe: str, nomenclature: str = "ensemble") -> bool:
    return (niveau, groupe, nomenclature) in combinaisons(con)
