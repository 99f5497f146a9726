"""The database's département situated in its région and in France, or its région in France
(issue 26): ESS employer establishments and their share of private employer establishments,
from the national SIRENE stock (mart `reperes`, etl/national.py), with its rank. Employment
(FLORES) exists only for the territory loaded: beyond it those figures are null, with their
reason."""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from ess import format as fr
from ess import noms
from ess.codes_territoire import TerritoireInvalide, territoire_base
from ess.indicateurs import FAMILLES_ESS, PERIMETRES, AnneeIndisponible, annee_par_defaut
from ess.provenance import infos_build
from geo.perimetre import Perimetre

TOTAUX = """
SELECT territoire, niveau, code, nom,
       sum(nb_etablissements) FILTER (WHERE perimetre = ?)::INTEGER AS ess,
       sum(nb_etablissements) FILTER (WHERE perimetre = 'prive')::INTEGER AS prive
FROM reperes WHERE annee = ? AND famille = '' AND a21 = '' AND niveau = ?
GROUP BY ALL
"""
FAMILLES = """
SELECT famille, nb_etablissements FROM reperes
WHERE territoire = ? AND annee = ? AND perimetre = ? AND famille <> ''
"""
REGION_DU_DEPARTEMENT = "SELECT region FROM ref_departements WHERE departement = ?"
DEPARTEMENTS_DE_LA_REGION = "SELECT departement FROM ref_departements WHERE region = ?"
ANNEES = "SELECT DISTINCT annee FROM reperes ORDER BY annee"
# ESS share of private employer establishments of some territories, every year
EVOLUTION = """
SELECT annee, territoire,
       100 * sum(nb_etablissements) FILTER (WHERE perimetre = ?)
           / nullif(sum(nb_etablissements) FILTER (WHERE perimetre = 'prive'), 0) AS part
FROM reperes WHERE list_contains(?, territoire) AND famille = '' AND a21 = ''
GROUP BY ALL ORDER BY annee
"""
_CODE = re.compile(r"^(?:(departement|region):([0-9AB]{2,3})|france)$")
SOURCE = ("SIRENE (INSEE), établissements employeurs actifs au 31 décembre ; part dans les "
          "établissements employeurs privés")
SOURCE_DEMO = " ; démonstration : établissements fictifs hors du territoire chargé"
PAS_EMPLOI = "emploi salarié (FLORES) chargé pour le seul territoire de la base"


