"""Data behind the map page: one value per territory of a level (EPCI or commune) for a
metric, a year, an ESS definition and optional filters (legal family, A21 section), with its
rank among peers; the ESS establishments to draw as points.

Values hidden by the secret statistique stay NaN with `secret = True`; a value that cannot
be computed (no private job, base year at zero) is NaN with `secret = False` ("n.d.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from data import libelles
from ess import diffusion, indicateurs
from ess import format as fr
from geo.choroplethe import feature_collection
from geo.classes import Classes, classer, placer_fourchettes

NIVEAUX = {n: libelles("niveaux", "partition")[n] for n in ("epci", "commune")}  # the map's levels
DEFINITIONS = libelles("definitions_ess")


@dataclass(frozen=True)
class Metrique:
    libelle: str
    unite: str  # shown in the legend, the tooltip and the table header
    decimales: int
    base: str  # the yearly quantity it is computed from
    evolution: bool = False
    sirene: bool = True  # available with the SIRENE definition


METRIQUES = {
    "etablissements_ess": Metrique("Établissements employeurs de l'ESS", "établissements", 0,
                                   "etablissements"),
    "effectifs_ess": Metrique("Effectifs salariés de l'ESS", "salariés", 0, "effectifs"),
    "part_ess_prive": Metrique("Part de l'ESS dans l'emploi privé", "%", 1, "part", sirene=False),
    "effectifs_ess_1000_hab": Metrique("Effectifs salariés de l'ESS pour 1\u202f000 habitants",
                                       "salariés pour 1\u202f000 hab.", 1, "pour_1000"),
    "evolution_effectifs_ess": Metrique("Évolution des effectifs salariés de l'ESS", "%", 1,
                                        "effectifs", evolution=True),
    "evolution_etablissements_ess": Metrique("Évolution des établissements employeurs de l'ESS",
                                             "%", 1, "etablissements", evolution=True),
}

# Statistical perimeter: emploi cells of every territory of a level. `groupe` is 'ess' or a
# family; (nomenclature, secteur) is ('ensemble', '_') or ('a21', <section>).
_STATISTIQUE = """
SELECT t.territoire, t.code, t.nom, t.population,
       coalesce(max(e.nb_etablissements) FILTER (WHERE e.groupe = $groupe), 0) AS etablissements,
       max(e.effectifs) FILTER (WHERE e.groupe = $groupe) AS effectifs,
       coalesce(bool_or(e.secret) FILTER (WHERE e.groupe = $groupe), false) AS secret_ess,
       max(e.effectifs) FILTER (WHERE e.groupe = 'prive') AS effectifs_prive,
       coalesce(bool_or(e.secret) FILTER (WHERE e.groupe = 'prive'), false) AS secret_prive,
       max(e.motif_secret) FILTER (WHERE e.groupe = $groupe) AS motif_ess,
       max(e.motif_secret) FILTER (WHERE e.groupe = 'prive') AS motif_prive
FROM territoires t
LEFT JOIN emploi e ON e.territoire = t.territoire AND e.annee = $annee
     AND e.nomenclature = $nomenclature AND e.secteur = $secteur
WHERE t.niveau = $niveau
GROUP BY ALL
ORDER BY t.territoire
"""

# A database built before the reasons of the secret were recorded (a kept version brought back).
_STATISTIQUE_SANS_MOTIF = re.sub(r"max\(e\.motif_secret\) FILTER \([^)]*\)", "NULL::VARCHAR", _STATISTIQUE)

# SIRENE definition, as `indicateurs.SIRENE_ESS`: flag 'O', employer, active at 31/12 of the
# year; jobs estimated from the middle of the size band. Counts from the public register are
# not secret.
_SIRENE = indicateurs.TRANCHES_MILIEU + """, e AS (
    SELECT e.commune, count(*) AS nb, sum(coalesce(t.milieu, 0)) AS eff
    FROM etablissements e LEFT JOIN t USING (tranche)
    WHERE e.ess_sirene AND e.employeur
      AND actif_au_31_12(e.date_creation, e.date_fermeture, $annee)
      AND ($famille IS NULL OR coalesce(e.famille_ess, 'autre_ess') = $famille)
      AND ($section IS NULL OR e.a21 = $section)
    GROUP BY e.commune
)
SELECT tr.territoire, tr.code, tr.nom, tr.population,
       coalesce(sum(e.nb), 0)::INTEGER AS etablissements,
       round(coalesce(sum(e.eff), 0)) AS effectifs,
       false AS secret_ess, NULL::DOUBLE AS effectifs_prive, false AS secret_prive,
       NULL::VARCHAR AS motif_ess, NULL::VARCHAR AS motif_prive
