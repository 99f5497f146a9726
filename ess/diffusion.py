"""What the employment table publishes at each geographic level (data/diffusion_emploi.csv,
loaded as `ref_diffusion_emploi`): a (level, group, nomenclature) not listed there reads "—"
with "non diffusé à cet échelon" in documents, never 0 and never `s`. Documents ask this table,
not the data, so they stay right when the data publish less."""

from __future__ import annotations

import duckdb

NOTE = "non diffusé à cet échelon"
NIVEAUX = {"communes": "commune"}  # a custom group of communes is published as its communes


def niveau(niveau_territoire: str) -> str:
    return NIVEAUX.get(niveau_territoire, niveau_territoire)


def publies(con: duckdb.DuckDBPyConnection, niveau_territoire: str) -> set[tuple[str, str]]:
    """(group, nomenclature) published at this level."""
    rows = con.execute("SELECT groupe, nomenclature FROM ref_diffusion_emploi WHERE niveau = ?",
                       [niveau(niveau_territoire)]).fetchall()
    return {(g, n) for g, n in rows}


def publie(con: duckdb.DuckDBPyConnection, niveau_territoire: str, groupe: str, nomenclature: str) -> bool:
    return (groupe, nomenclature) in publies(con, niveau_territoire)
