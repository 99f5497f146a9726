"""Breakdowns of one territory (families, sectors, evolution, rank) and indicators of all
territories of a level: the building blocks of portraits, maps and "Data ESS" fiches.

Every function returns a plain DataFrame whose hidden values (secret statistique) are
NaN with a boolean `secret` column; `ess.format` shows them as "s".
"""

from __future__ import annotations

import duckdb
import pandas as pd

from data import familles_ess
from ess import diffusion
from ess.codes_territoire import resoudre
from ess.indicateurs import FAMILLES_ESS, cellules

INDICATEURS = {
    "etablissements_ess": "Établissements employeurs de l'ESS",
    "effectifs_ess": "Effectifs salariés de l'ESS",
    "part_ess_prive": "Part de l'ESS dans l'emploi privé (%)",
    "effectifs_ess_1000_hab": "Effectifs salariés de l'ESS pour 1\u202f000 habitants",
}


A38 = "SELECT a38, libelle_a38, a21 FROM ref_naf_a38 ORDER BY a38"
SECTIONS_A21 = "SELECT a21, libelle_a21 FROM ref_naf_sections"

# Yearly series of a territory (or group): a value hidden in any part stays hidden.
EVOLUTION = """
SELECT annee,
       sum(nb_etablissements) FILTER (WHERE groupe = 'ess')::INTEGER AS etablissements_ess,
       CASE WHEN bool_or(secret) FILTER (WHERE groupe = 'ess') THEN NULL
            ELSE sum(effectifs) FILTER (WHERE groupe = 'ess') END AS effectifs_ess,
       CASE WHEN bool_or(secret) FILTER (WHERE groupe = 'prive') THEN NULL
            ELSE sum(effectifs) FILTER (WHERE groupe = 'prive') END AS effectifs_prive
FROM emploi
WHERE list_contains(?, territoire) AND nomenclature = 'ensemble'
GROUP BY annee
ORDER BY annee
"""

# Every territory of a level with its ESS indicators for one year.
INDICATEURS_NIVEAU = """
SELECT t.territoire, t.code, t.nom, t.population, t.superficie_km2,
       coalesce(max(e.nb_etablissements) FILTER (WHERE e.groupe = 'ess'), 0) AS etablissements_ess,
       max(e.effectifs) FILTER (WHERE e.groupe = 'ess') AS effectifs_ess,
       max(e.effectifs) FILTER (WHERE e.groupe = 'prive') AS effectifs_prive,
       coalesce(bool_or(e.secret) FILTER (WHERE e.groupe IN ('ess', 'prive')), false) AS secret
FROM territoires t
LEFT JOIN emploi e ON e.territoire = t.territoire AND e.annee = ? AND e.nomenclature = 'ensemble'
WHERE t.niveau = ?
GROUP BY ALL
ORDER BY t.nom
"""


def _parts(df: pd.DataFrame, total) -> pd.DataFrame:
    df["part"] = (100 * df["effectifs"] / total).round(1) if total else float("nan")
    return df


def secteurs_diffuses(con: duckdb.DuckDBPyConnection, code: str, groupe: str = "ess") -> bool:
    """Whether jobs by sector are published at this territory's level."""
    t = resoudre(con, code)
    return diffusion.publie(con, "commune" if t.niveau == "communes" else t.niveau, groupe, "a21")


