"""Rural vs métropole: the ESS by type of territory (Toulouse Métropole vs the rest, density
classes, PETR). Those types are territories of the database (`metropole:*`, `densite:*`,
`petr:*`), so their figures come from the same secret-protected emploi cells as any other.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from data import libelles
from ess import portrait
from ess.codes_territoire import territoire_base
from ess.provenance import infos_build

# the types of territory compared, in this order (densite: named by libelle_type)
TYPES = {n: libelles("niveaux", "partition")[n] for n in ("metropole", "densite", "petr")}
# A density source that is not the approximation (its description says so).
DENSITE_OFFICIELLE = """
SELECT count(*) FROM sources WHERE source ILIKE '%densite%' AND description NOT ILIKE '%approximation%'
"""
ORDRE_DENSITE = {"urbain-dense": 0, "urbain-intermediaire": 1, "rural": 2}


def densite_officielle(con: duckdb.DuckDBPyConnection) -> bool:
    """True once INSEE's grille communale de densité has been loaded by the build."""
    info = infos_build(con)
    if info.get("grille_densite") or info.get("source_densite"):
        return True
    # The build describes the density source; the proxy's description says "Approximation".
    (n,) = con.execute(DENSITE_OFFICIELLE).fetchone()
    return n > 0


def libelle_type(niveau: str, officielle: bool) -> str:
    if niveau == "densite":
        return "Densité (grille INSEE)" if officielle else "Densité (approximation)"
    return TYPES[niveau]


def comparaison(con: duckdb.DuckDBPyConnection, annee: int) -> pd.DataFrame:
    """One row per type of territory: ESS jobs, ESS share of private jobs, jobs per 1,000
    inhabitants, and the part of the database's ESS jobs (département or région) located there."""
    dep = portrait.par_niveau(con, territoire_base(con).niveau, annee)
    total_ess = dep["effectifs_ess"].iloc[0] if not dep.empty else None
    officielle = densite_officielle(con)
    parts = []
    for niveau in TYPES:
        df = portrait.par_niveau(con, niveau, annee)
        if niveau == "densite":
            df = df.sort_values("code", key=lambda s: s.map(ORDRE_DENSITE), ignore_index=True)
        elif niveau == "metropole":  # the métropole first, then the rest
            df = df.sort_values("code", key=lambda s: s.eq("hors-metropole"), ignore_index=True)
        df.insert(0, "type", libelle_type(niveau, officielle))
        df.insert(1, "niveau", niveau)
        parts.append(df)
    out = pd.concat(parts, ignore_index=True)
    out["part_emplois_ess_departement"] = (
        (100 * out["effectifs_ess"] / total_ess).round(1) if total_ess else float("nan"))
    return out[["type", "niveau", "territoire", "nom", "population", "etablissements_ess",
                "effectifs_ess", "effectifs_prive", "part_ess_prive", "effectifs_ess_1000_hab",
                "part_emplois_ess_departement", "secret"]]


def message_plan(df: pd.DataFrame) -> dict | None:
    """The plan's point, with data: the ESS weighs more outside the métropole (each of them, in
    a région: Toulouse and Montpellier in Occitanie, the most populated first). None when the
    figures are hidden or there is no métropole."""
    metro = df[df["niveau"] == "metropole"].set_index("territoire")
    hors = [t for t in metro.index if t.endswith(":hors-metropole")]
    dedans = metro.loc[[t for t in metro.index if not t.endswith(":hors-metropole")]]
    if not hors or dedans.empty:
        return None
    h = metro.loc[hors[0]]
    if pd.isna(h["part_ess_prive"]) or dedans["part_ess_prive"].isna().any():
        return None
    dedans = dedans.sort_values("population", ascending=False)
    rural = df[(df["niveau"] == "densite") & df["territoire"].eq("densite:rural")]
    return {
        "metropoles": list(zip(dedans["nom"], dedans["part_ess_prive"].astype(float), strict=True)),
        "metropole": dedans["nom"].iloc[0],
        "part_metropole": float(dedans["part_ess_prive"].iloc[0]),
        "part_hors_metropole": float(h["part_ess_prive"]),
        "emplois_hors_metropole": float(h["part_emplois_ess_departement"]),
        "part_rural": None if rural.empty else float(rural["part_ess_prive"].iloc[0]),
        "plus_hors_metropole": bool((h["part_ess_prive"] > dedans["part_ess_prive"]).all()),
    }
