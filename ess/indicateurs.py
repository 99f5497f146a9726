"""Key figures of a territory, as plain dicts (the contract of `python -m ess chiffres`)."""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from data import familles_ess, libelles, table
from ess import diffusion, motifs
from ess import format as fr
from ess.codes_territoire import TerritoireInvalide, resoudre, territoire_base
from ess.provenance import infos_build

FAMILLES_ESS = tuple(familles_ess())  # association, cooperative… (data/familles.csv)
PERIMETRES = tuple(libelles("definitions_ess"))  # statistique, sirene

# Employment cells of one territory (or a group: summed; a cell hidden in any part stays
# hidden, so a group never reveals what its communes hide).
EMPLOI_CELLULES = """
SELECT groupe, nomenclature, secteur,
       sum(nb_etablissements)::INTEGER AS nb_etablissements,
       CASE WHEN bool_or(secret) THEN NULL ELSE sum(effectifs) END AS effectifs,
       CASE WHEN bool_or(secret) THEN NULL ELSE sum(eqtp) END AS eqtp,
       bool_or(secret) AS secret
FROM emploi
WHERE list_contains(?, territoire) AND annee = ?
GROUP BY ALL
"""

ANNEES_EMPLOI = "SELECT DISTINCT annee FROM emploi ORDER BY annee"

# The interval the published figures give for a hidden ESS total (EPCI, PETR), when published.
FOURCHETTE_ESS = """
SELECT effectifs_min, effectifs_max FROM emploi_fourchettes
WHERE territoire = ? AND annee = ? AND groupe = 'ess' AND nomenclature = 'ensemble'
"""

# Middle of each SIRENE size band: the job estimate of the SIRENE definition (a CTE `t`).
TRANCHES_MILIEU = """
WITH t AS (
    SELECT tranche,
           (effectif_min::DOUBLE + coalesce(try_cast(nullif(effectif_max, '') AS DOUBLE),
                                             effectif_min::DOUBLE)) / 2 AS milieu
    FROM ref_tranches_effectifs
)"""

# ESS employer establishments active at 31/12 of a year, SIRENE definition (flag = 'O');
# jobs estimated from the size band (middle of the band).
SIRENE_ESS = TRANCHES_MILIEU + """
SELECT coalesce(e.famille_ess, 'autre_ess') AS famille, e.a38,
       count(*)::INTEGER AS nb_etablissements,
       round(sum(coalesce(t.milieu, 0)))::INTEGER AS effectifs_estimes
FROM etablissements e
LEFT JOIN t USING (tranche)
WHERE e.ess_sirene AND e.employeur
  AND list_contains(?, e.commune)
  AND actif_au_31_12(e.date_creation, e.date_fermeture, ?)
GROUP BY ALL
"""

# the most populated métropole (a région may hold two: Accueil names Toulouse Métropole's share)
METROPOLE = """
SELECT territoire FROM territoires WHERE niveau = 'metropole' AND code <> 'hors-metropole'
ORDER BY population DESC LIMIT 1
"""
CONTEXTE = "SELECT * FROM ref_chiffres_contexte"


class AnneeIndisponible(ValueError):
    pass


def cellules(con: duckdb.DuckDBPyConnection, territoire, annee: int) -> pd.DataFrame:
    """The employment cells of a territory (a group's summed) for a year."""
    return con.execute(EMPLOI_CELLULES, [territoire.identifiants(), annee]).df()