def familles(con: duckdb.DuckDBPyConnection, code: str, annee: int) -> pd.DataFrame:
    """ESS jobs and employer establishments by legal family."""
    t = resoudre(con, code)
    cells = cellules(con, t, annee)
    ens = cells[cells["nomenclature"] == "ensemble"].set_index("groupe")
    df = pd.DataFrame({"famille": list(FAMILLES_ESS)})
    df["libelle"] = df["famille"].map(familles_ess())
    for col in ("nb_etablissements", "effectifs", "secret"):
        df[col] = df["famille"].map(ens[col]) if not ens.empty else None
    df["nb_etablissements"] = df["nb_etablissements"].fillna(0).astype(int)
    df["secret"] = df["secret"].astype("boolean").fillna(False).astype(bool)
    # a family not published at this level (a commune's) is unknown, not 0
    niveau = "commune" if t.niveau == "communes" else t.niveau
    df["diffuse"] = [diffusion.publie(con, niveau, f) for f in df["famille"]]
    connu = ~df["secret"] & df["diffuse"]
    df.loc[connu, "effectifs"] = df.loc[connu, "effectifs"].fillna(0)
    df["nb_etablissements"] = df["nb_etablissements"].where(df["diffuse"])
    total = ens.at["ess", "effectifs"] if "ess" in ens.index else None
    return _parts(df, None if pd.isna(total) else total)


def secteurs(con: duckdb.DuckDBPyConnection, code: str, annee: int, groupe: str = "ess") -> pd.DataFrame:
    """ESS jobs by A21 section with their A38 detail (`niveau` = a21 | a38), as far as the
    territory's level publishes them (none for a commune: see `secteurs_diffuses`)."""
    t = resoudre(con, code)
    cells = cellules(con, t, annee)
    cells = cells[cells["groupe"] == groupe]
    total = cells.loc[cells["nomenclature"] == "ensemble", "effectifs"]
    total = None if total.empty or pd.isna(total.iloc[0]) else total.iloc[0]
    cells = cells[cells["nomenclature"].isin(["a21", "a38"])]
    a38 = con.execute(A38).df()
    a21 = con.execute(SECTIONS_A21).df()
    df = cells.rename(columns={"nomenclature": "niveau"})[
        ["niveau", "secteur", "nb_etablissements", "effectifs", "secret"]]
    df = df.merge(a38.rename(columns={"a38": "secteur"}), on="secteur", how="left")
    df["section"] = df["a21"].where(df["niveau"] == "a38", df["secteur"])
    df = df.drop(columns="a21").merge(a21.rename(columns={"a21": "section"}), on="section", how="left")
    df["libelle"] = df["libelle_a38"].where(df["niveau"] == "a38", df["libelle_a21"])
    df = _parts(df, total)
    return df.sort_values(["section", "niveau", "secteur"], ignore_index=True)[
        ["niveau", "section", "secteur", "libelle", "nb_etablissements", "effectifs", "part", "secret"]]


def evolution(con: duckdb.DuckDBPyConnection, code: str) -> pd.DataFrame:
    """Yearly ESS establishments, ESS jobs, private jobs and ESS share, all available years."""
    t = resoudre(con, code)
    df = con.execute(EVOLUTION, [t.identifiants()]).df()
    df["part_ess_prive"] = (100 * df["effectifs_ess"] / df["effectifs_prive"]).round(1)
    return df


def par_niveau(con: duckdb.DuckDBPyConnection, niveau: str, annee: int) -> pd.DataFrame:
    """Indicators of every territory of a level (for maps, tables and ranks)."""
    df = con.execute(INDICATEURS_NIVEAU, [annee, niveau]).df()
    df["part_ess_prive"] = (100 * df["effectifs_ess"] / df["effectifs_prive"]).round(1)
    df["effectifs_ess_1000_hab"] = (1000 * df["effectifs_ess"] / df["population"]).round(1)
    for ind in INDICATEURS:
        df[f"rang_{ind}"] = df[ind].rank(ascending=False, method="min").astype("Int64")
    return df


def rang(con: duckdb.DuckDBPyConnection, code: str, annee: int, indicateur: str) -> tuple[int | None, int]:
    """Rank (1 = highest) of a territory among the territories of its level, and their number."""
    t = resoudre(con, code)
    df = par_niveau(con, t.niveau, annee)
    row = df[df["territoire"] == code]
    if row.empty or pd.isna(row[f"rang_{indicateur}"].iloc[0]):
        return None, int(df[indicateur].notna().sum())
    return int(row[f"rang_{indicateur}"].iloc[0]), int(df[indicateur].notna().sum())