FROM territoires tr
JOIN appartenance a ON a.territoire = tr.territoire
LEFT JOIN e ON e.commune = a.commune
WHERE tr.niveau = $niveau
GROUP BY ALL
ORDER BY tr.territoire
"""  # noqa: S608 (two constant fragments, parameters bound)

# Simplified geometry of every territory of a level (GeoJSON text, built at build time).
GEOMETRIES_NIVEAU = """
SELECT g.territoire, g.geojson
FROM geometries g JOIN territoires t USING (territoire)
WHERE t.niveau = ?
ORDER BY g.territoire
"""
# Hidden ESS totals published as an interval (emploi_fourchettes), every territory, one year.
FOURCHETTES_ANNEE = """
SELECT territoire, effectifs_min, effectifs_max FROM emploi_fourchettes
WHERE annee = ? AND groupe = 'ess' AND nomenclature = 'ensemble'
"""
# The neighbouring départements drawn around the maps.
FOND = "SELECT territoire, nom, geojson, lon, lat FROM fond_de_carte"


def _annee(con, niveau: str, annee: int, definition: str, famille: str | None,
           section: str | None) -> pd.DataFrame:
    """Yearly base quantities (etablissements, effectifs, part, pour_1000) with their secret."""
    if definition == "sirene":
        df = con.execute(_SIRENE, {"annee": annee, "famille": famille, "section": section,
                                   "niveau": niveau}).df()
    else:
        params = {"groupe": famille or "ess", "annee": annee, "niveau": niveau,
                  "nomenclature": "a21" if section else "ensemble", "secteur": section or "_"}
        try:
            df = con.execute(_STATISTIQUE, params).df()
        except duckdb.BinderException:
            df = con.execute(_STATISTIQUE_SANS_MOTIF, params).df()
        # A territory with no cell of the group has no such job: 0, not hidden.
        df.loc[~df["secret_ess"], "effectifs"] = df.loc[~df["secret_ess"], "effectifs"].fillna(0)
    effectifs = df["effectifs"].astype(float)
    prive = df["effectifs_prive"].astype(float)
    df["part"] = (100 * effectifs / prive.where(prive > 0)).round(1)
    df["pour_1000"] = (1000 * effectifs / df["population"].where(df["population"] > 0)).round(1)
    return df


def _secret(df: pd.DataFrame, base: str) -> pd.Series:
    if base == "etablissements":
        return pd.Series(False, index=df.index)
    if base == "part":
        return df["secret_ess"] | df["secret_prive"]
    return df["secret_ess"].astype(bool)


def _motif(df: pd.DataFrame, base: str) -> pd.Series:
    """Why each hidden value is hidden (emploi.motif_secret: « sensible », « complement »),
    None where published or unknown: the ESS cell's reason, else the private jobs' (a share)."""
    motif = df["motif_ess"].where(df["secret_ess"])
    if base == "part":
        motif = motif.fillna(df["motif_prive"].where(df["secret_prive"]))
    return motif.astype(object).where(motif.notna(), None)


class NonDiffuse(ValueError):
    """The combination asked is not published at that level (neither zero nor secret)."""


def _verifier_diffusion(con, niveau: str, base: str, famille: str | None, section: str | None) -> None:
    publies = diffusion.combinaisons(con)
    nomenclature = "a21" if section else "ensemble"
    besoins = [(famille or "ess", nomenclature)]
    if base == "part":
        besoins.append(("prive", nomenclature))
    for groupe, nom in besoins:
        if base != "etablissements" and (niveau, groupe, nom) not in publies:
            quoi = "par secteur d'activité" if section else "par famille"
            ou = "pour les communes" if niveau == "commune" else "à cet échelon"
            raise NonDiffuse(f"Les effectifs {quoi} ne sont pas diffusés {ou} (secret statistique : "
                             "trop peu d'établissements par cellule). Choisissez les EPCI, ou l'ensemble "
                             "de l'ESS.")


def donnees(con: duckdb.DuckDBPyConnection, niveau: str, metrique: str, annee: int,
            definition: str = "statistique", famille: str | None = None,
            section: str | None = None, depuis: int | None = None) -> pd.DataFrame:
    """One row per territory of the level: `valeur`, `secret`, `rang` (1 = highest) and
    `nb_classes` (how many territories have a value), plus the base quantities of `annee`."""
    if niveau not in NIVEAUX:
        raise ValueError(f"Niveau de carte inconnu : « {niveau} ».")
    m = METRIQUES[metrique]
    if definition == "sirene" and not m.sirene:
        raise ValueError(f"« {m.libelle} » n'existe pas dans la définition SIRENE.")
    if definition == "statistique":
        _verifier_diffusion(con, niveau, m.base, famille, section)
    df = _annee(con, niveau, annee, definition, famille, section)
    secret = _secret(df, m.base)
    motif = _motif(df, m.base)
    valeur = df[m.base].astype(float)
    if m.evolution:
        if depuis is None or depuis >= annee:
            raise ValueError("L'évolution demande une année de départ antérieure à l'année choisie.")
        avant = _annee(con, niveau, depuis, definition, famille, section).set_index("territoire")
        avant = avant.reindex(df["territoire"])
        v0 = avant[m.base].astype(float).to_numpy()
        secret = secret | _secret(avant, m.base).to_numpy()
        motif = motif.fillna(pd.Series(_motif(avant, m.base).to_numpy(), index=df.index))
        with np.errstate(divide="ignore", invalid="ignore"):
            valeur = pd.Series(np.where(v0 > 0, 100 * (valeur.to_numpy() - v0) / v0, np.nan),
                               index=df.index).round(1)
    df["valeur"] = valeur.where(~secret)
    df["secret"] = secret.astype(bool)
    df["motif_secret"] = motif.where(df["secret"], None)
    intervalle = definition == "statistique" and not (famille or section or m.evolution)
    df["valeur_min"], df["valeur_max"] = _fourchettes(con, df, m, annee) if intervalle else (np.nan, np.nan)
    df["rang"] = df["valeur"].rank(ascending=False, method="min").astype("Int64")
    df["nb_classes"] = int(df["valeur"].notna().sum())
    return df


def _fourchettes(con, df: pd.DataFrame, m: Metrique, annee: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of the metric where the ESS total is hidden but published as an interval
    (`fourchettes`), as the portrait computes them (indicateurs.fourchette_rapport). NaN
    elsewhere; max inf when the interval has no upper end."""
    bas, haut = np.full(len(df), np.nan), np.full(len(df), np.nan)
    rapport = {"part": ("effectifs_prive", 100), "pour_1000": ("population", 1000), "effectifs": (None, 1)}
    if m.base not in rapport:
        return bas, haut
    colonne, facteur = rapport[m.base]
    bornes = fourchettes(con, annee)
    for i, r in enumerate(df.itertuples()):
        if r.territoire not in bornes or (m.base == "part" and r.secret_prive):
            continue
        diviseur = 1 if colonne is None else getattr(r, colonne)
        f = indicateurs.fourchette_rapport(bornes[r.territoire], diviseur, facteur, m.decimales)
        if f:
            bas[i], haut[i] = f[0], np.inf if f[1] is None else f[1]
    return bas, haut