def annees(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [a for (a,) in con.execute(ANNEES_EMPLOI).fetchall()]


def annee_par_defaut(con: duckdb.DuckDBPyConnection) -> int:
    info = infos_build(con)
    return int(info.get("annee_par_defaut") or annees(con)[-1])


def chiffres_cles(
    con: duckdb.DuckDBPyConnection, code: str, annee: int | None = None,
    perimetre: str = "statistique",
) -> dict:
    if perimetre not in PERIMETRES:
        raise ValueError(f"Périmètre inconnu : « {perimetre} » (statistique ou sirene).")
    try:
        territoire = resoudre(con, code)
    except TerritoireInvalide:  # a région, France, another département: the national stock
        from ess import reperes  # (it reads this module's helpers)

        ailleurs = reperes.chiffres(con, code, annee, perimetre)
        if ailleurs is None:
            raise
        return ailleurs
    disponibles = annees(con)
    annee = annee or annee_par_defaut(con)
    if annee not in disponibles:
        raise AnneeIndisponible(
            f"Année {annee} indisponible ; années disponibles : {disponibles[0]}–{disponibles[-1]}."
        )
    base = {
        "territoire": territoire.code,
        "nom": territoire.nom,
        "annee": annee,
        "perimetre": perimetre,
        "donnees_demo": infos_build(con).get("demo") == "oui",
    }
    if perimetre == "sirene":
        return base | _sirene(con, territoire, annee)
    return base | _statistique(con, territoire, annee)


def _statistique(con, territoire, annee) -> dict:
    cells = cellules(con, territoire, annee)
    ens = cells[cells["nomenclature"] == "ensemble"].set_index("groupe")
    secret: list[str] = []
    non_diffuse: list[str] = []
    niveau = "commune" if territoire.niveau == "communes" else territoire.niveau
    publies = diffusion.combinaisons(con)

    def valeur(groupe: str, champ: str, colonne: str = "effectifs"):
        if (niveau, groupe, "ensemble") not in publies:
            non_diffuse.append(champ)
            return None
        if groupe not in ens.index:
            return 0
        if bool(ens.at[groupe, "secret"]) and colonne != "nb_etablissements":
            secret.append(champ)
            return None
        return int(ens.at[groupe, colonne])

    ess = valeur("ess", "effectifs_ess")
    prive = valeur("prive", "effectifs_prive")
    part = round(100 * ess / prive, 1) if ess is not None and prive else None
    if part is None and prive != 0:
        secret.append("part_ess_emploi_prive")
    familles = {f: valeur(f, f"effectifs_par_famille.{f}") for f in FAMILLES_ESS}
    a38 = cells[(cells["groupe"] == "ess") & (cells["nomenclature"] == "a38")]
    par_a38 = {}
    for row in a38.sort_values("secteur").itertuples():
        if row.secret:
            secret.append(f"effectifs_par_a38.{row.secteur}")
        par_a38[row.secteur] = None if row.secret else int(row.effectifs)
    fourchette = fourchette_ess(con, territoire.code, annee) if ess is None else None
    # why the ESS total reads « s » (each « s » its true reason: ess.motifs)
    motif = motifs.motif(con, territoire, annee) if ess is None and "effectifs_ess" in secret else None
    return {
        "etablissements_employeurs_ess": valeur("ess", "", "nb_etablissements"),
        "effectifs_ess": ess,
        "fourchette_effectifs_ess": fourchette,
        "motif_secret_effectifs_ess": motif,
        "fourchette_part_ess_emploi_prive": fourchette_part(fourchette, prive),
        "effectifs_prive": prive,
        "part_ess_emploi_prive": part,
        "effectifs_par_famille": familles,
        "effectifs_par_a38": par_a38,
        "secret": secret,
        # not published at this level (e.g. families of a commune): neither 0 nor secret
        "non_diffuse": non_diffuse,
        "source": "Emploi salarié au 31/12 (format FLORES, INSEE), périmètre statistique de l'ESS",
    }


def fourchette_ess(con: duckdb.DuckDBPyConnection, territoire: str, annee: int) -> list[int | None] | None:
    """[min, max] of a hidden ESS total hidden to protect another territory, as anyone can
    compute it from the published figures (max None: unbounded); None when not published
    (a sensitive cell, a commune, a database built before the intervals)."""
    try:
        row = con.execute(FOURCHETTE_ESS, [territoire, annee]).fetchone()
    except duckdb.CatalogException:
        return None
    return None if row is None else [None if v is None else int(v) for v in row]


def fourchette_part(fourchette: list[int | None] | None, prive: int | None) -> list[float | None] | None:
    """The ESS share of private jobs (%) that a published interval of ESS jobs gives."""
    return fourchette_rapport(fourchette, prive, 100, 1)


def fourchette_rapport(fourchette: list | None, diviseur, facteur: int, decimales: int) -> list | None:
    """[min, max] of facteur·x/diviseur for x within `fourchette` (max None: unbounded),
    rounded outward to `decimales`: what anyone computes from the published figures. The map
    (ess.carte) and the portrait share it, so they give the same bounds to the last digit."""
    if not fourchette or not diviseur or diviseur != diviseur:  # none, 0 or NaN
        return None
    bas, haut = fourchette
    echelle = facteur * 10**decimales
    return [math.floor(echelle * bas / diviseur) / 10**decimales,
            None if haut is None else math.ceil(echelle * haut / diviseur) / 10**decimales]


def _sirene(con, territoire, annee) -> dict:
    cells = con.execute(SIRENE_ESS, [list(territoire.communes), annee]).df()
    familles = cells.groupby("famille")["effectifs_estimes"].sum()
    return {
        "etablissements_employeurs_ess": int(cells["nb_etablissements"].sum()),
        "effectifs_ess": int(cells["effectifs_estimes"].sum()),
        "effectifs_prive": None,
        "part_ess_emploi_prive": None,
        "effectifs_par_famille": {f: int(familles.get(f, 0)) for f in FAMILLES_ESS},
        "effectifs_par_a38": {
            k: int(v) for k, v in cells.groupby("a38")["effectifs_estimes"].sum().sort_index().items()
        },
        "secret": [],
        "non_diffuse": [],
        "source": "SIRENE (INSEE), unités légales marquées ESS ; effectifs : estimation "
                  "(tranches d'effectifs), emploi privé non disponible dans ce périmètre",
    }


def _part(numerateur, denominateur) -> float | None:
    if numerateur is None or not denominateur:
        return None
    return round(100 * numerateur / denominateur, 1)


def metropole(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(METROPOLE).fetchone()
    return row[0] if row else None


def chiffres_departement(con: duckdb.DuckDBPyConnection, annee: int | None = None) -> dict:
    """The home page's figures (the database's département or région): key figures plus the
    shares the plan quotes."""
    c = chiffres_cles(con, territoire_base(con).territoire, annee)
    ess = c["effectifs_ess"]
    c["part_associations"] = _part(c["effectifs_par_famille"]["association"], ess)
    c["part_action_sociale"] = _part(c["effectifs_par_a38"].get("QB"), ess)
    metro = metropole(con)
    if metro:
        m = chiffres_cles(con, metro, c["annee"])
        c["metropole"] = m["nom"]
        c["part_metropole_effectifs_ess"] = _part(m["effectifs_ess"], ess)
        c["part_ess_emploi_prive_metropole"] = m["part_ess_emploi_prive"]
    return c


REGION = """
SELECT g.nom FROM territoires t
LEFT JOIN ref_departements d ON t.niveau = 'departement' AND d.departement = t.code
JOIN ref_regions g ON g.region = CASE WHEN t.niveau = 'region' THEN t.code ELSE d.region END
WHERE t.niveau IN ('departement', 'region') ORDER BY t.niveau = 'region' DESC LIMIT 1
"""


def region_de_la_base(con: duckdb.DuckDBPyConnection) -> str | None:
    """The name of the database's région, or its département's (None in a database built
    before ref_regions: every context figure is then shown, as before)."""
    try:
        row = con.execute(REGION).fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None


def contexte(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The context figures the plan quotes (data/chiffres_contexte.csv), never recomputed, as
    the home page shows them."""
    df = con.execute(CONTEXTE).df()
    # a région's figures only for the département's own région (Occitanie's beside the 31 or
    # the 09, not beside the Gironde)
    autres = set(table("regions")["nom"]) - {region_de_la_base(con)}
    df = df[~df["territoire"].isin(autres)].reset_index(drop=True)
    df["Valeur"] = [fr.pourcent(float(v)) if u == "%" else f"{fr.nombre(float(v))} {u}"
                    for v, u in zip(df["valeur"], df["unite"], strict=True)]
    return df[["indicateur", "territoire", "Valeur", "annee", "source"]].rename(columns={
        "territoire": "Territoire", "indicateur": "Indicateur", "source": "Source", "annee": "Année"})
