"""Territory hierarchy commune → EPCI → PETR → département (→ région), plus typology groups.

Every territory has an identifier `niveau:code` (`commune:31555`, `epci:243100518`,
`petr:tolosan`, `departement:31`, `metropole:toulouse-metropole`, `densite:rural`), the same
syntax the CLI and the URL use. `appartenance` lists, for each commune, every territory it
belongs to: aggregating any table by territory is then one join.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data import DATA, libelles
from geo import cache, reference, typologies
from geo.geometry import contours_departements, fond_de_carte, geojson_par_territoire
from geo.perimetre import Perimetre

LAMBERT93 = 2154
MARGE_FOND_DEG = 0.08  # how much of the neighbours the maps show around the département


@dataclass(frozen=True)
class Referentiel:
    """The territory tables written into the database."""

    communes: pd.DataFrame  # one row per commune, with its parents and typology classes
    territoires: pd.DataFrame  # territoire, niveau, code, nom, population, superficie_km2
    appartenance: pd.DataFrame  # commune, territoire
    geometries: pd.DataFrame  # territoire, geojson (simplified geometry), lon, lat
    fond: pd.DataFrame  # the neighbouring départements around the maps: territoire, nom, geojson, lon, lat
    departements: pd.DataFrame  # every département of France: departement, geojson, lon, lat
    petr: pd.DataFrame  # the PETR read: petr, nom, epci
    frame: gpd.GeoDataFrame  # communes with full-resolution geometry (for the demo generator)


PETR_LIVRES = DATA / "petr.csv"  # Haute-Garonne's; another département's comes with --petr


def contours_de_france() -> pd.DataFrame:
    """The départements' contours (geo.geometry.contours_departements), derived once (~3 s)."""
    nom = cache.cle("departements")
    if (garde := cache.lire(nom)) is not None:
        return garde["departements"]
    df = contours_departements(reference.departements_de_france())
    cache.ecrire(nom, {"departements": df})
    return df


def charger_petr(path: Path = PETR_LIVRES) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str)


def referentiel(perimetre: Perimetre, petr: pd.DataFrame | None = None) -> Referentiel:
    """`petr`: PETR of the perimeter's EPCI (petr, nom, epci); the shipped file by default,
    whose EPCI are Haute-Garonne's (elsewhere no PETR: the level is absent). Derived once per
    perimeter, PETR and version of the code and data (geo.cache): ~3 s, then ~0,2 s."""
    petr = charger_petr() if petr is None else petr
    nom = cache.cle(f"referentiel-{perimetre.niveau}-{perimetre.code}", petr.to_csv(index=False).encode())
    if (garde := cache.lire(nom)) is not None:
        return Referentiel(**garde)
    ref = _referentiel(perimetre, petr)
    cache.ecrire(nom, {f.name: getattr(ref, f.name) for f in fields(ref)})
    return ref


def _referentiel(perimetre: Perimetre, petr: pd.DataFrame) -> Referentiel:
    gdf = reference.communes(perimetre.departements, perimetre.partie())
    gdf["superficie_km2"] = gdf.geometry.to_crs(LAMBERT93).area / 1e6
    gdf = gdf.merge(petr[["epci", "petr"]], on="epci", how="left")
    gdf["region"] = perimetre.code if perimetre.region else None
    metropoles = gdf["epci"].map(typologies.metropoles(gdf))
    if metropoles.notna().any():
        gdf["metropole"] = metropoles.map(typologies.slug_metropole, na_action="ignore").fillna(
            typologies.HORS_METROPOLE)
        gdf["metropole_nom"] = metropoles.fillna(typologies.LIBELLES[typologies.HORS_METROPOLE])
    else:
        gdf["metropole"] = gdf["metropole_nom"] = None
    gdf["densite"] = typologies.classe_densite(gdf["population"] / gdf["superficie_km2"])
    gdf["densite_nom"] = gdf["densite"].map(typologies.LIBELLES)

    communes = pd.DataFrame(gdf.drop(columns="geometry"))
    territoires, appartenance = _territoires(communes, petr, perimetre)
    geometries = geojson_par_territoire(gdf, appartenance)
    fond = fond_de_carte(*reference.voisins(perimetre.departements, MARGE_FOND_DEG), MARGE_FOND_DEG)
    france = contours_de_france()
    return Referentiel(communes, territoires, appartenance, geometries, fond, france, petr, gdf)


def requalifier(ref, perimetre: Perimetre, densite: pd.Series | None = None,
                population: pd.Series | None = None, qpv: pd.Series | None = None,
                massif: pd.Series | None = None):
    """The referentiel with official zonings in place of the approximations (commune-indexed
    Series; communes absent from a file keep their previous value). Territory groups,
    populations and geometries are derived again from the updated communes."""
    gdf = ref.frame.copy()
    if population is not None:
        gdf["population"] = gdf["commune"].map(population).fillna(gdf["population"]).astype("int64")
    approx = typologies.classe_densite(gdf["population"] / gdf["superficie_km2"])
    gdf["densite"] = gdf["commune"].map(densite).fillna(approx) if densite is not None else approx
    gdf["densite_nom"] = gdf["densite"].map(typologies.LIBELLES)
    gdf["qpv"] = gdf["commune"].map(qpv) if qpv is not None else None
    gdf["massif"] = gdf["commune"].map(massif) if massif is not None else None
    communes = pd.DataFrame(gdf.drop(columns="geometry"))
    terr, appartenance = _territoires(communes, ref.petr, perimetre)
    geometries = geojson_par_territoire(gdf, appartenance)
    return Referentiel(communes, terr, appartenance, geometries, ref.fond, ref.departements, ref.petr, gdf)


def _territoires(
    communes: pd.DataFrame, petr: pd.DataFrame, perimetre: Perimetre
) -> tuple[pd.DataFrame, pd.DataFrame]:
    noms_petr = petr.drop_duplicates("petr").set_index("petr")["nom"]
    levels = {
        "commune": (communes["commune"], communes["nom"]),
        "epci": (communes["epci"], communes["epci_nom"]),
        "petr": (communes["petr"], communes["petr"].map(noms_petr)),
        "departement": (communes["departement"],
                        communes["departement"].map(libelles("departements", "nom"))),
        "region": (communes["region"], communes["region"].map(libelles("regions", "nom"))),
        "metropole": (communes["metropole"], communes["metropole_nom"]),
        "densite": (communes["densite"], communes["densite_nom"]),
    }
    rows = []
    for niveau, (codes, noms) in levels.items():
        part = pd.DataFrame(
            {
                "commune": communes["commune"],
                "niveau": niveau,
                "code": codes,
                "nom": noms,
                "population": communes["population"],
                "superficie_km2": communes["superficie_km2"],
            }
        ).dropna(subset=["code"])
        rows.append(part)
    long = pd.concat(rows, ignore_index=True)
    long["territoire"] = long["niveau"] + ":" + long["code"]
    appartenance = long[["commune", "territoire"]]
    territoires = (
        long.groupby(["territoire", "niveau", "code", "nom"], as_index=False)
        .agg(population=("population", "sum"), superficie_km2=("superficie_km2", "sum"),
             nb_communes=("commune", "size"))
        .sort_values(["niveau", "code"], ignore_index=True)
    )
    return territoires, appartenance