def donnees_classees(con: duckdb.DuckDBPyConnection, niveau: str, metrique: str, annee: int,
                     definition: str, famille: str | None, section: str | None, depuis: int | None,
                     methode: str, k: int) -> tuple[pd.DataFrame, Classes]:
    """`donnees` and their class breaks, what the map draws."""
    df = donnees(con, niveau, metrique, annee, definition, famille, section, depuis)
    classes = classer(df["valeur"], methode, k)
    return df, placer_fourchettes(classes, df["valeur_min"], df["valeur_max"])


def contours(con: duckdb.DuckDBPyConnection, niveau: str) -> dict:
    """The level's geometries (simplified at build time) as a GeoJSON FeatureCollection."""
    return feature_collection(con.execute(GEOMETRIES_NIVEAU, [niveau]).df())


def fond(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The neighbouring départements drawn around the maps; None for a database built before
    the background existed (a kept version brought back keeps working)."""
    try:
        return con.execute(FOND).df()
    except duckdb.CatalogException:
        return None


def fourchettes(con: duckdb.DuckDBPyConnection, annee: int) -> dict[str, list]:
    """Hidden ESS totals published as an interval (`indicateurs.fourchette_ess`), by territory."""
    try:
        rows = con.execute(FOURCHETTES_ANNEE, [annee]).fetchall()
    except duckdb.CatalogException:  # a database built before the intervals
        return {}
    return {t: [lo, hi] for t, lo, hi in rows}


def rang_texte(rang, nb: int) -> str:
    if pd.isna(rang):
        return "non calculable"  # after « Rang : »
    return f"{int(rang)}{'er' if int(rang) == 1 else 'e'} sur {nb}"


def titre(metrique: str, famille_libelle: str | None = None, section_libelle: str | None = None,
          depuis: int | None = None, annee: int | None = None) -> str:
    """The metric's label with its filters and period, for legends and table headers."""
    m = METRIQUES[metrique]
    texte = m.libelle
    precisions = [p for p in (famille_libelle, section_libelle) if p]
    if precisions:
        texte += f" ({' ; '.join(precisions)})"
    if m.evolution and depuis and annee:
        texte += f", {depuis}-{annee}"
    return texte


# Establishments drawn as points. `diffusible` is tested explicitly: a partially diffusible
# establishment (statutDiffusion = P) is never placed on a map, whatever its coordinates.
_POINTS = """
SELECT e.siret, e.nom, c.nom AS commune, coalesce(f.libelle, 'ESS (marqueur SIRENE)') AS famille,
       e.libelle_naf, e.a21, e.lon, e.lat
FROM etablissements e
JOIN communes c ON c.commune = e.commune
LEFT JOIN ref_familles f ON f.famille = e.famille_ess
WHERE e.diffusible AND e.lon IS NOT NULL AND e.lat IS NOT NULL AND e.employeur
  AND (CASE WHEN $definition = 'sirene' THEN e.ess_sirene ELSE e.famille_ess IS NOT NULL END)
  AND actif_au_31_12(e.date_creation, e.date_fermeture, $annee)
  AND ($famille IS NULL OR coalesce(e.famille_ess, 'autre_ess') = $famille)
  AND ($section IS NULL OR e.a21 = $section)
ORDER BY e.siret
"""


def etablissements(con: duckdb.DuckDBPyConnection, annee: int, definition: str = "statistique",
                   famille: str | None = None, section: str | None = None) -> pd.DataFrame:
    return con.execute(_POINTS, {"definition": definition, "annee": annee, "famille": famille,
                                 "section": section}).df()


def tableau(df: pd.DataFrame, metrique: str, entete: str) -> pd.DataFrame:
    """The table behind the map: numeric columns (so it sorts), secret shown in its own column."""
    m = METRIQUES[metrique]
    return pd.DataFrame({
        "Territoire": df["nom"],
        "Code": df["code"],
        f"{entete} ({m.unite})": df["valeur"],
        "Rang": df["rang"],
        "Secret statistique": [_secret_texte(metrique, s, lo, hi) for s, lo, hi in
                               zip(df["secret"], df["valeur_min"], df["valeur_max"], strict=True)],
        "Établissements employeurs ESS": df["etablissements"],
        "Population": df["population"],
    }).sort_values("Rang", na_position="last", ignore_index=True)


def fourchette_texte(metrique: str, lo: float, hi: float) -> str | None:
    """« entre 11,3 % et 11,7 % », « entre 801 et 815 salariés », « au moins 40 salariés »;
    None without an interval."""
    if lo != lo:  # NaN
        return None
    m = METRIQUES[metrique]
    bornes = [lo, None if hi == np.inf else hi]
    if m.unite == "%":
        return fr.fourchette(bornes, m.decimales, "%")
    return f"{fr.fourchette(bornes, m.decimales)} {m.unite}"


def _secret_texte(metrique: str, secret: bool, lo: float, hi: float) -> str:
    if not secret:
        return ""
    fourchette = fourchette_texte(metrique, lo, hi)
    return f"s ({fourchette})" if fourchette else "s"