def disponible(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return bool(con.execute("SELECT 1 FROM reperes LIMIT 1").fetchall())
    except duckdb.CatalogException:  # a database built before the national comparisons
        return False


def annees(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [a for (a,) in con.execute(ANNEES).fetchall()]


def _totaux(con, annee: int, perimetre: str, niveau: str) -> pd.DataFrame:
    df = con.execute(TOTAUX, [perimetre, annee, niveau]).df()
    df["part"] = (100 * df["ess"] / df["prive"]).where(df["prive"] > 0)
    return df


def _rang(df: pd.DataFrame, code: str) -> tuple[int, int] | None:
    """(rank by share, out of how many): 1 is the largest ESS share."""
    parts = df.set_index("code")["part"].dropna()
    if code not in parts.index:
        return None
    return int((parts > parts[code]).sum()) + 1, len(parts)


def titre(base: Perimetre) -> str:
    """« La Haute-Garonne dans sa région et en France », « L'Occitanie en France »."""
    ou = " en France" if base.region else " dans sa région et en France"
    return noms.majuscule(noms.le(base.nom)) + ou


def situer(con: duckdb.DuckDBPyConnection, annee: int, perimetre: str = "statistique") -> dict | None:
    """The database's département, its région and France side by side (or its région and
    France), its ranks and the sentence that says them; None when the database holds no
    national comparison."""
    if not disponible(con):
        return None
    base = territoire_base(con)
    code, nom = base.code, base.nom
    deps = _totaux(con, annee, perimetre, "departement")
    region = code if base.region else region_de(con, code)
    regions = _totaux(con, annee, perimetre, "region")
    france = _totaux(con, annee, perimetre, "france")
    lignes = pd.concat([*([] if base.region else [deps[deps["code"] == code]]),
                        regions[regions["code"] == region], france])
    if len(lignes) < (2 if base.region else 3):
        return None
    nom_region = str(regions.loc[regions["code"] == region, "nom"].iloc[0])
    if base.region:
        rang, rang_region = _rang(regions, code), None
    else:
        dans_region = {d for (d,) in con.execute(DEPARTEMENTS_DE_LA_REGION, [region]).fetchall()}
        rang = _rang(deps, code)
        rang_region = _rang(deps[deps["code"].isin(dans_region)], code)
    tableau = pd.DataFrame({
        "Territoire": lignes["nom"].to_numpy(),
        "Établissements employeurs de l'ESS": lignes["ess"].to_numpy(),
        "Établissements employeurs privés": lignes["prive"].to_numpy(),
        "Part de l'ESS (%)": lignes["part"].round(1).to_numpy(),
    })
    parts = [fr.pourcent(float(p)) for p in lignes["part"]]
    phrase = (f"En {annee}, l'ESS compte {parts[0]} des établissements employeurs privés {noms.dans(nom)}, "
              "contre " + (f"{parts[1]} en France" if base.region else
                           f"{parts[1]} {noms.dans(nom_region)} et {parts[2]} en France"))
    if rang:
        phrase += f" : {noms.le(nom)} est {rang_texte(rang, 'région' if base.region else 'département')}"
        if rang_region:
            phrase += f" ({rang_texte(rang_region, '')} {noms.dans(nom_region)})"
    phrase += "."
    demo = infos_build(con).get("demo") == "oui"
    ids = list(lignes["territoire"])
    evo = con.execute(EVOLUTION, [perimetre, ids]).df().pivot(index="annee", columns="territoire",
                                                               values="part")
    evolution = pd.DataFrame({"Année": evo.index.astype(int)} | {
        nom_t: evo[t].round(1).to_numpy() for t, nom_t in zip(ids, lignes["nom"], strict=True)})
    return {"annee": annee, "perimetre": perimetre, "tableau": tableau, "phrase": phrase,
            "evolution": evolution,
            "source_evolution": f"{SOURCE}, {evolution['Année'].min()} à {evolution['Année'].max()}"
                                + (SOURCE_DEMO if demo else ""),
            "rang": rang, "rang_region": rang_region, "region": nom_region,
            "source": f"{SOURCE}, {annee}" + (SOURCE_DEMO if demo else "")}


CONTOURS = """
SELECT 'departement:' || c.departement AS territoire, c.departement AS code, d.nom, d.region,
       c.geojson, c.lon, c.lat
FROM contours_departements c JOIN ref_departements d USING (departement)
"""


def departements(con: duckdb.DuckDBPyConnection, annee: int, perimetre: str = "statistique",
                 region: str | None = None) -> pd.DataFrame | None:
    """Every département (or those of `region`) with its ESS share of private employer
    establishments (null where the stock holds none) and its contours, for the maps that
    situate the database's one; None for a database without national comparisons or contours."""
    if not disponible(con):
        return None
    try:
        contours = con.execute(CONTOURS).df()
    except duckdb.CatalogException:  # built before the contours were kept
        return None
    totaux = _totaux(con, annee, perimetre, "departement")[["code", "ess", "prive", "part"]]
    df = contours.merge(totaux, on="code", how="left")  # Mayotte, absent from a stock, kept
    if region is not None:
        df = df[df["region"] == region]
    return df.sort_values("code", ignore_index=True)


def outre_mer(con: duckdb.DuckDBPyConnection, annee: int) -> pd.DataFrame:
    """The overseas départements (codes 97x), off the map of France: listed beside it."""
    df = departements(con, annee)
    return df[df["code"].str.startswith("97")]


def region_de(con: duckdb.DuckDBPyConnection, departement: str) -> str:
    return con.execute(REGION_DU_DEPARTEMENT, [departement]).fetchall()[0][0]


def rang_texte(rang: tuple[int, int], quoi: str) -> str:
    """« 12ᵉ département sur 101 », « 1ᵉʳ département sur 101 », « 3ᵉ sur 13 »."""
    n, sur = rang
    ordinal = f"{n}ᵉʳ" if n == 1 else f"{n}ᵉ"
    return f"{ordinal} {quoi} sur {sur}".replace("  ", " ")


def chiffres(con: duckdb.DuckDBPyConnection, code: str, annee: int | None = None,
             perimetre: str = "statistique") -> dict | None:
    """Key figures of a région, France or a département the database does not detail, with
    the keys of `indicateurs.chiffres_cles`: establishments from the national SIRENE stock,
    employment null with its reason (`indisponible`). None when `code` is none of those."""
    m = _CODE.match(code.strip())
    if not m or not disponible(con):
        return None
    niveau, valeur = (m.group(1), m.group(2)) if m.group(1) else ("france", "france")
    if perimetre not in PERIMETRES:
        raise ValueError(f"Périmètre inconnu : « {perimetre} » (statistique ou sirene).")
    annee = annee or annee_par_defaut(con)
    stock = annees(con)
    if annee not in stock:
        raise AnneeIndisponible(
            f"Année {annee} indisponible ; années disponibles : {stock[0]}–{stock[-1]}.")
    totaux = _totaux(con, annee, perimetre, niveau)
    ligne = totaux[totaux["code"] == valeur]
    if ligne.empty:
        raise TerritoireInvalide(f"Territoire inconnu : « {code} ».")
    r = ligne.iloc[0]
    familles = dict(con.execute(FAMILLES, [r["territoire"], annee, perimetre]).fetchall())
    indisponible = {k: PAS_EMPLOI for k in ("effectifs_ess", "effectifs_prive", "part_ess_emploi_prive",
                                             "effectifs_par_famille", "effectifs_par_a38")}
    return {
        "territoire": r["territoire"], "nom": r["nom"], "annee": annee, "perimetre": perimetre,
        "donnees_demo": infos_build(con).get("demo") == "oui",
        "etablissements_employeurs_ess": int(r["ess"]) if pd.notna(r["ess"]) else 0,
        "effectifs_ess": None, "fourchette_effectifs_ess": None, "motif_secret_effectifs_ess": None,
        "fourchette_part_ess_emploi_prive": None, "effectifs_prive": None, "part_ess_emploi_prive": None,
        "effectifs_par_famille": dict.fromkeys(FAMILLES_ESS), "effectifs_par_a38": {},
        "secret": [], "non_diffuse": list(indisponible),
        "etablissements_par_famille": {f: int(familles.get(f, 0)) for f in FAMILLES_ESS},
        "etablissements_employeurs_prives": int(r["prive"]) if pd.notna(r["prive"]) else None,
        "part_ess_etablissements_employeurs_prives":
            None if pd.isna(r["part"]) else round(float(r["part"]), 1),
        "indisponible": indisponible,
        "source": f"{SOURCE} (stock national)",
    }
