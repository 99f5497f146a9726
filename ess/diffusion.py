"""What the database publishes of employment at each level (`ref_diffusion_emploi`, a copy of
data/diffusion_emploi.csv). A combination it does not list is "non diffusé à cet échelon":
neither a zero nor a secret cell, and shown as such."""

from __future__ import annotations

import duckdb
import pandas as pd

from data import libelles

NON_DIFFUSE_A_CET_ECHELON = "non diffusé à cet échelon"  # in a sentence; the cell mark is format.NON_DIFFUSE

COMBINAISONS = "SELECT niveau, groupe, nomenclature FROM ref_diffusion_emploi"
# The groups published by level and nomenclature, in words (families by their label).
PUBLIE_PAR_NIVEAU = """
WITH d AS (
    SELECT d.*,
           CASE d.groupe WHEN 'ess' THEN 'ESS' WHEN 'prive' THEN 'privé'
                ELSE lower(left(f.libelle, 1)) || substr(f.libelle, 2) END AS quoi,
           CASE d.groupe WHEN 'ess' THEN 0 WHEN 'prive' THEN 99 ELSE f.ordre::INTEGER END AS rang
    FROM ref_diffusion_emploi d LEFT JOIN ref_familles f ON f.famille = d.groupe
)
SELECT niveau,
       string_agg(quoi, ', ' ORDER BY rang) FILTER (WHERE nomenclature = 'ensemble') AS "Tous secteurs",
       coalesce(string_agg(quoi, ', ' ORDER BY rang) FILTER (WHERE nomenclature = 'a21'), '—')
           AS "Par section (A21)",
       coalesce(string_agg(quoi, ', ' ORDER BY rang) FILTER (WHERE nomenclature = 'a38'), '—') AS "Par A38"
FROM d GROUP BY niveau
"""


def combinaisons(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    return set(con.execute(COMBINAISONS).fetchall())


def publie(con: duckdb.DuckDBPyConnection, niveau: str, groupe: str, nomenclature: str = "ensemble") -> bool:
    return (niveau, groupe, nomenclature) in combinaisons(con)


def tableau(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """What the base publishes of employment, one row per level (data/niveaux.csv's echelon and
    order), in words: the Sources page's table."""
    df = con.execute(PUBLIE_PAR_NIVEAU).df()
    echelon, ordre = libelles("niveaux", "echelon"), libelles("niveaux", "ordre")
    df.insert(0, "Échelon", [echelon.get(n, n) for n in df["niveau"]])
    df["_ordre"] = [int(ordre.get(n) or 6) for n in df["niveau"]]
    return df.sort_values("_ordre", kind="stable", ignore_index=True).drop(columns=["niveau", "_ordre"])
